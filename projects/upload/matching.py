"""Which subject and which indicator each sheet and row of an uploaded workbook means.

Workbooks carry stable codes, never database ids: a sheet names its project by the project's
own 项目编码 (with the year and the unit's name where a code repeats across units), a row its
indicator by position (指标序号 1..n, in the order the form and the print show them). Workbooks
written before codes still carry 项目编号 / 指标编号 (database ids); they are matched as before.

Printed workbooks show amounts as the printed table does (万元 to two places); an amount that
equals the stored one as printed is the stored one, so an untouched printed workbook changes
nothing.
"""

from __future__ import annotations

from projects.access import FILE
from projects.filing.content import shown_fund_lines
from projects.formatting import in_unit
from projects.models import Project
from projects.money import TEN_THOUSAND
from projects.upload.plans import same_text
from projects.upload.workbook import ACTUALS, CellError, SubjectSheet

_PREFETCH = ("fund_lines", "indicators", "evaluations__results")


def subjects_of(sheets: list[SubjectSheet], user, action, errors: list) -> dict[str, Project]:
    """Each sheet's project inside the user's scope, by code (or an old workbook's id)."""
    scope = Project.objects.for_user(user, action).select_related("unit__department__region")
    codes = {s.project_code for s in sheets if s.project_code and s.project_id is None}
    ids = {s.project_id for s in sheets if s.project_id is not None}
    by_code: dict[str, list[Project]] = {}
    for project in scope.filter(code__in=codes).prefetch_related(*_PREFETCH):
        by_code.setdefault(project.code, []).append(project)
    by_id = {p.pk: p for p in scope.filter(pk__in=ids).prefetch_related(*_PREFETCH)}
    verb = "填报" if action == FILE else "下达目标"
    seen: dict[int, str] = {}
    found = {}
    for sheet in sheets:
        row, col = sheet.id_cell
        if sheet.project_id is not None:
            project = by_id.get(sheet.project_id)
            missing = (
                f"旧版模板中的项目编号 {sheet.project_id} 不存在或您无权{verb}，请重新下载模板"
            )
        elif sheet.project_code:
            project, missing = _by_code(sheet, by_code.get(sheet.project_code, []), verb)
        else:
            continue  # the reader has reported the missing code
        if project is None:
            errors.append(CellError(sheet.title, row, col, missing))
            continue
        if project.pk in seen:
            errors.append(
                CellError(sheet.title, row, col, f"与工作表「{seen[project.pk]}」是同一个项目")
            )
            continue
        seen[project.pk] = sheet.title
        if sheet.project_name and not same_text(sheet.project_name, project.name):
            errors.append(
                CellError(
                    sheet.title,
                    row,
                    col,
                    f"项目名称与项目编码不符（编码 {project.code} 是「{project.name}」）",
                )
            )
            continue
        found[sheet.title] = project
    return found


def _by_code(sheet: SubjectSheet, candidates: list[Project], verb: str):
    """One project out of those sharing the sheet's code: same year, then same unit."""
    if sheet.year is not None:
        candidates = [p for p in candidates if p.year == sheet.year]
    if len(candidates) > 1 and sheet.unit_name:
        candidates = [p for p in candidates if same_text(p.unit.name, sheet.unit_name)]
    if len(candidates) == 1:
        return candidates[0], ""
    if not candidates:
        return None, f"项目编码 {sheet.project_code} 不存在或您无权{verb}"
    return None, (
        f"项目编码 {sheet.project_code} 对应多个单位的项目，请核对“实施单位”或分单位下载模板"
    )


def match_indicator_rows(sheet: SubjectSheet, project: Project, purpose: str, errors: list):
    """Give each row keyed by 指标序号 the id of the indicator at that position.

    A filer cannot add or rename indicators, so a row whose 三级指标 is not the one at its
    position means a stale or rearranged workbook: refused at the row, never filed against the
    wrong indicator.
    """
    if purpose != ACTUALS:
        missing = [
            label
            for name, label in (
                ("level1", "一级指标"),
                ("name", "三级指标"),
                ("target", "年度指标值"),
                ("weight", "分值"),
            )
            if name not in sheet.has_column
        ]
        if missing and sheet.indicators:
            where = (sheet.title, sheet.id_cell[0], "")
            names = "、".join(f"“{label}”" for label in missing)
            errors.append(CellError(*where, f"缺少{names}列：下达目标请使用目标模板"))
            return
    indicators = list(project.indicators.all())
    seen: set[int] = set()
    for row in sheet.indicators:
        if row.seq is None:
            continue
        where = (sheet.title, row.row, row.key_column)
        if not 1 <= row.seq <= len(indicators):
            errors.append(
                CellError(*where, f"指标序号 {row.seq} 不存在（本表共 {len(indicators)} 个指标）")
            )
            continue
        if row.seq in seen:
            errors.append(CellError(*where, f"指标序号 {row.seq} 重复出现"))
            continue
        seen.add(row.seq)
        indicator = indicators[row.seq - 1]
        if (
            purpose == ACTUALS
            and "name" in sheet.has_column
            and not same_text(row.name, indicator.name)
        ):
            errors.append(
                CellError(
                    *where,
                    f"第 {row.seq} 个指标应为「{indicator.name}」，与本行不符："
                    "模板可能已过期或行被移动，请重新下载模板",
                )
            )
            continue
        row.indicator_id = indicator.pk


def settle_printed_amounts(sheet: SubjectSheet, project: Project) -> None:
    """An amount equal to the stored one as the table prints it (万元, two places) is the
    stored amount: the printed workbook rounds 579,948 元 to 57.99 万元, and sent back
    untouched it must change nothing."""
    if sheet.money_unit != "万元":
        return
    lines = shown_fund_lines(project)
    for source, values in sheet.funds.items():
        line = lines.get(source)
        if line is None:
            continue
        for column, amount in values.items():
            stored = getattr(line, column, None)
            if amount is None or stored is None or amount == stored:
                continue
            if in_unit(stored, "万元") == amount / TEN_THOUSAND:
                values[column] = stored
