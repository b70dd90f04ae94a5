"""What every review view shares: the role checks and the finance bureau's region and year."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from projects import rules
from projects.access import scope_for
from projects.models import Evaluation, Region
from projects.review.forms import default_year


def reviewer_required(view):
    """Logged in with a department or finance review role; a filer gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not rules.is_reviewer.test(request.user):
            raise PermissionDenied("只有审核人员可以访问此页面。")
        return view(request, *args, **kwargs)

    return wrapped


def finance_required(view):
    """Logged in with the finance bureau's role; anyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not rules.is_finance_reviewer.test(request.user):
            raise PermissionDenied("只有财政局审核人员可以访问此页面。")
        return view(request, *args, **kwargs)

    return wrapped


def finance_regions(user):
    """The regions whose finance bureau the user belongs to (all of them for a superuser)."""
    scope = scope_for(user)
    regions = (
        Region.objects.all() if scope.superuser else Region.objects.filter(pk__in=scope.region_ids)
    )
    return regions.order_by("name")


def finance_region(request, region_pk=None) -> Region:
    """The region a finance page works on: ?region=, else the user's first. 404 outside reach."""
    region_pk = region_pk or request.GET.get("region") or request.POST.get("region")
    regions = finance_regions(request.user)
    if region_pk:
        try:
            pk = int(region_pk)
        except (TypeError, ValueError):
            raise Http404("未找到该地区。") from None
        region = regions.filter(pk=pk).first()
        if region is not None:
            return region
        if Region.objects.for_user(request.user).filter(pk=pk).exists():
            raise PermissionDenied("只有本地区财政局可以执行此操作。")
        raise Http404("未找到该地区。")
    region = regions.first()
    if region is None:
        raise PermissionDenied("只有财政局审核人员可以访问此页面。")
    return region


def chosen_year(request, *fallbacks) -> int:
    """?year=, else the first fallback given, else last year (self-evaluation looks back)."""
    value = request.GET.get("year")
    if value and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    for fallback in fallbacks:
        if fallback:
            return fallback
    return default_year()


def latest_year(region: Region) -> int | None:
    """The latest year the region has a task for, else the latest year it has filings for."""
    task = region.tasks.order_by("-year").values_list("year", flat=True).first()
    if task is not None:
        return task
    return (
        Evaluation.objects.filter(project__unit__department__region=region)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def back(request, fallback: str, *args):
    """Redirect to a safe `next` within the site, else to the fallback URL name."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, *args)
