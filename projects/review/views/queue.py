"""The review queue and its bulk actions (approve, publish), each shown as a list before acting."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from projects import rules
from projects.filters import ReviewQueueFilter
from projects.rectifications.selectors import awaiting_close
from projects.review.selectors import notifications_for, review_queue
from projects.review.services.workflow import BULK_APPROVE, BULK_PUBLISH
from projects.review.tables import QueueTable
from projects.review.views.bulk import bulk_view
from projects.review.views.common import can_act, reader_required, reviewer_required

PER_PAGE = 25


@reader_required
def queue(request):
    """The reviewer's worklist: filings in their scope, waiting for them first, with filters.

    An observer (人大, 审计) reads the same list of its scope, all filings by default, with no
    checkbox and no bulk button.
    """
    acting = can_act(request.user)
    data = request.GET.copy()
    data.setdefault("todo", "mine" if acting else "all")
    filterset = ReviewQueueFilter(data, queryset=review_queue(request.user), request=request)
    table = QueueTable(filterset.qs, exclude=() if acting else ("select",))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {
        "filter": filterset,
        "table": table,
        "notifications": notifications_for(request.user),
        "rectifications": awaiting_close(request.user),
        "is_finance": rules.is_region_reader.test(request.user),
        "can_act": acting,
        "can_publish": acting and rules.is_reviewer.test(request.user),
    }
    return render(request, "review/queue.html", context)


@reviewer_required
@require_http_methods(["GET", "POST"])
def bulk_approve(request):
    """Approve the selected filings that carry no warning or error; report the ones skipped."""
    return bulk_view(
        request,
        action=BULK_APPROVE,
        title="批量审核通过",
        done="已批量审核通过",
        empty="请先勾选要批量通过的自评。",
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def bulk_publish(request):
    """Publish the selected approved filings whose reports agree with their tables."""
    return bulk_view(
        request,
        action=BULK_PUBLISH,
        title="批量公开",
        done="已批量公开",
        empty="请先勾选要批量公开的自评。",
    )
