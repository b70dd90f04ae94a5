"""The monitoring tests' shared world: a subordinate unit with a 2024 project in an issued round."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from projects.models import Membership, MonitoringReport
from projects.monitoring.services import monitoring_round_issue, monitoring_save_draft
from tests import factories as f

AS_OF = datetime.date(2024, 6, 30)


@pytest.fixture
def world(personas):
    """A subordinate unit of department A with a filer, a 2024 project, and an issued round."""
    unit = f.UnitFactory(department=personas.department_a, name="相山区政务服务中心", code="A1")
    filer = f.UserFactory(username="carol")
    f.membership(filer, Membership.Role.FILER, unit=unit)
    project = f.ProjectFactory(unit=unit, year=2024, name="政务服务运行经费")
    f.FundLineFactory(
        project=project, source="total", initial=Decimal("1000000"), adjusted=Decimal("1000000")
    )
    count = f.IndicatorFactory(project=project, order=1, name="办理事项", target="≥1000件")
    rate = f.IndicatorFactory(
        project=project, order=2, level2="质量指标", name="办结率", target="≥98%"
    )
    other = f.ProjectFactory(unit=personas.unit_b, year=2024, name="开发区运行经费")
    f.FundLineFactory(project=other, source="total", adjusted=Decimal("500000"))
    f.IndicatorFactory(project=other, order=1)
    issued = monitoring_round_issue(
        region=personas.region, as_of=AS_OF, deadline=datetime.date(2024, 7, 15),
        user=personas.frank,
    )  # fmt: skip
    report = MonitoringReport.objects.get(round=issued.round, project=project)
    return {
        "p": personas, "filer": filer, "report": report, "count": count, "rate": rate,
        "round": issued.round, "other": MonitoringReport.objects.get(project=other),
    }  # fmt: skip


def fill(world, *, executed="100000", value="200件", likelihood="possible", reason="", measures=""):
    report = MonitoringReport.objects.get(pk=world["report"].pk)  # the filer's page, reloaded
    c, r = world["count"].pk, world["rate"].pk
    return monitoring_save_draft(
        report=report,
        user=world["filer"],
        version=report.version,
        content={
            "funds.current_year.executed": executed,
            f"entries.{c}.value": value,
            f"entries.{c}.likelihood": likelihood,
            f"entries.{c}.reason": reason,
            f"entries.{c}.measures": measures,
            f"entries.{r}.value": "99%",
            f"entries.{r}.likelihood": "certain",
        },
    )
