"""The monitoring overview: per department, coverage, lights and execution against time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from projects.monitoring.oversight_selectors import LIGHTS, monitoring_overview


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
        },
    )


urlpatterns = [path("overview/", overview, name="overview")]
