"""Server-rendered SVG charts: geometry computed here, drawn by templates/review/_*_chart.html.

No chart library and no CDN: a bar is a rectangle whose size is plain integer arithmetic, so the
page works offline and prints exactly as shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from projects.review.selectors.overview import Band, Coverage

ONE = Decimal("1")
PALETTE = {"优": "#198754", "良": "#0d6efd", "中": "#fd7e14", "差": "#dc3545"}


def _px(value: Decimal) -> Decimal:
    """Whole pixels of geometry; figures a person reads go through projects.formatting."""
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Bar:
    """One vertical bar with its label and value text positions."""

    label: str
    value: int
    share: Decimal | None
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    color: str

    @property
    def cx(self) -> Decimal:
        """The bar's centre, where its value and label are written."""
        return self.x + self.width / 2


@dataclass(frozen=True)
class ColumnChart:
    """A vertical bar chart of counts."""

    width: int
    height: int
    baseline: int
    bars: list[Bar]
    title: str


def column_chart(
    bands: list[Band], *, title: str, width: int = 360, height: int = 200, color: str = "#0d6efd"
) -> ColumnChart:
    """Bars of counts, scaled to the largest; colours by grade where the label is a grade."""
    top, bottom = 20, 30
    plot = Decimal(height - top - bottom)
    largest = max((b.count for b in bands), default=0) or 1
    slot = Decimal(width) / max(len(bands), 1)
    bar_width = _px(slot * Decimal("0.6"))
    bars = []
    for i, band in enumerate(bands):
        h = _px(plot * band.count / largest)
        bars.append(
            Bar(
                label=band.label,
                value=band.count,
                share=band.share,
                x=_px(slot * i + (slot - bar_width) / 2),
                y=Decimal(height - bottom) - h,
                width=bar_width,
                height=h,
                color=PALETTE.get(band.label, color),
            )
        )
    return ColumnChart(width, height, height - bottom, bars, title)


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar."""

    label: str
    value: int
    x: Decimal
    width: Decimal
    color: str


@dataclass(frozen=True)
class StackRow:
    """One department's stacked bar: approved, in review, still with the filer."""

    name: str
    y: int
    segments: list[Segment]
    overdue: int
    issued: int


@dataclass(frozen=True)
class StackChart:
    """Coverage by department as horizontal stacked bars."""

    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[StackRow]
    legend: list[tuple[str, str]]


COVERAGE_PARTS = (
    ("已审核通过", "#198754"),
    ("审核中", "#0d6efd"),
    ("未提交", "#adb5bd"),
)


def coverage_chart(coverage: list[Coverage], *, width: int = 720) -> StackChart:
    """Each department's issued tasks split into approved / in review / not yet submitted."""
    label_width, bar_height, gap = 220, 18, 8
    plot = Decimal(width - label_width - 60)
    largest = max((c.issued for c in coverage), default=0) or 1
    rows = []
    for i, c in enumerate(coverage):
        parts = (c.approved, c.submitted - c.approved, c.issued - c.submitted)
        x = Decimal(label_width)
        segments = []
        for (label, color), value in zip(COVERAGE_PARTS, parts, strict=True):
            w = _px(plot * value / largest)
            segments.append(Segment(label, value, x, w, color))
            x += w
        rows.append(StackRow(c.name, i * (bar_height + gap) + 24, segments, c.overdue, c.issued))
    height = len(coverage) * (bar_height + gap) + 32
    return StackChart(width, height, label_width, bar_height, rows, list(COVERAGE_PARTS))
