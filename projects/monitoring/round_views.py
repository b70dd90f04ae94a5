"""The finance bureau's monitoring rounds: the region's rounds with coverage, issue a round."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from projects.monitoring import selectors
from projects.monitoring.forms import RoundIssueForm, default_as_of
from projects.monitoring.services import monitoring_round_open
from projects.monitoring.tasks import fill_round
from projects.review.forms import in_days
from projects.review.views.common import (
    can_act,
    finance_region,
    finance_regions,
    finance_required,
    region_reader_required,
)


def review_list_url() -> str:
    """The review list of a round's reports (built beside this page; a plain path until then)."""
    try:
        return reverse("monitoring:report_list")
    except NoReverseMatch:
        return "/monitoring/review/"


def _page(request, region, form, *, status=200):
    context = {
        "region": region,
        "regions": finance_regions(request.user, reading=True),
        "rows": selectors.region_round_rows(region),
        "can_act": can_act(request.user),
        "form": form,
        "review_url": review_list_url(),
    }
    return render(request, "monitoring/round_list.html", context, status=status)


@region_reader_required
def round_list(request):
    """The region's rounds: as-of date, deadline, reports submitted of all, lights; the form."""
    region = finance_region(request, reading=True)
    today = timezone.localdate()
    form = RoundIssueForm(initial={"as_of": default_as_of(today), "deadline": in_days(20)})
    return _page(request, region, form)


@finance_required
@require_POST
def round_issue(request):
    """Issue (or re-issue with a later deadline) a round for every subject of the region."""
    region = finance_region(request)
    form = RoundIssueForm(request.POST)
    if not form.is_valid():
        return _page(request, region, form, status=422)
    data = form.cleaned_data
    try:
        round_, created = monitoring_round_open(
            region=region,
            as_of=data["as_of"],
            deadline=data["deadline"],
            note=data["note"],
            user=request.user,
        )
    except ValidationError as refused:
        for key, errors in getattr(refused, "message_dict", {"__all__": refused.messages}).items():
            form.add_error(key if key in form.fields else None, errors)
        return _page(request, region, form, status=422)
    # The reports are made in the background: a city's round is no work for a request.
    fill_round.enqueue(round_.pk, request.user.pk)
    verb = "已下发" if created else "已更新"
    messages.success(
        request,
        f"{verb}{round_.title}任务，截止日期 {round_.deadline:%Y-%m-%d}；"
        "各单位的监控表正在后台生成，生成后即通知填报单位。",
    )
    return redirect(f"{reverse('monitoring:round_list')}?region={region.pk}")


urlpatterns = [
    path("rounds/", round_list, name="round_list"),
    path("rounds/issue/", round_issue, name="round_issue"),
]
