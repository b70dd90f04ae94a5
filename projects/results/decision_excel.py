"""The 结果应用 workbook in the layout the budget section works from: 汇总 and 明细.

汇总: per department the number of projects, 本年预算数, 下年安排数, 压减资金 and the count of
projects by decision, with the region's total. 明细: one row per project with its self score, the
spot check's review score, the grade, the rules' suggestion and the bureau's decision, with a
total row. Amounts are numbers in the chosen unit (元 or 万元) rounded as printed, rates and
shares fractions under a 0.00% format, as the reports' workbooks write them.

The workbook is written in openpyxl's write-only mode with each cell style built once: assigning
styles per cell cost five times as much for a city's 2,000 rows.
"""

from __future__ import annotations

import io
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from projects.formatting import in_unit, round2
from projects.models import Decision
from projects.results.decision_selectors import DecisionList, Totals

AMOUNT = "#,##0.00"
PERCENT = "0.00%"
SCORE = "0.00"

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


# Each kind of cell: (number format, bold, header fill, horizontal alignment).
KINDS = {
    "head": ("General", True, True, "center"),
    "text": ("General", False, False, "left"),
    "code": ("@", False, False, "left"),
    "amount": (AMOUNT, False, False, "right"),
    "percent": (PERCENT, False, False, "right"),
    "score": (SCORE, False, False, "right"),
    "count": ("General", False, False, "right"),
    "total_text": ("General", True, False, "left"),
    "total_amount": (AMOUNT, True, False, "right"),
    "total_count": ("General", True, False, "right"),
}
_FILL = PatternFill("solid", fgColor="E7ECF3")


def _styles(sheet) -> dict[str, object]:
    """Each kind's finished style array, built once: openpyxl hashes every style object on
    assignment, which per cell would cost seconds for a city's list."""
    styles = {}
    for kind, (fmt, bold, fill, align) in KINDS.items():
        cell = WriteOnlyCell(sheet)
        cell.border = _BORDER
        cell.number_format = fmt
        cell.font = Font(bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=align != "right")
        if fill:
            cell.fill = _FILL
        styles[kind] = cell._style
    return styles


def _cells(sheet, styles, values):
    row = []
    for value, kind in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell._style = copy(styles[kind])
        row.append(cell)
    return row


def _fraction(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else round2(percent) / 100


def _score(value: Decimal | None) -> Decimal | None:
    return None if value is None else round2(value)


SUMMARY_HEADS = ("主管部门", "项目数（个）", "本年预算数", "下年安排数", "压减资金")
DETAIL_HEADS = (
    "部门", "单位", "项目编码", "项目名称", "本年预算数", "执行数", "执行率", "自评得分",
    "复核得分", "等级", "建议", "处理意见", "压减比例", "下年安排数", "压减资金", "说明",
)  # fmt: skip
DETAIL_WIDTHS = (22, 22, 16, 30, 14, 14, 9, 9, 9, 6, 12, 12, 9, 14, 14, 40)


def _title(sheet, text: str) -> None:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True, size=14)
    sheet.append([cell])
    sheet.append([])


def _money(heads, unit: str) -> list[str]:
    money = {"本年预算数", "下年安排数", "压减资金", "执行数"}
    return [f"{h}（{unit}）" if h in money else h for h in heads]


def _summary_values(name: str, t: Totals, unit: str, *, total: bool) -> list:
    amount, count, text = (
        ("total_amount", "total_count", "total_text") if total else ("amount", "count", "text")
    )
    return [
        (name, text),
        (t.projects, count),
        (in_unit(t.base_amount, unit), amount),
        (in_unit(t.next_year_amount, unit), amount),
        (in_unit(t.reduction, unit), amount),
        *((t.by_decision[value], count) for value in Decision.values),
        (t.undecided, count),
    ]


def _summary(workbook, data: DecisionList, heading: str, unit: str) -> None:
    sheet = workbook.create_sheet("汇总")
    styles = _styles(sheet)
    heads = [*_money(SUMMARY_HEADS, unit), *Decision.labels, "未决定"]
    for i, width in enumerate((24, 10, 16, 16, 16, *([9] * (len(Decision.labels) + 1)))):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "B4"
    _title(sheet, f"{heading}（汇总）")
    sheet.append(_cells(sheet, styles, [(h, "head") for h in heads]))
    for group in data.groups:
        sheet.append(
            _cells(sheet, styles, _summary_values(group.name, group.totals, unit, total=False))
        )
    sheet.append(_cells(sheet, styles, _summary_values("合计", data.totals, unit, total=True)))


def _detail(workbook, data: DecisionList, heading: str, unit: str) -> None:
    sheet = workbook.create_sheet("明细")
    styles = _styles(sheet)
    for i, width in enumerate(DETAIL_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "E4"
    _title(sheet, f"{heading}（明细）")
    sheet.append(_cells(sheet, styles, [(h, "head") for h in _money(DETAIL_HEADS, unit)]))
    for row in data.rows:
        record = row.record
        sheet.append(
            _cells(
                sheet,
                styles,
                [
                    (row.department, "text"),
                    (row.unit, "text"),
                    (row.project_code, "code"),
                    (row.project_name, "text"),
                    (in_unit(row.base_amount, unit), "amount"),
                    (in_unit(row.executed_amount, unit), "amount"),
                    (_fraction(row.execution_rate), "percent"),
                    (_score(row.total), "score"),
                    (_score(row.review_total), "score"),
                    (row.grade or None, "text"),
                    (row.suggestion_label, "text"),
                    (row.decision_label or None, "text"),
                    (_fraction(record.cut_share) if record else None, "percent"),
                    (in_unit(row.next_year_amount, unit), "amount"),
                    (in_unit(row.reduction, unit), "amount"),
                    (_explanation(row), "text"),
                ],
            )
        )
    t = data.totals
    sheet.append(
        _cells(
            sheet,
            styles,
            [
                ("合计", "total_text"),
                (f"{t.projects} 个项目，已决定 {t.decided} 个", "total_text"),
                *((None, "total_text") for _ in range(2)),
                (in_unit(t.base_amount, unit), "total_amount"),
                (
                    in_unit(sum((r.executed_amount or 0 for r in data.rows), Decimal(0)), unit),
                    "total_amount",
                ),
                *((None, "total_text") for _ in range(7)),
                (in_unit(t.next_year_amount, unit), "total_amount"),
                (in_unit(t.reduction, unit), "total_amount"),
                (None, "total_text"),
            ],
        )
    )


def _explanation(row) -> str:
    """The bureau's note, else the rules' reasons."""
    if row.record is not None and row.record.note:
        return row.record.note
    return "；".join(row.reasons)


def decision_workbook(data: DecisionList, *, heading: str, money_unit: str) -> bytes:
    """The 汇总 and 明细 sheets as workbook bytes."""
    workbook = Workbook(write_only=True)
    _summary(workbook, data, heading, money_unit)
    _detail(workbook, data, heading, money_unit)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
