"""The 自评表 workbook written pre-filled for download: one sheet per subject.

Yellow cells are for the person filling it (actuals for a filer, targets and budgets for the
finance bureau), grey cells are approved or computed; the reader in workbook.py finds every part
again by its label, so inserted blank rows or widened columns do not break an upload.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from projects.filing.content import claim_follows
from projects.models import FundSource
from projects.money import TEN_THOUSAND
from projects.upload.workbook import (
    ACTUALS,
    CODE_LABEL,
    FUND_COLUMNS,
    FUND_ROWS,
    GOAL_LABEL,
    INDICATOR_COLUMNS,
    INSTRUCTIONS,
    TARGETS,
    TITLE,
    TOTAL_LABEL,
    VERSION_COLUMN,
    version_text,
)

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDE5F0")
_LOCKED = PatternFill("solid", fgColor="F2F2F2")
_INPUT = PatternFill("solid", fgColor="FFF9E0")
_WRAP = Alignment(wrap_text=True, vertical="center")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(index: int, name: str, used: set[str]) -> str:
    """A legal, unique sheet name (31 characters, no []:*?/\\) that still reads as the subject."""
    base = _BAD_SHEET_CHARS.sub("_", f"{index:02d} {name}")[:31]
    title, n = base, 2
    while title in used:
        suffix = f"~{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _amount(value: Decimal | None, money_unit: str):
    if value is None:
        return None
    return value / TEN_THOUSAND if money_unit == "万元" else value


def build_workbook(subjects, *, purpose: str) -> bytes:
    """The 自评表 workbook pre-filled with each subject's targets (and figures so far).

    subjects: (project, evaluation or None) pairs with fund_lines, indicators and the
    evaluation's results prefetched.
    """
    workbook = Workbook()
    _instructions(workbook.active, purpose)
    used = {INSTRUCTIONS}
    for index, (project, evaluation) in enumerate(subjects, start=1):
        sheet = workbook.create_sheet(sheet_title(index, project.name, used))
        _subject_sheet(sheet, project, evaluation, purpose)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _instructions(sheet, purpose: str) -> None:
    sheet.title = INSTRUCTIONS
    lines = [
        "绩效自评表导入模板（每个评价对象一个工作表）",
        "",
        "1. 黄色单元格为填写区，灰色单元格为批复内容或系统计算，请勿修改“项目编码”“指标序号”。",
        "2. 金额单位以各表第 4 行“金额单位”为准；年度资金总额由各来源资金合计得出，无需填写。",
        "3. 定性指标请在“完成程度”列填写：达成 / 部分达成 / 未达成。",
        "4. 得分留空时按系统计算的得分填报；自评得分可以低于计算得分，不能超过分值。",
        "5. 只接受 .xlsx 文件（不含宏），不超过 5 MB。任何一行有误时整个文件都不会保存，"
        "请按提示的工作表、行、列修改后重新上传。",
    ]
    if purpose == TARGETS:
        lines[2] = (
            "1. 本模板供财政部门下达绩效目标：可修改指标名称、年度指标值、分值和预算数；"
            "“指标序号”为空的行将作为新增指标。"
        )
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110


def _put(sheet, ref: str, value, *, fill=None, bold=False, fmt=None, wrap=True):
    cell = sheet[ref]
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # imported text may carry control characters
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        # Targets such as "=100%" are text; openpyxl would otherwise write them as formulas.
        cell.data_type = "s"
    cell.border = _BORDER
    if fill is not None:
        cell.fill = fill
    if bold:
        cell.font = Font(bold=True)
    if fmt:
        cell.number_format = fmt
    if wrap:
        cell.alignment = _WRAP
    return cell


def _subject_sheet(sheet, project, evaluation, purpose: str) -> None:
    unit = project.unit
    money_unit = project.money_unit
    money_fmt = "#,##0.00####" if money_unit == "万元" else "#,##0.00"
    filer = purpose == ACTUALS
    budget_fill = _LOCKED if filer else _INPUT
    target_fill = _LOCKED if filer else _INPUT
    actual_fill = _INPUT if filer else _LOCKED

    sheet.merge_cells("A1:J1")
    _put(sheet, "A1", TITLE.get(project.kind, TITLE["project"]), bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A2:J2")
    sheet["A2"] = f"（{project.year}年度）"
    sheet["A2"].alignment = Alignment(horizontal="center")
    _put(sheet, "A3", "项目名称", bold=True)
    sheet.merge_cells("B3:D3")
    _put(sheet, "B3", project.name)
    _put(sheet, "E3", "主管部门", bold=True)
    sheet.merge_cells("F3:G3")
    _put(sheet, "F3", unit.department.name)
    _put(sheet, "H3", "实施单位", bold=True)
    sheet.merge_cells("I3:J3")
    _put(sheet, "I3", unit.name)
    _put(sheet, "A4", CODE_LABEL, bold=True)
    sheet.merge_cells("B4:D4")
    _put(sheet, "B4", project.code, fill=_LOCKED, fmt="@")
    sheet["B4"].comment = Comment("系统据项目编码识别项目，请勿修改。", "绩效自评")
    _put(sheet, "E4", "年度", bold=True)
    _put(sheet, "F4", project.year, fill=_LOCKED)
    _put(sheet, "H4", "金额单位", bold=True)
    _put(sheet, "I4", money_unit, fill=_LOCKED)
    if evaluation is not None:
        # An upload of this file is merged from this version, never over later edits.
        _put(sheet, f"{VERSION_COLUMN}4", version_text(evaluation.version), fill=_LOCKED)
        sheet[f"{VERSION_COLUMN}4"].comment = Comment(
            "下载时的自评版本，上传时据此与之后的修改逐项合并，请勿修改。", "绩效自评"
        )

    _put(sheet, "A6", f"项目资金（{money_unit}）", bold=True, fill=_HEAD)
    for letter, _, label in FUND_COLUMNS:
        _put(sheet, f"{letter}6", label, bold=True, fill=_HEAD)
    for letter, label in (("E", "分值"), ("F", "执行率"), ("G", "得分")):
        _put(sheet, f"{letter}6", label, bold=True, fill=_HEAD)
    lines = {line.source: line for line in project.fund_lines.all()}
    sources_empty = not any(
        getattr(lines.get(s), c, None) is not None
        for s, _ in FUND_ROWS[1:]
        for _, c, _ in FUND_COLUMNS
    )
    for offset, (source, label) in enumerate(FUND_ROWS):
        row = 7 + offset
        _put(sheet, f"A{row}", label, bold=source == FundSource.TOTAL)
        if source == FundSource.TOTAL:
            for letter, _, _ in FUND_COLUMNS:
                _put(
                    sheet,
                    f"{letter}{row}",
                    f"=SUM({letter}8:{letter}10)",
                    fill=_LOCKED,
                    fmt=money_fmt,
                )
            weight = lines[source].weight if source in lines else None
            _put(sheet, f"E{row}", weight if weight is not None else 10, fill=_LOCKED)
            _put(sheet, f"F{row}", '=IF(C7>0,D7/C7,"")', fill=_LOCKED, fmt="0.00%")
            _put(sheet, f"G{row}", None, fill=_LOCKED)
            continue
        line = lines.get(source)
        if source == FundSource.CURRENT_YEAR and sources_empty:
            line = lines.get(FundSource.TOTAL)
        for letter, column, _ in FUND_COLUMNS:
            value = _amount(getattr(line, column), money_unit) if line else None
            fill = budget_fill if column != "executed" else actual_fill if filer else _LOCKED
            _put(sheet, f"{letter}{row}", value, fill=fill, fmt=money_fmt)
        _put(sheet, f"E{row}", "—", fill=_LOCKED)
        _put(sheet, f"F{row}", f'=IF(C{row}>0,D{row}/C{row},"")', fill=_LOCKED, fmt="0.00%")
        _put(sheet, f"G{row}", "—", fill=_LOCKED)

    _put(sheet, "A12", GOAL_LABEL, bold=True)
    _put(sheet, "B12", "预期目标", bold=True)
    sheet.merge_cells("C12:E12")
    _put(sheet, "C12", project.goal_expected, fill=target_fill)
    _put(sheet, "F12", "实际完成情况", bold=True)
    sheet.merge_cells("G12:J12")
    _put(sheet, "G12", evaluation.goal_actual if evaluation else "", fill=actual_fill)
    sheet.row_dimensions[12].height = 60

    for letter, _, label in INDICATOR_COLUMNS:
        _put(sheet, f"{letter}14", label, bold=True, fill=_HEAD)
    results = {r.indicator_id: r for r in evaluation.results.all()} if evaluation else {}
    row = 15
    for position, indicator in enumerate(project.indicators.all(), start=1):
        result = results.get(indicator.pk)
        claimed = result.claimed_score if result else None
        if claim_follows(result, indicator):
            claimed = None  # blank follows the computed score, as on the form
        values = {
            "level1": indicator.level1,
            "level2": indicator.level2,
            "name": indicator.name,
            "target": indicator.target,
            "actual": result.actual if result else "",
            "weight": indicator.weight,
            "claimed_score": claimed,
            "deviation_reason": result.deviation_reason if result else "",
            "achievement": result.get_achievement_display()
            if result and result.achievement
            else "",
            "seq": position,
        }
        for letter, key, _ in INDICATOR_COLUMNS:
            fill = _LOCKED
            if key in ("actual", "claimed_score", "deviation_reason", "achievement") and filer:
                fill = _INPUT
            if key in ("level1", "level2", "name", "target", "weight") and not filer:
                fill = _INPUT
            cell = _put(sheet, f"{letter}{row}", values[key], fill=fill)
            if key in ("actual", "target", "level1", "level2", "name"):
                cell.number_format = "@"  # keep "≥95%" and "1500家" as typed text
        row += 1
    if not filer:
        for _ in range(3):  # blank rows for new indicators
            for letter, key, _ in INDICATOR_COLUMNS:
                cell = _put(sheet, f"{letter}{row}", None, fill=_INPUT if key != "seq" else _LOCKED)
                if key in ("level1", "level2", "name", "target"):
                    cell.number_format = "@"
            row += 1
    _put(sheet, f"A{row}", TOTAL_LABEL, bold=True)
    _put(sheet, f"F{row}", 100, fill=_LOCKED)
    for letter, width in zip("ABCDEFGHIJ", (14, 14, 26, 14, 14, 8, 8, 40, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A15"
