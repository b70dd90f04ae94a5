"""Every filing view and every POST, tried by each persona: 404 outside the scope, 403 without
the filer's role, and nothing written either way."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Evaluation, EvaluationStatus
from tests.projects.test_filing_support import business_env, form_data, many_indicators

VIEWS = [
    ("get", "projects:evaluation_edit"),
    ("post", "projects:evaluation_edit"),
    ("post", "projects:evaluation_recompute"),
    ("post", "projects:evaluation_submit"),
    ("post", "projects:evaluation_narrative"),
]


@pytest.fixture
def evaluation(personas):
    return business_env(personas.unit_a)


def _call(client, method, name, evaluation):
    url = reverse(name, args=[evaluation.pk])
    if method == "get":
        return client.get(url)
    return client.post(url, form_data(evaluation, **{"ind-0-actual": "入侵者的数字"}))


@pytest.mark.parametrize(("method", "name"), VIEWS)
def test_another_units_filer_gets_404_and_writes_nothing(
    client, personas, evaluation, method, name
):
    client.force_login(personas.bob)
    assert _call(client, method, name, evaluation).status_code == 404
    assert Evaluation.objects.get(pk=evaluation.pk).version == 1


@pytest.mark.parametrize(("method", "name"), VIEWS)
@pytest.mark.parametrize("who", ["dora", "frank"])
def test_reviewers_in_scope_get_403_and_write_nothing(
    client, personas, evaluation, method, name, who
):
    client.force_login(getattr(personas, who))
    assert _call(client, method, name, evaluation).status_code == 403
    assert Evaluation.objects.get(pk=evaluation.pk).version == 1


@pytest.mark.parametrize(("method", "name"), VIEWS)
def test_another_regions_finance_reviewer_gets_404(client, personas, evaluation, method, name):
    client.force_login(personas.other_region_finance)
    assert _call(client, method, name, evaluation).status_code == 404


@pytest.mark.parametrize(("method", "name"), VIEWS)
def test_anonymous_users_are_sent_to_login(client, evaluation, method, name):
    response = _call(client, method, name, evaluation)
    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.parametrize(
    "name",
    ["projects:evaluation_edit", "projects:evaluation_submit", "projects:evaluation_narrative"],
)
@pytest.mark.parametrize("status", [EvaluationStatus.SUBMITTED, EvaluationStatus.APPROVED])
def test_the_filer_cannot_change_a_submitted_filing(client, personas, evaluation, name, status):
    Evaluation.objects.filter(pk=evaluation.pk).update(status=status)
    client.force_login(personas.alice)
    assert _call(client, "post", name, evaluation).status_code == 403
    assert (
        Evaluation.objects.get(pk=evaluation.pk).results.get(indicator__name="解决企业难题").actual
        == "300个"
    )


def test_the_filer_sees_a_submitted_filing_read_only(client, personas, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SUBMITTED)
    client.force_login(personas.alice)
    response = _call(client, "get", "projects:evaluation_edit", evaluation)
    assert response.status_code == 200
    assert "填报内容只读" in response.content.decode()


def _page_queries(client, evaluation) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert (
            client.get(reverse("projects:evaluation_edit", args=[evaluation.pk])).status_code == 200
        )
    return len(captured)


def _recompute_queries(client, evaluation) -> int:
    url = reverse("projects:evaluation_recompute", args=[evaluation.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, form_data(evaluation), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    return len(captured)


def test_form_and_recompute_query_counts_do_not_grow_with_indicators(
    client, personas, django_assert_num_queries
):
    small = many_indicators(personas.unit_a, 5, name="五项指标")
    large = many_indicators(personas.unit_a, 50, name="五十项指标")
    client.force_login(personas.alice)
    assert _page_queries(client, small) == _page_queries(client, large)
    assert _recompute_queries(client, small) == _recompute_queries(client, large)
    # session, user, memberships, evaluation, fund lines, indicators, results, filer check,
    # the year's task, the region's rule sets by year (the rules in force for the filing's year),
    # the year's filed monitoring, read by the score (its year-end findings) and for the values
    # shown beside each actual, and the filing's 佐证材料
    with django_assert_num_queries(13):
        client.get(reverse("projects:evaluation_edit", args=[large.pk]))
