"""Bulk actions as pages: the ticked filings, a confirmation page listing them, then the action.

Any list of filings can offer a bulk action with these: a GET form (its checkboxes named `ids`,
a hidden `next`) to a view that returns `bulk_view(request, action=..., ...)`. GET shows
`review/bulk_preview.html` (the partial `review/_bulk_preview.html` inside the site's layout);
its confirm button posts the ready ids back to the same URL, which acts and returns to `next`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from projects.models import Evaluation
from projects.review.services.bulk import BulkAction, BulkOutcome, bulk_apply, bulk_preview
from projects.review.views.common import back


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


def bulk_view(
    request,
    *,
    action: BulkAction,
    title: str,
    done: str,
    empty: str,
    fallback: str = "review:queue",
    **options,
):
    """GET: the confirmation page listing what will be done and what refused; POST: do it.

    A view for any list of filings (the review queue here, the filer's workspace elsewhere) is
    this function with its action and words; `templates/review/_bulk_preview.html` is its page.
    """
    evaluations = selected_evaluations(request, Evaluation.objects.for_user(request.user))
    if evaluations is None:
        messages.warning(request, empty)
        return back(request, fallback)
    if request.method == "POST":
        outcome = bulk_apply(action=action, evaluations=evaluations, user=request.user, **options)
        report_outcome(request, outcome, done=done, verb=action.verb)
        return back(request, fallback)
    preview = bulk_preview(action=action, evaluations=evaluations, user=request.user)
    context = {
        "title": title,
        "preview": preview,
        "action_url": request.path,
        "cancel_url": _safe_next(request, fallback),
    }
    return render(request, "review/bulk_preview.html", context)


def report_outcome(request, outcome: BulkOutcome, *, done: str, verb: str) -> None:
    """One success message with the count, one warning per filing left and why."""
    if outcome.done:
        messages.success(request, f"{done} {len(outcome.done)} 项。")
    for evaluation, reason in outcome.skipped:
        messages.warning(request, f"未{verb}“{evaluation.project.name}”：{reason}")


def _safe_next(request, fallback: str) -> str:
    """The list to return to: `next` when it is on this site, else the fallback URL name."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)
