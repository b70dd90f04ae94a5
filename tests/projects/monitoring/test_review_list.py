"""The monitoring lights list: every red and yellow light of a scope in one list, with filters."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Membership, MonitoringReport
from projects.monitoring.services import monitoring_follow_up_record, monitoring_round_issue
from tests import factories as f
from tests.projects.monitoring import test_review_support as support
from tests.projects.monitoring.test_review_support import fill, make_project

monitoring = support.monitoring

URL = reverse("monitoring:report_list")


def rows(client, user, **params):
    """(project, item, light word) of each row the user sees."""
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return [(r.project, r.item, r.light.word) for r in response.context["rows"]]


def test_a_department_reviewer_sees_the_red_and_yellow_lights_of_the_department_only(
    client, monitoring
):
    seen = rows(client, monitoring.personas.dora)
    assert seen == [
        ("机关运行保障项目", "预算执行进度", "红灯"),
        ("机关运行保障项目", "保障会议次数", "红灯"),
        ("机关运行保障项目", "服务对象人数", "黄灯"),
    ]


def test_the_finance_bureau_sees_every_department_of_the_region(client, monitoring):
    projects = {project for project, _, _ in rows(client, monitoring.personas.frank)}
    assert projects == {"机关运行保障项目", "开发区招商项目"}


def test_a_row_shows_the_figures_and_the_light_as_a_word_never_a_code(client, monitoring):
    client.force_login(monitoring.personas.dora)
    response = client.get(URL)
    text = response.content.decode()
    row = response.context["rows"][1]
    assert (row.department, row.unit, row.level1) == (
        "相山区人民政府办公室",
        "相山区机关事务中心",
        "产出指标",
    )
    assert (row.target, row.value, row.progress) == ("≥100次", "10次", "20.00%")
    assert (row.likelihood, row.reason, row.status) == ("有可能", "采购尚未完成", "待主管部门审核")
    assert row.round == "2024年1-6月绩效运行监控"
    assert 'text-bg-danger light-badge">红灯' in text
    assert ">red<" not in text and ">yellow<" not in text


def test_filters_by_light_kind_department_and_status(client, monitoring):
    frank = monitoring.personas.frank
    assert all(light == "红灯" for _, _, light in rows(client, frank, light="red"))
    assert rows(client, frank, kind="效益") == [("机关运行保障项目", "服务对象人数", "黄灯")]
    assert {item for _, item, _ in rows(client, frank, kind="execution")} == {"预算执行进度"}
    department_b = monitoring.personas.department_b.pk
    assert rows(client, frank, department=department_b) == [
        ("开发区招商项目", "预算执行进度", "红灯")
    ]
    assert rows(client, frank, status="department_approved") == [
        ("开发区招商项目", "预算执行进度", "红灯")
    ]


def test_red_without_decision_drops_a_light_once_decided_and_the_decision_shows(client, monitoring):
    frank = monitoring.personas.frank
    monitoring_follow_up_record(
        report=monitoring.report_a, user=frank, decision="urge", comment="请加快支出"
    )
    undecided = rows(client, frank, undecided="on")
    assert ("机关运行保障项目", "预算执行进度", "红灯") not in undecided
    assert ("机关运行保障项目", "保障会议次数", "红灯") in undecided
    assert all(light == "红灯" for _, _, light in undecided)
    client.force_login(frank)
    listed = client.get(URL).context["rows"]
    decided = next(
        r for r in listed if r.report_pk == monitoring.report_a.pk and r.item == "预算执行进度"
    )
    assert decided.decision.label == "督促整改" and decided.decision.by == "frank"


def test_the_latest_round_is_shown_unless_another_is_chosen(client, monitoring):
    earlier = monitoring_round_issue(
        region=monitoring.personas.region,
        as_of=datetime.date(2024, 3, 31),
        deadline=datetime.date(2024, 4, 15),
        user=monitoring.personas.frank,
    ).round
    frank = monitoring.personas.frank
    assert len(rows(client, frank)) == 4
    assert rows(client, frank, round=earlier.pk) == []
    client.force_login(frank)
    assert client.get(URL).context["filter"].form["round"].value() == str(monitoring.round.pk)


def test_an_observer_reads_the_list_and_a_filer_is_refused(client, monitoring):
    watcher = f.UserFactory(username="watcher")
    f.membership(watcher, Membership.Role.OBSERVER, region=monitoring.personas.region)
    assert len(rows(client, watcher)) == 4
    assert "read-only-note" in client.get(URL).content.decode()
    client.force_login(monitoring.ann)
    assert client.get(URL).status_code == 403


def test_a_bad_filter_value_is_not_a_server_error(client, monitoring):
    client.force_login(monitoring.personas.frank)
    response = client.get(URL, {"round": "x", "light": "purple", "page": "zz"})
    assert response.status_code == 200
    assert response.context["rows"] == []


def _add_red_reports(monitoring, count):
    for n in range(count):
        make_project(
            monitoring.personas.unit_b, f"追加项目{n}", [("产出指标", f"追加指标{n}", "≥100次")]
        )
    monitoring_round_issue(
        region=monitoring.personas.region,
        as_of=monitoring.round.as_of,
        deadline=monitoring.round.deadline,
        user=monitoring.personas.frank,
    )
    for report in MonitoringReport.objects.filter(project__name__startswith="追加项目"):
        indicator = report.project.indicators.get()
        fill(report, monitoring.personas.bob, values={indicator.pk: "1次"})


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_number_of_rows(client, monitoring):
    frank = monitoring.personas.frank
    client.force_login(frank)
    with CaptureQueriesContext(connection) as one:
        response = client.get(URL, {"kind": "效益"})
    assert len(response.context["rows"]) == 1
    _add_red_reports(monitoring, 6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["rows"]) == 4 + 12
    assert len(many) == len(one)
    assert len(many) <= 13, [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("page", ["1", "2"])
def test_the_list_is_paginated(client, monitoring, page, settings):
    from projects.monitoring import review_views

    _add_red_reports(monitoring, 12)
    client.force_login(monitoring.personas.frank)
    response = client.get(URL, {"page": page})
    expected = review_views.PER_PAGE if page == "1" else 4 + 24 - review_views.PER_PAGE
    assert len(response.context["rows"]) == expected
    assert "共 28 条" in response.content.decode()


def test_the_round_is_chosen_by_its_title(client, monitoring):
    client.force_login(monitoring.personas.dora)
    text = client.get(URL).content.decode()
    assert "淮北市相山区 2024年1-6月绩效运行监控</option>" in text
