"""The bureau's scorecard: per department and for the region (seed 004's figures).

Read by the region's finance bureau and its observers (人大, 审计); a department reviewer or a
filer gets 403, as on the finance overview: the scorecard ranks departments against each other,
which is the bureau's business, not one department's. A region out of reach is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from projects.formatting import WAN_YUAN, YUAN, money_unit_or_default
from projects.results.scorecard_excel import scorecard_workbook
from projects.results.scorecard_selectors import Scorecard, scorecard
from projects.review.views.charts import _px
from projects.review.views.common import (
    chosen_year,
    finance_region,
    finance_regions,
    latest_year,
    region_reader_required,
)

HUNDRED = Decimal(100)
TALL_ROWS = 20  # departments a printed chart shows legibly; the table prints every one


@dataclass(frozen=True)
class PercentBar:
    """One bar of a row: a percentage drawn to scale, its colour and the text beside it."""

    label: str
    value: Decimal | None
    y: int
    width: Decimal
    color: str
    text_x: Decimal  # where the value is written, just past the bar's end


@dataclass(frozen=True)
class PercentRow:
    """One labelled row of one or more bars (one per series)."""

    name: str
    y: int
    label_y: int  # the name's baseline, centred on the row's bars
    bars: list[PercentBar]


@dataclass(frozen=True)
class PercentChart:
    """Horizontal percentage bars on a 0–100% scale, one group per row (drawn by SVG)."""

    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int
    rows: list[PercentRow]
    legend: list[tuple[str, str]]

    @property
    def tall(self) -> bool:
        """More rows than one printed page shows legibly: printed, the table carries them."""
        return len(self.rows) > TALL_ROWS

    @property
    def value_font(self) -> int:
        """The values' font size: the bar's height and a little, at most 11."""
        return min(11, self.bar_height + 2)


def percent_chart(
    title: str,
    rows: list[tuple[str, list[Decimal | None]]],
    series: list[tuple[str, str]],
    *,
    width: int = 720,
    bar_height: int = 12,
) -> PercentChart:
    """Geometry of a bar chart of percentages: as the monitoring overview draws execution bars."""
    label_width, gap = 200, 8
    plot = width - label_width - 70
    group = bar_height * len(series)
    chart_rows = []
    for i, (name, values) in enumerate(rows):
        y = i * (group + gap) + 24
        widths = [_px(Decimal(plot) * min(v or Decimal(0), HUNDRED) / HUNDRED) for v in values]
        bars = [
            PercentBar(
                label=label,
                value=value,
                y=y + j * bar_height,
                width=width,
                color=color,
                text_x=label_width + width + 4,
            )
            for j, ((label, color), value, width) in enumerate(
                zip(series, values, widths, strict=True)
            )
        ]
        chart_rows.append(PercentRow(name, y, y + group // 2 + 4, bars))
    height = len(rows) * (group + gap) + 32
    return PercentChart(title, width, height, label_width, bar_height, plot, chart_rows, series)


REGION_SERIES = [("比率", "#0d6efd")]
DEPARTMENT_SERIES = [
    ("按时提交率", "#0d6efd"),
    ("监控覆盖率", "#198754"),
    ("整改销号率", "#fd7e14"),
]


def region_chart(card: Scorecard) -> PercentChart:
    """The region's headline rates, seed 004's among them."""
    t = card.totals
    rows = [
        ("自评覆盖率", [t.evaluation_coverage]),
        ("按时提交率", [t.on_time_rate]),
        ("评优率", [t.excellent_rate]),
        ("抽查比例", [card.spot_check_share]),
        ("累计部门覆盖率", [card.spot_check_cumulative]),
        ("监控覆盖率", [t.monitoring_coverage]),
        ("整改销号率", [t.closure_rate]),
        ("按时公开率", [t.on_time_publication_rate]),
    ]
    return percent_chart("地区主要指标", rows, REGION_SERIES, bar_height=16)


def department_chart(card: Scorecard) -> PercentChart | None:
    """Each department's on-time submission, monitoring coverage and 整改 closure."""
    if not card.rows:
        return None
    rows = [
        (row.name, [row.on_time_rate, row.monitoring_coverage, row.closure_rate])
        for row in card.rows
    ]
    # Three bars a department: thinner for a region of dozens, so the chart stays one print page.
    bar_height = 10 if len(rows) <= TALL_ROWS else 5
    return percent_chart(
        "各部门按时提交、监控覆盖与整改销号", rows, DEPARTMENT_SERIES, bar_height=bar_height
    )


def _context(request):
    region = finance_region(request, reading=True)
    year = chosen_year(request, latest_year(region))
    asked = request.GET.get("year")
    if asked and asked != str(year):
        messages.warning(request, f"年度应为2000至2100之间的四位数字，已显示{year}年度。")
    card = scorecard(region=region, year=year)
    return region, year, card


@region_reader_required
def scorecard_page(request):
    """Tables and charts of the year's scorecard; prints on A4 through the print stylesheet."""
    region, year, card = _context(request)
    money_unit = money_unit_or_default(request.GET.get("money_unit"))
    return render(
        request,
        "results/scorecard.html",
        {
            "card": card,
            "region": region,
            "regions": finance_regions(request.user, reading=True),
            "year": year,
            "money_unit": money_unit,
            "money_units": (WAN_YUAN, YUAN),
            "region_chart": region_chart(card),
            "department_chart": department_chart(card),
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@region_reader_required
def scorecard_xlsx(request):
    """The same scorecard as a workbook (a few dozen rows: written in the request)."""
    region, year, card = _context(request)
    money_unit = money_unit_or_default(request.GET.get("money_unit"))
    response = HttpResponse(scorecard_workbook(card, money_unit), content_type=XLSX)
    filename = quote(f"{region.name}{year}年度绩效管理工作考核.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


urlpatterns = [
    path("scorecard/", scorecard_page, name="scorecard"),
    path("scorecard/xlsx/", scorecard_xlsx, name="scorecard_xlsx"),
]
