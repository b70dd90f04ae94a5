"""The 绩效监控表 workbook: one sheet per report, laid out as the printed form.

The sheet copies the PDF (templates/reports/monitoring_table_document.html): title and period
merged across, the name block with 监控时点 and 时间进度, 项目资金 under its vertical label
(年初预算数, 全年预算数, 1-N月执行数, 执行率, 全年预计执行数, 执行进度预警), the indicator table
with 一级 and 二级 merged down their rows, the explanation, the lights in words and the
signature block. Figures are written rounded as printed (projects.formatting), rates as
fractions under a 0.00% format.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from projects.formatting import fmt_percent
from projects.upload import template as upload_template
from reports.excel.common import (
    AMOUNT,
    BOLD,
    CENTER,
    HEAD_FILL,
    PERCENT,
    TEXT,
    fraction,
    merge,
    put,
    set_up_page,
    stamp_lines,
    title,
    to_bytes,
)
from reports.excel.table import NOTE, STATUS_FONT, TITLE_FONT, _thirds

WIDTH = 12  # the 绩效指标 label column, then eleven indicator columns
FUND_HEADS = ("年初预算数", "全年预算数", "{period}执行数", "执行率", "全年预计执行数")
INDICATOR_HEADS = (
    ("一级指标", "level1", 10),
    ("二级指标", "level2", 11),
    ("三级指标", "name", 20),
    ("指标值", "target", 13),
    ("{period}指标执行情况", "value", 14),
    ("预警灯", "light_label", 8),
    ("全年预计完成值", "forecast", 13),
    ("完成目标可能性", "likelihood", 10),
    ("偏差原因类型", "deviation_category", 10),
    ("偏差原因", "reason", 24),
    ("拟采取的措施", "measures", 24),
)
# Rows of the name block and where 项目资金 starts: fixed, so a reader finds a figure by its cell.
FUNDS_ROW = 7


def _block(sheet, row: int, first: int, last: int, value, *, bottom: int | None = None, **style):
    bottom = bottom or row
    cell = put(sheet, row, first, value, **style)
    if last > first or bottom > row:
        merge(sheet, row, first, bottom, last)
    return cell


def _head(sheet, row: int, first: int, last: int, text: str, **kwargs):
    return _block(sheet, row, first, last, text, bold=True, fill=HEAD_FILL, align=CENTER, **kwargs)


def write_monitoring_sheet(sheet, table) -> None:
    """Lay one 绩效监控表 context out on `sheet` as the printed form."""
    status, footer = stamp_lines(table.stamp)
    draft = table.stamp is not None and not table.stamp.is_final
    title(sheet, 1, table.title, WIDTH, font=TITLE_FONT)
    sheet.row_dimensions[1].height = 28
    title(sheet, 2, table.subtitle, WIDTH, font=BOLD)
    title(sheet, 3, status, WIDTH, font=STATUS_FONT if draft else Font(size=9))
    _names(sheet, table)
    row = _funds(sheet, table, FUNDS_ROW)
    header, row = _indicators(sheet, table, row)
    row = _closing(sheet, table, row)
    last = _signature(sheet, table, row)
    sheet.column_dimensions["A"].width = 8
    for offset, (_head_text, _attr, size) in enumerate(INDICATOR_HEADS, start=2):
        width = max(size, 13) if offset in (3, 4, 5, 6, 7) else size
        sheet.column_dimensions[get_column_letter(offset)].width = width
    sheet.freeze_panes = f"A{header + 1}"
    set_up_page(
        sheet,
        landscape=True,
        title_rows=f"{header}:{header}",
        area=f"A1:{get_column_letter(WIDTH)}{last}",
        watermark=table.stamp.watermark if table.stamp else "",
        footer=footer,
    )


def _names(sheet, table) -> None:
    """项目名称 / 主管部门 / 实施单位, then 监控时点 and 时间进度 (rows 4 to 6)."""
    if table.is_department_overall:
        first = ("部门（单位）名称", table.unit_name)
        second = ("评价对象", "部门整体支出")
    else:
        first = ("项目名称", table.project_name)
        second = ("实施单位", table.unit_name)
    _head(sheet, 4, 1, 2, first[0])
    _block(sheet, 4, 3, WIDTH, first[1])
    _head(sheet, 5, 1, 2, "主管部门")
    _block(sheet, 5, 3, 6, table.department_name)
    _head(sheet, 5, 7, 7, second[0])
    _block(sheet, 5, 8, WIDTH, second[1])
    _head(sheet, 6, 1, 2, "监控时点")
    _block(sheet, 6, 3, 6, table.as_of_label)
    _head(sheet, 6, 7, 7, "时间进度")
    _block(sheet, 6, 8, WIDTH, fraction(table.time_progress), fmt=PERCENT, align=CENTER)


def _funds(sheet, table, row: int) -> int:
    """项目资金 (or 部门预算) under its vertical label, then the execution progress line."""
    label = "部门预算" if table.is_department_overall else "项目资金"
    height = len(table.funds) + 1
    _head(sheet, row, 1, 1, f"{label}\n（{table.money_unit}）", bottom=row + height)
    put(sheet, row, 2, None, fill=HEAD_FILL)
    for column, head in enumerate(FUND_HEADS, start=3):
        _head(sheet, row, column, column, head.format(period=table.period_label))
    _head(sheet, row, 8, WIDTH, "执行进度预警")
    for offset, fund in enumerate(table.funds, start=1):
        r = row + offset
        name = "年度预算总额" if table.is_department_overall and fund.is_total else fund.label
        put(sheet, r, 2, name, bold=fund.is_total, align=CENTER)
        for column, value in enumerate((fund.initial, fund.adjusted, fund.executed), start=3):
            put(sheet, r, column, value, fmt=AMOUNT)
        put(sheet, r, 6, fraction(fund.rate), fmt=PERCENT)
        put(sheet, r, 7, fund.forecast, fmt=AMOUNT)
        _block(sheet, r, 8, WIDTH, fund.light_label, align=CENTER)
    r = row + height
    put(sheet, r, 2, "执行进度", bold=True, align=CENTER)
    text = (
        f"执行率 {_pct(table.execution_rate)}；时间进度 {_pct(table.time_progress)}；"
        f"执行进度（执行率 ÷ 时间进度） {_pct(table.execution_progress)}；"
        f"执行进度预警：{table.execution_light_label}"
    )
    _block(sheet, r, 3, WIDTH, text)
    return r + 1


def _pct(value) -> str:
    return fmt_percent(value) or "—"


def _indicators(sheet, table, row: int) -> tuple[int, int]:
    """The indicator table: header, then one row per 三级指标 with 一级/二级 merged down."""
    header = row
    rows = table.indicators
    _head(sheet, header, 1, 1, "绩效指标", bottom=header + len(rows))
    for column, (head, _attr, _size) in enumerate(INDICATOR_HEADS, start=2):
        _head(sheet, header, column, column, head.format(period=table.period_label))
    for offset, indicator in enumerate(rows, start=1):
        r = header + offset
        for column, (_head_text, attr, _size) in enumerate(INDICATOR_HEADS, start=2):
            value = getattr(indicator, attr)
            if attr in ("level1", "level2"):
                span = getattr(indicator, f"{attr}_rowspan")
                if span:
                    _block(
                        sheet, r, column, column, value or None, bottom=r + span - 1, align=CENTER
                    )
                continue
            wide = attr in ("name", "reason", "measures")
            put(sheet, r, column, value or None, fmt=TEXT, align=None if wide else CENTER)
    return header, header + len(rows) + 1


def _closing(sheet, table, row: int) -> int:
    """执行情况说明, the report's light in words and the note under the table."""
    _head(sheet, row, 1, 1, "执行情况说明")
    _block(sheet, row, 2, WIDTH, table.explanation or "—", fmt=TEXT)
    sheet.row_dimensions[row].height = min(400, max(30, 15 * (1 + len(table.explanation) // 60)))
    row += 1
    _head(sheet, row, 1, 1, "预警灯")
    _block(sheet, row, 2, WIDTH, table.light_label, bold=True)
    row += 1
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
    note = sheet.cell(
        row=row,
        column=1,
        value=(
            f"注：金额单位为{table.money_unit}；时间进度 = 监控月份 ÷ 12；执行率 = "
            f"{table.period_label}执行数 ÷ 全年预算数（无调整预算时为年初预算数）；"
            "空白或文字完成值的指标不亮灯（—）。"
        ),
    )
    note.alignment = NOTE
    return row


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


def monitoring_table_workbook(tables) -> bytes:
    """A workbook of 绩效监控表 sheets, one per context."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for index, table in enumerate(tables, start=1):
        name = table.unit_name if table.is_department_overall else table.project_name
        sheet = workbook.create_sheet(upload_template.sheet_title(index, name, used))
        write_monitoring_sheet(sheet, table)
    return to_bytes(workbook)
