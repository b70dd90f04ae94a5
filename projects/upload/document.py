"""A selfeval/1 document uploaded in the browser, read as a filer's changes or as targets.

The general importer (projects.importer) creates and rewrites whole subjects: it serves the
command line and the initial load. In the browser a filer's document may change only what the
filer's form can (content.FILER_*); it is turned into the same DraftChanges the form produces,
after every field only the finance bureau sets (预期目标, budgets, the execution weight, the
indicators' names, targets and weights) has been checked against what is stored, each
difference refused by its JSON key. A finance reviewer's document is read as the targets sheet
of the workbook path, so both go through the same checks and the same write.
"""

from __future__ import annotations

import re
from decimal import Decimal

from projects.filing.content import AUTO, SOURCES, DraftChanges, same, shown_fund_lines
from projects.models import FundSource, Project
from projects.money import MAX_AMOUNT, plain, to_yuan
from projects.upload.workbook import IndicatorRow, SubjectSheet

CENT = Decimal("0.01")

_VERSION = re.compile(r"(?:^|[-_.\s])v(\d{1,9})(?:\.json)?$", re.IGNORECASE)


def version_from_name(name: str) -> int | None:
    """The version an exported file was written at, from its name ("…-v7.json")."""
    match = _VERSION.search((name or "").strip())
    return int(match.group(1)) if match else None


def versioned_name(stem: str, version: int) -> str:
    """An export's file name that carries its evaluation's version back on upload."""
    return f"{stem}-v{version}.json"


def _num(value):
    return value.value if value is not None else None


def locked_differences(document, project: Project) -> list[str]:
    """Every finance-only field the document states differently from the stored one, by key."""
    problems = []
    goal = document.goal
    if (
        goal is not None
        and goal.expected is not None
        and not same(goal.expected, project.goal_expected)
    ):
        problems.append(
            f"goal.expected：预期目标与批复不一致（批复为「{project.goal_expected}」），"
            "填报人不能修改"
        )
    lines = shown_fund_lines(project)
    for index, row in enumerate(document.funds):
        stored = lines.get(row.source)
        for column, label in (("initial", "年初预算数"), ("adjusted", "全年预算数")):
            given = to_yuan(_num(getattr(row, column)), document.money_unit)
            if row.source == FundSource.TOTAL and given is None:
                continue  # the total is derived; leaving it out changes nothing
            have = getattr(stored, column) if stored else None
            if given != have and not (given is None and have is None):
                problems.append(
                    f"funds[{index}].{column}：{label}与批复不一致（批复为 "
                    f"{plain(have) or '空'} 元），填报人不能修改预算"
                )
        if row.source == FundSource.TOTAL and row.weight is not None:
            have = stored.weight if stored else None
            if have is not None and _num(row.weight) != have:
                problems.append(
                    f"funds[{index}].weight：执行率分值与批复不一致（批复为 {plain(have)}），"
                    "填报人不能修改"
                )
    indicators = list(project.indicators.all())
    rows = list(document.indicators)
    if len(rows) != len(indicators):
        problems.append(
            f"indicators：文档有 {len(rows)} 项指标，批复的是 {len(indicators)} 项；"
            "填报人不能增删指标"
        )
        return problems
    for index, (row, indicator) in enumerate(zip(rows, indicators, strict=True)):
        for key, given, have in (
            ("level1", row.level1, indicator.level1),
            ("level2", row.level2 or "", indicator.level2),
            ("name", row.name, indicator.name),
            ("target", row.target or "", indicator.target),
        ):
            if not same(given, have):
                problems.append(
                    f"indicators[{index}].{key}：「{indicator.name}」与批复不一致"
                    f"（批复为「{have}」），填报人不能修改目标"
                )
        if _num(row.weight) != indicator.weight:
            problems.append(
                f"indicators[{index}].weight：「{indicator.name}」的分值与批复不一致"
                f"（批复为 {plain(indicator.weight) or '空'}），填报人不能修改"
            )
    return problems


def figure_problems(document) -> list[str]:
    """The filer's figures a column could not hold exactly, by key: 全年执行数 below the bound (and
    their sum, the 年度资金总额), to the 分; claimed scores not negative, two decimals."""
    problems = []
    total = Decimal(0)
    for index, row in enumerate(document.funds):
        amount = to_yuan(_num(row.executed), document.money_unit)
        if amount is None or row.source == FundSource.TOTAL:
            continue
        key = f"funds[{index}].executed"
        if amount < 0:
            problems.append(f"{key}：全年执行数不能为负数")
        elif amount >= MAX_AMOUNT:
            problems.append(f"{key}：全年执行数过大（须小于 10 万亿元），请核对金额单位（元/万元）")
        elif amount != amount.quantize(CENT):
            problems.append(f"{key}：全年执行数最多精确到分")
        else:
            total += amount
    if total >= MAX_AMOUNT:
        problems.append("funds：各来源全年执行数合计须小于 10 万亿元，请核对金额单位（元/万元）")
    claims = [
        (f"indicators[{i}].claimed_score", r.claimed_score)
        for i, r in enumerate(document.indicators)
    ]
    if document.claimed is not None:
        claims.append(("claimed.execution_score", document.claimed.execution_score))
    for key, claim in claims:
        value = _num(claim)
        if value is not None and not (0 <= value < 1000 and value == value.quantize(CENT)):
            problems.append(f"{key}：得分应为不小于 0 的数，最多两位小数")
    return problems


def filer_changes(document, project: Project) -> DraftChanges:
    """The filer's fields of a document as the form's DraftChanges (locks checked first)."""
    funds = {}
    sources = {row.source: row for row in document.funds}
    if not any(s in sources for s in SOURCES) and FundSource.TOTAL in sources:
        # A document with only the total row: its 执行数 is the 当年财政拨款's, as on the form.
        sources = {FundSource.CURRENT_YEAR: sources[FundSource.TOTAL]}
    for source in SOURCES:
        row = sources.get(source)
        if row is not None:
            funds[source] = {"executed": to_yuan(_num(row.executed), document.money_unit)}
    total = {row.source: row for row in document.funds}.get(FundSource.TOTAL)
    claimed_exec = None
    if document.claimed is not None and document.claimed.execution_score is not None:
        claimed_exec = _num(document.claimed.execution_score)
    elif total is not None and total.claimed_score is not None:
        claimed_exec = _num(total.claimed_score)
    results = {}
    for row, indicator in zip(document.indicators, project.indicators.all(), strict=True):
        values = {
            "actual": row.actual or "",
            "deviation_reason": row.deviation or "",
            "midyear_actual": row.midyear_actual or "",
        }
        if indicator.weight is not None:
            claim = _num(row.claimed_score)
            values["claimed_score"] = AUTO if claim is None else claim
        results[indicator.pk] = values
    goal = document.goal
    return DraftChanges(
        funds=funds or None,
        goal_actual=(goal.actual or "") if goal is not None else None,
        results=results or None,
        notes=dict(document.notes) if document.notes else None,
        claimed_execution_score=claimed_exec if claimed_exec is not None else AUTO,
    )


def target_sheet(document, project: Project, name: str) -> SubjectSheet:
    """A finance reviewer's document as the targets sheet of a workbook, for the same checks.

    Rows are matched to the stored indicators by position; rows beyond them are new indicators.
    """
    indicators = list(project.indicators.all())
    sheet = SubjectSheet(
        title=name,
        project_id=project.pk,
        project_name=project.name,
        money_unit=document.money_unit,
        goal_row=1 if document.goal is not None and document.goal.expected is not None else None,
        goal_expected=(document.goal.expected or "") if document.goal is not None else "",
    )
    for row in document.funds:
        if row.source in SOURCES:
            sheet.funds[row.source] = {
                column: to_yuan(_num(getattr(row, column)), document.money_unit)
                for column in ("initial", "adjusted")
            }
    if not sheet.funds:
        total = {row.source: row for row in document.funds}.get(FundSource.TOTAL)
        if total is not None:
            sheet.funds[FundSource.CURRENT_YEAR] = {
                column: to_yuan(_num(getattr(total, column)), document.money_unit)
                for column in ("initial", "adjusted")
            }
    for index, row in enumerate(document.indicators):
        sheet.indicators.append(
            IndicatorRow(
                row=index,
                indicator_id=indicators[index].pk if index < len(indicators) else None,
                level1=row.level1,
                level2=row.level2 or "",
                name=row.name,
                target=row.target or "",
                weight=_num(row.weight),
                weight_given=row.weight is not None,
                actual="",
                claimed_score=None,
                deviation_reason="",
                achievement="",
            )
        )
    return sheet
