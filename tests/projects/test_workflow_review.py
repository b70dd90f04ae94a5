"""The review workflow (domain.md §2): who may move a filing, what is recorded, who hears of it."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from projects.models import EvaluationStatus, Notification, ReviewComment, ReviewStep
from projects.review.services import workflow
from tests import factories as f
from tests.projects.test_review_support import (
    CLEAN_TOTAL,
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)

S = EvaluationStatus
A = ReviewStep.Action


@pytest.fixture
def sub(personas):
    return subordinate_of_a(personas)


def test_subordinate_units_submission_waits_for_the_department(
    personas, sub, django_capture_on_commit_callbacks
):
    personas.dora.email = "dora@example.org"
    personas.dora.save()
    evaluation = build_evaluation(sub.unit)
    # E-mail leaves only once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.evaluation_submit(evaluation=evaluation, user=sub.carol)
    evaluation.refresh_from_db()
    assert evaluation.status == S.SUBMITTED
    assert evaluation.get_status_display() == "待主管部门审核"
    note = Notification.objects.get(recipient=personas.dora)
    assert note.kind == Notification.Kind.SUBMITTED and note.evaluation == evaluation
    assert not Notification.objects.filter(recipient=personas.frank).exists()
    assert [m.to for m in mail.outbox] == [["dora@example.org"]]


def test_department_unit_skips_department_review(personas):
    evaluation = build_evaluation(personas.unit_a)  # unit A is its department's own unit
    workflow.evaluation_submit(evaluation=evaluation, user=personas.alice)
    evaluation.refresh_from_db()
    assert evaluation.status == S.DEPARTMENT_APPROVED
    assert Notification.objects.filter(recipient=personas.frank).count() == 1
    assert not Notification.objects.filter(recipient=personas.dora).exists()


def test_return_records_who_when_comment_version_and_indicator_comments(
    personas, sub, django_capture_on_commit_callbacks
):
    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    indicator = evaluation.project.indicators.get(name="走访企业数量")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.evaluation_department_return(
            evaluation=evaluation,
            user=personas.dora,
            comment="  请核实走访企业数量  ",
            indicator_comments={str(indicator.pk): "请附走访台账", "999999": " "},
        )
    evaluation.refresh_from_db()
    assert evaluation.status == S.RETURNED
    step = ReviewStep.objects.get(evaluation=evaluation)
    assert (step.action, step.actor, step.comment) == (
        A.DEPARTMENT_RETURN,
        personas.dora,
        "请核实走访企业数量",
    )
    assert (step.from_status, step.to_status, step.version) == (
        S.SUBMITTED,
        S.RETURNED,
        evaluation.version,
    )
    assert step.snapshot["indicators"][str(indicator.pk)]["actual"] == "1650家"
    comment = ReviewComment.objects.get(step=step)
    assert (comment.indicator, comment.text) == (indicator, "请附走访台账")
    note = Notification.objects.get(recipient=sub.carol)
    assert note.kind == Notification.Kind.RETURNED and "请核实走访企业数量" in note.message
    assert [m.to for m in mail.outbox] == [["carol@example.org"]]
    assert "请核实走访企业数量" in mail.outbox[0].body


def test_return_needs_a_comment(personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    with pytest.raises(ValidationError):
        workflow.evaluation_department_return(
            evaluation=evaluation, user=personas.dora, comment=" "
        )
    evaluation.refresh_from_db()
    assert evaluation.status == S.SUBMITTED


def test_comment_on_another_filings_indicator_is_refused(personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    stranger = f.IndicatorFactory(project=f.ProjectFactory(unit=personas.unit_b))
    with pytest.raises(ValidationError):
        workflow.evaluation_department_return(
            evaluation=evaluation,
            user=personas.dora,
            comment="退回",
            indicator_comments={stranger.pk: "不属于本自评"},
        )
    assert not ReviewStep.objects.exists()


@pytest.mark.parametrize(
    "service, who, status",
    [
        (workflow.evaluation_department_approve, "frank", S.SUBMITTED),
        (workflow.evaluation_department_approve, "carol", S.SUBMITTED),
        (workflow.evaluation_finance_approve, "dora", S.DEPARTMENT_APPROVED),
        (workflow.evaluation_finance_approve, "carol", S.DEPARTMENT_APPROVED),
        (workflow.evaluation_publish, "dora", S.APPROVED),
    ],
)
def test_transition_by_the_wrong_role_is_forbidden(personas, sub, service, who, status):
    evaluation = put_in(build_evaluation(sub.unit), status)
    user = sub.carol if who == "carol" else getattr(personas, who)
    with pytest.raises(PermissionDenied):
        service(evaluation=evaluation, user=user)
    evaluation.refresh_from_db()
    assert evaluation.status == status


def test_other_departments_and_regions_reviewers_do_not_even_see_it(personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.DEPARTMENT_APPROVED)
    with pytest.raises(Http404):
        workflow.evaluation_finance_approve(
            evaluation=evaluation, user=personas.other_region_finance
        )
    with pytest.raises(Http404):
        workflow.evaluation_finance_return(
            evaluation=evaluation, user=personas.bob, comment="不是我的"
        )


def test_transition_from_the_wrong_state_is_refused(personas, sub):
    evaluation = build_evaluation(sub.unit)  # still a draft
    with pytest.raises(ValidationError):
        workflow.evaluation_department_approve(evaluation=evaluation, user=personas.dora)


def test_finance_approval_freezes_the_scores(personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.DEPARTMENT_APPROVED)
    workflow.evaluation_finance_approve(evaluation=evaluation, user=personas.frank, comment="同意")
    evaluation.refresh_from_db()
    assert evaluation.status == S.APPROVED and evaluation.get_status_display() == "审核通过"
    assert evaluation.approved_at is not None and evaluation.is_frozen
    stored = evaluation.result
    # A later change to the figures (by any route) does not move a frozen score.
    result = evaluation.results.get(indicator__name="走访企业数量")
    result.actual = "100家"
    result.save()
    from scoring.services import score_evaluation

    assert score_evaluation(evaluation) == stored
    evaluation.refresh_from_db()
    assert evaluation.computed_total == CLEAN_TOTAL
    recipients = set(
        Notification.objects.filter(kind=Notification.Kind.APPROVED).values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"carol", "dora"}


def test_only_finance_reopens_an_approved_filing_with_a_reason(personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.APPROVED)
    with pytest.raises(PermissionDenied):
        workflow.evaluation_reopen(evaluation=evaluation, user=personas.dora, reason="需要修改")
    with pytest.raises(ValidationError):
        workflow.evaluation_reopen(evaluation=evaluation, user=personas.frank, reason="  ")
    workflow.evaluation_reopen(
        evaluation=evaluation, user=personas.frank, reason="审计发现执行数有误"
    )
    evaluation.refresh_from_db()
    assert evaluation.status == S.RETURNED and evaluation.approved_at is None
    step = evaluation.review_steps.get()
    assert (step.action, step.comment, step.actor) == (
        A.REOPEN,
        "审计发现执行数有误",
        personas.frank,
    )
    assert Notification.objects.filter(
        recipient=sub.carol, kind=Notification.Kind.RETURNED
    ).exists()


def test_bulk_approval_takes_only_clean_filings_in_the_users_step(personas, sub):
    clean = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    warned = put_in(
        build_evaluation(
            sub.unit,
            name="走访不足的项目",
            actuals={0: "1500家"},
            reasons={0: "企业数量减少"},
            claimed={0: Decimal("50")},
        ),
        S.SUBMITTED,
    )
    ahead = put_in(build_evaluation(sub.unit, name="已到财政的项目"), S.DEPARTMENT_APPROVED)
    outcome = workflow.evaluations_bulk_approve(
        evaluations=[clean, warned, ahead], user=personas.dora
    )
    assert [e.pk for e in outcome.approved] == [clean.pk]
    reasons = {e.pk: reason for e, reason in outcome.skipped}
    assert reasons[warned.pk] == "有 0 个错误、1 个警告，需逐项审核"
    assert "不在您的审核环节" in reasons[ahead.pk]
    clean.refresh_from_db()
    assert clean.status == S.DEPARTMENT_APPROVED
    assert clean.review_steps.get().action == A.DEPARTMENT_APPROVE


def test_bulk_approval_of_a_filing_outside_the_users_review_is_forbidden(personas, sub):
    mine = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    theirs = put_in(build_evaluation(personas.unit_b, name="开发区项目"), S.DEPARTMENT_APPROVED)
    with pytest.raises(PermissionDenied):
        workflow.evaluations_bulk_approve(evaluations=[mine, theirs], user=personas.dora)
    mine.refresh_from_db()
    assert mine.status == S.SUBMITTED


def test_finance_corrects_a_target_and_the_filing_is_rescored(personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.DEPARTMENT_APPROVED)
    indicator = evaluation.project.indicators.get(name="走访企业数量")
    with pytest.raises(PermissionDenied):
        workflow.indicator_target_correct(
            indicator=indicator, user=personas.dora, target="≥1700家", reason="调整"
        )
    with pytest.raises(PermissionDenied):
        workflow.indicator_target_correct(
            indicator=indicator, user=sub.carol, target="≥1700家", reason="调整"
        )
    workflow.indicator_target_correct(
        indicator=indicator, user=personas.frank, target="≥1700家", reason="预算调整批复"
    )
    indicator.refresh_from_db()
    assert indicator.target == "≥1700家"
    # 50 × 1650 / 1700 = 48.529… → 48.53; total 8.43 + 48.53 + 30 + 10 = 96.96.
    assert evaluation.results.get(indicator=indicator).computed_score == Decimal("48.53")
    evaluation.refresh_from_db()
    assert evaluation.computed_total == Decimal("96.96")
    record = indicator.history.first()
    assert record.history_user == personas.frank
    assert record.history_change_reason == "财政局调整指标值：预算调整批复"


def test_target_of_a_frozen_filing_cannot_be_corrected(personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.APPROVED)
    indicator = evaluation.project.indicators.first()
    with pytest.raises(ValidationError):
        workflow.indicator_target_correct(
            indicator=indicator, user=personas.frank, target="≥1700家", reason="调整"
        )
    indicator.refresh_from_db()
    assert indicator.target == "≥1600家"


def test_a_returned_filing_still_opens_after_its_reviewer_account_is_deleted(client, personas, sub):
    """The step keeps its comment when the reviewer's account goes (actor set null); the filer's
    form must still open and show it, naming no one."""
    from django.urls import reverse

    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    reviewer = f.UserFactory(username="gone_reviewer")
    f.membership(reviewer, "department_reviewer", department=personas.department_a)
    workflow.evaluation_department_return(
        evaluation=evaluation, user=reviewer, comment="请补充佐证材料"
    )
    reviewer.delete()
    client.force_login(sub.carol)
    response = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk]))
    assert response.status_code == 200
    assert "请补充佐证材料" in response.content.decode()
    assert "审核人（账号已删除）" in response.content.decode()
