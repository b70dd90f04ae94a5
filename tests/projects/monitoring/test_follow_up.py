"""The follow-up decision on a red light, recorded from the review page by either reviewer."""

from django.urls import reverse

from projects.models import MonitoringFollowUp, MonitoringReport
from tests.projects.monitoring import test_review_support as support
from tests.projects.monitoring.test_review_support import fill, make_project

monitoring = support.monitoring


def post(client, user, report, **data):
    client.force_login(user)
    return client.post(reverse("monitoring:follow_up_record", args=[report.pk]), data)


def test_the_department_reviewer_decides_on_the_red_execution_light(client, monitoring):
    report, dora = monitoring.report_a, monitoring.personas.dora
    response = post(client, dora, report, decision="urge", comment="请加快支出进度")
    assert response.status_code == 302
    follow_up = MonitoringFollowUp.objects.get(report=report)
    assert (follow_up.indicator, follow_up.decision, follow_up.decided_by) == (None, "urge", dora)
    page = client.get(reverse("monitoring:report_review", args=[report.pk]))
    decisions = page.context["page"].execution_follow_ups
    assert [(d.label, d.by, d.comment) for d in decisions] == [
        ("督促整改", "dora", "请加快支出进度")
    ]
    assert "督促整改" in page.content.decode()


def test_the_finance_bureau_decides_on_a_red_indicator(client, monitoring):
    report, frank = monitoring.report_a, monitoring.personas.frank
    red = monitoring.indicators["保障会议次数"]
    response = post(client, frank, report, decision="adjust_target", indicator=red.pk)
    assert response.status_code == 302
    follow_up = MonitoringFollowUp.objects.get(report=report)
    assert (follow_up.indicator, follow_up.get_decision_display()) == (red, "调整绩效目标")
    page = client.get(reverse("monitoring:report_review", args=[report.pk])).context["page"]
    row = next(r for r in page.indicators if r.name == "保障会议次数")
    assert [d.label for d in row.follow_ups] == ["调整绩效目标"]
    assert row.follow_ups[0].by == "frank" and row.follow_ups[0].at is not None


def test_a_decision_on_a_yellow_or_green_light_is_refused_with_a_message(client, monitoring):
    report, dora = monitoring.report_a, monitoring.personas.dora
    for name in ("服务对象人数", "服务对象满意度"):
        indicator = monitoring.indicators[name]
        response = post(client, dora, report, decision="suspend", indicator=indicator.pk)
        assert response.status_code == 200
        assert "只能对亮红灯的指标作出处理决定。" in response.content.decode()
    assert not MonitoringFollowUp.objects.exists()


def test_a_decision_on_a_green_execution_light_is_refused(client, monitoring):
    report = monitoring.report_a
    from projects.review.services.workflow import filing_department_return

    filing_department_return(filing=report, user=monitoring.personas.dora, comment="请修改")
    fill(report, monitoring.ann, executed="900000")
    assert MonitoringReport.objects.get(pk=report.pk).execution_light == "green"
    response = post(client, monitoring.personas.dora, report, decision="urge")
    assert response.status_code == 200
    assert "预算执行进度未亮红灯" in response.content.decode()
    assert not MonitoringFollowUp.objects.exists()


def test_a_decision_on_a_draft_report_is_refused(client, monitoring):
    p = monitoring.personas
    make_project(p.unit_b, "尚未提交项目", [("产出指标", "培训人次", "≥100人次")])
    from projects.monitoring.services import monitoring_round_issue

    monitoring_round_issue(
        region=p.region,
        as_of=monitoring.round.as_of,
        deadline=monitoring.round.deadline,
        user=p.frank,
    )
    draft = MonitoringReport.objects.get(project__name="尚未提交项目")
    fill(draft, p.bob)
    assert MonitoringReport.objects.get(pk=draft.pk).execution_light == "red"
    response = post(client, p.frank, draft, decision="reduce")
    assert response.status_code == 200
    assert "监控表尚未提交，不能作出处理决定。" in response.content.decode()
    assert not MonitoringFollowUp.objects.exists()


def test_a_decision_must_be_chosen_and_is_shown_at_the_field(client, monitoring):
    response = post(client, monitoring.personas.dora, monitoring.report_a, decision="", comment="x")
    assert response.status_code == 200
    form = response.context["page"].execution_form
    assert form.errors["decision"] == ["请选择处理决定。"]
    assert "请选择处理决定。" in response.content.decode()
    response = post(client, monitoring.personas.dora, monitoring.report_a, decision="destroy")
    assert "请选择处理决定。" in response.content.decode()
    assert not MonitoringFollowUp.objects.exists()


def test_an_indicator_of_another_report_is_refused(client, monitoring):
    other = monitoring.report_b.project.indicators.get()
    response = post(
        client, monitoring.personas.frank, monitoring.report_a, decision="urge", indicator=other.pk
    )
    assert response.status_code == 200
    assert "该指标不属于本监控表。" in response.content.decode()
    response = post(
        client, monitoring.personas.frank, monitoring.report_a, decision="urge", indicator="abc"
    )
    assert response.status_code == 200
    assert "请选择亮红灯的指标。" in response.content.decode()
    assert not MonitoringFollowUp.objects.exists()
