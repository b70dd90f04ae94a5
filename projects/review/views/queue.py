"""The review queue and its bulk actions (approve, publish), each shown as a list before acting."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django_tables2 import RequestConfig

from projects import rules
from projects.filters import ReviewQueueFilter
from projects.models import Evaluation
from projects.review.selectors import notifications_for, review_queue
from projects.review.services.bulk import BulkAction, BulkOutcome, bulk_apply, bulk_preview
from projects.review.services.workflow import BULK_APPROVE, BULK_PUBLISH
from projects.review.tables import QueueTable
from projects.review.views.common import back, can_act, reader_required, reviewer_required

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
        "is_finance": rules.is_region_reader.test(request.user),
        "can_act": acting,
        "can_publish": acting and rules.is_reviewer.test(request.user),
    }
    return render(request, "review/queue.html", context)


def selected_evaluations(request, queryset) -> list[Evaluation] | None:
    """The filings ticked on a list (`ids`), all within the user's view (else 404); None when
    nothing was ticked."""
    source = request.POST if request.method == "POST" else request.GET
    ids = {int(v) for v in source.getlist("ids") if v.isdigit()}
    if not ids:
        return None
    evaluations = list(queryset.filter(pk__in=ids))
    if len(evaluations) != len(ids):
        raise Http404("所选自评中有不存在或您无权查看的记录。")
    return evaluations


def bulk_view(request, *, action: BulkAction, title: str, done: str, empty: str, **options):
    """GET: the confirmation page listing what will be done and what refused; POST: do it.

    A view for any list of filings (the review queue here, the filer's workspace elsewhere) is
    this function with its action and words; `templates/review/_bulk_preview.html` is its page.
    """
    evaluations = selected_evaluations(request, Evaluation.objects.for_user(request.user))
    if evaluations is None:
        messages.warning(request, empty)
        return back(request, "review:queue")
    if request.method == "POST":
        outcome = bulk_apply(action=action, evaluations=evaluations, user=request.user, **options)
        report_outcome(request, outcome, done=done, verb=action.verb)
        return back(request, "review:queue")
    preview = bulk_preview(action=action, evaluations=evaluations, user=request.user)
    context = {
        "title": title,
        "preview": preview,
        "action_url": request.path,
        "cancel_url": _safe_next(request),
    }
    return render(request, "review/bulk_preview.html", context)


def report_outcome(request, outcome: BulkOutcome, *, done: str, verb: str) -> None:
    """One success message with the count, one warning per filing left and why."""
    if outcome.done:
        messages.success(request, f"{done} {len(outcome.done)} 项。")
    for evaluation, reason in outcome.skipped:
        messages.warning(request, f"未{verb}“{evaluation.project.name}”：{reason}")


def _safe_next(request) -> str:
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("review:queue")


@reviewer_required
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
def bulk_publish(request):
    """Publish the selected approved filings whose reports agree with their tables."""
    return bulk_view(
        request,
        action=BULK_PUBLISH,
        title="批量公开",
        done="已批量公开",
        empty="请先勾选要批量公开的自评。",
    )
