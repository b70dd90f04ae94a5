"""Import selfeval/1 documents: one transaction per file, errors that name the file and the key.

The document is validated by the one selfeval/1 reader (scoring.engine.document), shared with the
scoring command line; this module only maps a valid document onto the database, creating or
updating region, department, unit, subject, fund lines, indicators and evaluation.
"""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import IntegrityError, transaction

from projects.models import (
    Department,
    Evaluation,
    FundLine,
    Indicator,
    IndicatorResult,
    Project,
    Region,
    Unit,
)
from projects.money import MAX_AMOUNT, to_yuan
from scoring.engine.document import Document, DocumentError, detect_ruleset, read_document
from scoring.services import indicator_parsed_fields

DEPARTMENT_OVERALL_CODE = "DEPT-OVERALL"
EXAMPLE_MARK = "示例"
# Every figure must fit the column it is stored in: a number a column cannot hold fails the save
# on PostgreSQL and, on SQLite, every later read of the row (each page of the filing answers 500).
MAX_WEIGHT = Decimal(100)  # a 分值 is part of a 100-point total
MAX_SCORE = Decimal(100000)  # exclusive: the score columns hold 5 integer digits
CENT = Decimal("0.01")


class ImportFailed(Exception):
    """A document that could not be imported; the message names the file and the key or row."""

    def __init__(self, source: str, path: str, message: str):
        self.source, self.path, self.message = source, path, message
        where = f"{source}：{path}：" if path else f"{source}："
        super().__init__(f"{where}{message}")


def stable_code(prefix: str, name: str) -> str:
    """A code derived from a name, for documents that carry none; stable across imports."""
    return f"{prefix}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8].upper()}"


def import_file(path: Path | str, *, user=None) -> Evaluation:
    """Read, validate and import one file; nothing is saved if any part of it fails."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(path.name, "", f"无法读取文件（{exc.strerror}）") from exc
    return import_bytes(raw, source=path.name, user=user)


def import_bytes(raw: bytes, *, source: str, user=None) -> Evaluation:
    """Import a document given as bytes (an uploaded file); `source` names it in messages."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFailed(source, "", "文件不是 UTF-8 编码的文本") from exc
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            source, "", f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"
        ) from exc
    try:
        document = read_document(data)
    except DocumentError as exc:
        raise ImportFailed(source, exc.path, exc.message) from exc
    return import_document(document, source=source, user=user)


def import_document(document: Document, *, source: str = "文档", user=None) -> Evaluation:
    """Create or update everything one valid document describes, in one transaction."""
    try:
        with transaction.atomic():
            return _Importer(document, source).run()
    except IntegrityError as exc:  # a constraint the checks below did not foresee
        raise ImportFailed(source, "", f"数据违反约束：{exc}") from exc


class _Importer:
    """Maps one document onto the database; each step raises ImportFailed with its key."""

    def __init__(self, document: Document, source: str):
        self.doc = document
        self.source = source

    def fail(self, path: str, message: str) -> ImportFailed:
        return ImportFailed(self.source, path, message)

    def run(self) -> Evaluation:
        self._check_texts()
        region = self._region()
        self._check_template(region)
        unit = self._unit(self._department(region))
        project = self._project(unit)
        evaluation = self._evaluation(project)
        self._funds(project)
        self._indicators(project, evaluation)
        return evaluation

    def _region(self) -> Region:
        name = self.doc.region or "未指定地区"
        region = Region.objects.filter(name=name).first()
        return region or Region.objects.create(
            name=name, code=stable_code("R", name), finance_bureau=f"{name}财政局"
        )

    def _check_template(self, region: Region) -> None:
        """Refuse a table whose own layout (20/80, transfer payment, weighted) is not the one the
        region scores that year under: its scores would be read under the wrong rules (a total of
        105 graded 优). The finance bureau sets the year's rule set first."""
        from scoring.services import region_rule_set_key, rule_set_title

        shown = detect_ruleset(self.doc)
        if shown is None or region.pk is None:
            return
        in_force = region_rule_set_key(region, self.doc.year)
        if in_force.split("@")[0] == shown:
            return
        raise self.fail(
            "indicators",
            f"此表为“{rule_set_title(shown)}”格式，{region.name} {self.doc.year} 年的评分规则为"
            f"“{rule_set_title(in_force)}”；请财政局先为该年度设定与表格格式相符的评分规则，再导入。",
        )

    def _department(self, region: Region) -> Department:
        named = self.doc.department
        if named.code:
            department = Department.objects.filter(region=region, code=named.code).first()
        else:
            department = Department.objects.filter(region=region, name=named.name).first()
        if department is None:
            code = named.code or stable_code("D", named.name)
            if Department.objects.filter(region=region, name=named.name).exists():
                raise self.fail("department.code", f"部门“{named.name}”已存在，但代码不是 {code}")
            department = Department.objects.create(region=region, name=named.name, code=code)
        elif department.name != named.name:
            department.name = named.name
            department.save(update_fields=["name"])
        return department

    def _unit(self, department: Department) -> Unit:
        named = self.doc.unit or self.doc.department
        key = "unit" if self.doc.unit else "department"
        if named.code:
            unit = Unit.objects.filter(department=department, code=named.code).first()
        else:
            unit = Unit.objects.filter(department=department, name=named.name).first()
        if unit is None:
            code = named.code or stable_code("U", named.name)
            if Unit.objects.filter(department=department, code=code).exists():
                raise self.fail(f"{key}.code", f"单位代码 {code} 已被其他单位使用")
            is_department = (
                named.name == department.name
                and not department.units.filter(is_department=True).exists()
            )
            unit = Unit.objects.create(
                department=department, name=named.name, code=code, is_department=is_department
            )
        return unit

    def _project(self, unit: Unit) -> Project:
        doc = self.doc
        if doc.kind == "department":
            project = Project.objects.filter(
                unit=unit, year=doc.year, kind=Project.Kind.DEPARTMENT_OVERALL
            ).first() or Project(
                unit=unit,
                year=doc.year,
                kind=Project.Kind.DEPARTMENT_OVERALL,
                code=DEPARTMENT_OVERALL_CODE,
            )
            project.name = f"{unit.name}部门整体支出"
        else:
            if doc.project is None:
                raise self.fail("project", "项目支出自评必须填写 project（项目名称）")
            project = self._find_project(unit)
        project.money_unit = doc.money_unit
        project.goal_expected = (doc.goal.expected if doc.goal else None) or ""
        project.is_example = any(EXAMPLE_MARK in row.name for row in doc.indicators)
        project.save()
        return project

    def _find_project(self, unit: Unit) -> Project:
        doc, named = self.doc, self.doc.project
        kind = Project.Kind.PROJECT
        if named.code:
            project = Project.objects.filter(unit=unit, year=doc.year, code=named.code).first()
            if project and project.name != named.name:
                raise self.fail(
                    "project.code",
                    f"项目编码 {named.code} 已被同单位同年度的项目“{project.name}”使用",
                )
        else:
            project = Project.objects.filter(
                unit=unit, year=doc.year, kind=kind, name=named.name
            ).first()
        if project is None:
            code = named.code or stable_code("P", named.name)
            project = Project(unit=unit, year=doc.year, kind=kind, code=code)
        project.name = named.name
        return project

    def _evaluation(self, project: Project) -> Evaluation:
        doc = self.doc
        evaluation = Evaluation.objects.filter(project=project, year=doc.year).first()
        if evaluation is None:
            evaluation = Evaluation(project=project, year=doc.year)
        elif not evaluation.is_editable:
            raise self.fail(
                "", f"该自评当前状态为“{evaluation.get_status_display()}”，不能通过导入修改"
            )
        claimed = doc.claimed
        evaluation.goal_actual = (doc.goal.actual if doc.goal else None) or ""
        for key in ("execution_score", "indicator_total", "total"):
            score = self._score(f"claimed.{key}", getattr(claimed, key) if claimed else None)
            setattr(evaluation, f"claimed_{key}", score)
        evaluation.claimed_grade = (claimed.grade if claimed else None) or ""
        evaluation.notes = dict(doc.notes or {})
        evaluation.save()
        return evaluation

    def _funds(self, project: Project) -> None:
        seen = set()
        for index, row in enumerate(self.doc.funds):
            if row.source in seen:
                raise self.fail(f"funds[{index}].source", f"资金来源 {row.source} 重复出现")
            seen.add(row.source)
            path = f"funds[{index}]"
            amounts = {
                key: self._amount(f"{path}.{key}", getattr(row, key))
                for key in ("initial", "adjusted", "executed")
            }
            FundLine.objects.update_or_create(
                project=project,
                source=row.source,
                defaults={
                    **amounts,
                    "weight": self._weight(f"{path}.weight", row.weight),
                    "claimed_rate": _value(row.claimed_rate),
                    "claimed_score": self._score(f"{path}.claimed_score", row.claimed_score),
                },
            )
        FundLine.objects.filter(project=project).exclude(source__in=seen).delete()

    def _indicators(self, project: Project, evaluation: Evaluation) -> None:
        rows = self.doc.indicators
        existing = {i.order: i for i in Indicator.objects.filter(project=project)}
        for index, row in enumerate(rows):
            weight = self._weight(f"indicators[{index}].weight", row.weight)
            claimed = self._score(f"indicators[{index}].claimed_score", row.claimed_score)
            indicator = existing.get(index) or Indicator(project=project, order=index)
            indicator.level1 = row.level1
            indicator.level2 = row.level2 or ""
            indicator.name = row.name
            indicator.target = row.target or ""
            indicator.weight = weight
            for field, value in indicator_parsed_fields(indicator).items():
                setattr(indicator, field, value)
            indicator.save()
            IndicatorResult.objects.update_or_create(
                evaluation=evaluation,
                indicator=indicator,
                defaults={
                    "actual": row.actual or "",
                    "claimed_score": claimed,
                    "deviation_reason": row.deviation or "",
                    "midyear_actual": row.midyear_actual or "",
                },
            )
        Indicator.objects.filter(project=project, order__gte=len(rows)).delete()

    # --- bounds: each value is refused, naming its key, unless its column holds it exactly.

    def _check_texts(self) -> None:
        """Refuse any text longer than its column (PostgreSQL would fail the whole save)."""
        doc = self.doc
        bureau = _max_length(Region, "finance_bureau") - len("财政局")  # "<地区>财政局"
        texts = [("region", doc.region, min(_max_length(Region, "name"), bureau))]
        for key, named, model in (
            ("department", doc.department, Department),
            ("unit", doc.unit, Unit),
            ("project", doc.project, Project),
        ):
            if named is not None:
                texts.append((f"{key}.name", named.name, _max_length(model, "name")))
                texts.append((f"{key}.code", named.code, _max_length(model, "code")))
        if doc.claimed is not None:
            limit = _max_length(Evaluation, "claimed_grade")
            texts.append(("claimed.grade", doc.claimed.grade, limit))
        for index, row in enumerate(doc.indicators):
            for key, model in (
                ("level1", Indicator),
                ("level2", Indicator),
                ("name", Indicator),
                ("target", Indicator),
                ("actual", IndicatorResult),
                ("midyear_actual", IndicatorResult),
            ):
                texts.append(
                    (f"indicators[{index}].{key}", getattr(row, key), _max_length(model, key))
                )
        for path, text, limit in texts:
            if text is not None and len(text) > limit:
                raise self.fail(path, f"共 {len(text)} 字，超过 {limit} 字的上限")

    def _amount(self, path: str, num) -> Decimal | None:
        """An amount in 元: not negative, below 10 万亿元, exact to the 分 once converted."""
        value = _value(num)
        if value is None:
            return None
        if value < 0:
            raise self.fail(path, "金额不能为负数")
        yuan = to_yuan(value, self.doc.money_unit)
        if yuan >= MAX_AMOUNT:
            raise self.fail(path, "金额过大（须小于 10 万亿元），请核对金额单位（元/万元）")
        if yuan != yuan.quantize(CENT):
            places = "六" if self.doc.money_unit == "万元" else "两"
            raise self.fail(path, f"金额最多精确到分（{self.doc.money_unit}最多{places}位小数）")
        return yuan

    def _weight(self, path: str, num) -> Decimal | None:
        """A 分值 from 0 to 100 with at most two decimals."""
        value = _value(num)
        if value is None:
            return None
        if value < 0:
            raise self.fail(path, "分值不能为负数")
        if value > MAX_WEIGHT:
            raise self.fail(path, f"分值不能超过 {MAX_WEIGHT} 分")
        if value != value.quantize(CENT):
            raise self.fail(path, "分值最多保留两位小数")
        return value

    def _score(self, path: str, num) -> Decimal | None:
        """A claimed score: not negative and, rounded to the 分, below 100000."""
        value = _value(num)
        if value is None:
            return None
        if value < 0:
            raise self.fail(path, "得分不能为负数")
        if value.quantize(CENT, rounding=ROUND_HALF_UP) >= MAX_SCORE:
            raise self.fail(path, f"得分过大（须小于 {MAX_SCORE}）")
        return value


def _max_length(model, field: str) -> int:
    """Characters the model's column holds."""
    return model._meta.get_field(field).max_length


def _value(num) -> Decimal | None:
    """The Decimal of a printed number read by the document reader, or None."""
    return None if num is None else num.value
