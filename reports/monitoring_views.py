"""The 绩效监控表 of one report for signed-in users: on screen, as PDF and as a workbook."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.access import VIEW, get_for_user
from projects.formatting import MONEY_UNITS, money_unit_or_default
from projects.models import MonitoringReport
from reports import renderers
from reports.pdf import FontMissing
from reports.selectors.monitoring import monitoring_reports_for, monitoring_table
from reports.stored.monitoring import MonitoringKey, serve_signed_in
from reports.views import font_missing


def _money_unit(request, project_unit: str) -> str:
    """The reader's choice of unit, else the project's own (万元 unless it says 元)."""
    return money_unit_or_default(request.GET.get("money_unit") or project_unit)


@login_required
def table(request, pk: int, fmt: str = renderers.HTML):
    """One report's 项目支出 / 部门整体支出绩效监控表 (another department's reader: 404)."""
    gated = monitoring_reports_for(request.user)
    if fmt != renderers.HTML:
        report = get_for_user(
            MonitoringReport.objects.select_related("project"), request.user, VIEW, pk=pk
        )
        key = MonitoringKey(fmt, report.pk, _money_unit(request, report.project.money_unit))
        try:
            return serve_signed_in(request, key, gated)
        except FontMissing as exc:
            return font_missing(request, exc)
    chosen = request.GET.get("money_unit")
    t = monitoring_table(gated, pk=pk, money_unit=money_unit_or_default(chosen) if chosen else None)
    return render(request, "reports/monitoring_table.html", {"t": t, "money_units": MONEY_UNITS})
