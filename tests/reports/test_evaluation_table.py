"""The 自评表 context and page: the national layout with the seed's figures, exactly."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Evaluation, Region
from reports.selectors import evaluation_table

D = Decimal


def test_business_env_table_prints_the_seed_figures_in_wan_yuan(business_env):
    table = evaluation_table(Evaluation.objects.all(), pk=business_env.pk)
    total, current, carryover, other = table.funds
    assert table.title == "项目支出绩效自评表"
    assert table.year_label == "（2023年度）"
    assert table.money_unit == "万元"
    # 46 / 46 / 38.76 万元 as printed in seed 001; the rate 38.76 / 46 = 84.26% (the seed's
    # 84.25% is its own slip), 8.43 points, total 98.43, 优.
    assert (total.initial, total.adjusted, total.executed) == (D("46.00"), D("46.00"), D("38.76"))
    assert (current.initial, current.adjusted, current.executed) == (
        D("46.00"),
        D("46.00"),
        D("38.76"),
    )
    assert carryover.adjusted is None and other.executed is None
    assert total.label == "年度资金总额" and current.label == "其中：当年财政拨款"
    assert total.rate == D("84.26") and total.weight == D("10") and total.score == D("8.43")
    assert current.rate == D("84.26") and current.score is None
    assert table.total == D("98.43") and table.grade == "优"
    assert table.weight_total == D("100")
    assert [r.score for r in table.indicators] == [
        D("10.00"),
        D("10.00"),
        D("20.00"),
        D("10.00"),
        D("30.00"),
        D("10.00"),
    ]


def test_amounts_switch_to_yuan_on_request(business_env):
    table = evaluation_table(Evaluation.objects.all(), pk=business_env.pk, money_unit="元")
    total = table.funds[0]
    assert (total.adjusted, total.executed) == (D("460000.00"), D("387600.00"))
    assert table.money_unit == "元"


def test_first_and_second_level_cells_merge_vertically(business_env):
    rows = evaluation_table(Evaluation.objects.all(), pk=business_env.pk).indicators
    # 产出指标 covers four rows (三个数量指标 and one 时效指标); 数量指标 covers three.
    assert [(r.level1_rowspan, r.level2_rowspan) for r in rows] == [
        (4, 3),
        (0, 0),
        (0, 0),
        (0, 1),
        (1, 1),
        (1, 1),
    ]


def test_department_overall_table_shows_adjustment_and_midyear_values(urumqi_overall):
    table = evaluation_table(Evaluation.objects.all(), pk=urumqi_overall.pk)
    assert table.title == "部门整体支出绩效自评表"
    assert table.is_department_overall and table.has_midyear
    # Seed 002: 367.19 → 556.83 万元, 调整数 189.64, 预算调整率 189.64 / 367.19 = 51.65%.
    assert table.adjustment == D("189.64") and table.adjustment_rate == D("51.65")
    assert table.funds[0].executed == D("554.23") and table.execution_rate == D("99.53")
    assert table.execution_score == D("9.95")
    assert [r.midyear_actual for r in table.indicators][:2] == ["0%", "163.93万元"]
    assert table.total == D("85.84") and table.grade == "良"


def test_three_column_variant_splits_the_target(business_env, personas):
    Region.objects.filter(pk=personas.region.pk).update(
        table_variant=Region.TableVariant.THREE_COLUMN_TARGET
    )
    table = evaluation_table(Evaluation.objects.all(), pk=business_env.pk)
    assert table.three_columns
    row = next(r for r in table.indicators if r.name == "走访企业数量")
    assert (row.comparator, row.target_value, row.unit_of_measure) == ("≥", "1600", "家")
    rate = next(r for r in table.indicators if r.name == "服务企业满意度")
    assert (rate.comparator, rate.target_value, rate.unit_of_measure) == ("≥", "90", "%")


def test_three_column_variant_prefers_the_stored_parse(business_env, personas):
    Region.objects.filter(pk=personas.region.pk).update(
        table_variant=Region.TableVariant.THREE_COLUMN_TARGET
    )
    indicator = business_env.project.indicators.get(name="召开座谈会")
    indicator.comparator, indicator.target_value, indicator.unit_of_measure = ">=", D("160"), "个"
    indicator.save()
    table = evaluation_table(Evaluation.objects.all(), pk=business_env.pk)
    row = next(r for r in table.indicators if r.name == "召开座谈会")
    assert (row.comparator, row.target_value, row.unit_of_measure) == ("≥", "160", "个")


def test_table_page_shows_the_figures(client, personas, business_env):
    client.force_login(personas.alice)
    response = client.get(reverse("reports:evaluation_table", args=[business_env.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "项目支出绩效自评表",
        "（2023年度）",
        "区创优营商环境服务中心工作经费",
        "走访企业数量",
    ):
        assert text in html
    for figure in ("46.00", "38.76", "84.26%", "8.43", "98.43", "20.00", "30.00"):
        assert figure in html
    assert 'rowspan="4"' in html and 'rowspan="3"' in html


def test_table_page_in_yuan_shows_separated_amounts(client, personas, business_env):
    client.force_login(personas.alice)
    url = reverse("reports:evaluation_table", args=[business_env.pk])
    html = client.get(url, {"money_unit": "元"}).content.decode()
    assert "460,000.00" in html and "387,600.00" in html and "项目资金<br>（元）" in html


def test_three_column_page_has_the_three_headers(client, personas, business_env):
    Region.objects.filter(pk=personas.region.pk).update(
        table_variant=Region.TableVariant.THREE_COLUMN_TARGET
    )
    client.force_login(personas.alice)
    html = client.get(reverse("reports:evaluation_table", args=[business_env.pk])).content.decode()
    assert "<th>指标性质</th><th>指标值</th><th>度量单位</th>" in html
    assert "<th>年度指标值</th>" not in html


@pytest.mark.parametrize("rows", [5, 40])
def test_table_page_query_count_does_not_grow_with_rows(
    client, personas, business_env, django_assert_num_queries, rows
):
    from tests import factories as f

    for i in range(rows - 6 if rows > 6 else 0):
        f.IndicatorFactory(project=business_env.project, order=100 + i)
    client.force_login(personas.alice)
    url = reverse("reports:evaluation_table", args=[business_env.pk])
    # session, user, memberships (the gate), evaluation with its project chain, fund lines,
    # indicators, indicator results, the year's filed monitoring values.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
