"""Bulk approval shows the list it will act on before acting (issue: 9 filings approved in one
click): the queue's button opens a confirmation page; only its confirm button approves."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Evaluation, EvaluationStatus
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
def filings(personas):
    unit = subordinate_of_a(personas).unit
    clean = put_in(build_evaluation(unit), S.SUBMITTED)
    flawed = put_in(
        build_evaluation(
            unit,
            name="走访不足的项目",
            actuals={0: "1500家"},
            reasons={0: "企业数量减少"},
            claimed={0: Decimal("50")},
        ),
        S.SUBMITTED,
    )
    return clean, flawed


def test_the_queue_button_opens_the_preview_instead_of_approving(client, personas, filings):
    client.force_login(personas.dora)
    html = client.get(reverse("review:queue")).content.decode()
    form = html[html.rindex("<form", 0, html.index('id="bulk-approve-form"')) :]
    form = form[: form.index("</form>")]
    assert 'method="get"' in form  # ticking and clicking only asks for the list
    assert reverse("review:evaluation_bulk_approve") in form


def test_preview_lists_the_filings_to_approve_and_those_left_and_changes_nothing(
    client, personas, filings
):
    clean, flawed = filings
    client.force_login(personas.dora)
    url = f"{reverse('review:evaluation_bulk_approve')}?ids={clean.pk}&ids={flawed.pk}"
    response = assert_nothing_changed(lambda: client.get(url))
    html = response.content.decode()
    ready = html[html.index('id="bulk-ready"') : html.index('id="bulk-refused"')]
    assert clean.project.name in ready and "98.43" in ready
    assert "走访不足的项目" not in ready
    refused = html[html.index('id="bulk-refused"') :]
    assert "走访不足的项目" in refused and "有 0 个错误、1 个警告，需逐项审核" in refused
    assert "确认审核通过 1 项" in html
    assert 'data-confirm="将审核通过 1 项自评，此操作不能撤销，确定吗？"' in html
    assert set(Evaluation.objects.values_list("status", flat=True)) == {S.SUBMITTED}


def test_confirming_approves_the_listed_filing(client, personas, filings):
    clean, flawed = filings
    client.force_login(personas.dora)
    response = client.post(
        reverse("review:evaluation_bulk_approve"), {"ids": [clean.pk], "next": "/review/"}
    )
    assert response.status_code == 302 and response["Location"] == "/review/"
    assert Evaluation.objects.get(pk=clean.pk).status == S.DEPARTMENT_APPROVED
    assert Evaluation.objects.get(pk=flawed.pk).status == S.SUBMITTED


def test_preview_with_nothing_ticked_says_so(client, personas, filings):
    client.force_login(personas.dora)
    response = client.get(reverse("review:evaluation_bulk_approve"), follow=True)
    assert "请先勾选要批量通过的自评" in response.content.decode()


def test_preview_of_another_departments_filing_is_not_found(client, personas, filings):
    clean, _ = filings
    theirs = put_in(build_evaluation(personas.unit_b, name="开发区项目"), S.SUBMITTED)
    client.force_login(personas.dora)
    url = f"{reverse('review:evaluation_bulk_approve')}?ids={clean.pk}&ids={theirs.pk}"
    assert client.get(url).status_code == 404
