"""The 自评表 workbook: one sheet per evaluation, in the layout the filing upload reads back.

The filing upload (projects.upload.workbook) finds its way by labels in column A: 项目编号 (the
project's id in B, the money unit in I), the fund rows by name (amounts in B–D), 年度总体目标
(预期 in C, 实际 in G), the header row starting 一级指标 and the indicator rows A–J down to 总分.
This sheet writes exactly that, so a downloaded 自评表 re-imports to the same figures; what the
upload does not read (the derived total row, rates, computed scores, the grade, the three target
columns of the 云南 variant, mid-year values) sits beside it. 一级/二级 are repeated on every row
rather than merged: a merged cell reads back empty.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from projects.upload import template as upload_template
from projects.upload import workbook as upload
from reports.excel.common import (
    BOLD,
    CENTER,
    HEAD_FILL,
    PERCENT,
    SCORE,
    TEXT,
    amount_format,
    exact_amount,
    fraction,
    put,
    title,
    to_bytes,
)

FIRST_INDICATOR_ROW = 15
BASE_COLUMNS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分（填报）",
    "偏差原因分析及改进措施",
    "完成程度（定性指标）",
    "指标编号",
)
WIDTHS = (12, 14, 26, 14, 14, 8, 10, 40, 12, 10, 10, 12, 10, 10, 10)


def _extra_columns(table) -> list[tuple[str, str]]:
    columns = [("得分（计算）", "score")]
    if table.has_midyear:
        columns.append(("年中监控值", "midyear_actual"))
    if table.three_columns:
        columns += [
            ("指标性质", "comparator"),
            ("指标值", "target_value"),
            ("度量单位", "unit_of_measure"),
        ]
    return columns


def write_table_sheet(sheet, table) -> None:
    """Lay one 自评表 context out on `sheet`."""
    extras = _extra_columns(table)
    width = len(BASE_COLUMNS) + len(extras)
    money_fmt = amount_format(table.money_unit)

    title(sheet, 1, table.title, width)
    title(sheet, 2, table.year_label, width, font=BOLD)
    put(sheet, 3, 1, "项目名称" if not table.is_department_overall else "部门（单位）", bold=True)
    sheet.merge_cells(start_row=3, start_column=2, end_row=3, end_column=4)
    put(sheet, 3, 2, table.project_name if not table.is_department_overall else table.unit_name)
    put(sheet, 3, 5, "主管部门", bold=True)
    sheet.merge_cells(start_row=3, start_column=6, end_row=3, end_column=7)
    put(sheet, 3, 6, table.department_name)
    put(sheet, 3, 8, "实施单位", bold=True)
    sheet.merge_cells(start_row=3, start_column=9, end_row=3, end_column=10)
    put(sheet, 3, 9, table.unit_name)
    put(sheet, 4, 1, upload.ID_LABEL, bold=True)
    put(sheet, 4, 2, table.project_id)
    put(sheet, 4, 3, "项目编码", bold=True)
    put(sheet, 4, 4, table.project_code, fmt=TEXT)
    put(sheet, 4, 5, "年度", bold=True)
    put(sheet, 4, 6, table.year)
    put(sheet, 4, 8, "金额单位", bold=True)
    put(sheet, 4, 9, table.money_unit)
    put(sheet, 4, 10, upload.version_text(table.version))

    put(sheet, 6, 1, f"项目资金（{table.money_unit}）", bold=True, fill=HEAD_FILL)
    for column, label in enumerate(
        ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=2
    ):
        put(sheet, 6, column, label, bold=True, fill=HEAD_FILL, align=CENTER)
    sources_empty = all(
        row.initial_yuan is None and row.adjusted_yuan is None and row.executed_yuan is None
        for row in table.funds[1:]
    )
    for offset, fund in enumerate(table.funds):
        row = 7 + offset
        put(sheet, row, 1, fund.label, bold=fund.is_total)
        # A total filed alone is the 当年财政拨款, as the upload's own template writes it.
        shown = table.funds[0] if sources_empty and offset == 1 else fund
        for column, value in enumerate(
            (shown.initial_yuan, shown.adjusted_yuan, shown.executed_yuan), start=2
        ):
            put(sheet, row, column, exact_amount(value, table.money_unit), fmt=money_fmt)
        put(sheet, row, 5, fund.weight if fund.is_total else "—")
        put(sheet, row, 6, fraction(shown.rate), fmt=PERCENT)
        put(sheet, row, 7, fund.score if fund.is_total else "—", fmt=SCORE)
    if table.is_department_overall and table.adjustment is not None:
        put(sheet, 11, 1, "预算调整", bold=True)
        total = table.funds[0]
        change = exact_amount(total.adjusted_yuan - total.initial_yuan, table.money_unit)
        put(sheet, 11, 2, change, fmt=money_fmt)
        put(sheet, 11, 3, "预算调整率", bold=True)
        put(sheet, 11, 4, fraction(table.adjustment_rate), fmt=PERCENT)

    put(sheet, 12, 1, upload.GOAL_LABEL, bold=True)
    put(sheet, 12, 2, "预期目标", bold=True)
    sheet.merge_cells(start_row=12, start_column=3, end_row=12, end_column=5)
    put(sheet, 12, 3, table.goal_expected)
    put(sheet, 12, 6, "实际完成情况", bold=True)
    sheet.merge_cells(start_row=12, start_column=7, end_row=12, end_column=10)
    put(sheet, 12, 7, table.goal_actual)
    sheet.row_dimensions[12].height = 48

    header = FIRST_INDICATOR_ROW - 1
    for column, label in enumerate((*BASE_COLUMNS, *(label for label, _ in extras)), start=1):
        put(sheet, header, column, label, bold=True, fill=HEAD_FILL, align=CENTER)
    row = FIRST_INDICATOR_ROW
    for indicator in table.indicators:
        base = (
            indicator.level1,
            indicator.level2,
            indicator.name,
            indicator.target,
            indicator.actual,
            indicator.weight,
            indicator.claimed_score,
            indicator.deviation,
            indicator.achievement,
            indicator.indicator_id,
        )
        for column, value in enumerate(base, start=1):
            text = column in (1, 2, 3, 4, 5, 8, 9)
            put(sheet, row, column, value if value != "" else None, fmt=TEXT if text else None)
        for offset, (_, attr) in enumerate(extras):
            value = getattr(indicator, attr)
            put(
                sheet,
                row,
                len(BASE_COLUMNS) + 1 + offset,
                value if value != "" else None,
                fmt=SCORE if attr == "score" else TEXT,
            )
        row += 1
    put(sheet, row, 1, upload.TOTAL_LABEL, bold=True)
    put(sheet, row, 6, table.weight_total)
    put(sheet, row, 7, table.claimed_total, fmt=SCORE)
    put(sheet, row, 8, f"自评等级：{table.grade or '—'}", bold=True)
    put(sheet, row, len(BASE_COLUMNS) + 1, table.total, fmt=SCORE, bold=True)
    note = sheet.cell(
        row=row + 1,
        column=1,
        value=f"注：金额单位为{table.money_unit}；“得分（计算）”按{table.rules or '评分规则'}"
        "计算，“得分（填报）”为填报单位的自评得分。",
    )
    note.alignment = Alignment(wrap_text=False)

    for column in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[column - 1]
    sheet.freeze_panes = sheet.cell(row=FIRST_INDICATOR_ROW, column=1)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def evaluation_table_workbook(tables) -> bytes:
    """A workbook of 自评表 sheets, one per context, named like the upload template's sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for index, table in enumerate(tables, start=1):
        sheet = workbook.create_sheet(upload_template.sheet_title(index, table.project_name, used))
        write_table_sheet(sheet, table)
    return to_bytes(workbook)
