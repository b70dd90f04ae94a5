"""The bulk machinery (projects.review.services.bulk) with an action of its own, as another list
(the filer's workspace) would plug one in: the preview and the run share the check, a service's
refusal becomes the filing's reason, and a refused authorisation refuses the whole batch."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from projects.access import FILE
from projects.models import Evaluation, EvaluationStatus
from projects.review.services.bulk import BulkAction, bulk_apply, bulk_preview
from projects.review.services.workflow import evaluation_submit
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

S = EvaluationStatus
pytestmark = pytest.mark.django_db


def _own(evaluations, user):
    mine = set(Evaluation.objects.for_user(user, FILE).values_list("pk", flat=True))
    if {e.pk for e in evaluations} - mine:
        raise PermissionDenied("所选自评中有不是本单位的记录。")


SUBMIT = BulkAction(
    verb="提交",
    authorise=_own,
    check=lambda e, user, grant: (
        "" if e.status in (S.DRAFT, S.RETURNED) else f"当前状态为“{e.get_status_display()}”"
    ),
    run=lambda e, user, grant: evaluation_submit(evaluation=e, user=user),
)


@pytest.fixture
def drafts(personas):
    ready = build_evaluation(personas.unit_a)
    # Claims more than the rules give without a reason: an error finding blocks submission.
    flawed = build_evaluation(
        personas.unit_a, name="走访不足的项目", actuals={0: "1500家"}, claimed={0: Decimal("50")}
    )
    sent = put_in(build_evaluation(personas.unit_a, name="已提交的项目"), S.DEPARTMENT_APPROVED)
    return ready, flawed, sent


def test_preview_lists_by_the_check_and_changes_nothing(personas, drafts):
    ready, flawed, sent = drafts
    preview = bulk_preview(action=SUBMIT, evaluations=drafts, user=personas.alice)
    assert preview.ids == [ready.pk, flawed.pk]
    assert preview.count == 2
    assert [(e.pk, reason) for e, reason in preview.refused] == [
        (sent.pk, "当前状态为“待财政审核”")
    ]
    assert Evaluation.objects.get(pk=ready.pk).status == S.DRAFT


def test_run_does_what_passes_and_names_what_the_service_refused(personas, drafts):
    ready, flawed, sent = drafts
    outcome = bulk_apply(action=SUBMIT, evaluations=drafts, user=personas.alice)
    assert [e.pk for e in outcome.done] == [ready.pk]
    reasons = dict((e.pk, r) for e, r in outcome.skipped)
    assert "暂不能提交" in reasons[flawed.pk]
    assert reasons[sent.pk] == "当前状态为“待财政审核”"
    statuses = dict(Evaluation.objects.values_list("pk", "status"))
    assert statuses[ready.pk] == S.DEPARTMENT_APPROVED
    assert statuses[flawed.pk] == S.DRAFT


def test_a_filing_of_another_unit_refuses_the_whole_batch(personas, drafts):
    theirs = build_evaluation(personas.unit_b, name="开发区项目")
    with pytest.raises(PermissionDenied):
        bulk_apply(action=SUBMIT, evaluations=[*drafts, theirs], user=personas.alice)
    assert not Evaluation.objects.exclude(pk=drafts[2].pk).exclude(status=S.DRAFT).exists()
