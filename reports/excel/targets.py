"""The 绩效目标申报表 workbook: one sheet per declaration, laid out as the printed form.

The sheet copies the PDF (templates/reports/targets_table_document.html): title and year merged
across, the name block (项目名称, 主管部门, 实施单位, 年度, 项目期限, 资金类型), 资金计划 under its
vertical label (年初预算数 by source), 年度总体目标, the indicator table with 一级 and 二级 merged
down their rows, and the signature block. Amounts are written rounded as printed.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from projects.upload import template as upload_template
from reports.excel.common import (
    AMOUNT,
    BOLD,
    CENTER,
    TEXT,
    put,
    set_up_page,
    stamp_lines,
    title,
    to_bytes,
)
from reports.excel.monitoring import _block, _head
from reports.excel.table import NOTE, STATUS_FONT, TITLE_FONT, _thirds

WIDTH = 7  # the 绩效指标 label column, then six indicator columns
INDICATOR_HEADS = (
    ("一级指标", "level1", 12),
    ("二级指标", "level2", 14),
    ("三级指标", "name", 28),
    ("指标值", "target", 16),
    ("分值", "weight", 8),
    ("评价方法", "method", 26),
)
# The name block takes rows 4 to 7; 资金计划 starts at a fixed row so a reader finds a figure.
FUNDS_ROW = 8


def write_target_sheet(sheet, table) -> None:
    """Lay one 绩效目标申报表 context out on `sheet` as the printed form."""
    status, footer = stamp_lines(table.stamp)
    draft = table.stamp is not None and not table.stamp.is_final
    title(sheet, 1, table.title, WIDTH, font=TITLE_FONT)
    sheet.row_dimensions[1].height = 28
    title(sheet, 2, table.subtitle, WIDTH, font=BOLD)
    title(sheet, 3, status, WIDTH, font=STATUS_FONT if draft else Font(size=9))
    _names(sheet, table)
    row = _funds(sheet, table, FUNDS_ROW)
    _head(sheet, row, 1, 1, "年度总体目标")
    _block(sheet, row, 2, WIDTH, table.goal or "—", fmt=TEXT)
    sheet.row_dimensions[row].height = min(400, max(30, 15 * (1 + len(table.goal) // 50)))
    header, row = _indicators(sheet, table, row + 1)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
    note = sheet.cell(
        row=row,
        column=1,
        value=f"注：金额单位为{table.money_unit}；年度资金总额为各资金来源年初预算数之和。",
    )
    note.alignment = NOTE
    last = _signature(sheet, table, row)
    sheet.column_dimensions["A"].width = 10
    for column, (_text, _attr, size) in enumerate(INDICATOR_HEADS, start=2):
        sheet.column_dimensions[get_column_letter(column)].width = size
    sheet.freeze_panes = f"A{header + 1}"
    set_up_page(
        sheet,
        landscape=False,
        title_rows=f"{header}:{header}",
        area=f"A1:{get_column_letter(WIDTH)}{last}",
        watermark=table.stamp.watermark if table.stamp else "",
        footer=footer,
    )


def _names(sheet, table) -> None:
    """Rows 4 to 7: the subject, its department and unit, year and term, fund type."""
    if table.is_department_overall:
        first = ("部门（单位）名称", table.unit_name)
        second = ("评价对象", "部门整体支出")
    else:
        first = ("项目名称", table.project_name)
        second = ("实施单位", table.unit_name)
    _head(sheet, 4, 1, 2, first[0])
    _block(sheet, 4, 3, WIDTH, first[1])
    _head(sheet, 5, 1, 2, "主管部门")
    _block(sheet, 5, 3, 4, table.department_name)
    _head(sheet, 5, 5, 5, second[0])
    _block(sheet, 5, 6, WIDTH, second[1])
    _head(sheet, 6, 1, 2, "年度")
    _block(sheet, 6, 3, 4, f"{table.year}年度")
    _head(sheet, 6, 5, 5, "项目期限")
    _block(sheet, 6, 6, WIDTH, table.term)
    _head(sheet, 7, 1, 2, "资金类型")
    _block(sheet, 7, 3, WIDTH, table.fund_type)


def _funds(sheet, table, row: int) -> int:
    """资金计划 (or 部门预算) under its vertical label: 年初预算数 by source, total first."""
    label = "部门预算" if table.is_department_overall else "资金计划"
    _head(sheet, row, 1, 1, f"{label}\n（{table.money_unit}）", bottom=row + len(table.funds))
    _head(sheet, row, 2, 3, "资金来源")
    _head(sheet, row, 4, WIDTH, "年初预算数")
    for offset, fund in enumerate(table.funds, start=1):
        r = row + offset
        name = "年度预算总额" if table.is_department_overall and fund.is_total else fund.label
        _block(sheet, r, 2, 3, name, bold=fund.is_total, align=CENTER)
        _block(sheet, r, 4, WIDTH, fund.initial, fmt=AMOUNT)
    return row + len(table.funds) + 1


def _indicators(sheet, table, row: int) -> tuple[int, int]:
    """The indicator table: header, one row per 三级指标 with 一级/二级 merged down, 合计."""
    header = row
    rows = table.indicators
    _head(sheet, header, 1, 1, "绩效指标", bottom=header + len(rows) + 1)
    for column, (head, _attr, _size) in enumerate(INDICATOR_HEADS, start=2):
        _head(sheet, header, column, column, head)
    for offset, indicator in enumerate(rows, start=1):
        r = header + offset
        for column, (_text, attr, _size) in enumerate(INDICATOR_HEADS, start=2):
            value = getattr(indicator, attr)
            if attr in ("level1", "level2"):
                span = getattr(indicator, f"{attr}_rowspan")
                if span:
                    _block(
                        sheet, r, column, column, value or None, bottom=r + span - 1, align=CENTER
                    )
                continue
            if attr == "weight":
                put(sheet, r, column, value, fmt="0.##", align=CENTER)
                continue
            wide = attr in ("name", "method")
            put(sheet, r, column, value or None, fmt=TEXT, align=None if wide else CENTER)
    total = header + len(rows) + 1
    _head(sheet, total, 2, 5, "合计")
    put(sheet, total, 6, table.weight_total, fmt="0.##", bold=True, align=CENTER)
    put(sheet, total, 7, None)
    return header, total + 1


def _signature(sheet, table, row: int) -> int:
    """The region's signature block, three labels a row, as the PDF prints it."""
    labels = table.stamp.signature_fields if table.stamp else ()
    spans = _thirds(WIDTH)
    for start in range(0, len(labels), len(spans)):
        row += 1
        for label, (first, last) in zip(labels[start : start + len(spans)], spans, strict=False):
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
            sheet.cell(row=row, column=first, value=f"{label}：________________")
        sheet.row_dimensions[row].height = 24
    return row


def target_table_workbook(tables) -> bytes:
    """A workbook of 绩效目标申报表 sheets, one per context."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for index, table in enumerate(tables, start=1):
        name = table.unit_name if table.is_department_overall else table.project_name
        sheet = workbook.create_sheet(upload_template.sheet_title(index, name, used))
        write_target_sheet(sheet, table)
    return to_bytes(workbook)
