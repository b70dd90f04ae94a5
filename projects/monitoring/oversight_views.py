"""The monitoring overview: per department, coverage, lights and execution against time."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from projects.monitoring.oversight_selectors import LIGHTS, Overview, monitoring_overview
from projects.review.views.charts import _px


@dataclass(frozen=True)
class ExecutionBar:
    """One department's execution rate as a horizontal bar."""

    name: str
    rate: Decimal | None
    y: int
    width: Decimal
    behind: bool


@dataclass(frozen=True)
class ExecutionChart:
    """Execution rate by department against the round's time progress (a vertical line)."""

    width: int
    height: int
    label_width: int
    bar_height: int
    time_x: Decimal
    time_progress: Decimal | None
    bars: list[ExecutionBar]


def execution_chart(data: Overview, *, width: int = 720) -> ExecutionChart | None:
    """Bars scaled to 100% (or the largest rate above it), the time progress marked across."""
    if not data.rows:
        return None
    label_width, bar_height, gap = 220, 16, 8
    plot = Decimal(width - label_width - 70)
    rates = [row.execution_rate or Decimal(0) for row in data.rows]
    scale = max([Decimal(100), data.time_progress or Decimal(0), *rates])
    bars = [
        ExecutionBar(
            name=row.name,
            rate=row.execution_rate,
            y=i * (bar_height + gap) + 24,
            width=_px(plot * (row.execution_rate or 0) / scale),
            behind=bool(data.time_progress and (row.execution_rate or 0) < data.time_progress),
        )
        for i, row in enumerate(data.rows)
    ]
    time_x = Decimal(label_width) + _px(plot * (data.time_progress or 0) / scale)
    height = len(bars) * (bar_height + gap) + 32
    return ExecutionChart(width, height, label_width, bar_height, time_x, data.time_progress, bars)


def _round_pk(request) -> int | None:
    raw = request.GET.get("round")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404("未找到该监控任务。") from exc


@login_required
def overview(request):
    """Finance bureaus and observers see the region, department reviewers their department."""
    data = monitoring_overview(request.user, round_pk=_round_pk(request))
    return render(
        request,
        "monitoring/oversight_overview.html",
        {
            "o": data,
            "light_labels": [light.label for light in LIGHTS] + ["未亮灯"],
            "rows": [(row, data.progress_of(row)) for row in data.rows],
            "totals_progress": data.progress_of(data.totals),
            "chart": execution_chart(data),
        },
    )


urlpatterns = [path("overview/", overview, name="overview")]
