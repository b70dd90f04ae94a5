"""The monitoring overview: per department, coverage, lights, execution against time, the lowest."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Membership, MonitoringReport
from projects.monitoring.services import monitoring_follow_up_record, monitoring_round_issue
from projects.review.services.workflow import filing_submit
from tests import factories as f
from tests.reports.test_monitoring_tables import build_subject, fill, issue

URL = reverse("monitoring:overview")


@pytest.fixture
def two_departments(personas):
    """Department A: two subjects, one filed (30% executed, a red row) and submitted, one blank.
    Department B: one subject filed on schedule (60% executed), left in draft."""
    build_subject(personas.unit_a, "干部教育培训项目", code="A1")
    build_subject(personas.unit_a, "政务信息化运维", code="A2")
    build_subject(personas.unit_b, "园区招商推介", code="B1")
    round_ = issue(personas)
    a1 = fill(MonitoringReport.objects.get(project__code="A1"), personas.alice)
    filing_submit(filing=a1, user=personas.alice)
    fill(
        MonitoringReport.objects.get(project__code="B1"),
        personas.bob,
        executed=("600000", "120000"),
        trained="120人次",
    )
    return round_


def _overview(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def _row(response, name):
    return next(row for row in response.context["o"].rows if row.name == name)


def test_the_finance_bureau_sees_each_department_counted_by_light_and_coverage(
    client, personas, two_departments
):
    response = _overview(client, personas.frank)
    rows = response.context["o"].rows
    assert [r.name for r in rows] == ["相山区人民政府办公室", "相山经济开发区管理委员会"]
    for row, department in zip(rows, (personas.department_a, personas.department_b), strict=True):
        reports = MonitoringReport.objects.filter(project__unit__department=department)
        lights = Counter(reports.values_list("light", flat=True))
        assert row.light_counts() == [lights[k] for k in ("red", "yellow", "green", "blue", "")]
        assert row.subjects == reports.count()
    a, b = rows
    assert (a.subjects, a.submitted, a.coverage) == (2, 1, Decimal("50.00"))
    assert (b.subjects, b.submitted, b.coverage) == (1, 0, Decimal("0.00"))
    assert a.light_counts()[0] == 1  # A1's 培训人次 is red
    # A: 36 of 240 万元 executed; B: 72 of 120 万元
    assert a.execution_rate == Decimal("15.00") and b.execution_rate == Decimal("60.00")
    o = response.context["o"]
    assert o.time_progress == Decimal("50.00")
    assert o.progress_of(b) == Decimal("120.00")
    totals = o.totals
    assert (totals.subjects, totals.submitted, totals.coverage) == (3, 1, Decimal("33.33"))
    assert totals.execution_rate == Decimal("30.00")
    html = response.content.decode()
    assert "50.00%" in html and "合计" in html and "33.33%" in html
    # The chart is drawn on the server: one bar per department, A's behind the time progress.
    assert html.count('class="execution-row"') == 2 and "#dc3545" in html


def test_the_lowest_and_the_red_lights_without_a_decision_are_listed_until_decided(
    client, personas, two_departments
):
    response = _overview(client, personas.frank)
    o = response.context["o"]
    assert o.lowest[0].project == "干部教育培训项目"
    red = [(what, r.project.code, i.name if i else None) for what, r, i in o.undecided]
    assert ("indicator", "A1", "培训人次") in red
    assert "培训人次" in response.content.decode()
    a1 = MonitoringReport.objects.get(project__code="A1")
    indicator = a1.project.indicators.get(name="培训人次")
    monitoring_follow_up_record(
        report=a1, user=personas.frank, decision="urge", indicator=indicator
    )
    o = _overview(client, personas.frank).context["o"]
    assert ("A1", "培训人次") not in [
        (r.project.code, i.name if i else None) for _w, r, i in o.undecided
    ]


def test_a_department_reviewer_sees_only_their_own_department(client, personas, two_departments):
    response = _overview(client, personas.dora)
    o = response.context["o"]
    assert [r.name for r in o.rows] == ["相山区人民政府办公室"]
    assert o.totals.subjects == 2
    assert "园区招商推介" not in response.content.decode()


def test_a_region_observer_sees_the_whole_region(client, personas, two_departments):
    observer = f.UserFactory(username="audit")
    f.membership(observer, Membership.Role.OBSERVER, region=personas.region)
    assert len(_overview(client, observer).context["o"].rows) == 2


def test_a_filer_is_refused_and_another_region_sees_no_round_of_this_one(
    client, personas, two_departments
):
    client.force_login(personas.bob)
    assert client.get(URL).status_code == 403
    response = _overview(client, personas.other_region_finance)
    assert response.context["o"].round is None
    client.force_login(personas.other_region_finance)
    assert client.get(URL, {"round": two_departments.pk}).status_code == 404
    assert client.get(URL, {"round": "x"}).status_code == 404


def test_the_overview_takes_the_same_queries_however_many_departments(
    client, personas, two_departments, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.frank)
    client.get(URL)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for n in range(3):
        department = f.DepartmentFactory(region=personas.region, name=f"新部门{n}", code=f"N{n}")
        unit = f.UnitFactory(department=department, code=f"N{n}0")
        build_subject(unit, f"新项目{n}", code=f"N{n}P")
    monitoring_round_issue(
        region=personas.region,
        as_of=datetime.date(2024, 6, 30),
        deadline=datetime.date(2024, 7, 20),
        user=personas.frank,
    )
    with django_assert_num_queries(len(before)):
        response = client.get(URL)
    assert len(response.context["o"].rows) == 5
    assert len(before) <= 12
