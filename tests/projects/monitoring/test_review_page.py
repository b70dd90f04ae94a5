"""The review page of one monitoring report, and its approval and return through the workflow."""

from django.urls import reverse

from projects.models import Membership, MonitoringReport, MonitoringStep
from projects.review.services.workflow import filing_submit
from tests import factories as f
from tests.projects.monitoring import test_review_support as support

monitoring = support.monitoring


def url(name, report):
    return reverse(f"monitoring:{name}", args=[report.pk])


def test_the_page_shows_the_whole_report_read_only_with_its_lights_in_words(client, monitoring):
    client.force_login(monitoring.personas.dora)
    response = client.get(url("report_review", monitoring.report_a))
    assert response.status_code == 200
    text = response.content.decode()
    page = response.context["page"]
    fund = page.funds[0]
    assert (fund.source, fund.budget, fund.executed, fund.rate) == (
        "当年财政拨款",
        "1,000,000.00",
        "100,000.00",
        "10.00%",
    )
    assert page.execution_rate == "10.00%" and page.execution_light.word == "红灯"
    rows = {r.name: r for r in page.indicators}
    assert rows["保障会议次数"].light.word == "红灯"
    assert rows["保障会议次数"].progress == "20.00%"
    assert rows["服务对象人数"].likelihood == "有可能"
    assert rows["服务对象人数"].measures == "加快采购进度"
    assert "上半年资金拨付滞后。" in text
    assert "采购尚未完成" in text
    assert ">red<" not in text
    assert "提交" in [s.action for s in page.steps]


def test_the_department_reviewer_gets_the_decision_and_a_follow_up_form_on_each_red_light(
    client, monitoring
):
    client.force_login(monitoring.personas.dora)
    response = client.get(url("report_review", monitoring.report_a))
    page = response.context["page"]
    text = response.content.decode()
    assert page.can_department_review and not page.can_finance_review
    assert 'id="approve-form"' in text and 'id="return-form"' in text
    assert page.execution_form is not None
    with_forms = {r.name for r in page.indicators if r.form is not None}
    assert with_forms == {"保障会议次数"}
    assert text.count('class="follow-up-form') == 2


def test_an_observer_sees_everything_without_any_form(client, monitoring):
    watcher = f.UserFactory(username="watcher")
    f.membership(watcher, Membership.Role.OBSERVER, department=monitoring.personas.department_a)
    client.force_login(watcher)
    response = client.get(url("report_review", monitoring.report_a))
    assert response.status_code == 200
    text = response.content.decode()
    assert "保障会议次数" in text
    assert "approve-form" not in text and "follow-up-form" not in text
    response = client.post(url("report_department_approve", monitoring.report_a))
    assert response.status_code == 403
    assert MonitoringReport.objects.get(pk=monitoring.report_a.pk).status == "submitted"


def test_a_filer_is_refused_the_review_page_and_every_review_post(client, monitoring):
    report = monitoring.report_a
    client.force_login(monitoring.ann)
    assert client.get(url("report_review", report)).status_code == 403
    for name in (
        "report_department_approve",
        "report_department_return",
        "report_finance_approve",
        "report_finance_return",
        "follow_up_record",
    ):
        response = client.post(url(name, report), {"comment": "x", "decision": "urge"})
        assert response.status_code == 403, name
    assert MonitoringReport.objects.get(pk=report.pk).status == "submitted"
    assert not report.follow_ups.exists()


def test_a_return_without_comment_is_refused_at_the_field(client, monitoring):
    report = monitoring.report_a
    steps = MonitoringStep.objects.filter(report=report).count()
    client.force_login(monitoring.personas.dora)
    response = client.post(url("report_department_return", report), {"comment": "  "})
    assert response.status_code == 200
    assert "退回时必须填写退回意见。" in response.content.decode()
    assert 'id="return-comment-error"' in response.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).status == "submitted"
    assert MonitoringStep.objects.filter(report=report).count() == steps


def test_approving_in_the_wrong_step_is_refused_with_a_message(client, monitoring):
    client.force_login(monitoring.personas.frank)
    response = client.post(url("report_finance_approve", monitoring.report_a))
    assert response.status_code == 200
    assert "不能执行此操作" in response.content.decode()
    assert MonitoringReport.objects.get(pk=monitoring.report_a.pk).status == "submitted"


def test_return_resubmit_and_both_approvals_round_trip_through_the_pages(client, monitoring):
    report, dora, frank = monitoring.report_a, monitoring.personas.dora, monitoring.personas.frank
    indicator = monitoring.indicators["保障会议次数"]
    client.force_login(dora)
    response = client.post(
        url("report_department_return", report),
        {"comment": "请补充偏差原因", f"indicator_{indicator.pk}": "完成值偏低，请说明"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.get_status_display() == "已退回"
    step = MonitoringStep.objects.filter(report=report).latest("pk")
    assert (step.action, step.comment, step.actor) == (
        "department_return",
        "请补充偏差原因",
        dora,
    )
    assert step.indicator_comments == {str(indicator.pk): "完成值偏低，请说明"}
    page = client.get(url("report_review", report)).content.decode()
    assert "主管部门退回" in page and "保障会议次数：完成值偏低，请说明" in page

    filing_submit(filing=report, user=monitoring.ann)
    response = client.post(url("report_department_approve", report), {"comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.get_status_display() == "待财政审核"

    client.force_login(frank)
    response = client.post(url("report_finance_approve", report), {"comment": "同意"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.get_status_display() == "审核通过"
    actions = list(
        MonitoringStep.objects.filter(report=report).order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "submit",
        "department_return",
        "submit",
        "department_approve",
        "finance_approve",
    ]


def test_the_finance_bureau_returns_a_report_waiting_for_it(client, monitoring):
    report = monitoring.report_b
    client.force_login(monitoring.personas.frank)
    response = client.post(url("report_finance_return", report), {"comment": "执行进度偏慢"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned"
    assert MonitoringStep.objects.filter(report=report, action="finance_return").exists()


def test_the_review_page_reads_a_fixed_number_of_queries_whatever_its_history(
    client, monitoring, django_assert_max_num_queries
):
    from projects.monitoring.services import monitoring_follow_up_record

    report, dora = monitoring.report_a, monitoring.personas.dora
    client.force_login(dora)
    with django_assert_max_num_queries(11):
        assert client.get(url("report_review", report)).status_code == 200
    red = monitoring.indicators["保障会议次数"]
    for decision in ("urge", "adjust_target", "suspend"):
        monitoring_follow_up_record(report=report, user=dora, decision=decision)
        monitoring_follow_up_record(report=report, user=dora, decision=decision, indicator=red)
    with django_assert_max_num_queries(11):
        response = client.get(url("report_review", report))
    assert response.content.decode().count('class="follow-up"') == 6
