"""Tokens by region and role across every endpoint: another region's objects are a 404 and stay
untouched, a read-only token's writes a 403, a department's token sees its department only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from projects.models import (
    Evaluation,
    FundLine,
    MonitoringFund,
    Project,
    ResultDecision,
    TargetDeclaration,
)
from tests import factories as f
from tests.projects import conftest_api
from tests.projects.conftest_api import PROJECT, YEAR, bearer, import_payload

pytestmark = pytest.mark.django_db

# The topic's fixtures (tests/projects/conftest_api.py).
api_world = conftest_api.api_world
approved_world = conftest_api.approved_world


def post(client, url, body, token):
    return client.post(url, body, content_type="application/json", **bearer(token))


def execution(unit_code="A1", department_code="A", code=PROJECT["code"]) -> dict:
    return {
        "year": YEAR,
        "items": [
            {
                "department_code": department_code, "unit_code": unit_code, "project_code": code,
                "funds": [{"source": "current_year", "executed": "1"}],
            }
        ],
    }  # fmt: skip


def writes() -> list[tuple[str, dict]]:
    return [
        ("/api/targets/import", import_payload()),
        ("/api/monitoring/execution", execution()),
        ("/api/evaluations/execution", execution()),
    ]


@pytest.fixture
def filed(approved_world, client):
    """Region A holds an evaluation with a result decision and a monitoring report."""
    response = post(
        client, "/api/evaluations/execution", execution(), approved_world["finance_token"]
    )
    assert response.status_code == 200, response.content.decode()
    evaluation = Evaluation.objects.get(project=approved_world["project"])
    ResultDecision.objects.create(
        evaluation=evaluation, decision="keep", base_amount=Decimal("1200000"),
        next_year_amount=Decimal("1200000"), decided_by=approved_world["p"].frank,
    )  # fmt: skip
    return {**approved_world, "evaluation": evaluation}


def snapshot() -> tuple:
    """Everything a refused write could have touched."""
    return (
        list(Project.objects.order_by("pk").values_list("pk", "name")),
        list(FundLine.objects.order_by("pk").values_list("pk", "initial", "executed")),
        list(TargetDeclaration.objects.order_by("pk").values_list("pk", "version", "status")),
        list(MonitoringFund.objects.order_by("pk").values_list("pk", "executed")),
    )


def test_another_regions_token_reads_none_of_the_objects(filed, client):
    token = filed["stranger_token"]
    for url in (
        f"/api/evaluations/{filed['evaluation'].pk}",
        f"/api/monitoring/reports/{filed['report'].pk}",
    ):
        response = client.get(url, **bearer(token))
        assert response.status_code == 404
        assert response.json()["detail"] == "未找到该记录，或您无权查看。"
    for url in ("/api/evaluations", "/api/monitoring/reports", "/api/results/decisions"):
        assert client.get(url, **bearer(token)).json() == {"count": 0, "items": []}
    assert client.get(f"/api/targets?year={YEAR}", **bearer(token)).json()["count"] == 0


@pytest.mark.parametrize("index", range(3))
def test_another_regions_token_writes_nothing_into_the_region(filed, client, index):
    url, body = writes()[index]
    before = snapshot()
    response = post(client, url, body, filed["stranger_token"])
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("index", range(3))
def test_a_read_only_token_may_not_write(filed, client, index):
    url, body = writes()[index]
    before = snapshot()
    response = post(client, url, body, filed["observer_token"])
    assert response.status_code == 403
    assert "只读" in response.json()["detail"]
    assert snapshot() == before


def test_a_read_only_token_reads_the_whole_region(filed, client):
    token = filed["observer_token"]
    evaluations = client.get(f"/api/evaluations?year={YEAR}", **bearer(token)).json()
    assert [e["id"] for e in evaluations["items"]] == [filed["evaluation"].pk]
    assert evaluations["items"][0]["status"] == "draft"
    one = client.get(f"/api/evaluations/{filed['evaluation'].pk}", **bearer(token)).json()
    assert one["project_code"] == PROJECT["code"] and one["errors"] >= 0
    lights = client.get(f"/api/monitoring/reports/{filed['report'].pk}", **bearer(token)).json()
    assert lights["as_of"] == f"{YEAR}-06-30"
    decisions = client.get("/api/results/decisions", **bearer(token)).json()
    assert decisions["items"][0]["decision"] == "keep"
    assert decisions["items"][0]["decision_label"] == "保持"
    targets = client.get(f"/api/targets?year={YEAR}", **bearer(token)).json()
    assert targets["items"][0]["declaration_status"] == "approved"
    assert [i["name"] for i in targets["items"][0]["indicators"]] == [
        i["name"] for i in PROJECT["indicators"]
    ]


def test_a_department_token_stays_inside_its_department(filed, client):
    token = filed["department_token"]
    other = f.ProjectFactory(unit=filed["p"].unit_b, year=YEAR, code="KF-1", name="开发区运行经费")
    other_evaluation = f.EvaluationFactory(project=other, year=YEAR)
    assert client.get(f"/api/evaluations/{other_evaluation.pk}", **bearer(token)).status_code == 404
    listed = client.get("/api/evaluations", **bearer(token)).json()
    assert [e["id"] for e in listed["items"]] == [filed["evaluation"].pk]
    before = snapshot()
    response = post(
        client, "/api/evaluations/execution",
        execution(unit_code="B0", department_code="B", code="KF-1"), token,
    )  # fmt: skip
    assert response.status_code == 404
    assert snapshot() == before


def test_only_the_finance_client_imports_approved_targets(api_world, client):
    response = post(
        client, "/api/targets/import", import_payload(approved=True),
        api_world["department_token"],
    )  # fmt: skip
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_a_department_client_declares_a_new_project_as_its_unit_would(api_world, client):
    year = timezone.localdate().year
    response = post(
        client, "/api/targets/import", import_payload(year=year), api_world["department_token"]
    )
    assert response.status_code == 200, response.content.decode()
    project = Project.objects.get(code=PROJECT["code"], year=year)
    assert project.declaration.status == "draft"
    assert project.history.first().history_user == api_world["department"].user


def test_approved_targets_are_not_imported_again(approved_world, client):
    before = snapshot()
    response = post(
        client, "/api/targets/import", import_payload(), approved_world["finance_token"]
    )
    assert response.status_code == 422
    assert "不能再通过接口导入" in str(response.json()["detail"])
    assert snapshot() == before


def test_an_unknown_unit_or_project_is_a_404_in_words(approved_world, client):
    token = approved_world["finance_token"]
    response = post(client, "/api/monitoring/execution", execution(code="NOPE"), token)
    assert response.status_code == 404
    response = post(client, "/api/monitoring/execution", execution(unit_code="ZZ"), token)
    assert response.status_code == 404


def test_the_lists_cost_the_same_with_more_rows(filed, client, django_assert_max_num_queries):
    token = filed["observer_token"]
    urls = (
        f"/api/evaluations?year={YEAR}",
        f"/api/monitoring/reports?year={YEAR}",
        "/api/results/decisions",
        f"/api/targets?year={YEAR}",
    )
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(8) as captured:
            assert client.get(url, **bearer(token)).status_code == 200
        counts[url] = len(captured.captured_queries)
    for n in range(4):
        project = f.ProjectFactory(unit=filed["unit"], year=YEAR, code=f"MORE-{n}")
        f.FundLineFactory(project=project, source="current_year", initial=Decimal("1"))
        f.IndicatorFactory(project=project, order=1)
        evaluation = f.EvaluationFactory(project=project, year=YEAR)
        ResultDecision.objects.create(
            evaluation=evaluation, decision="cut", cut_share=Decimal("10"),
            base_amount=Decimal("100"), next_year_amount=Decimal("90"),
        )  # fmt: skip
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url, **bearer(token))
        # Reports come with a round only; the new projects have none.
        assert response.json()["count"] == (1 if "monitoring" in url else 5), url
