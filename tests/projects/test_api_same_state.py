"""The same input through the API and through the page (or the service the page calls) leaves
the same stored rows: the API has no write path of its own."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.administration.services import project_save
from projects.filing.content import DraftChanges
from projects.filing.services import evaluation_save_draft, evaluation_start
from projects.models import Evaluation, Membership, MonitoringReport, Project
from projects.monitoring.services import monitoring_round_issue
from projects.targets.services import (
    declaration_add_indicator,
    declaration_queryset,
    declaration_save_draft,
    declaration_start,
)
from tests import factories as f
from tests.projects import conftest_api
from tests.projects.conftest_api import PROJECT, YEAR, bearer, import_payload

pytestmark = pytest.mark.django_db

# The topic's fixtures (tests/projects/conftest_api.py).
api_world = conftest_api.api_world


@pytest.fixture
def twin(api_world):
    """Unit A2 beside A1, with its filer carol: the page's side of each comparison."""
    unit = f.UnitFactory(department=api_world["p"].department_a, name="相山区档案馆", code="A2")
    carol = f.UserFactory(username="carol")
    f.membership(carol, Membership.Role.FILER, unit=unit)
    return {**api_world, "twin_unit": unit, "carol": carol}


def post(client, url, body, token):
    return client.post(url, body, content_type="application/json", **bearer(token))


def project_state(project: Project) -> dict:
    """What a project holds, without ids, units or times."""
    declaration = declaration_queryset().get(project=project)
    return {
        "project": {
            k: getattr(project, k)
            for k in ("year", "kind", "code", "name", "fund_type", "money_unit", "goal_expected")
        },
        "funds": sorted(
            project.fund_lines.values_list("source", "initial", "adjusted", "executed")
        ),
        "indicators": list(
            project.indicators.order_by("order").values_list(
                "order",
                "level1",
                "level2",
                "name",
                "target",
                "weight",
                "method",
                "comparator",
                "target_value",
                "unit_of_measure",
            )
        ),  # fmt: skip
        # Warnings left out: the second of two identical declarations is told it copies the first.
        "declaration": (
            declaration.status,
            declaration.error_count,
            declaration.version,
            declaration.revisions.count(),
        ),  # fmt: skip
    }


def test_importing_targets_equals_declaring_them_on_the_page(twin, client):
    response = post(client, "/api/targets/import", import_payload(), twin["finance_token"])
    assert response.status_code == 200, response.content.decode()
    # The page's path: the bureau creates the project, the unit's filer declares its targets.
    p = twin["p"]
    project = project_save(
        region=p.region, user=p.frank, unit=twin["twin_unit"], year=YEAR, kind="project",
        code=PROJECT["code"], name=PROJECT["name"], fund_type="general", money_unit="万元",
    )  # fmt: skip
    declaration = declaration_start(project=project, user=twin["carol"])
    for row in PROJECT["indicators"]:
        declaration_add_indicator(
            declaration=declaration, user=twin["carol"], level1=row["level1"],
            level2=row["level2"], name=row["name"],
        )  # fmt: skip
    declaration = declaration_queryset().get(pk=declaration.pk)
    content = {"goal_expected": PROJECT["goal_expected"]}
    content |= {f"funds.{x['source']}.initial": x["initial"] for x in PROJECT["funds"]}
    for indicator, row in zip(
        project.indicators.order_by("order"), PROJECT["indicators"], strict=True
    ):
        content |= {f"indicators.{indicator.pk}.{k}": v for k, v in row.items()}
    declaration_save_draft(
        declaration=declaration, user=twin["carol"], version=declaration.version, content=content
    )
    through_api = Project.objects.get(unit=twin["unit"])
    through_page = Project.objects.get(unit=twin["twin_unit"])
    assert project_state(through_api) == project_state(through_page)


@pytest.fixture
def two_reports(twin, client):
    """Both units' projects imported with approved targets, and a monitoring round issued."""
    twin_project = dict(PROJECT, unit_code="A2")
    body = import_payload(approved=True, projects=[dict(PROJECT), twin_project])
    response = post(client, "/api/targets/import", body, twin["finance_token"])
    assert response.status_code == 200, response.content.decode()
    issued = monitoring_round_issue(
        region=twin["p"].region, as_of=datetime.date(YEAR, 6, 30),
        deadline=datetime.date(YEAR, 7, 15), user=twin["p"].frank,
    )  # fmt: skip
    reports = MonitoringReport.objects.filter(round=issued.round)
    return {
        **twin,
        "api_report": reports.get(project__unit=twin["unit"]),
        "page_report": reports.get(project__unit=twin["twin_unit"]),
    }


def report_state(report: MonitoringReport) -> dict:
    report = MonitoringReport.objects.get(pk=report.pk)
    return {
        "funds": sorted(report.funds.values_list("source", "executed", "forecast")),
        "figures": (
            report.version,
            report.status,
            report.execution_rate,
            report.execution_light,
            report.light,
            report.red_count,
            report.yellow_count,
            report.error_count,
            report.warning_count,
            report.revisions.count(),
        ),  # fmt: skip
    }


def test_pushing_execution_to_date_equals_typing_it_on_the_monitoring_page(two_reports, client):
    body = {
        "year": YEAR,
        "items": [
            {
                "department_code": "A", "unit_code": "A1", "project_code": PROJECT["code"],
                "funds": [{"source": "current_year", "executed": "450000", "forecast": "980000"}],
            }
        ],
    }  # fmt: skip
    response = post(client, "/api/monitoring/execution", body, two_reports["finance_token"])
    assert response.status_code == 200, response.content.decode()
    page = two_reports["page_report"]
    client.force_login(two_reports["carol"])
    response = client.post(
        reverse("monitoring:report_edit", args=[page.pk]),
        {
            "version": page.version,
            "fund-current_year-executed": "45",
            "fund-current_year-forecast": "98",
        },
    )  # fmt: skip  (the page takes 万元, as the project's money unit)
    assert response.status_code == 302
    assert report_state(two_reports["api_report"]) == report_state(page)
    assert report_state(page)["funds"][0][1] == Decimal("450000.00")


def evaluation_state(evaluation: Evaluation) -> dict:
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    return {
        "funds": sorted(
            evaluation.project.fund_lines.values_list("source", "initial", "adjusted", "executed")
        ),
        "figures": (
            evaluation.version,
            evaluation.status,
            evaluation.execution_rate,
            evaluation.computed_execution_score,
            evaluation.computed_total,
            evaluation.computed_grade,
            evaluation.error_count,
            evaluation.warning_count,
        ),  # fmt: skip
    }


def test_pushing_full_year_execution_equals_the_filers_save(two_reports, client):
    body = {
        "year": YEAR,
        "items": [
            {
                "department_code": "A", "unit_code": "A1", "project_code": PROJECT["code"],
                "funds": [
                    {"source": "current_year", "executed": "900000"},
                    {"source": "other", "executed": "150000"},
                ],
            }
        ],
    }  # fmt: skip
    response = post(client, "/api/evaluations/execution", body, two_reports["finance_token"])
    assert response.status_code == 200, response.content.decode()
    project = two_reports["page_report"].project
    evaluation = evaluation_start(project=project, user=two_reports["carol"])
    evaluation_save_draft(
        evaluation=evaluation, user=two_reports["carol"], version=evaluation.version,
        changes=DraftChanges(funds={
            "current_year": {"executed": Decimal("900000")},
            "other": {"executed": Decimal("150000")},
        }),
    )  # fmt: skip
    through_api = Evaluation.objects.get(project__unit=two_reports["unit"])
    assert evaluation_state(through_api) == evaluation_state(evaluation)
