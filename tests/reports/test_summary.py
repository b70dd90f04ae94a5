"""The department summary (seed 000's table) and statistics (seed 003's counts)."""

from decimal import Decimal

from django.urls import reverse

from projects.models import Evaluation, FundType, Project, TransferLevel
from reports.selectors import department_summary
from tests.reports.conftest import build_evaluation

D = Decimal


def _summary(personas, year=2024, **kwargs):
    return department_summary(
        Evaluation.objects.all(), department=personas.department_b, year=year, **kwargs
    )


def test_summary_rows_print_seed_000_as_published(personas, kfq_projects):
    summary = _summary(personas, money_unit="元")
    rows = {r.project_name: r for r in summary.rows}
    audit, militia = rows["审计、评估等相关费用"], rows["武装工作经费"]
    assert (audit.budget, audit.executed, audit.rate, audit.score, audit.grade) == (
        D("800000.00"),
        D("672362.00"),
        D("84.05"),
        D("98.40"),
        "优",
    )
    assert (militia.budget, militia.executed, militia.rate, militia.score, militia.grade) == (
        D("100000.00"),
        D("0.00"),
        D("0.00"),
        D("85.00"),
        "良",
    )
    # in table order (project codes XSKFQ-2024-05, -16), numbered from 1
    assert [(r.seq, r.project_name) for r in summary.rows] == [
        (1, "武装工作经费"),
        (2, "审计、评估等相关费用"),
    ]
    # 900,000 budgeted, 672,362 executed: 74.71%
    assert (summary.budget_total, summary.executed_total, summary.rate_total) == (
        D("900000.00"),
        D("672362.00"),
        D("74.71"),
    )


def test_statistics_by_fund_type_grade_and_transfer_level(personas, kfq_projects):
    _, militia = kfq_projects
    Project.objects.filter(pk=militia.project_id).update(
        fund_type=FundType.GOVERNMENT_FUND, transfer_level=TransferLevel.PROVINCIAL
    )
    stats = _summary(personas).statistics
    by_type = {line.label: (line.count, line.amount, line.share) for line in stats.by_fund_type}
    # 80 + 10 万元: 一般公共预算 80 (88.89%), 政府性基金预算 10 (11.11%)
    assert by_type["一般公共预算"] == (1, D("80.00"), D("88.89"))
    assert by_type["政府性基金预算"] == (1, D("10.00"), D("11.11"))
    assert by_type["社保基金预算"] == (0, D("0.00"), D("0.00"))
    assert by_type["国有资本经营预算"] == (0, D("0.00"), D("0.00"))
    assert dict(stats.by_grade) == {"优": 1, "良": 1, "中": 0, "差": 0}
    assert stats.excellent_rate == D("50.00")
    transfers = {line.label: (line.count, line.amount) for line in stats.transfers}
    assert transfers == {
        "中央转移支付": (0, D("0.00")),
        "省级转移支付": (1, D("10.00")),
        "市级转移支付": (0, D("0.00")),
    }
    assert dict(stats.transfer_grades)["良"] == 1 and stats.transfer_excellent_rate == D("0.00")


def test_statistics_of_seed_003(personas):
    scores = ["15.00", "15.00", "10.00", "10.00", "8.00", "18.00", "10.00"]
    build_evaluation(
        "seed003-changli-investment-2023-investment-funds.json",
        personas.unit_b,
        # 30.629 / 30.629 = 100% → 10; 12 × 10 / 15 = 8 on 签约招商项目数; 10 + 86 = 96, 优
        result={
            "execution_rate": "100.00",
            "execution_score": "10.00",
            "indicator_total": "86.00",
            "total": "96.00",
            "grade": "优",
            "scores": scores,
        },
    )
    summary = _summary(personas, year=2023)
    (row,) = summary.rows
    assert (row.budget, row.score, row.grade) == (D("30.63"), D("96.00"), "优")
    stats = summary.statistics
    # seed 003: 一般公共预算项目1个，30.629万元，占100%；其他类型0个、0万元、0%；评优率100%；转移支付0
    general = stats.by_fund_type[0]
    assert (general.label, general.count, general.amount_yuan, general.share) == (
        "一般公共预算",
        1,
        D("306290.00"),
        D("100.00"),
    )
    assert all(line.count == 0 and line.share == 0 for line in stats.by_fund_type[1:])
    assert stats.excellent_rate == D("100.00")
    assert all(line.count == 0 for line in stats.transfers)


def test_summary_page_lists_rows_and_statistics(client, personas, kfq_projects):
    client.force_login(personas.bob)
    url = reverse("reports:department_summary", args=[personas.department_b.pk, 2024])
    html = client.get(url).content.decode()
    for text in ("项目支出绩效自评结果汇总表", "武装工作经费", "80.00", "67.24", "84.05%", "98.40"):
        assert text in html, text
    assert "评优率" in html and "50.00%" in html


def test_summary_page_query_count_is_fixed(
    client, personas, kfq_projects, django_assert_num_queries
):
    client.force_login(personas.bob)
    url = reverse("reports:department_summary", args=[personas.department_b.pk, 2024])
    # session, user, memberships, department, evaluations with their chain, fund lines
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


def test_another_departments_reviewer_gets_404(client, personas, kfq_projects):
    # dora reviews department A; department B's summary is outside her scope
    client.force_login(personas.dora)
    url = reverse("reports:department_summary", args=[personas.department_b.pk, 2024])
    assert client.get(url).status_code == 404
