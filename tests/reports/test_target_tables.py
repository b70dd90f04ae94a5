"""The printed 绩效目标申报表: the page, the PDF and the workbook show the declared plan and targets."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import (
    EvaluationStatus,
    FundLine,
    Indicator,
    Project,
    TargetDeclaration,
    TargetStep,
)
from reports.models import StoredDocument
from tests import factories as f
from tests.reports import pdftools

INDICATORS = (
    ("产出指标", "数量指标", "培训人次", "≥200人次", Decimal(20), "培训签到表统计"),
    ("产出指标", "质量指标", "培训合格率", "≥95%", Decimal(20), "结业考核成绩"),
    ("效益指标", "社会效益指标", "干部履职能力提升", "明显提升", Decimal(40), "单位评议"),
    ("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", Decimal(10), "问卷调查"),
)


def declare(unit, name: str, *, kind=Project.Kind.PROJECT, code: str = "PX2025", unit_of="万元"):
    """A 2025 declaration: 100 万元 planned (80 current year, 20 carried over), four indicators."""
    project = f.ProjectFactory(
        unit=unit,
        year=2025,
        name=name,
        kind=kind,
        code=code,
        money_unit=unit_of,
        goal_expected="全年培训干部200人次，提升履职能力。",
        end_year=2027,
    )
    FundLine.objects.create(project=project, source="current_year", initial=Decimal("800000"))
    FundLine.objects.create(project=project, source="carryover", initial=Decimal("200000"))
    for order, (level1, level2, indicator, target, weight, method) in enumerate(INDICATORS):
        Indicator.objects.create(
            project=project,
            order=order,
            level1=level1,
            level2=level2,
            name=indicator,
            target=target,
            weight=weight,
            method=method,
        )
    return TargetDeclaration.objects.create(project=project)


@pytest.fixture
def declared(personas):
    """One draft declaration of unit A."""
    return declare(personas.unit_a, "干部教育培训项目")


def approve(declaration, personas):
    """Record the finance bureau's approval as the workflow does (the step triggers the prints)."""
    TargetDeclaration.objects.filter(pk=declaration.pk).update(
        status=EvaluationStatus.APPROVED, approved_at=timezone.now(), version=2
    )
    TargetStep.objects.create(
        declaration=declaration,
        action="finance_approve",
        from_status=EvaluationStatus.DEPARTMENT_APPROVED,
        to_status=EvaluationStatus.APPROVED,
        actor=personas.frank,
        version=2,
    )
    return TargetDeclaration.objects.get(pk=declaration.pk)


def _page(client, user, declaration, query=""):
    client.force_login(user)
    response = client.get(reverse("reports:target_table", args=[declaration.pk]) + query)
    assert response.status_code == 200
    return re.sub(r"\s+", "", response.content.decode())


def test_the_page_shows_the_plan_in_wan_yuan_the_targets_and_the_draft_mark(
    client, personas, declared
):
    html = _page(client, personas.dora, declared)
    for words in (
        "项目支出绩效目标申报表",
        "（2025年度）",
        "干部教育培训项目",
        "相山区人民政府办公室",
        "2025年度至2027年度",
        "一般公共预算",
        "资金计划",
        "（万元）",
        "年初预算数",
        "全年培训干部200人次，提升履职能力。",
        "培训人次",
        "≥200人次",
        "培训签到表统计",
        "问卷调查",
        "评价方法",
    ):
        assert words in html, words
    # 100 万元 in total: 80 this year's appropriation, 20 carried over
    for figure in ("100.00", "80.00", "20.00"):
        assert figure in html, figure
    assert "1,000,000.00" not in html
    assert "草稿" in html


def test_the_page_prints_in_yuan_when_the_project_counts_in_yuan(client, personas, declared):
    Project.objects.filter(pk=declared.project_id).update(money_unit="元")
    html = _page(client, personas.dora, declared)
    assert "（元）" in html and "1,000,000.00" in html and "800,000.00" in html


def test_a_department_overall_declaration_prints_as_the_department_form(client, personas):
    declaration = declare(
        personas.unit_a, "相山区人民政府办公室", kind=Project.Kind.DEPARTMENT_OVERALL, code="ZT"
    )
    html = _page(client, personas.alice, declaration)
    assert "部门整体支出绩效目标申报表" in html and "部门预算" in html and "年度预算总额" in html


def test_the_pdf_of_a_draft_reads_back_with_the_project_an_indicator_and_the_draft_mark(
    client, personas, declared
):
    client.force_login(personas.alice)
    response = client.get(reverse("reports:target_table_pdf", args=[declared.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdftools.text(response.content)
    assert "项目支出绩效目标申报表" in text
    assert "干部教育培训项目" in text
    assert "培训合格率" in text
    assert "草稿" in text
    assert "100.00" in text
    # A draft is rendered for the reader and never kept.
    assert not StoredDocument.objects.filter(slot__startswith="target/").exists()


def test_a_submitted_declaration_prints_as_not_yet_reviewed(client, personas, declared):
    TargetDeclaration.objects.filter(pk=declared.pk).update(status=EvaluationStatus.SUBMITTED)
    client.force_login(personas.frank)
    text = pdftools.text(
        client.get(reverse("reports:target_table_pdf", args=[declared.pk])).content
    )
    assert "未审核" in text and "干部教育培训项目" in text


def test_the_workbook_has_the_figures_in_their_cells(client, personas, declared):
    client.force_login(personas.frank)
    response = client.get(reverse("reports:target_table_xlsx", args=[declared.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "项目支出绩效目标申报表"
    assert sheet["A2"].value == "（2025年度）"
    assert "草稿" in sheet["A3"].value
    assert sheet["C4"].value == "干部教育培训项目"
    assert sheet["F6"].value == "2025年度至2027年度"
    assert sheet["C7"].value == "一般公共预算"
    assert sheet["A8"].value == "资金计划\n（万元）"
    assert sheet["D8"].value == "年初预算数"
    assert [sheet[c].value for c in ("B9", "D9")] == ["年度资金总额", 100]
    assert [sheet[c].value for c in ("B10", "D10")] == ["其中：当年财政拨款", 80]
    assert [sheet[c].value for c in ("B11", "D11")] == ["上年结转资金", 20]
    assert sheet["A12"].value == "年度总体目标"
    header = next(r for r in range(1, 30) if sheet.cell(r, 1).value == "绩效指标")
    names = {sheet.cell(r, 4).value: r for r in range(header + 1, header + 5)}
    row = names["学员满意度"]
    assert [sheet.cell(row, c).value for c in (5, 6, 7)] == ["≥90%", 10, "问卷调查"]
    assert sheet.cell(names["培训人次"], 2).value == "产出指标"
    assert sheet.cell(header + 5, 6).value == 90  # 合计 of the 分值


def test_an_approved_declaration_is_kept_and_served_without_the_draft_mark(
    client, personas, declared, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declaration = approve(declared, personas)
    assert StoredDocument.objects.filter(slot=f"target/{declaration.pk}/table-万元.pdf").exists()
    client.force_login(personas.dora)
    response = client.get(reverse("reports:target_table_pdf", args=[declaration.pk]))
    assert response.status_code == 200
    text = pdftools.text(response.content)
    assert "干部教育培训项目" in text and "草稿" not in text and "未审核" not in text
    assert "审核通过" in text


def test_a_target_adjusted_after_approval_is_not_served_from_the_old_file(
    client, personas, declared, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declaration = approve(declared, personas)
    Indicator.objects.filter(project=declaration.project, name="培训人次").update(target="≥250人次")
    client.force_login(personas.frank)
    response = client.get(reverse("reports:target_table_pdf", args=[declaration.pk]))
    assert "≥250人次" in pdftools.text(response.content)


def test_a_kept_table_is_dropped_when_the_declaration_is_returned(
    personas, declared, django_capture_on_commit_callbacks
):
    from reports.stored.targets import refresh

    with django_capture_on_commit_callbacks(execute=True):
        declaration = approve(declared, personas)
    slot = f"target/{declaration.pk}/table-万元.xlsx"
    assert StoredDocument.objects.filter(slot=slot).exists()
    assert refresh([declaration.pk]) == 0  # already current: nothing is rendered again
    TargetDeclaration.objects.filter(pk=declaration.pk).update(status=EvaluationStatus.RETURNED)
    refresh([declaration.pk])
    assert not StoredDocument.objects.filter(slot__startswith=f"target/{declaration.pk}/").exists()


def test_another_departments_reviewer_and_filer_get_404_for_every_format(
    client, personas, declared
):
    other = f.UserFactory(username="olga")
    f.membership(other, "department_reviewer", department=personas.department_b)
    for user in (other, personas.bob, personas.other_region_finance):
        client.force_login(user)
        for name in ("target_table", "target_table_pdf", "target_table_xlsx"):
            url = reverse(f"reports:{name}", args=[declared.pk])
            assert client.get(url).status_code == 404, (user, name)


def test_the_page_takes_a_fixed_number_of_queries(
    client, personas, declared, django_assert_max_num_queries
):
    client.force_login(personas.dora)
    url = reverse("reports:target_table", args=[declared.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_draft_pdf_takes_a_fixed_number_of_queries(
    client, personas, declared, django_assert_max_num_queries
):
    client.force_login(personas.alice)
    url = reverse("reports:target_table_pdf", args=[declared.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_the_workflows_approval_keeps_the_documents_and_a_return_drops_them(
    personas, declared, django_capture_on_commit_callbacks
):
    from projects.review.services.workflow import (
        filing_department_approve,
        filing_finance_approve,
        filing_submit,
    )

    with django_capture_on_commit_callbacks(execute=True):
        filing_submit(filing=declared, user=personas.alice)
        declaration = TargetDeclaration.objects.get(pk=declared.pk)
        if declaration.status == EvaluationStatus.SUBMITTED:
            filing_department_approve(filing=declaration, user=personas.dora)
        filing_finance_approve(
            filing=TargetDeclaration.objects.get(pk=declared.pk), user=personas.frank
        )
    assert TargetDeclaration.objects.get(pk=declared.pk).status == EvaluationStatus.APPROVED
    kept = StoredDocument.objects.filter(slot__startswith=f"target/{declared.pk}/")
    assert set(kept.values_list("slot", flat=True)) == {
        f"target/{declared.pk}/table-万元.pdf",
        f"target/{declared.pk}/table-万元.xlsx",
    }
