"""The API tests' world: the personas' region with one client per role, and another region's.

Imported by the tests/projects/test_api_*.py modules (not a conftest.py of the folder, which
others own).
"""

from __future__ import annotations

import datetime

import pytest

from projects.interchange.api.clients import api_client_create
from projects.models import ApiClient
from tests import factories as f

YEAR = 2026

PROJECT = {
    "department_code": "A",
    "unit_code": "A1",
    "code": "ZW-2026-01",
    "name": "政务服务运行经费",
    "money_unit": "万元",
    "goal_expected": "保障政务服务中心正常运行，办件量不少于1000件。",
    "funds": [
        {"source": "current_year", "initial": "1000000.00"},
        {"source": "other", "initial": "200000"},
    ],
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "办理事项", "target": "≥1000件",
         "weight": "40", "method": "业务系统统计"},
        {"level1": "产出指标", "level2": "质量指标", "name": "办结率", "target": "≥98%",
         "weight": "30", "method": "业务系统统计"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "办事群众满意度",
         "target": "≥90%", "weight": "20", "method": "问卷调查"},
    ],
}  # fmt: skip


def bearer(token: str) -> dict:
    """The header a client sends."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def api_world(personas):
    """A subordinate unit A1 of department A, and a client of each role with its token."""
    unit = f.UnitFactory(department=personas.department_a, name="相山区政务服务中心", code="A1")
    other_region = personas.other_region_finance.memberships.get().region
    other_department = f.DepartmentFactory(region=other_region, code="X")
    other_unit = f.UnitFactory(department=other_department, code="X0", is_department=True)

    def make(name, role, region=personas.region, user=personas.frank, department=None):
        return api_client_create(
            region=region, name=name, role=role, user=user, department=department
        )

    finance, finance_token = make("预算管理一体化系统", ApiClient.Role.FINANCE)
    department, department_token = make(
        "办公室业务系统", ApiClient.Role.DEPARTMENT, department=personas.department_a
    )
    observer, observer_token = make("人大预算联网监督", ApiClient.Role.OBSERVER)
    stranger, stranger_token = make(
        "高新区一体化系统", ApiClient.Role.FINANCE, region=other_region,
        user=personas.other_region_finance,
    )  # fmt: skip
    return {
        "p": personas, "unit": unit, "other_unit": other_unit,
        "finance": finance, "finance_token": finance_token,
        "department": department, "department_token": department_token,
        "observer": observer, "observer_token": observer_token,
        "stranger": stranger, "stranger_token": stranger_token,
    }  # fmt: skip


def import_payload(**changes) -> dict:
    """The import body for unit A1's project, with top-level changes."""
    return {"year": YEAR, "projects": [dict(PROJECT)], **changes}


@pytest.fixture
def approved_world(api_world, client):
    """The finance client has imported the project with approved targets, and a round is out."""
    from projects.models import MonitoringReport, Project
    from projects.monitoring.services import monitoring_round_issue

    response = client.post(
        "/api/targets/import",
        import_payload(approved=True),
        content_type="application/json",
        **bearer(api_world["finance_token"]),
    )
    assert response.status_code == 200, response.content.decode()
    project = Project.objects.get(code=PROJECT["code"])
    issued = monitoring_round_issue(
        region=api_world["p"].region, as_of=datetime.date(YEAR, 6, 30),
        deadline=datetime.date(YEAR, 7, 15), user=api_world["p"].frank,
    )  # fmt: skip
    report = MonitoringReport.objects.get(round=issued.round, project=project)
    return {**api_world, "project": project, "report": report, "round": issued.round}
