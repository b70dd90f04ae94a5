"""The API's writes: targets imported, execution pushed, each through the page's write service."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.models import (
    Evaluation,
    EvaluationStatus,
    FundLine,
    Indicator,
    MonitoringFund,
    Project,
    TargetDeclaration,
)
from tests.projects import conftest_api
from tests.projects.conftest_api import PROJECT, YEAR, bearer, import_payload

pytestmark = pytest.mark.django_db

# The topic's fixtures (tests/projects/conftest_api.py).
api_world = conftest_api.api_world
approved_world = conftest_api.approved_world


def post(client, url, body, token):
    return client.post(url, body, content_type="application/json", **bearer(token))


def push_monitoring(client, token, executed="300000", source="current_year", **item):
    body = {
        "year": YEAR,
        "items": [
            {
                "department_code": "A", "unit_code": "A1", "project_code": PROJECT["code"],
                "funds": [{"source": source, "executed": executed}], **item,
            }
        ],
    }  # fmt: skip
    return post(client, "/api/monitoring/execution", body, token)


def test_the_finance_client_imports_a_project_with_its_budget_and_targets(api_world, client):
    response = post(client, "/api/targets/import", import_payload(), api_world["finance_token"])
    assert response.status_code == 200, response.content.decode()
    project = Project.objects.get(code=PROJECT["code"])
    assert project.unit == api_world["unit"] and project.year == YEAR
    assert project.goal_expected == PROJECT["goal_expected"]
    lines = {line.source: line.initial for line in project.fund_lines.all()}
    assert lines == {
        "current_year": Decimal("1000000.00"),
        "other": Decimal("200000.00"),
        "total": Decimal("1200000.00"),
    }
    names = list(project.indicators.order_by("order").values_list("name", "target", "weight"))
    assert names == [
        ("办理事项", "≥1000件", Decimal("40.00")),
        ("办结率", "≥98%", Decimal("30.00")),
        ("办事群众满意度", "≥90%", Decimal("20.00")),
    ]
    assert project.declaration.status == EvaluationStatus.DRAFT
    assert response.json()[0]["declaration_status"] == "draft"


def test_a_second_import_replaces_the_targets_and_keeps_the_rows(api_world, client):
    post(client, "/api/targets/import", import_payload(), api_world["finance_token"])
    first = list(Indicator.objects.order_by("order").values_list("pk", flat=True))
    changed = dict(PROJECT, indicators=PROJECT["indicators"][:2], name="政务服务中心运行经费")
    response = post(
        client, "/api/targets/import", import_payload(projects=[changed]),
        api_world["finance_token"],
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()
    project = Project.objects.get(code=PROJECT["code"])
    assert project.name == "政务服务中心运行经费"
    assert list(project.indicators.order_by("order").values_list("pk", flat=True)) == first[:2]


def test_approved_targets_pass_through_the_workflow_under_the_clients_name(approved_world):
    declaration = TargetDeclaration.objects.get(project=approved_world["project"])
    assert declaration.status == EvaluationStatus.APPROVED
    actors = set(declaration.steps.values_list("actor__first_name", flat=True))
    assert actors == {"接口：预算管理一体化系统"}


def test_the_history_names_the_client(approved_world):
    project = approved_world["project"]
    record = project.history.order_by("history_id").first()
    assert record.history_user == approved_world["finance"].user
    assert record.history_user.first_name == "接口：预算管理一体化系统"
    indicator = project.indicators.first()
    assert indicator.history.first().history_user == approved_world["finance"].user


def test_execution_to_date_reaches_the_monitoring_report_and_lights_it(approved_world, client):
    response = push_monitoring(client, approved_world["finance_token"], executed="300000")
    assert response.status_code == 200, response.content.decode()
    fund = MonitoringFund.objects.get(report=approved_world["report"], source="current_year")
    assert fund.executed == Decimal("300000.00")
    report = approved_world["report"]
    report.refresh_from_db()
    assert report.version == 2 and report.execution_rate is not None
    assert report.history.first().history_user == approved_world["finance"].user


def test_a_source_the_budget_does_not_show_is_refused_at_its_key(approved_world, client):
    response = push_monitoring(client, approved_world["finance_token"], source="carryover")
    assert response.status_code == 422
    assert "funds.carryover.executed" in response.json()["detail"]
    assert not MonitoringFund.objects.filter(executed__isnull=False).exists()


def test_a_negative_or_malformed_amount_is_refused_in_chinese(approved_world, client):
    response = push_monitoring(client, approved_world["finance_token"], executed="-1")
    assert response.status_code == 422
    assert "不能小于" in str(response.json()["detail"])
    response = push_monitoring(client, approved_world["finance_token"], executed="abc")
    assert response.status_code == 422
    assert "数字" in str(response.json()["detail"])


def test_full_year_execution_reaches_the_self_evaluation(approved_world, client):
    body = {
        "year": YEAR,
        "items": [
            {
                "department_code": "A", "unit_code": "A1", "project_code": PROJECT["code"],
                "funds": [
                    {"source": "current_year", "executed": "950000"},
                    {"source": "other", "executed": "200000"},
                ],
            }
        ],
    }  # fmt: skip
    response = post(client, "/api/evaluations/execution", body, approved_world["department_token"])
    assert response.status_code == 200, response.content.decode()
    evaluation = Evaluation.objects.get(project=approved_world["project"])
    lines = {
        line.source: line.executed for line in FundLine.objects.filter(project=evaluation.project)
    }
    assert lines["current_year"] == Decimal("950000.00")
    assert lines["total"] == Decimal("1150000.00")
    # Saved without an explicit author: simple_history's middleware reads the request's user,
    # which the token made the client's account.
    assert evaluation.history.first().history_user == approved_world["department"].user
    assert evaluation.execution_rate is not None


def test_an_integration_client_imports_targets_pushes_execution_and_is_refused_elsewhere(
    api_world, client
):
    """The issue's closing scenario, end to end through HTTP."""
    import datetime

    from projects.monitoring.services import monitoring_round_issue

    token = api_world["finance_token"]
    assert (
        post(client, "/api/targets/import", import_payload(approved=True), token).status_code == 200
    )
    monitoring_round_issue(
        region=api_world["p"].region, as_of=datetime.date(YEAR, 6, 30),
        deadline=datetime.date(YEAR, 7, 15), user=api_world["p"].frank,
    )  # fmt: skip
    assert push_monitoring(client, token).status_code == 200
    lights = client.get(f"/api/monitoring/reports?year={YEAR}", **bearer(token)).json()
    assert lights["count"] == 1 and lights["items"][0]["project_code"] == PROJECT["code"]
    # The same client, naming a unit of another region: 404, and nothing is written there.
    elsewhere = dict(PROJECT, department_code="X", unit_code="X0")
    response = post(client, "/api/targets/import", import_payload(projects=[elsewhere]), token)
    assert response.status_code == 404
    assert not Project.objects.filter(unit=api_world["other_unit"]).exists()


def test_a_body_that_is_not_json_or_misses_fields_is_refused_in_chinese(api_world, client):
    token = api_world["finance_token"]
    response = client.post(
        "/api/monitoring/execution", "{not json", content_type="application/json", **bearer(token)
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的 JSON。"
    response = post(client, "/api/monitoring/execution", {"items": []}, token)
    assert response.status_code == 422
    assert response.json()["detail"] == {"year": "必填。", "items": "至少需要 1 项。"}
