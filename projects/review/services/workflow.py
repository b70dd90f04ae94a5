"""The evaluation workflow of domain.md §2: one guarded service per transition.

Each transition checks the actor's role on the evaluation (through the row-level gate), moves the
status, bumps nothing of the filing itself, and records a ReviewStep with the version reviewed and a
snapshot of the filed figures so a later resubmission can be diffed against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from projects import notifications as notices
from projects import rules
from projects.access import DEPARTMENT_REVIEW, FILE, FINANCE_REVIEW, VIEW, get_for_user
from projects.ledger import chain_append
from projects.models import (
    Evaluation,
    EvaluationStatus,
    Indicator,
    Notification,
    ReviewComment,
    ReviewStep,
)
from projects.narrative_check import blocking
from projects.report_check import report_findings
from projects.review.services.bulk import BulkAction, BulkOutcome, bulk_apply
from projects.signals import workflow_step

S = EvaluationStatus
A = ReviewStep.Action


class SubmissionBlocked(ValidationError):
    """Raised when error findings remain; carries them so the page can link each to its field."""

    def __init__(self, findings: list[dict]):
        self.findings = findings
        in_report = sum(1 for f in findings if f.get("section"))
        detail = f"（其中自评报告与表格不一致或未填写 {in_report} 处）" if in_report else ""
        super().__init__(f"仍有 {len(findings)} 个错误需要修正{detail}，暂不能提交。")


class PublicationBlocked(ValidationError):
    """Raised when the report to be published contradicts its tables or keeps a placeholder."""

    def __init__(self, findings: list[dict]):
        self.findings = findings
        super().__init__(
            [
                f"自评报告有 {len(findings)} 处问题，暂不能公开；请重新开启后由填报单位修改：",
                *(f["message"] for f in findings),
            ]
        )


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


@dataclass(frozen=True)
class FilingKind:
    """What differs between the kinds of filing the one workflow moves (an evaluation, a
    monitoring report, ...): the transitions, their guards, roles and notices are shared."""

    noun: str  # how a notice names the filing's kind, after its title
    lock_related: tuple[str, ...]  # joined rows the transitions read
    title: Callable[[Any], str]
    submit_errors: Callable[[Any], list[dict]]
    record_step: Callable[..., Any]  # (filing, user, action, from_status, comment, comments)
    indicator_ids: Callable[[Any], set[int]]
    notice_target: Callable[[Any], dict]  # the Notification fields that link to the filing


_KINDS: dict[type, FilingKind] = {}


def register_filing_kind(model: type, kind: FilingKind) -> None:
    """Plug a kind of filing into the workflow (done once, when its package is imported)."""
    _KINDS[model] = kind


def kind_of(filing) -> FilingKind:
    """The registered kind of a filing; a model never registered is a programming error."""
    return _KINDS[type(filing)]


def _lock(filing, user, action: str):
    """Re-read the row under lock inside the transaction, re-checking scope and role."""
    # Lock only the filing's own row: joined department and region rows stay free, so reviews of
    # different filings in one region never wait on each other.
    model = type(filing)
    return get_for_user(
        model.objects.select_for_update(of=("self",)).select_related(*kind_of(filing).lock_related),
        user,
        action,
        pk=filing.pk,
    )


EVIDENCE_REQUEST = "请补充佐证材料。"


def _clean_indicator_comments(filing, indicator_comments: dict | None) -> dict:
    """Keep the non-empty comments, refusing any indicator that is not this filing's."""
    cleaned = {int(k): str(v).strip() for k, v in (indicator_comments or {}).items()}
    cleaned = {k: v for k, v in cleaned.items() if v}
    if cleaned and set(cleaned) - kind_of(filing).indicator_ids(filing):
        raise ValidationError({"indicator_comments": "意见所附指标不属于该填报。"})
    return cleaned


def _record(filing, user, action, from_status, comment="", indicator_comments=None):
    step = kind_of(filing).record_step(
        filing, user, action, from_status, comment, indicator_comments or {}
    )
    # After the kind's own rows (a return's indicator comments) exist: they are hashed too.
    chain_append(step)
    return step


def _record_evaluation_step(evaluation, user, action, from_status, comment, indicator_comments):
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
    ReviewComment.objects.bulk_create(
        [
            ReviewComment(step=step, indicator_id=indicator_id, text=text)
            for indicator_id, text in indicator_comments.items()
        ]
    )
    workflow_step.send(
        sender=Evaluation,
        evaluation=evaluation,
        action=action,
        from_status=from_status,
        to_status=evaluation.status,
    )
    return step


def _require(filing, *allowed: str) -> None:
    if filing.status not in allowed:
        raise ValidationError(f"当前状态为“{filing.get_status_display()}”，不能执行此操作。")


def _title(filing) -> str:
    return kind_of(filing).title(filing)


def _evaluation_submit_errors(evaluation: Evaluation) -> list[dict]:
    from scoring.services import score_evaluation

    result = score_evaluation(evaluation)
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    return errors + blocking(report_findings(evaluation, result))


register_filing_kind(
    Evaluation,
    FilingKind(
        noun="绩效自评",
        lock_related=("project__unit__department__region",),
        title=lambda e: f"{e.year}年度“{e.project.name}”绩效自评",
        submit_errors=_evaluation_submit_errors,
        record_step=_record_evaluation_step,
        indicator_ids=lambda e: set(e.project.indicators.values_list("pk", flat=True)),
        notice_target=lambda e: {"evaluation": e},
    ),
)


def _notify(filing, **kwargs) -> None:
    notices.notify(**kwargs, **kind_of(filing).notice_target(filing))


@transaction.atomic
def filing_submit(*, filing, user):
    """Filer submits: refused while any error finding remains; a department unit skips a step."""
    filing = _lock(filing, user, FILE)
    _require(filing, S.DRAFT, S.RETURNED)
    errors = kind_of(filing).submit_errors(filing)
    if errors:
        raise SubmissionBlocked(errors)
    before = filing.status
    unit = filing.project.unit
    filing.status = S.DEPARTMENT_APPROVED if unit.is_department else S.SUBMITTED
    filing.submitted_at = timezone.now()
    filing.save(update_fields=["status", "submitted_at", "updated_at"])
    _record(filing, user, A.SUBMIT, before)
    if filing.status == S.SUBMITTED:
        reviewers = notices.department_reviewers_of(unit.department)
        message = f"{unit.name}已提交{_title(filing)}，待主管部门审核。"
    else:
        reviewers = notices.finance_reviewers_of(unit.department.region)
        message = f"{unit.name}（部门本级）已提交{_title(filing)}，待财政审核。"
    _notify(
        filing,
        recipients=reviewers,
        kind=Notification.Kind.SUBMITTED,
        message=message,
        exclude=user,
    )
    return filing


@transaction.atomic
def filing_department_approve(*, filing, user, comment: str = ""):
    """Department reviewer approves; the filing goes on to the finance bureau."""
    filing = _lock(filing, user, DEPARTMENT_REVIEW)
    _require(filing, S.SUBMITTED)
    before = filing.status
    filing.status = S.DEPARTMENT_APPROVED
    filing.save(update_fields=["status", "updated_at"])
    _record(filing, user, A.DEPARTMENT_APPROVE, before, comment.strip())
    department = filing.project.unit.department
    _notify(
        filing,
        recipients=notices.finance_reviewers_of(department.region),
        kind=Notification.Kind.SUBMITTED,
        message=f"{department.name}已审核通过{_title(filing)}，待财政审核。",
        exclude=user,
    )
    return filing


def _return(filing, user, comment, indicator_comments, action, role, allowed, evidence=()):
    filing = _lock(filing, user, role)
    if not comment.strip():
        raise ValidationError({"comment": "退回时必须填写退回意见。"})
    _require(filing, allowed)
    cleaned = _clean_indicator_comments(filing, indicator_comments)
    evidence = {int(k) for k in evidence or ()}
    if evidence and evidence - kind_of(filing).indicator_ids(filing):
        raise ValidationError({"indicator_comments": "意见所附指标不属于该填报。"})
    for indicator_id in evidence:
        cleaned.setdefault(indicator_id, EVIDENCE_REQUEST)
    before = filing.status
    filing.status = S.RETURNED
    filing.save(update_fields=["status", "updated_at"])
    step = _record(filing, user, action, before, comment.strip(), cleaned)
    if evidence:
        # 需补充佐证材料: the filer sees the request on each indicator named.
        step.comments.filter(indicator_id__in=evidence).update(needs_evidence=True)
    by = "主管部门" if action == A.DEPARTMENT_RETURN else "财政局"
    extra = f"（另有 {len(cleaned)} 条指标意见）" if cleaned else ""
    _notify(
        filing,
        recipients=notices.filers_of(filing.project.unit),
        kind=Notification.Kind.RETURNED,
        message=f"{_title(filing)}被{by}退回：{comment.strip()}{extra}",
        exclude=user,
    )
    return filing


@transaction.atomic
def filing_department_return(
    *, filing, user, comment: str, indicator_comments=None, evidence_requests=()
):
    """Department reviewer returns the filing to the filer with a required comment; the
    indicators in `evidence_requests` (evaluations only) ask for 佐证材料."""
    return _return(
        filing, user, comment, indicator_comments, A.DEPARTMENT_RETURN, DEPARTMENT_REVIEW,
        S.SUBMITTED, evidence_requests,
    )  # fmt: skip


@transaction.atomic
def filing_finance_approve(*, filing, user, comment: str = ""):
    """Finance reviewer approves: the filing is frozen with its figures and rule-set version."""
    filing = _lock(filing, user, FINANCE_REVIEW)
    _require(filing, S.DEPARTMENT_APPROVED)
    before = filing.status
    filing.status = S.APPROVED
    filing.approved_at = timezone.now()
    filing.save(update_fields=["status", "approved_at", "updated_at"])
    _record(filing, user, A.FINANCE_APPROVE, before, comment.strip())
    unit = filing.project.unit
    recipients = list(notices.filers_of(unit))
    if not unit.is_department:
        recipients += list(notices.department_reviewers_of(unit.department))
    _notify(
        filing,
        recipients=recipients,
        kind=Notification.Kind.APPROVED,
        message=f"{_title(filing)}已审核通过。",
        exclude=user,
    )
    return filing


@transaction.atomic
def filing_finance_return(
    *, filing, user, comment: str, indicator_comments=None, evidence_requests=()
):
    """Finance reviewer returns the filing to the filer with a required comment; the
    indicators in `evidence_requests` (evaluations only) ask for 佐证材料."""
    return _return(
        filing, user, comment, indicator_comments, A.FINANCE_RETURN, FINANCE_REVIEW,
        S.DEPARTMENT_APPROVED, evidence_requests,
    )  # fmt: skip


def evaluation_submit(*, evaluation: Evaluation, user) -> Evaluation:
    """Filer submits an evaluation (filing_submit)."""
    return filing_submit(filing=evaluation, user=user)


def evaluation_department_approve(*, evaluation: Evaluation, user, comment: str = "") -> Evaluation:
    """Department reviewer approves an evaluation (filing_department_approve)."""
    return filing_department_approve(filing=evaluation, user=user, comment=comment)


def evaluation_department_return(
    *,
    evaluation: Evaluation,
    user,
    comment: str,
    indicator_comments: dict | None = None,
    evidence_requests=(),
) -> Evaluation:
    """Department reviewer returns an evaluation (filing_department_return)."""
    return filing_department_return(
        filing=evaluation,
        user=user,
        comment=comment,
        indicator_comments=indicator_comments,
        evidence_requests=evidence_requests,
    )


def evaluation_finance_approve(*, evaluation: Evaluation, user, comment: str = "") -> Evaluation:
    """Finance reviewer approves an evaluation (filing_finance_approve)."""
    return filing_finance_approve(filing=evaluation, user=user, comment=comment)


def evaluation_finance_return(
    *,
    evaluation: Evaluation,
    user,
    comment: str,
    indicator_comments: dict | None = None,
    evidence_requests=(),
) -> Evaluation:
    """Finance reviewer returns an evaluation (filing_finance_return)."""
    return filing_finance_return(
        filing=evaluation,
        user=user,
        comment=comment,
        indicator_comments=indicator_comments,
        evidence_requests=evidence_requests,
    )


@transaction.atomic
def evaluation_publish(*, evaluation: Evaluation, user) -> Evaluation:
    """Publish an approved filing: the finance bureau always, the 主管部门 for its own department
    when the region allows it (rules.can_publish_evaluation). Refused while its report
    contradicts its tables or still carries an unfilled placeholder (PublicationBlocked lists
    each one)."""
    evaluation = _lock(evaluation, user, VIEW)
    if not rules.can_publish_evaluation(user, evaluation):
        raise PermissionDenied("只有财政局（或经本地区允许的主管部门）可以公开自评。")
    _require(evaluation, S.APPROVED)
    # What the public will read must agree with its tables and carry no unfilled placeholder.
    refused = blocking(report_findings(evaluation, publishing=True))
    if refused:
        raise PublicationBlocked(refused)
    before = evaluation.status
    evaluation.status = S.PUBLISHED
    evaluation.published_at = timezone.now()
    evaluation.save(update_fields=["status", "published_at", "updated_at"])
    _record(evaluation, user, A.PUBLISH, before)
    return evaluation


@transaction.atomic
def evaluation_reopen(*, evaluation: Evaluation, user, reason: str) -> Evaluation:
    """Only the finance bureau reopens an approved or published filing, with a recorded reason."""
    evaluation = _lock(evaluation, user, FINANCE_REVIEW)
    if not reason.strip():
        raise ValidationError({"reason": "重新开启必须说明原因。"})
    _require(evaluation, S.APPROVED, S.PUBLISHED)
    before = evaluation.status
    evaluation.status = S.RETURNED
    evaluation.approved_at = None
    evaluation.published_at = None
    evaluation.save(update_fields=["status", "approved_at", "published_at", "updated_at"])
    _record(evaluation, user, A.REOPEN, before, reason.strip())
    notices.notify(
        recipients=notices.filers_of(evaluation.project.unit),
        kind=Notification.Kind.RETURNED,
        message=f"{_title(evaluation)}已由财政局重新开启，请修改后重新提交。原因：{reason.strip()}",
        evaluation=evaluation,
        exclude=user,
    )
    return evaluation


# Bulk actions: the preview and the run share one check, so the page lists exactly what is done.
BulkApproval = BulkOutcome


def _review_grant(evaluations: list[Evaluation], user) -> tuple[set[int], set[int]]:
    """The selected filings the user reviews as department and as finance; 403 for any other."""
    ids = {e.pk for e in evaluations}
    by_department = set(
        Evaluation.objects.for_user(user, DEPARTMENT_REVIEW)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    by_finance = set(
        Evaluation.objects.for_user(user, FINANCE_REVIEW)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if ids - by_department - by_finance:
        raise PermissionDenied("所选自评中有您无权审核的记录。")
    return by_department, by_finance


def _approval_refusal(evaluation: Evaluation, user, grant) -> str:
    """Why a filing is left for one-by-one review, or "" when bulk approval takes it."""
    by_department, by_finance = grant
    if evaluation.result is None:
        return "尚未评分"
    if evaluation.error_count or evaluation.warning_count:
        return f"有 {evaluation.error_count} 个错误、{evaluation.warning_count} 个警告，需逐项审核"
    if evaluation.status == S.SUBMITTED and evaluation.pk in by_department:
        return ""
    if evaluation.status == S.DEPARTMENT_APPROVED and evaluation.pk in by_finance:
        return ""
    return f"当前状态为“{evaluation.get_status_display()}”，不在您的审核环节"


def _approve(evaluation: Evaluation, user, grant, comment: str = "") -> Evaluation:
    service = (
        evaluation_department_approve
        if evaluation.status == S.SUBMITTED
        else evaluation_finance_approve
    )
    return service(evaluation=evaluation, user=user, comment=comment)


BULK_APPROVE = BulkAction(
    verb="审核通过", check=_approval_refusal, run=_approve, authorise=_review_grant
)


def _publish_grant(evaluations: list[Evaluation], user) -> None:
    """403 for the whole request when any selected filing is one the user may not publish."""
    if not all(rules.can_publish_evaluation(user, e) for e in evaluations):
        raise PermissionDenied("所选自评中有您无权公开的记录。")


def _publication_refusal(evaluation: Evaluation, user, grant) -> str:
    """Why a filing cannot be published now (its status, its report), or ""."""
    if evaluation.status != S.APPROVED:
        return f"当前状态为“{evaluation.get_status_display()}”，只有审核通过的自评可以公开"
    refused = blocking(report_findings(evaluation, publishing=True))
    if refused:
        listed = "；".join(f["message"] for f in refused)
        return f"自评报告有 {len(refused)} 处问题：{listed}"
    return ""


def _publish(evaluation: Evaluation, user, grant) -> Evaluation:
    return evaluation_publish(evaluation=evaluation, user=user)


BULK_PUBLISH = BulkAction(
    verb="公开", check=_publication_refusal, run=_publish, authorise=_publish_grant
)


def evaluations_bulk_approve(
    *, evaluations: Iterable[Evaluation], user, comment: str = ""
) -> BulkOutcome:
    """Approve, in the user's own review step, each selected filing free of warnings and errors.

    A filing the user cannot review at all is a PermissionDenied for the whole request; one that
    is in another step, unscored, or carries a warning or error finding is skipped with a reason,
    because those need a reviewer to read them.
    """
    return bulk_apply(action=BULK_APPROVE, evaluations=evaluations, user=user, comment=comment)


def evaluations_bulk_publish(*, evaluations: Iterable[Evaluation], user) -> BulkOutcome:
    """Publish each selected approved filing whose report agrees with its tables.

    Any filing the user may not publish is a PermissionDenied for the whole request; one not yet
    approved (or already published), or whose report is refused, is skipped with the reason.
    """
    return bulk_apply(action=BULK_PUBLISH, evaluations=evaluations, user=user)


@transaction.atomic
def indicator_target_correct(*, indicator: Indicator, user, target: str, reason: str) -> Indicator:
    """The finance bureau corrects a target approved with the budget; history keeps who and why.

    Filers never change targets; a correction after approval of the budget is the finance
    bureau's, recorded with its reason, and refused while a filing of the project is frozen
    (reopen it first, so a frozen score never silently changes).
    """
    indicator = get_for_user(
        Indicator.objects.select_for_update(of=("self",)), user, FINANCE_REVIEW, pk=indicator.pk
    )
    target, reason = target.strip(), reason.strip()
    if not target:
        raise ValidationError({"target": "指标值不能为空。"})
    if not reason:
        raise ValidationError({"reason": "调整指标值必须说明原因。"})
    evaluations = list(Evaluation.objects.filter(project_id=indicator.project_id))
    if any(e.is_frozen for e in evaluations):
        raise ValidationError("该项目的自评已审核通过，请先重新开启后再调整指标值。")
    if target == indicator.target:
        return indicator
    indicator.target = target
    indicator._change_reason = f"财政局调整指标值：{reason}"
    # Services also run outside a request (commands, tests): name the user for the history.
    indicator._history_user = user
    indicator.save()
    scored = [e for e in evaluations if e.result is not None]
    if scored:
        from scoring.services import score_evaluation

        for evaluation in scored:
            score_evaluation(evaluation)
    return indicator


def ensure_editable(evaluation: Evaluation) -> None:
    """Raise PermissionDenied when the filer may not change this filing in its state."""
    if not evaluation.is_editable:
        raise PermissionDenied("该自评已提交或审核，不能修改。")
