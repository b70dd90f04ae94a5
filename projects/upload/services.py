"""Apply an uploaded table: check every sheet and row first, then write all of it or nothing.

Filers fill actuals (funds, 实际完成情况, indicator actuals, scores, reasons) of their own unit's
open evaluations through the same draft service as the form. Finance reviewers set targets
(indicators, weights, budgets, 预期目标) for any unit of their region; each change is recorded
in the indicators' history with the reviewer as its author.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max

from projects.access import FILE, FINANCE_REVIEW
from projects.filing.services import (
    AUTO,
    COLUMNS,
    SOURCES,
    DraftChanges,
    derived_total,
    evaluation_save_draft,
    evaluation_start,
)
from projects.models import Evaluation, FundLine, FundSource, Indicator, IndicatorResult, Project
from projects.upload.workbook import ACTUALS, TARGETS, CellError, SubjectSheet, read_workbook


@dataclass
class UploadOutcome:
    """What an upload did: the errors (then nothing was saved) or the subjects it updated."""

    errors: list = field(default_factory=list)
    saved: list = field(default_factory=list)  # (project, evaluation or None, summary)

    @property
    def ok(self) -> bool:
        """True when the file was saved."""
        return not self.errors


def _same(a: str, b: str) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def _subjects(sheets, user, action, errors) -> dict[str, Project]:
    """Resolve each sheet's project inside the user's scope; unknown ids are reported, not shown."""
    ids = {s.project_id for s in sheets if s.project_id is not None}
    projects = {
        p.pk: p
        for p in Project.objects.for_user(user, action)
        .filter(pk__in=ids)
        .select_related("unit__department__region")
        .prefetch_related("fund_lines", "indicators", "evaluations__results")
    }
    seen: dict[int, str] = {}
    found = {}
    for sheet in sheets:
        if sheet.project_id is None:
            continue
        row, col = sheet.id_cell
        project = projects.get(sheet.project_id)
        if project is None:
            verb = "填报" if action == FILE else "下达目标"
            errors.append(
                CellError(
                    sheet.title, row, col, f"项目编号 {sheet.project_id} 不存在或您无权{verb}"
                )
            )
            continue
        if sheet.project_id in seen:
            errors.append(
                CellError(
                    sheet.title, row, col, f"与工作表「{seen[sheet.project_id]}」是同一个项目"
                )
            )
            continue
        seen[sheet.project_id] = sheet.title
        if sheet.project_name and not _same(sheet.project_name, project.name):
            errors.append(
                CellError(
                    sheet.title,
                    row - 1,
                    "B",
                    f"项目名称与项目编号不符（编号 {project.pk} 是「{project.name}」）",
                )
            )
            continue
        found[sheet.title] = project
    return found


def _evaluation_of(project: Project) -> Evaluation | None:
    evaluations = [e for e in project.evaluations.all() if e.year == project.year]
    return evaluations[0] if evaluations else None


# ---------------------------------------------------------------- actuals (filers)


def _check_actuals(sheet: SubjectSheet, project: Project, errors: list) -> None:
    evaluation = _evaluation_of(project)
    if evaluation is not None and not evaluation.is_editable:
        errors.append(
            CellError(
                sheet.title,
                sheet.id_cell[0],
                "",
                f"该自评状态为“{evaluation.get_status_display()}”，已提交或审核，不能再修改",
            )
        )
        return
    indicators = {i.pk: i for i in project.indicators.all()}
    seen = set()
    for row in sheet.indicators:
        where = (sheet.title, row.row)
        if row.indicator_id is None:
            errors.append(
                CellError(*where, "J", "缺少指标编号：指标由预算批复确定，填报时不能新增")
            )
            continue
        indicator = indicators.get(row.indicator_id)
        if indicator is None:
            errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 不属于本项目"))
            continue
        if row.indicator_id in seen:
            errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 重复出现"))
            continue
        seen.add(row.indicator_id)
        if not _same(row.target, indicator.target):
            errors.append(
                CellError(
                    *where,
                    "D",
                    f"年度指标值与批复不一致（批复为「{indicator.target}」），填报人不能修改目标",
                )
            )
        if row.weight_given and row.weight != indicator.weight:
            errors.append(
                CellError(
                    *where, "F", f"分值与批复不一致（批复为 {_plain(indicator.weight)}），不能修改"
                )
            )
        if (
            row.claimed_score is not None
            and indicator.weight is not None
            and row.claimed_score > indicator.weight
        ):
            errors.append(
                CellError(
                    *where,
                    "G",
                    f"得分 {_plain(row.claimed_score)} 超过分值 {_plain(indicator.weight)}",
                )
            )


def _actual_changes(sheet: SubjectSheet, project: Project) -> DraftChanges:
    weighted = {i.pk for i in project.indicators.all() if i.weight is not None}
    results = {}
    for row in sheet.indicators:
        values = {
            "actual": row.actual,
            "achievement": row.achievement,
            "deviation_reason": row.deviation_reason,
        }
        if row.indicator_id in weighted:
            values["claimed_score"] = AUTO if row.claimed_score is None else row.claimed_score
        results[row.indicator_id] = values
    return DraftChanges(
        funds={s: v for s, v in sheet.funds.items() if v} or None,
        goal_actual=sheet.goal_actual if sheet.goal_row is not None else None,
        results=results or None,
    )


# ---------------------------------------------------------------- targets (finance)


def _check_targets(sheet: SubjectSheet, project: Project, errors: list) -> None:
    evaluation = _evaluation_of(project)
    if evaluation is not None and not evaluation.is_editable:
        errors.append(
            CellError(
                sheet.title,
                sheet.id_cell[0],
                "",
                f"该自评状态为“{evaluation.get_status_display()}”，修改目标前须先退回或重新开启",
            )
        )
        return
    indicators = {i.pk: i for i in project.indicators.all()}
    seen = set()
    for row in sheet.indicators:
        where = (sheet.title, row.row)
        if row.indicator_id is not None:
            if row.indicator_id not in indicators:
                errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 不属于本项目"))
                continue
            if row.indicator_id in seen:
                errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 重复出现"))
                continue
            seen.add(row.indicator_id)
        if not row.level1:
            errors.append(CellError(*where, "A", "一级指标不能为空"))
        if not row.name:
            errors.append(CellError(*where, "C", "三级指标（指标名称）不能为空"))
        if len(row.name) > 300 or len(row.target) > 300:
            errors.append(CellError(*where, "C", "指标名称或年度指标值超过 300 字"))
        if row.weight is not None and (row.weight < 0 or row.weight > 100):
            errors.append(CellError(*where, "F", "分值应在 0 到 100 之间（其中行留空）"))
        elif row.weight is not None and row.weight != row.weight.quantize(Decimal("0.01")):
            errors.append(CellError(*where, "F", "分值最多保留两位小数"))


def _apply_targets(sheet: SubjectSheet, project: Project, user) -> str:
    """Write the sheet's targets, budgets and 预期目标 onto the project (history records who)."""
    from scoring.services import indicator_parsed_fields, score_evaluation

    indicators = {i.pk: i for i in project.indicators.all()}
    next_order = (project.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
    changed = created = 0
    for row in sheet.indicators:
        values = {
            "level1": row.level1,
            "level2": row.level2,
            "name": row.name,
            "target": row.target,
            "weight": row.weight,
        }
        indicator = indicators.get(row.indicator_id) if row.indicator_id else None
        if indicator is None:
            indicator = Indicator(project=project, order=next_order, **values)
            next_order += 1
            created += 1
        elif all(getattr(indicator, k) == v for k, v in values.items()):
            continue
        else:
            for key, value in values.items():
                setattr(indicator, key, value)
            changed += 1
        for name, value in indicator_parsed_fields(indicator).items():
            setattr(indicator, name, value)
        indicator.save()
    lines = {line.source: line for line in project.fund_lines.all()}
    for source in SOURCES:
        values = sheet.funds.get(source)
        if not values:
            continue
        line = lines.get(source) or FundLine(project=project, source=source)
        for column in ("initial", "adjusted"):
            if column in values:
                setattr(line, column, values[column])
        line.save()
        lines[source] = line
    total = derived_total({s: {c: getattr(x, c) for c in COLUMNS} for s, x in lines.items()})
    if total is not None:
        line = lines.get(FundSource.TOTAL) or FundLine(project=project, source=FundSource.TOTAL)
        for column in COLUMNS:
            setattr(line, column, total[column])
        line.save()
    if sheet.goal_row is not None and project.goal_expected != sheet.goal_expected:
        project.goal_expected = sheet.goal_expected
        project.save(update_fields=["goal_expected"])
    evaluation = _evaluation_of(project)
    if evaluation is not None:
        fresh = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        existing = set(fresh.results.values_list("indicator_id", flat=True))
        IndicatorResult.objects.bulk_create(
            IndicatorResult(evaluation=fresh, indicator=i)
            for i in Indicator.objects.filter(project=project)
            if i.pk not in existing
        )
        # A form left open on the old targets must meet the conflict page, not overwrite.
        fresh.version += 1
        fresh.save(update_fields=["version", "updated_at"])
        score_evaluation(fresh)
    return f"修改指标 {changed} 项，新增指标 {created} 项"


def _plain(value) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- entry points


def upload_workbook(*, user, data: bytes, purpose: str) -> UploadOutcome:
    """Read, check and apply a 自评表 workbook; any error anywhere means nothing is written."""
    if purpose not in (ACTUALS, TARGETS):
        raise ValueError(purpose)
    outcome = UploadOutcome()
    try:
        sheets, errors = read_workbook(data)
    except Exception as exc:  # openpyxl raises many types on damaged files
        outcome.errors.append(
            f"无法读取工作簿：{exc.__class__.__name__}。请在 Excel 中另存为 .xlsx 后重试。"
        )
        return outcome
    if not sheets and not errors:
        errors.append("工作簿中没有自评表工作表（请使用本页下载的模板）。")
    action = FILE if purpose == ACTUALS else FINANCE_REVIEW
    projects = _subjects(sheets, user, action, errors)
    for sheet in sheets:
        project = projects.get(sheet.title)
        if project is None:
            continue
        check = _check_actuals if purpose == ACTUALS else _check_targets
        check(sheet, project, errors)
    if errors:
        outcome.errors = errors
        return outcome
    try:
        with transaction.atomic():
            for sheet in sheets:
                project = projects[sheet.title]
                if purpose == ACTUALS:
                    evaluation = _evaluation_of(project) or evaluation_start(
                        project=project, user=user
                    )
                    evaluation = evaluation_save_draft(
                        evaluation=evaluation,
                        user=user,
                        version=None,
                        changes=_actual_changes(sheet, project),
                    )
                    summary = (
                        f"填报指标 {len(sheet.indicators)} 项，当前得分 {evaluation.computed_total}"
                    )
                    outcome.saved.append((project, evaluation, summary))
                else:
                    summary = _apply_targets(sheet, project, user)
                    outcome.saved.append((project, None, summary))
    except (PermissionDenied, ValidationError) as exc:
        outcome.saved = []
        outcome.errors = [
            f"保存失败，未写入任何内容：{'；'.join(getattr(exc, 'messages', [str(exc)]))}"
        ]
    return outcome


def _json_subject(document, user) -> tuple[Project | None, str | None]:
    """The existing subject a filer's document describes, found the way the importer finds it;
    (None, message) when it is not one of the user's own open subjects."""
    from projects.models import Department, Unit

    outside = "文档中的单位或项目不在您的填报范围内（填报人只能导入本单位已有项目的自评）"
    departments = Department.objects.filter(region__name=document.region or "未指定地区")
    named = document.department
    department = (
        departments.filter(code=named.code) if named.code else departments.filter(name=named.name)
    ).first()
    if department is None:
        return None, outside
    unit_named = document.unit or document.department
    units = Unit.objects.for_user(user, FILE).filter(department=department)
    unit = (
        units.filter(code=unit_named.code)
        if unit_named.code
        else units.filter(name=unit_named.name)
    ).first()
    if unit is None:
        return None, outside
    projects = Project.objects.for_user(user, FILE).filter(unit=unit, year=document.year)
    if document.kind == "department":
        project = projects.filter(kind=Project.Kind.DEPARTMENT_OVERALL).first()
    elif document.project is None:
        return None, "项目支出自评必须填写 project（项目名称）"
    elif document.project.code:
        project = projects.filter(code=document.project.code).first()
    else:
        project = projects.filter(kind=Project.Kind.PROJECT, name=document.project.name).first()
    if project is None:
        return None, outside
    return project, None


def _targets_unchanged(document, project: Project) -> str | None:
    """Filers fill actuals only: the document's indicator rows must be the approved ones."""
    rows = list(document.indicators)
    indicators = list(project.indicators.all())
    if len(rows) != len(indicators):
        return f"文档有 {len(rows)} 项指标，批复的是 {len(indicators)} 项；填报人不能增删指标"
    for index, (row, indicator) in enumerate(zip(rows, indicators, strict=True)):
        weight = row.weight.value if row.weight is not None else None
        if not (
            _same(row.name, indicator.name)
            and _same(row.target or "", indicator.target)
            and weight == indicator.weight
        ):
            return (
                f"indicators[{index}]：「{row.name}」的名称、年度指标值或分值与批复不一致"
                f"（批复为「{indicator.name}」{indicator.target} {_plain(indicator.weight)} 分），"
                "填报人不能修改目标"
            )
    return None


def upload_json(*, user, data: bytes, name: str = "上传的文件") -> UploadOutcome:
    """Import one selfeval/1 document through the shared reader and importer, inside the
    user's scope: filers their own subjects' figures, finance reviewers their region."""
    from projects.access import scope_for
    from projects.importer import ImportFailed, import_document
    from projects.models import Region
    from scoring.engine.document import DocumentError, read_document
    from scoring.services import score_evaluation

    outcome = UploadOutcome()
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        outcome.errors.append(f"{name}：JSON 文件须为 UTF-8 编码。")
        return outcome
    except json.JSONDecodeError as exc:
        outcome.errors.append(
            f"{name}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。"
        )
        return outcome
    try:
        document = read_document(payload)
    except DocumentError as exc:
        outcome.errors.append(f"{name}：{exc}")
        return outcome
    scope = scope_for(user)
    in_region = Region.objects.filter(
        pk__in=scope.region_ids, name=document.region or "未指定地区"
    ).exists()
    if not (scope.superuser or in_region):
        project, problem = _json_subject(document, user)
        if problem is None:
            project = Project.objects.prefetch_related("indicators").get(pk=project.pk)
            problem = _targets_unchanged(document, project)
        if problem:
            outcome.errors.append(f"{name}：{problem}")
            return outcome
    try:
        with transaction.atomic():
            evaluation = import_document(document, source=name, user=user)
            # An open form on the old figures must meet the conflict page, not overwrite.
            Evaluation.objects.filter(pk=evaluation.pk).update(version=F("version") + 1)
            evaluation.refresh_from_db()
            score_evaluation(evaluation)
    except ImportFailed as exc:
        outcome.errors.append(f"导入失败，未写入任何内容：{exc}")
        return outcome
    except (PermissionDenied, ValidationError) as exc:
        outcome.errors.append(
            f"导入失败，未写入任何内容：{'；'.join(getattr(exc, 'messages', [str(exc)]))}"
        )
        return outcome
    outcome.saved.append((evaluation.project, evaluation, "已导入 selfeval/1 文档"))
    return outcome
