"""The review queue and bulk approval."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from projects import rules
from projects.filters import ReviewQueueFilter
from projects.models import Evaluation
from projects.review.selectors import notifications_for, review_queue
from projects.review.services.workflow import evaluations_bulk_approve
from projects.review.views.common import back, reviewer_required
from projects.tables import ReviewQueueTable

PER_PAGE = 25


@reviewer_required
def queue(request):
    """The reviewer's worklist: filings in their scope, waiting for them first, with filters."""
    data = request.GET.copy()
    data.setdefault("todo", "mine")
    filterset = ReviewQueueFilter(data, queryset=review_queue(request.user), request=request)
    table = ReviewQueueTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {
        "filter": filterset,
        "table": table,
        "notifications": notifications_for(request.user),
        "is_finance": rules.is_finance_reviewer.test(request.user),
    }
    return render(request, "review/queue.html", context)


@reviewer_required
@require_POST
def bulk_approve(request):
    """Approve the selected filings that carry no warning or error; report the ones skipped."""
    ids = {int(v) for v in request.POST.getlist("ids") if v.isdigit()}
    if not ids:
        messages.warning(request, "请先勾选要批量通过的自评。")
        return back(request, "review:queue")
    evaluations = list(Evaluation.objects.for_user(request.user).filter(pk__in=ids))
    if len(evaluations) != len(ids):
        raise Http404("所选自评中有不存在或您无权查看的记录。")
    outcome = evaluations_bulk_approve(evaluations=evaluations, user=request.user)
    if outcome.approved:
        messages.success(request, f"已批量审核通过 {len(outcome.approved)} 项。")
    for evaluation, reason in outcome.skipped:
        messages.warning(request, f"未通过“{evaluation.project.name}”：{reason}")
    return back(request, "review:queue")
