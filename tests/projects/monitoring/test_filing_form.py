"""The filer's 绩效监控表: drafts, live lights, merges of a second tab, submit, scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import (
    EvaluationStatus,
    Membership,
    MonitoringFund,
    MonitoringReport,
    MonitoringStep,
)
from projects.monitoring.services import monitoring_round_issue, report_queryset
from projects.review.services.workflow import filing_department_return
from tests import factories as f

pytestmark = pytest.mark.django_db


def make_report(personas, *, department_unit=False):
    """A report of a plain unit of department A (filed by alice) with a count and a qualitative row."""
    unit = personas.unit_a
    if not department_unit:
        unit = f.UnitFactory(department=personas.department_a, is_department=False)
        f.membership(personas.alice, Membership.Role.FILER, unit=unit)
    project = f.ProjectFactory(unit=unit, year=2024, money_unit="万元")
    f.FundLineFactory(
        project=project,
        source="current_year",
        initial=Decimal("1000000"),
        adjusted=Decimal("1000000"),
        executed=None,
    )
    f.IndicatorFactory(project=project, order=1, name="培训人次", target="≥100人次")
    f.IndicatorFactory(project=project, order=2, name="制度健全性", target="健全")
    monitoring_round_issue(
        region=personas.region,
        as_of=datetime.date(2024, 6, 30),
        deadline=datetime.date(2024, 7, 20),
        user=personas.frank,
    )
    return report_queryset().get(project=project)


def form_data(report, **fields):
    """The page's fields as the browser posts them, with `fields` laid over."""
    count, quality = report.project.indicators.all()
    data = {
        "version": report.version,
        "fund-current_year-executed": "50",
        "fund-current_year-forecast": "100",
        f"ind-{count.pk}-value": "60",
        f"ind-{count.pk}-forecast": "120",
        f"ind-{count.pk}-likelihood": "certain",
        f"ind-{quality.pk}-achievement": "met",
        f"ind-{quality.pk}-likelihood": "certain",
        "explanation": "按计划推进。",
    }
    data.update(fields)
    return data


def url(name, report):
    return reverse(f"monitoring:{name}", args=[report.pk])


def fresh(report):
    return MonitoringReport.objects.get(pk=report.pk)


def test_the_form_shows_the_round_budget_and_lights_in_words(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    page = client.get(url("report_edit", report))
    text = page.content.decode()
    assert page.status_code == 200
    assert "2024年1-6月绩效运行监控" in text
    assert "2024年6月30日" in text
    assert "全年预算数" in text and "100.00" in text  # 1,000,000 元 in 万元
    assert "时间进度" in text
    assert "达成" in text and "部分达成" in text
    table = text.split('id="indicator-table"')[1].split("</table>")[0]
    assert 'rows="2"' in table and "EntryRow" not in table
    assert "未亮灯" in table or "绿灯" in table or "红灯" in table
    for code in ("red", "yellow", "green", "blue"):
        assert f">{code}<" not in table


def test_saving_a_draft_stores_amounts_in_yuan(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    response = client.post(url("report_edit", report), form_data(report))
    assert response.status_code == 302
    saved = fresh(report)
    assert saved.version == report.version + 1
    fund = MonitoringFund.objects.get(report=report, source="current_year")
    assert fund.executed == Decimal("500000")
    assert fund.forecast == Decimal("1000000")
    assert saved.explanation == "按计划推进。"
    assert saved.execution_rate == Decimal("50.00")


def test_the_live_preview_shows_a_red_light_for_a_low_value_and_writes_nothing(client, personas):
    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    response = client.post(
        url("report_preview", report),
        form_data(report, **{f"ind-{count.pk}-value": "5"}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    light = text.split(f'id="light-{count.pk}"')[0].rsplit("<span", 1)[1]
    assert "text-bg-danger" in light
    assert "红灯" in text.split(f'id="light-{count.pk}"')[1][:40]
    assert fresh(report).version == report.version
    assert MonitoringFund.objects.get(report=report).executed is None


def test_a_bad_amount_is_shown_at_its_field_and_nothing_is_saved(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    response = client.post(
        url("report_edit", report), form_data(report, **{"fund-current_year-executed": "五十"})
    )
    assert response.status_code == 200
    text = response.content.decode()
    slot = text.split('id="err-id_fund-current_year-executed">')[1].split("</div>")[0]
    assert "请输入数字" in slot
    assert 'value="五十"' in text
    saved = fresh(report)
    assert saved.version == report.version
    assert saved.explanation == ""


def test_a_stale_second_tab_merges_other_fields_and_asks_about_the_same_field(client, personas):
    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    first_tab = form_data(report, **{f"ind-{count.pk}-forecast": ""})
    second_tab = form_data(report, **{f"ind-{count.pk}-forecast": "150", "explanation": "另一页"})
    assert client.post(url("report_edit", report), first_tab).status_code == 302
    # The second tab changed only the forecast of the count row: merged without a question.
    only_forecast = form_data(
        report,
        **{
            "fund-current_year-executed": "",
            "fund-current_year-forecast": "",
            f"ind-{count.pk}-value": "",
            f"ind-{count.pk}-forecast": "150",
            f"ind-{count.pk}-likelihood": "",
            f"ind-{report.project.indicators.all()[1].pk}-achievement": "",
            f"ind-{report.project.indicators.all()[1].pk}-likelihood": "",
            "explanation": "",
        },
    )
    merged = client.post(url("report_edit", report), only_forecast)
    assert merged.status_code == 302
    saved = report_queryset().get(pk=report.pk)
    entry = saved.entries.get(indicator=count)
    assert entry.forecast == "150"
    assert entry.value == "60"
    assert saved.explanation == "按计划推进。"
    # A tab that changed the explanation the first tab also changed: a conflict, nothing written.
    conflict = client.post(url("report_edit", report), second_tab)
    assert conflict.status_code == 409
    text = conflict.content.decode()
    assert "执行情况说明" in text and "另一页" in text and "按计划推进。" in text
    assert fresh(report).explanation == "按计划推进。"
    # Choosing mine for the conflicting field saves it.
    resolved = dict(second_tab)
    resolved["resolve:explanation"] = "mine"
    assert client.post(url("report_edit", report), resolved).status_code == 302
    assert fresh(report).explanation == "另一页"


def test_submit_is_blocked_by_a_possible_row_without_reason(client, personas):
    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    response = client.post(
        url("report_submit", report),
        form_data(report, **{f"ind-{count.pk}-likelihood": "possible"}),
    )
    assert response.status_code == 422
    text = response.content.decode()
    blocked = text.split('id="submit-blocked"')[1].split("</div>")[0]
    assert "须说明原因" in blocked
    assert f'href="#id_ind-{count.pk}-reason"' in blocked
    assert fresh(report).status == EvaluationStatus.DRAFT


def test_submit_moves_the_report_to_the_department_review(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    response = client.post(url("report_submit", report), form_data(report))
    assert response.status_code == 302
    saved = fresh(report)
    assert saved.status == EvaluationStatus.SUBMITTED
    assert saved.get_status_display() == "待主管部门审核"
    page = client.get(url("report_edit", report))
    assert 'id="read-only-note"' in page.content.decode()
    assert client.post(url("report_edit", report), form_data(saved)).status_code == 403


def test_after_a_return_the_comments_stand_beside_the_rows(client, personas):
    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    client.post(url("report_submit", report), form_data(report))
    filing_department_return(
        filing=fresh(report),
        user=personas.dora,
        comment="请补充说明。",
        indicator_comments={count.pk: "完成值偏低，请核实。"},
    )
    assert MonitoringStep.objects.filter(report=report).count() == 2
    text = client.get(url("report_edit", report)).content.decode()
    assert "请补充说明。" in text
    row = text.split(f'id="row-{count.pk}"')[1].split("</tr>")[0]
    assert "完成值偏低，请核实。" in row


def test_a_filer_of_another_unit_gets_404_and_nothing_changes(client, personas):
    report = make_report(personas)
    client.force_login(personas.bob)
    assert client.get(url("report_edit", report)).status_code == 404
    assert client.post(url("report_edit", report), form_data(report)).status_code == 404
    assert client.post(url("report_submit", report), form_data(report)).status_code == 404
    assert client.get(url("report_download", report)).status_code == 404
    assert fresh(report).version == report.version


def test_the_department_reviewer_reads_but_cannot_save(client, personas):
    report = make_report(personas)
    client.force_login(personas.dora)
    page = client.get(url("report_edit", report))
    assert page.status_code == 200
    assert 'id="read-only-note"' in page.content.decode()
    assert 'method="post"' not in page.content.decode().split('id="filing-form"')[1][:80]
    assert client.post(url("report_edit", report), form_data(report)).status_code == 403
    assert fresh(report).version == report.version


def test_the_form_page_costs_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    report = make_report(personas)
    for n in range(10):
        f.IndicatorFactory(project=report.project, order=10 + n)
    client.force_login(personas.alice)
    client.get(url("report_edit", report))
    with django_assert_max_num_queries(10):
        assert client.get(url("report_edit", report)).status_code == 200


def test_the_workspace_lists_open_monitoring_reports(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    text = client.get(reverse("projects:workspace")).content.decode()
    assert "待填报的绩效运行监控" in text
    assert url("report_edit", report) in text


def test_autosave_returns_the_new_version_and_a_stale_autosave_pauses_with_a_banner(
    client, personas
):
    report = make_report(personas)
    client.force_login(personas.alice)
    saved = client.post(url("report_edit", report), form_data(report), HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    version = report.version + 1
    assert f'id="version-label" hx-swap-oob="true">{version}<' in saved.content.decode()
    stale = client.post(
        url("report_edit", report),
        form_data(report, explanation="旧页面的说明"),
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409
    assert "自动保存已暂停" in stale.content.decode()
    assert fresh(report).explanation == "按计划推进。"


def test_a_red_lights_follow_up_is_shown_to_the_filer_with_who_and_when(client, personas):
    from projects.monitoring.services import monitoring_follow_up_record

    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    low = form_data(
        report,
        **{
            f"ind-{count.pk}-value": "5",
            f"ind-{count.pk}-likelihood": "unlikely",
            f"ind-{count.pk}-reason": "报名人数少",
            f"ind-{count.pk}-measures": "加大宣传",
        },
    )
    assert client.post(url("report_submit", report), low).status_code == 302
    submitted = report_queryset().get(pk=report.pk)
    assert submitted.entries.get(indicator=count).light == "red"
    personas.dora.first_name = "多拉"
    personas.dora.save()
    monitoring_follow_up_record(
        report=submitted, user=personas.dora, decision="urge", comment="月底前整改", indicator=count
    )
    text = client.get(url("report_edit", report)).content.decode()
    row = text.split(f'id="row-{count.pk}"')[1].split("</tr>")[0]
    assert "督促整改" in row and "月底前整改" in row and "多拉" in row
    assert "红灯" in row and "text-bg-danger" in row


def test_an_amount_finer_than_a_fen_is_refused_at_the_field(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    response = client.post(
        url("report_edit", report),
        form_data(report, **{"fund-current_year-executed": "1.1234567"}),
    )
    slot = response.content.decode().split('id="err-id_fund-current_year-executed">')[1]
    assert "最多六位小数" in slot.split("</div>")[0]
    assert fresh(report).version == report.version
