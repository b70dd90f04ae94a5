"""Fixtures of the monitoring review tests: a round as of 2024-06-30 with a report of department
A (an ordinary unit, so both review steps apply) and one of department B, their values filed."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from projects.models import FundSource, Membership, MonitoringReport
from projects.monitoring.services import monitoring_round_issue, monitoring_save_draft
from projects.review.services.workflow import filing_submit
from tests import factories as f

AS_OF = datetime.date(2024, 6, 30)


@dataclass
class Monitoring:
    personas: object
    round: object
    report_a: MonitoringReport  # 预算执行 red, 产出 red, 效益 yellow, 满意度 green
    report_b: MonitoringReport  # department B: execution red only
    ann: object  # filer of the ordinary unit of department A
    indicators: dict  # name -> Indicator of project A


def make_project(unit, name, indicators):
    """A 2024 project with a budget of 1,000,000 元 and the given (level1, name, target)."""
    project = f.ProjectFactory(unit=unit, year=2024, name=name)
    f.FundLineFactory(
        project=project,
        source=FundSource.TOTAL,
        initial=Decimal("1000000"),
        adjusted=Decimal("1000000"),
        executed=None,
    )
    made = {}
    for order, (level1, title, target) in enumerate(indicators, start=1):
        made[title] = f.IndicatorFactory(
            project=project, order=order, level1=level1, name=title, target=target
        )
    return project, made


def fill(report, user, *, executed="100000", values=None):
    """Save the filer's figures: executed 元 to date and each indicator's value with its reason."""
    report = MonitoringReport.objects.get(pk=report.pk)
    content = {"funds.current_year.executed": executed, "explanation": "上半年资金拨付滞后。"}
    for indicator_id, value in (values or {}).items():
        content[f"entries.{indicator_id}.value"] = value
        content[f"entries.{indicator_id}.likelihood"] = "possible"
        content[f"entries.{indicator_id}.reason"] = "采购尚未完成"
        content[f"entries.{indicator_id}.measures"] = "加快采购进度"
    return monitoring_save_draft(report=report, user=user, version=None, content=content)


def submit(report, user):
    return filing_submit(filing=MonitoringReport.objects.get(pk=report.pk), user=user)


@pytest.fixture
def monitoring(personas):
    """A round with report A (submitted, waiting for department A) and report B (waiting for
    the finance bureau: department B's unit is the department itself)."""
    p = personas
    unit_a1 = f.UnitFactory(department=p.department_a, name="相山区机关事务中心", code="A1")
    ann = f.UserFactory(username="ann")
    f.membership(ann, Membership.Role.FILER, unit=unit_a1)
    project_a, indicators = make_project(
        unit_a1,
        "机关运行保障项目",
        [
            ("产出指标", "保障会议次数", "≥100次"),
            ("效益指标", "服务对象人数", "≥100人"),
            ("满意度指标", "服务对象满意度", "≥90%"),
        ],
    )
    make_project(p.unit_b, "开发区招商项目", [("产出指标", "招商活动次数", "≥10次")])
    issued = monitoring_round_issue(
        region=p.region, as_of=AS_OF, deadline=datetime.date(2024, 7, 15), user=p.frank
    )
    report_a = MonitoringReport.objects.get(round=issued.round, project=project_a)
    report_b = MonitoringReport.objects.get(round=issued.round, project__unit=p.unit_b)
    fill(
        report_a,
        ann,
        values={
            indicators["保障会议次数"].pk: "10次",
            indicators["服务对象人数"].pk: "35人",
            indicators["服务对象满意度"].pk: "95%",
        },
    )
    b_indicator = report_b.project.indicators.get()
    fill(report_b, p.bob, values={b_indicator.pk: "5次"})
    submit(report_a, ann)
    submit(report_b, p.bob)
    return Monitoring(
        p,
        issued.round,
        MonitoringReport.objects.get(pk=report_a.pk),
        MonitoringReport.objects.get(pk=report_b.pk),
        ann,
        indicators,
    )


def test_the_fixture_lights_execution_and_indicators_as_the_tests_expect(monitoring):
    report = monitoring.report_a
    assert report.status == "submitted"
    assert report.execution_light == "red"
    lights = {e.indicator.name: e.light for e in report.entries.select_related("indicator")}
    assert lights == {"保障会议次数": "red", "服务对象人数": "yellow", "服务对象满意度": "green"}
    assert monitoring.report_b.status == "department_approved"
    assert monitoring.report_b.execution_light == "red"
