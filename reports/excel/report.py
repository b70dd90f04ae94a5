"""The 自评报告 as a workbook: one row per section, heading and text, for editing or archiving."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment

from reports.excel.common import CENTER, HEAD_FILL, put, title, to_bytes
from reports.excel.table import write_table_sheet


def report_workbook(report) -> bytes:
    """The report's sections on the first sheet, its 自评表 on the next ones."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "自评报告"
    title(sheet, 1, report.title, 2)
    put(sheet, 3, 1, "标题", bold=True, fill=HEAD_FILL, align=CENTER)
    put(sheet, 3, 2, "内容", bold=True, fill=HEAD_FILL, align=CENTER)
    row = 3
    for section in report.sections:
        row += 1
        put(sheet, row, 1, section.heading, bold=section.level == 1)
        put(sheet, row, 2, "\n".join(section.paragraphs) or None)
        sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 100
    sheet.freeze_panes = "A4"
    tables = [report.table] if report.kind == "project" else [report.overall]
    for table in tables:
        if table is not None:
            write_table_sheet(workbook.create_sheet("自评表"), table)
    return to_bytes(workbook)
