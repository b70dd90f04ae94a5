"""The printed 绩效监控表: the page, the PDF and the workbook show the filed figures and lights."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import FundLine, Indicator, MonitoringReport, Project
from projects.monitoring.services import monitoring_round_issue, monitoring_save_draft
from projects.review.services.workflow import (
    filing_department_approve,
    filing_finance_approve,
    filing_submit,
)
from reports.models import StoredDocument
from tests import factories as f
from tests.reports import pdftools

AS_OF = datetime.date(2024, 6, 30)


def build_subject(unit, name: str, *, kind=Project.Kind.PROJECT, code: str | None = None):
    """A 2024 subject: 100/120 万元 budget in two sources, three indicators."""
    project = f.ProjectFactory(
        unit=unit, year=2024, name=name, kind=kind, code=code or name[:10], money_unit="万元"
    )
    FundLine.objects.create(
        project=project, source="total", initial=Decimal("1000000"), adjusted=Decimal("1200000")
    )
    FundLine.objects.create(
        project=project,
        source="current_year",
        initial=Decimal("800000"),
        adjusted=Decimal("1000000"),
    )
    FundLine.objects.create(
        project=project, source="carryover", initial=Decimal("200000"), adjusted=Decimal("200000")
    )
    rows = (
        ("产出指标", "数量指标", "培训人次", "≥200人次"),
        ("产出指标", "质量指标", "培训合格率", "≥95%"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"),
    )
    for order, (level1, level2, indicator, target) in enumerate(rows):
        Indicator.objects.create(
            project=project,
            order=order,
            level1=level1,
            level2=level2,
            name=indicator,
            target=target,
            weight=Decimal(10),
        )
    return project


def issue(personas):
    """Issue the 2024-06-30 round of the personas' region (the finance bureau, frank)."""
    return monitoring_round_issue(
        region=personas.region,
        as_of=AS_OF,
        deadline=datetime.date(2024, 7, 15),
        user=personas.frank,
    ).round


def fill(report, user, *, executed=("300000", "60000"), trained="40人次"):
    """Save the filer's figures: 36 of 120 万元 executed (30%), a red and a green indicator."""
    ids = [i.pk for i in report.project.indicators.order_by("order")]
    return monitoring_save_draft(
        report=report,
        user=user,
        version=report.version,
        content={
            "explanation": "上半年培训按计划推进，下半年集中支付。",
            "funds.current_year.executed": executed[0],
            "funds.current_year.forecast": "950000",
            "funds.carryover.executed": executed[1],
            "funds.carryover.forecast": "200000",
            f"entries.{ids[0]}.value": trained,
            f"entries.{ids[0]}.forecast": "200人次",
            f"entries.{ids[0]}.likelihood": "possible",
            f"entries.{ids[0]}.deviation_category": "staff",
            f"entries.{ids[0]}.reason": "师资不足，部分班次延后。",
            f"entries.{ids[0]}.measures": "下半年增开班次。",
            f"entries.{ids[1]}.value": "96%",
            f"entries.{ids[1]}.likelihood": "certain",
        },
    )


@pytest.fixture
def monitored(personas):
    """One filled 2024-06-30 report of unit A (draft)."""
    build_subject(personas.unit_a, "干部教育培训项目", code="PX2024")
    issue(personas)
    report = MonitoringReport.objects.get(project__name="干部教育培训项目")
    return fill(report, personas.alice)


def approve(report, personas):
    """Submit, department-approve (unless the unit is the department) and finance-approve."""
    filing_submit(filing=report, user=personas.alice)
    if MonitoringReport.objects.get(pk=report.pk).status == "submitted":
        filing_department_approve(filing=report, user=personas.dora)
    filing_finance_approve(filing=report, user=personas.frank)
    return MonitoringReport.objects.get(pk=report.pk)


def _page(client, user, report):
    client.force_login(user)
    response = client.get(reverse("reports:monitoring_table", args=[report.pk]))
    assert response.status_code == 200
    return re.sub(r"\s+", "", response.content.decode())


def test_the_table_page_shows_the_amounts_in_wan_yuan_time_progress_and_light_words(
    client, personas, monitored
):
    html = _page(client, personas.dora, monitored)
    for words in (
        "项目支出绩效监控表",
        "（2024年1-6月）",
        "干部教育培训项目",
        "相山区人民政府办公室",
        "2024年6月30日",
        "1-6月执行数",
        "1-6月指标执行情况",
        "全年预计执行数",
        "完成目标可能性",
        "师资不足，部分班次延后。",
        "下半年增开班次。",
        "人员保障",
        "有可能",
        "（万元）",
    ):
        assert words in html, words
    # 100 / 120 万元 budget, 36 万元 to date, 115 万元 forecast; 30.00% of 50.00% time
    for figure in ("100.00", "120.00", "36.00", "115.00", "30.00%", "50.00%", "60.00%"):
        assert figure in html, figure
    assert "红灯" in html and "绿灯" in html and "黄灯" in html
    assert "草稿" in html


def test_the_table_prints_in_yuan_when_the_project_counts_in_yuan(client, personas, monitored):
    Project.objects.filter(pk=monitored.project_id).update(money_unit="元")
    html = _page(client, personas.dora, monitored)
    assert "（元）" in html and "360,000.00" in html and "1,200,000.00" in html


def test_a_department_overall_report_prints_as_the_department_table(client, personas):
    build_subject(
        personas.unit_a, "相山区人民政府办公室", kind=Project.Kind.DEPARTMENT_OVERALL, code="ZT"
    )
    issue(personas)
    report = fill(MonitoringReport.objects.get(project__code="ZT"), personas.alice)
    html = _page(client, personas.dora, report)
    assert "部门整体支出绩效监控表" in html and "部门预算" in html and "年度预算总额" in html


def test_the_pdf_of_a_draft_reads_back_with_the_project_a_light_word_and_the_draft_mark(
    client, personas, monitored
):
    client.force_login(personas.alice)
    response = client.get(reverse("reports:monitoring_table_pdf", args=[monitored.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdftools.text(response.content)
    assert "项目支出绩效监控表" in text
    assert "干部教育培训项目" in text
    assert "红灯" in text and "黄灯" in text
    assert "草稿" in text
    assert "36.00" in text and "50.00%" in text
    # A draft is rendered for the reader and never kept.
    assert not StoredDocument.objects.filter(slot__startswith="monitoring/").exists()


def test_the_workbook_has_the_figures_in_their_cells(client, personas, monitored):
    client.force_login(personas.frank)
    response = client.get(reverse("reports:monitoring_table_xlsx", args=[monitored.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "项目支出绩效监控表"
    assert sheet["A2"].value == "（2024年1-6月）"
    assert "草稿" in sheet["A3"].value
    assert sheet["C4"].value == "干部教育培训项目"
    assert sheet["H6"].value == pytest.approx(0.5)
    assert sheet["A7"].value == "项目资金\n（万元）"
    assert sheet["E7"].value == "1-6月执行数"
    # 年度资金总额: 100 / 120 万元, 36 万元 to date (30%), 115 万元 forecast, 黄灯
    assert sheet["B8"].value == "年度资金总额"
    assert [sheet[c].value for c in ("C8", "D8", "E8", "G8")] == [100, 120, 36, 115]
    assert sheet["F8"].value == pytest.approx(0.3)
    assert sheet["H8"].value == "黄灯"
    assert sheet["B9"].value == "其中：当年财政拨款"
    assert [sheet[c].value for c in ("C9", "D9", "E9")] == [80, 100, 30]
    header = next(r for r in range(1, 30) if sheet.cell(r, 1).value == "绩效指标")
    names = {sheet.cell(r, 4).value: r for r in range(header + 1, header + 4)}
    red = names["培训人次"]
    assert sheet.cell(red, 6).value == "40人次"
    assert sheet.cell(red, 7).value == "红灯"
    assert sheet.cell(red, 9).value == "有可能"
    assert sheet.cell(names["培训合格率"], 7).value == "绿灯"
    assert sheet.cell(names["学员满意度"], 7).value == "—"


def test_an_approved_table_is_kept_and_served_without_the_draft_mark(
    client, personas, monitored, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = approve(monitored, personas)
    assert StoredDocument.objects.filter(slot=f"monitoring/{report.pk}/table-万元.pdf").exists()
    client.force_login(personas.dora)
    response = client.get(reverse("reports:monitoring_table_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["ETag"]
    text = pdftools.text(response.content)
    assert "干部教育培训项目" in text and "草稿" not in text and "未审核" not in text
    assert "审核通过" in text


def test_a_reviewer_of_another_department_gets_404_for_every_format(client, personas, monitored):
    other = f.UserFactory(username="olga")
    f.membership(other, "department_reviewer", department=personas.department_b)
    client.force_login(other)
    for name in ("monitoring_table", "monitoring_table_pdf", "monitoring_table_xlsx"):
        assert client.get(reverse(f"reports:{name}", args=[monitored.pk])).status_code == 404
    client.force_login(personas.bob)
    assert client.get(reverse("reports:monitoring_table", args=[monitored.pk])).status_code == 404


def test_the_table_page_takes_a_fixed_number_of_queries(
    client, personas, monitored, django_assert_max_num_queries
):
    client.force_login(personas.dora)
    url = reverse("reports:monitoring_table", args=[monitored.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_a_submitted_table_prints_as_not_yet_reviewed(client, personas, monitored):
    filing_submit(filing=monitored, user=personas.alice)
    client.force_login(personas.frank)
    response = client.get(reverse("reports:monitoring_table_pdf", args=[monitored.pk]))
    text = pdftools.text(response.content)
    assert "未审核" in text and "干部教育培训项目" in text


def test_a_kept_table_is_dropped_when_the_report_is_no_longer_approved(
    personas, monitored, django_capture_on_commit_callbacks
):
    from reports.stored.monitoring import refresh

    with django_capture_on_commit_callbacks(execute=True):
        report = approve(monitored, personas)
    slot = f"monitoring/{report.pk}/table-万元.xlsx"
    assert StoredDocument.objects.filter(slot=slot).exists()
    assert refresh([report.pk]) == 0  # already current: nothing is rendered again
    MonitoringReport.objects.filter(pk=report.pk).update(status="returned")
    refresh([report.pk])
    assert not StoredDocument.objects.filter(slot__startswith=f"monitoring/{report.pk}/").exists()


def test_the_draft_pdf_takes_a_fixed_number_of_queries(
    client, personas, monitored, django_assert_max_num_queries
):
    client.force_login(personas.alice)
    url = reverse("reports:monitoring_table_pdf", args=[monitored.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
