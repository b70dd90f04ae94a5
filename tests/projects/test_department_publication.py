"""Publication by the 主管部门 (seed 004: "由主管部门将部门自评报告向社会公开") where the region allows
it: dora reviews department A; `Region.department_publishes` is the region's switch. The finance
bureau (frank) publishes whatever the switch says; another department's filing is a 404."""

import pytest
from django.urls import reverse

from projects.models import Evaluation, EvaluationStatus, Membership, ReviewStep
from tests.projects.test_forbidden_writes import assert_nothing_changed
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)

S = EvaluationStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(personas):
    """An approved filing of department A's subordinate unit."""
    return put_in(build_evaluation(subordinate_of_a(personas).unit), S.APPROVED)


def _allow(personas, allowed: bool):
    personas.region.department_publishes = allowed
    personas.region.save()


def _detail(client, user, evaluation) -> str:
    client.force_login(user)
    return client.get(reverse("review:evaluation_detail", args=[evaluation.pk])).content.decode()


def test_department_reviewer_publishes_own_department_when_the_region_allows(
    client, personas, approved
):
    _allow(personas, True)
    assert 'id="publish-form"' in _detail(client, personas.dora, approved)
    response = client.post(reverse("review:evaluation_publish", args=[approved.pk]))
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == S.PUBLISHED
    step = approved.review_steps.get(action=ReviewStep.Action.PUBLISH)
    assert step.actor == personas.dora


def test_department_reviewer_cannot_publish_when_the_region_does_not_allow(
    client, personas, approved
):
    _allow(personas, False)
    assert 'id="publish-form"' not in _detail(client, personas.dora, approved)
    url = reverse("review:evaluation_publish", args=[approved.pk])
    response = assert_nothing_changed(lambda: client.post(url))
    assert response.status_code == 403
    assert Evaluation.objects.get(pk=approved.pk).status == S.APPROVED


@pytest.mark.parametrize("allowed", [True, False])
def test_finance_bureau_publishes_whatever_the_switch(client, personas, approved, allowed):
    _allow(personas, allowed)
    assert 'id="publish-form"' in _detail(client, personas.frank, approved)
    client.post(reverse("review:evaluation_publish", args=[approved.pk]))
    assert Evaluation.objects.get(pk=approved.pk).status == S.PUBLISHED


def test_department_reviewer_cannot_publish_another_departments_filing(client, personas):
    _allow(personas, True)
    theirs = put_in(build_evaluation(personas.unit_b, name="开发区项目"), S.APPROVED)
    client.force_login(personas.dora)
    url = reverse("review:evaluation_publish", args=[theirs.pk])
    response = assert_nothing_changed(lambda: client.post(url))
    assert response.status_code == 404
    assert Evaluation.objects.get(pk=theirs.pk).status == S.APPROVED


def test_department_publication_still_refuses_a_report_with_a_placeholder(
    client, personas, approved
):
    _allow(personas, True)
    approved.notes = {"other": "（未填写其他需要说明的问题）"}
    approved.save()
    client.force_login(personas.dora)
    url = reverse("review:evaluation_publish", args=[approved.pk])
    response = client.post(url, follow=True)
    assert "暂不能公开" in response.content.decode()
    assert Evaluation.objects.get(pk=approved.pk).status == S.APPROVED


def test_filer_cannot_publish_even_where_departments_may(client, personas, approved):
    _allow(personas, True)
    carol = Membership.objects.get(unit=approved.project.unit).user
    client.force_login(carol)
    url = reverse("review:evaluation_publish", args=[approved.pk])
    response = assert_nothing_changed(lambda: client.post(url))
    assert response.status_code == 403
