"""The scorecard as a workbook: the same context as the page, two sheets, A4 landscape.

A region's scorecard is a few dozen rows, so it is written in the request; the stored-document
tasks are for the 自评表 packages that take seconds each.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from projects.formatting import HUNDRED, WAN_YUAN, in_unit
from projects.results.scorecard_selectors import Scorecard

PERCENT = "0.00%"
AMOUNT = "#,##0.00"
SCORE = "0.00"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="E7ECF3")
WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)

DEPARTMENT_COLUMNS = [
    ("主管部门", 30, None),
    ("应评对象", 9, None),
    ("截止日期", 12, "yyyy-mm-dd"),
    ("按时提交", 9, None),
    ("按时提交率", 11, PERCENT),
    ("主管部门退回", 11, None),
    ("财政退回", 9, None),
    ("抽查复核项目", 11, None),
    ("平均偏差（分）", 12, SCORE),
    ("监控表", 8, None),
    ("已填报", 8, None),
    ("监控覆盖率", 11, PERCENT),
    ("红灯监控表", 10, None),
    ("红灯指标", 9, None),
    ("整改事项", 9, None),
    ("已销号", 8, None),
    ("销号率", 9, PERCENT),
    ("逾期", 7, None),
    ("审核通过", 9, None),
    ("已公开", 8, None),
    ("按时公开", 9, None),
    ("压减资金", 14, AMOUNT),
]


def _fraction(percent: Decimal | None) -> Decimal | None:
    """A percent figure as the fraction Excel's 0.00% format shows."""
    return None if percent is None else percent / HUNDRED


def _department_values(row, money_unit: str) -> list:
    return [
        row.name,
        row.subjects,
        row.deadline,
        row.on_time,
        _fraction(row.on_time_rate),
        row.department_returns,
        row.finance_returns,
        row.checked,
        row.deviation,
        row.reports,
        row.reports_filed,
        _fraction(row.monitoring_coverage),
        row.red_reports,
        row.red_entries,
        row.raised,
        row.closed,
        _fraction(row.closure_rate),
        row.overdue,
        row.approved,
        row.published,
        row.published_on_time,
        in_unit(row.reduction, money_unit),
    ]


def _region_rows(card: Scorecard, money_unit: str) -> list[tuple[str, object, object]]:
    t = card.totals
    return [
        ("区直部门", card.departments, None),
        ("自评覆盖率（已提交 / 应评对象）", f"{t.submitted} / {t.subjects}", t.evaluation_coverage),
        ("按时提交率（按时提交 / 应评对象）", f"{t.on_time} / {t.subjects}", t.on_time_rate),
        ("评优率（优 / 已评定等级）", f"{t.excellent} / {t.graded}", t.excellent_rate),
        ("抽查复核部门 / 抽查比例", f"{card.drawn} / {card.departments}", card.spot_check_share),
        ("累计部门覆盖率", f"{card.covered} / {card.departments}", card.spot_check_cumulative),
        (f"压减资金（{money_unit}）", in_unit(card.reduction, money_unit), None),
        (
            "监控覆盖率（已填报 / 监控表）",
            f"{t.reports_filed} / {t.reports}",
            t.monitoring_coverage,
        ),
        ("监控红灯（监控表 / 指标）", f"{t.red_reports} / {t.red_entries}", None),
        ("整改销号率（已销号 / 整改事项）", f"{t.closed} / {t.raised}", t.closure_rate),
        ("公开率（已公开 / 审核通过）", f"{t.published} / {t.approved}", t.publication_rate),
        (
            f"按时公开率（{card.publication_working_days}个工作日内）",
            f"{t.published_on_time} / {t.approved}",
            t.on_time_publication_rate,
        ),
    ]


def _set_up(sheet, *, landscape: bool) -> None:
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.right.text = "第 &P 页 共 &N 页"


def scorecard_workbook(card: Scorecard, money_unit: str = WAN_YUAN) -> bytes:
    """Two sheets: the region's figures and the departments' table with its totals."""
    title = f"{card.region.name}{card.year}年度预算绩效管理工作考核"
    book = Workbook()
    region = book.active
    region.title = "地区情况"
    region.append([title])
    region["A1"].font = Font(bold=True, size=14)
    region.append(["指标", "数量", "比率"])
    for cell in region[2]:
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD, BORDER, WRAP
    for label, count, rate in _region_rows(card, money_unit):
        region.append([label, count, _fraction(rate)])
        row = region.max_row
        for cell in region[row]:
            cell.border = BORDER
        region.cell(row, 3).number_format = PERCENT
        if isinstance(count, Decimal):
            region.cell(row, 2).number_format = AMOUNT
    region.column_dimensions["A"].width = 40
    region.column_dimensions["B"].width = 16
    region.column_dimensions["C"].width = 12
    _set_up(region, landscape=False)

    sheet = book.create_sheet("各部门情况")
    sheet.append([f"{title}（金额单位：{money_unit}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([name for name, _, _ in DEPARTMENT_COLUMNS])
    for cell in sheet[2]:
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD, BORDER, WRAP
    for row in [*card.rows, card.totals]:
        sheet.append(_department_values(row, money_unit))
        for cell, (_, _, number_format) in zip(
            sheet[sheet.max_row], DEPARTMENT_COLUMNS, strict=True
        ):
            cell.border = BORDER
            if number_format:
                cell.number_format = number_format
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, (_, width, _) in enumerate(DEPARTMENT_COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(2, index).column_letter].width = width
    sheet.freeze_panes = "B3"
    sheet.print_title_rows = "2:2"
    _set_up(sheet, landscape=True)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
