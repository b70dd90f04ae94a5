"""Bulk submit: the filer ticks drafts, sees which will go and which will not, then submits.

The preview and the submission apply the same checks as the one-by-one submit: each filing goes
through `evaluation_submit` (the only submit service), and the preview runs its checks without
writing, so the list a filer confirms is the list that is acted on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from projects.access import FILE
from projects.filing.services import DraftChanges, evaluation_queryset, preview
from projects.models import Evaluation
from projects.narrative_check import blocking
from projects.report_check import report_findings
from projects.review.services.bulk import BulkAction, bulk_apply, bulk_preview
from projects.review.services.workflow import SubmissionBlocked, evaluation_submit

# How many finding messages a refusal quotes before "等".
QUOTED = 3


@dataclass
class BulkSubmission:
    """The filings a bulk submit takes (or took) and those it refuses, each with its reason."""

    submitted: list[Evaluation] = field(default_factory=list)
    refused: list[tuple[Evaluation, str]] = field(default_factory=list)


def selected_for_submit(*, user, ids: Iterable[int]) -> list[Evaluation]:
    """The ticked filings among the user's own units', in list order; others are not found."""
    return list(
        evaluation_queryset()
        .for_user(user, FILE)
        .filter(pk__in=set(ids))
        .order_by("project__unit__name", "project__name", "pk")
    )


def blocked_reason(findings: list[dict]) -> str:
    """The refusal as the filer reads it: how many errors, and the first few messages."""
    messages = [f.get("message", "") for f in findings if f.get("message")]
    quoted = "；".join(messages[:QUOTED])
    more = " 等" if len(messages) > QUOTED else ""
    return f"仍有 {len(findings)} 个错误需要修正：{quoted}{more}"


def submission_check(evaluation: Evaluation) -> str | None:
    """Why `evaluation_submit` would refuse this filing now, or None: nothing is written.

    The same checks as the service: an open status, no error finding in the table, none in the
    report as it prints.
    """
    if not evaluation.is_editable:
        return f"当前状态为“{evaluation.get_status_display()}”，不能提交"
    result = preview(evaluation, DraftChanges())
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    errors += blocking(report_findings(evaluation, result))
    return blocked_reason(errors) if errors else None


def _submit(evaluation: Evaluation, user, grant) -> Evaluation:
    """The one submit service; its refusal is read as the preview words it."""
    try:
        return evaluation_submit(evaluation=evaluation, user=user)
    except SubmissionBlocked as blocked:
        raise ValidationError(blocked_reason(blocked.findings)) from blocked


# The filer's bulk action, run by the same preview-then-apply machinery as bulk approve and publish.
BULK_SUBMIT = BulkAction(
    verb="提交",
    check=lambda evaluation, user, grant: submission_check(evaluation) or "",
    run=_submit,
)


def bulk_submit_preview(*, evaluations: Iterable[Evaluation], user) -> BulkSubmission:
    """What a bulk submit of these filings would do, without doing it."""
    preview = bulk_preview(action=BULK_SUBMIT, evaluations=evaluations, user=user)
    return BulkSubmission(submitted=preview.ready, refused=preview.refused)


def evaluations_bulk_submit(*, evaluations: Iterable[Evaluation], user) -> BulkSubmission:
    """Submit each filing through `evaluation_submit`; a refused one is listed, not fatal.

    The filings are checked again (one may have changed since the preview) and each submit runs
    in its own savepoint, so a filing blocked meanwhile is refused with its reason and the others
    still go.
    """
    outcome = bulk_apply(action=BULK_SUBMIT, evaluations=evaluations, user=user)
    return BulkSubmission(submitted=outcome.done, refused=outcome.skipped)
