"""Every document renders in all three forms from the demo data, with the seeds' published figures."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import Department, Evaluation, Project
from reports.selectors import department_summary
from tests.reports import pdftools

# Seed 000's published table: 项目名称 → (当年预算数 元, 全年执行数 元, 执行率, 得分, 自评结论).
SEED_000 = {
    "公车采购项目": ("491400", "480400", "97.76", "99.78", "优"),
    "开发区第三方劳务派遣费用": ("600000", "579948", "96.66", "99.67", "优"),
    "招商引资企业政策奖补": ("9508600", "9299641", "97.80", "97.09", "优"),
    "环保及安全应急管理费": ("2003500", "2003416", "100.00", "100.00", "优"),
    "武装工作经费": ("100000", "0", "0.00", "85.00", "良"),
    "工会活动经费": ("900000", "895157", "99.46", "99.95", "优"),
    "招商工作经费": ("3000000", "2330397", "77.68", "95.95", "优"),
    "统计及经济普查费用": ("968040", "968040", "100.00", "100.00", "优"),
    "厂房租赁费用": ("3495195", "1947970", "55.73", "95.57", "优"),
    "办公用品及设备采购费用": ("660000", "534749", "81.02", "98.10", "优"),
    "交通补贴、学习培训、餐补费等费用": ("1310000", "596087", "45.50", "94.55", "优"),
    "党建费用": ("1874765", "1749096", "93.30", "99.33", "优"),
    "水、电、燃气、网络、物业等日常运转费用": ("2825000", "2661472", "94.21", "99.42", "优"),
    "广告、宣传费等其它杂项费用": ("5182713", "5182709", "100.00", "100.00", "优"),
    "园区基础配套设施维修、节点部位提升改造、零星工程及土地报批评价费": (
        "15175718",
        "15171217",
        "99.97",
        "100.00",
        "优",
    ),
    "审计、评估等相关费用": ("800000", "672362", "84.05", "98.40", "优"),
    "开发区人员改制绩效费用": ("4203550", "3980010", "94.68", "99.47", "优"),
}


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=None)


def test_seed_000_summary_reproduces_the_published_table(demo):
    department = Department.objects.get(name="安徽淮北相山经济开发区管理委员会")
    summary = department_summary(
        Evaluation.objects.all(), department=department, year=2024, money_unit="元"
    )
    assert len(summary.rows) == 17
    for row in summary.rows:
        budget, executed, rate, score, grade = SEED_000[row.project_name]
        assert (row.budget, row.executed, row.rate, row.score, row.grade) == (
            Decimal(budget),
            Decimal(executed),
            Decimal(rate),
            Decimal(score),
            grade,
        ), row.project_name
    # 17 projects: 16 优 and 1 良 → 评优率 16 / 17 = 94.12%
    assert summary.statistics.excellent_rate == Decimal("94.12")


def test_every_document_renders_three_ways_from_the_demo(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    evaluations = list(Evaluation.objects.select_related("project").order_by("pk"))
    for evaluation in evaluations:
        # every 自评表 in all three forms, every report on screen and as a workbook
        for name in (
            "reports:evaluation_table",
            "reports:evaluation_table_pdf",
            "reports:evaluation_table_xlsx",
            "reports:evaluation_report",
            "reports:evaluation_report_xlsx",
        ):
            response = client.get(reverse(name, args=[evaluation.pk]))
            assert response.status_code == 200, (name, evaluation)
    # the report PDF of each kind of subject (it prints the same 自评表 again after the text)
    kinds = {e.project.kind: e for e in evaluations}
    for evaluation in kinds.values():
        response = client.get(reverse("reports:evaluation_report_pdf", args=[evaluation.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    departments = Evaluation.objects.values_list("project__unit__department", "year").distinct()
    for department, year in departments:
        for name in ("reports:department_summary", "reports:department_report"):
            for suffix in ("", "_pdf", "_xlsx"):
                response = client.get(reverse(name + suffix, args=[department, year]))
                assert response.status_code == 200, (name + suffix, department, year)


def test_the_development_zone_package_holds_all_17_tables(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="xs_kfq_reviewer"))
    department = Department.objects.get(name="安徽淮北相山经济开发区管理委员会")
    response = client.get(reverse("reports:department_package", args=[department.pk, 2024]))
    pages = pdftools.pages_text(response.content)
    text = "".join(pages)
    assert text.count("项目支出绩效自评表") >= 17
    assert "部门整体支出绩效自评表" in text
    for name in SEED_000:
        assert name in text, name
    assert f"第{len(pages)}页共{len(pages)}页" in pages[-1]
    pdftools.render_pngs(response.content[:], "demo-kfq-package", dpi=40)


def test_the_department_overall_table_of_seed_002(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="wlmq_filer"))
    evaluation = Evaluation.objects.get(
        project__kind=Project.Kind.DEPARTMENT_OVERALL,
        project__unit__department__region__name="乌鲁木齐高新区",
    )
    text = pdftools.text(
        client.get(reverse("reports:evaluation_table_pdf", args=[evaluation.pk])).content
    )
    for figure in ("367.19", "556.83", "554.23", "99.53%", "9.95", "189.64", "51.65%"):
        assert figure in text, figure
