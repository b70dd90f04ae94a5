"""Each report context rendered three ways (HTML, PDF, Excel), with its download file name.

Views, the public pages, the render_report command and the region export all go through here,
so a document looks the same wherever it is produced.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.template.loader import render_to_string

from reports import pdf
from reports.excel.report import report_workbook
from reports.excel.summary import department_summary_workbook
from reports.excel.table import evaluation_table_workbook

HTML = "html"
PDF = "pdf"
XLSX = "xlsx"
FORMATS = (HTML, PDF, XLSX)
CONTENT_TYPES = {
    HTML: "text/html; charset=utf-8",
    PDF: "application/pdf",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass
class Rendered:
    """A rendered document: its bytes, content type and a file name to save it under."""

    content: bytes
    content_type: str
    filename: str


def safe_name(text: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    return _UNSAFE.sub("_", text).strip("_")[:80] or "report"


def _standalone_html(template: str, context: dict) -> bytes:
    """The print template with the stylesheet inlined: one file that opens anywhere."""
    css = pdf.PRINT_CSS.read_text(encoding="utf-8")
    html = render_to_string(template, {**context, "inline_css": css})
    return html.encode("utf-8")


def _render(fmt: str, template: str, context: dict, workbook, stem: str) -> Rendered:
    if fmt == PDF:
        content = pdf.render_pdf(template, context)
    elif fmt == XLSX:
        content = workbook()
    elif fmt == HTML:
        content = _standalone_html(template, context)
    else:
        raise ValueError(f"不支持的格式：{fmt}")
    return Rendered(content, CONTENT_TYPES[fmt], f"{safe_name(stem)}.{fmt}")


def render_table(table, fmt: str) -> Rendered:
    """One 自评表."""
    return _render(
        fmt,
        "reports/print/evaluation_table.html",
        {"t": table},
        lambda: evaluation_table_workbook([table]),
        f"{table.year}_{table.project_name}_{table.title}",
    )


def render_monitoring_table(table, fmt: str) -> Rendered:
    """One 项目支出 / 部门整体支出绩效监控表."""
    from reports.excel.monitoring import monitoring_table_workbook

    return _render(
        fmt,
        "reports/monitoring_table_print.html",
        {"t": table},
        lambda: monitoring_table_workbook([table]),
        f"{table.round_title}_{table.project_name}_{table.title}",
    )


def render_target_table(table, fmt: str) -> Rendered:
    """One 项目支出 / 部门整体支出绩效目标申报表."""
    from reports.excel.targets import target_table_workbook

    return _render(
        fmt,
        "reports/targets_table_print.html",
        {"t": table},
        lambda: target_table_workbook([table]),
        f"{table.year}_{table.project_name}_{table.title}",
    )


def render_report(report, fmt: str) -> Rendered:
    """One 自评报告 (project or department), followed by its 自评表."""
    return _render(
        fmt,
        "reports/print/report.html",
        {"r": report},
        lambda: report_workbook(report),
        report.title,
    )


def render_summary(summary, fmt: str) -> Rendered:
    """One department summary with its statistics."""
    return _render(
        fmt,
        "reports/print/summary.html",
        {"s": summary},
        lambda: department_summary_workbook(summary),
        summary.title,
    )


def render_package(package, fmt: str = PDF) -> Rendered:
    """The department package: one PDF (or, as a workbook, every 自评表 of the department).

    The PDF is laid out a few documents at a time and joined (reports/stored/package_pdf.py).
    """
    if fmt == PDF:
        from reports.stored.package_pdf import package_pdf

        pdf.require_cjk_font()
        out = io.BytesIO()
        package_pdf(package, out)
        stem = f"{package.report.department_name}_{package.title}"
        return Rendered(out.getvalue(), CONTENT_TYPES[PDF], f"{safe_name(stem)}.pdf")
    return _render(
        fmt,
        "reports/print/package.html",
        {"p": package},
        lambda: evaluation_table_workbook(package.tables),
        f"{package.report.department_name}_{package.title}",
    )
