"""The summary workbook: one row per evaluated project (seed 000), then seed 003's statistics.

Numbers are numbers, stored as the PDF prints them (amounts in the chosen money unit rounded to
two places half-up, rates as fractions formatted 0.00%); the header rows are frozen, every
column is as wide as its widest cell, and the sheets print on A4, one page wide.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook

from projects.formatting import in_unit, rate, round2
from reports.excel.common import (
    AMOUNT,
    CENTER,
    HEAD_FILL,
    PERCENT,
    SCORE,
    fit_columns,
    fraction,
    put,
    set_up_page,
    stamp_lines,
    title,
    to_bytes,
)
from reports.selectors.stamp import stamp_of

HEADERS = (
    "序号",
    "地区",
    "主管部门",
    "预算单位",
    "项目名称",
    "项目编码",
    "当年预算数",
    "全年执行数",
    "预算执行率",
    "得分",
    "自评结论",
    "状态",
)
HEADER_ROW = 3


def _score(value: Decimal | None) -> Decimal | None:
    return None if value is None else round2(value)


def _summary_sheet(
    sheet, rows, *, heading: str, subtitle: str, money_unit: str, stamp=None
) -> None:
    money_fmt = AMOUNT
    title(sheet, 1, heading, len(HEADERS))
    title(sheet, 2, subtitle, len(HEADERS), font=None)
    for column, label in enumerate(HEADERS, start=1):
        if label in ("当年预算数", "全年执行数"):
            label = f"{label}（{money_unit}）"
        put(sheet, HEADER_ROW, column, label, bold=True, fill=HEAD_FILL, align=CENTER)
    row_number = HEADER_ROW
    for row in rows:
        row_number += 1
        values = (
            (row.seq, None),
            (row.region_name, None),
            (row.department_name, None),
            (row.unit_name, None),
            (row.project_name, None),
            (row.project_code, "@"),
            (in_unit(row.budget_yuan, money_unit), money_fmt),
            (in_unit(row.executed_yuan, money_unit), money_fmt),
            (fraction(_score(row.rate)), PERCENT),
            (_score(row.score), SCORE),
            (row.grade or None, None),
            (row.status_label, None),
        )
        for column, (value, fmt) in enumerate(values, start=1):
            put(sheet, row_number, column, value, fmt=fmt)
    total_row = row_number + 1
    budget = sum((r.budget_yuan or Decimal(0) for r in rows), Decimal(0))
    executed = sum((r.executed_yuan or Decimal(0) for r in rows), Decimal(0))
    put(sheet, total_row, 1, "合计", bold=True)
    for column in range(2, len(HEADERS) + 1):
        put(sheet, total_row, column, None)
    put(sheet, total_row, 7, in_unit(budget, money_unit), fmt=money_fmt, bold=True)
    put(sheet, total_row, 8, in_unit(executed, money_unit), fmt=money_fmt, bold=True)
    put(sheet, total_row, 9, fraction(rate(executed, budget)), fmt=PERCENT, bold=True)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:L{max(HEADER_ROW, row_number)}"
    fit_columns(sheet, skip_rows=(1, 2))
    _, footer = stamp_lines(stamp)
    set_up_page(
        sheet,
        landscape=True,
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        watermark=stamp.watermark if stamp else "",
        footer=footer,
    )


def _statistics_sheet(sheet, stats, *, heading: str, money_unit: str) -> None:
    money_fmt = AMOUNT
    title(sheet, 1, heading, 4)
    row = 3
    for caption, lines in (("资金类型", stats.by_fund_type), ("转移支付", stats.transfers)):
        for column, label in enumerate(
            (caption, "项目数（个）", f"资金（{money_unit}）", "占比"), start=1
        ):
            put(sheet, row, column, label, bold=True, fill=HEAD_FILL, align=CENTER)
        for line in lines:
            row += 1
            put(sheet, row, 1, line.label)
            put(sheet, row, 2, line.count)
            put(sheet, row, 3, in_unit(line.amount_yuan, money_unit), fmt=money_fmt)
            put(sheet, row, 4, fraction(line.share), fmt=PERCENT)
        row += 2
    for column, label in enumerate(("自评等级", "项目数（个）"), start=1):
        put(sheet, row, column, label, bold=True, fill=HEAD_FILL, align=CENTER)
    for grade, count in stats.by_grade:
        row += 1
        put(sheet, row, 1, grade)
        put(sheet, row, 2, count)
    row += 1
    put(sheet, row, 1, "评优率", bold=True)
    put(sheet, row, 2, fraction(stats.excellent_rate), fmt=PERCENT)
    row += 1
    put(sheet, row, 1, "转移支付评优率", bold=True)
    put(sheet, row, 2, fraction(stats.transfer_excellent_rate), fmt=PERCENT)
    sheet.freeze_panes = "A2"
    fit_columns(sheet, skip_rows=(1,))
    set_up_page(sheet, landscape=False)


def summary_workbook(
    rows, *, heading: str, subtitle: str, money_unit: str, statistics=None, stamp=None
):
    """The summary (and, given, the statistics) as workbook bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "项目自评汇总"
    _summary_sheet(
        sheet, rows, heading=heading, subtitle=subtitle, money_unit=money_unit, stamp=stamp
    )
    if statistics is not None:
        _statistics_sheet(
            workbook.create_sheet("统计"),
            statistics,
            heading="项目自评情况统计",
            money_unit=money_unit,
        )
    return to_bytes(workbook)


def department_summary_workbook(summary) -> bytes:
    """The department summary context as a workbook."""
    return summary_workbook(
        summary.rows,
        heading=summary.title,
        subtitle=f"（{summary.year}年度）金额单位：{summary.money_unit}",
        money_unit=summary.money_unit,
        statistics=summary.statistics,
        stamp=stamp_of(summary),
    )
