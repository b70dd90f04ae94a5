"""The 绩效目标申报表 of one declaration for signed-in users: on screen, as PDF and as a workbook."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.access import VIEW, get_for_user
from projects.formatting import MONEY_UNITS, money_unit_or_default
from projects.models import TargetDeclaration
from reports import renderers
from reports.monitoring_views import _money_unit
from reports.pdf import FontMissing
from reports.selectors.targets import declarations_for, target_table
from reports.stored.targets import TargetKey, serve_signed_in
from reports.views import font_missing


@login_required
def table(request, pk: int, fmt: str = renderers.HTML):
    """One declaration's 项目支出 / 部门整体支出绩效目标申报表 (another department: 404)."""
    gated = declarations_for(request.user)
    if fmt != renderers.HTML:
        declaration = get_for_user(
            TargetDeclaration.objects.select_related("project"), request.user, VIEW, pk=pk
        )
        key = TargetKey(fmt, declaration.pk, _money_unit(request, declaration.project.money_unit))
        try:
            return serve_signed_in(request, key, gated)
        except FontMissing as exc:
            return font_missing(request, exc)
    chosen = request.GET.get("money_unit")
    t = target_table(gated, pk=pk, money_unit=money_unit_or_default(chosen) if chosen else None)
    return render(request, "reports/targets_table.html", {"t": t, "money_units": MONEY_UNITS})
