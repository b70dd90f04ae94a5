"""The 自评报告 as a workbook: one row per section, heading and text, then its 自评表 sheets.

The report sheet is for reading and archiving; the upload passes it by (its 自评表 sheet is the
one that re-imports). Like every print it carries its standing under the title and in the page
header and footer, so a draft's workbook cannot pass for a final one.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from projects.upload.workbook import REPORT_SHEET
from reports.excel.common import (
    BOLD,
    CENTER,
    HEAD_FILL,
    put,
    set_up_page,
    stamp_lines,
    title,
    to_bytes,
)
from reports.excel.table import write_table_sheet
from reports.selectors.stamp import stamp_of

HEADER_ROW = 4


def report_workbook(report) -> bytes:
    """The report's sections on the first sheet, its 自评表 on the next ones."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REPORT_SHEET
    stamp = stamp_of(report)
    status, footer = stamp_lines(stamp)
    draft = stamp is not None and not stamp.is_final
    title(sheet, 1, report.title, 2, font=Font(bold=True, size=16))
    title(sheet, 2, "", 2, font=None)
    title(sheet, 3, status, 2, font=Font(bold=True, color="C00000") if draft else Font(size=9))
    put(sheet, HEADER_ROW, 1, "标题", bold=True, fill=HEAD_FILL, align=CENTER)
    put(sheet, HEADER_ROW, 2, "内容", bold=True, fill=HEAD_FILL, align=CENTER)
    row = HEADER_ROW
    for section in report.sections:
        row += 1
        put(sheet, row, 1, section.heading, bold=section.level == 1)
        put(sheet, row, 2, "\n".join(section.paragraphs) or None)
        sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        if section.level == 1:
            sheet.cell(row=row, column=1).font = BOLD
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 100
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    set_up_page(
        sheet,
        landscape=False,
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        area=f"A1:B{row}",
        watermark=stamp.watermark if stamp else "",
        footer=footer,
    )
    tables = [report.table] if report.kind == "project" else [report.overall]
    for table in tables:
        if table is not None:
            write_table_sheet(workbook.create_sheet("自评表"), table)
    return to_bytes(workbook)
