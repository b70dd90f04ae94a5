"""The evaluation workflow of domain.md §2: one guarded service per transition.

Each transition checks the actor's role on the evaluation (through the row-level gate), moves the
status, bumps nothing of the filing itself, and records a ReviewStep with the version reviewed and a
snapshot of the filed figures so a later resubmission can be diffed against it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from projects.access import DEPARTMENT_REVIEW, FILE, FINANCE_REVIEW, get_for_user
from projects.models import Evaluation, EvaluationStatus, ReviewComment, ReviewStep

S = EvaluationStatus
A = ReviewStep.Action


class SubmissionBlocked(ValidationError):
    """Raised when error findings remain; carries them so the page can link each to its field."""

    def __init__(self, findings: list[dict]):
        self.findings = findings
        super().__init__(f"仍有 {len(findings)} 个错误需要修正，暂不能提交。")


def filing_snapshot(evaluation: Evaluation) -> dict:
    """The filed figures as plain data, for diffs between a review and a resubmission."""
    project = evaluation.project
    return {
        "goal_actual": evaluation.goal_actual,
        "funds": {
            line.source: {
                "initial": _s(line.initial),
                "adjusted": _s(line.adjusted),
                "executed": _s(line.executed),
            }
            for line in project.fund_lines.all()
        },
        "indicators": {
            str(r.indicator_id): {
                "name": r.indicator.name,
                "actual": r.actual,
                "achievement": r.achievement,
                "claimed_score": _s(r.claimed_score),
                "deviation_reason": r.deviation_reason,
            }
            for r in evaluation.results.select_related("indicator")
        },
        "notes": evaluation.notes,
        "computed_total": _s(evaluation.computed_total),
        "claimed_total": _s(evaluation.claimed_total),
    }


def _s(value) -> str | None:
    return None if value is None else str(value)


def _lock(evaluation: Evaluation, user, action: str) -> Evaluation:
    """Re-read the row under lock inside the transaction, re-checking scope and role."""
    fresh = get_for_user(
        Evaluation.objects.select_for_update().select_related("project__unit"),
        user,
        action,
        pk=evaluation.pk,
    )
    return fresh


def _record(evaluation, user, action, from_status, comment="", indicator_comments=None):
    step = ReviewStep.objects.create(
        evaluation=evaluation,
        action=action,
        from_status=from_status,
        to_status=evaluation.status,
        actor=user,
        comment=comment,
        version=evaluation.version,
        snapshot=filing_snapshot(evaluation),
    )
    for indicator_id, text in (indicator_comments or {}).items():
        if text.strip():
            ReviewComment.objects.create(step=step, indicator_id=indicator_id, text=text.strip())
    return step


def _require(evaluation: Evaluation, *allowed: str) -> None:
    if evaluation.status not in allowed:
        raise ValidationError(f"当前状态为“{evaluation.get_status_display()}”，不能执行此操作。")


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, user) -> Evaluation:
    """Filer submits: refused while any error finding remains; a department unit skips a step."""
    from scoring.services import score_evaluation

    evaluation = _lock(evaluation, user, FILE)
    _require(evaluation, S.DRAFT, S.RETURNED)
    result = score_evaluation(evaluation)
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    if errors:
        raise SubmissionBlocked(errors)
    before = evaluation.status
    evaluation.status = (
        S.DEPARTMENT_APPROVED if evaluation.project.unit.is_department else S.SUBMITTED
    )
    evaluation.submitted_at = timezone.now()
    evaluation.save(update_fields=["status", "submitted_at", "updated_at"])
    _record(evaluation, user, A.SUBMIT, before)
    return evaluation


@transaction.atomic
def evaluation_department_approve(*, evaluation: Evaluation, user, comment: str = "") -> Evaluation:
    """Department reviewer approves; the filing goes on to the finance bureau."""
    evaluation = _lock(evaluation, user, DEPARTMENT_REVIEW)
    _require(evaluation, S.SUBMITTED)
    before = evaluation.status
    evaluation.status = S.DEPARTMENT_APPROVED
    evaluation.save(update_fields=["status", "updated_at"])
    _record(evaluation, user, A.DEPARTMENT_APPROVE, before, comment)
    return evaluation


def _return(evaluation, user, comment, indicator_comments, action, role, allowed):
    if not comment.strip():
        raise ValidationError({"comment": "退回时必须填写退回意见。"})
    evaluation = _lock(evaluation, user, role)
    _require(evaluation, allowed)
    before = evaluation.status
    evaluation.status = S.RETURNED
    evaluation.save(update_fields=["status", "updated_at"])
    _record(evaluation, user, action, before, comment.strip(), indicator_comments)
    return evaluation


@transaction.atomic
def evaluation_department_return(
    *, evaluation: Evaluation, user, comment: str, indicator_comments: dict | None = None
) -> Evaluation:
    """Department reviewer returns the filing to the filer with a required comment."""
    return _return(
        evaluation,
        user,
        comment,
        indicator_comments,
        A.DEPARTMENT_RETURN,
        DEPARTMENT_REVIEW,
        S.SUBMITTED,
    )


@transaction.atomic
def evaluation_finance_approve(*, evaluation: Evaluation, user, comment: str = "") -> Evaluation:
    """Finance reviewer approves: the filing is frozen with its scores and rule-set version."""
    evaluation = _lock(evaluation, user, FINANCE_REVIEW)
    _require(evaluation, S.DEPARTMENT_APPROVED)
    before = evaluation.status
    evaluation.status = S.APPROVED
    evaluation.approved_at = timezone.now()
    evaluation.save(update_fields=["status", "approved_at", "updated_at"])
    _record(evaluation, user, A.FINANCE_APPROVE, before, comment)
    return evaluation


@transaction.atomic
def evaluation_finance_return(
    *, evaluation: Evaluation, user, comment: str, indicator_comments: dict | None = None
) -> Evaluation:
    """Finance reviewer returns the filing to the filer with a required comment."""
    return _return(
        evaluation,
        user,
        comment,
        indicator_comments,
        A.FINANCE_RETURN,
        FINANCE_REVIEW,
        S.DEPARTMENT_APPROVED,
    )


@transaction.atomic
def evaluation_publish(*, evaluation: Evaluation, user) -> Evaluation:
    """Finance bureau publishes an approved filing on the public page."""
    evaluation = _lock(evaluation, user, FINANCE_REVIEW)
    _require(evaluation, S.APPROVED)
    before = evaluation.status
    evaluation.status = S.PUBLISHED
    evaluation.published_at = timezone.now()
    evaluation.save(update_fields=["status", "published_at", "updated_at"])
    _record(evaluation, user, A.PUBLISH, before)
    return evaluation


@transaction.atomic
def evaluation_reopen(*, evaluation: Evaluation, user, reason: str) -> Evaluation:
    """Only the finance bureau reopens an approved or published filing, with a recorded reason."""
    if not reason.strip():
        raise ValidationError({"reason": "重新开启必须说明原因。"})
    evaluation = _lock(evaluation, user, FINANCE_REVIEW)
    _require(evaluation, S.APPROVED, S.PUBLISHED)
    before = evaluation.status
    evaluation.status = S.RETURNED
    evaluation.approved_at = None
    evaluation.published_at = None
    evaluation.save(update_fields=["status", "approved_at", "published_at", "updated_at"])
    _record(evaluation, user, A.REOPEN, before, reason.strip())
    return evaluation


def ensure_editable(evaluation: Evaluation) -> None:
    """Raise PermissionDenied when the filer may not change this filing in its state."""
    if not evaluation.is_editable:
        raise PermissionDenied("该自评已提交或审核，不能修改。")
