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

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def role_required(read_rule, act_rule=None, message="只有审核人员可以访问此页面。"):
    """Logged in and allowed by `read_rule` to read (GET, HEAD), by `act_rule` to post.

    Observers pass the read rules of their pages and no act rule, so every write they try is a
    403 before the view looks at it, whatever the view would have done with the data.
    """
    act_rule = act_rule or read_rule

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            rule = read_rule if request.method in SAFE_METHODS else act_rule
            if not rule.test(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Department or finance review role; a filer (or an observer) gets 403.
reviewer_required = role_required(rules.is_reviewer)
# The finance bureau's role; anyone else gets 403.
finance_required = role_required(
    rules.is_finance_reviewer, message="只有财政局审核人员可以访问此页面。"
)
# Reviewers read and act; observers only read (the queue, a filing's review page, its history).
reader_required = role_required(rules.is_reader, rules.is_reviewer)
# The finance bureau reads and acts; a region's observers only read (overview, tasks, spot checks).
region_reader_required = role_required(
    rules.is_region_reader, rules.is_finance_reviewer, message="只有财政局审核人员可以访问此页面。"
)


def can_act(user) -> bool:
    """False for an observer, whose pages show no action at all."""
    return not rules.is_observer_only.test(user)


def finance_regions(user, *, reading: bool = False):
    """The regions whose finance bureau the user belongs to (all of them for a superuser); with
    `reading`, also the regions the user observes."""
    scope = scope_for(user)
    if scope.superuser:
        return Region.objects.all().order_by("name")
    ids = scope.viewed_region_ids if reading else scope.region_ids
    return Region.objects.filter(pk__in=ids).order_by("name")


def finance_region(request, region_pk=None, *, reading: bool = False) -> Region:
    """The region a finance page works on: ?region=, else the user's first. 404 outside reach.

    A read page passes `reading` so that the region's observers reach it too."""
    region_pk = region_pk or request.GET.get("region") or request.POST.get("region")
    regions = finance_regions(request.user, reading=reading)
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


def require_region_reader(user, region: Region) -> None:
    """Refuse (403) anyone but the region's finance reviewers and observers; callers 404 outside
    the scope."""
    scope = scope_for(user)
    if not (scope.superuser or region.pk in scope.viewed_region_ids):
        raise PermissionDenied("只有本地区财政局可以查看此页面。")
