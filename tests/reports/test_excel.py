"""Excel: the 自评表 workbook re-imports through the filing upload; the summary is real numbers."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Evaluation, FundLine, IndicatorResult
from projects.upload.services import upload_workbook
from projects.upload.workbook import ACTUALS, read_workbook
from reports.excel.common import display_width


def _download(client, user, url, **params) -> bytes:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    return response.content


def _filing(evaluation):
    """What the filer filed, as plain data: funds in 元 by source, goal, each row's figures."""
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    lines = {
        line.source: (line.initial, line.adjusted, line.executed)
        for line in FundLine.objects.filter(project=evaluation.project)
        if line.source != "total"
    }
    rows = {
        r.indicator_id: (r.actual, r.claimed_score, r.deviation_reason, r.achievement)
        for r in IndicatorResult.objects.filter(evaluation=evaluation)
    }
    sources = {s: v for s, v in lines.items() if any(x is not None for x in v)}
    return sources, evaluation.goal_actual, rows


@pytest.mark.parametrize("money_unit", ["万元", "元"])
def test_table_workbook_reads_back_as_the_same_filing(client, personas, business_env, money_unit):
    data = _download(
        client,
        personas.alice,
        reverse("reports:evaluation_table_xlsx", args=[business_env.pk]),
        money_unit=money_unit,
    )
    sheets, errors = read_workbook(data)
    assert errors == []
    (sheet,) = sheets
    assert sheet.project_code == business_env.project.code and sheet.project_id is None
    assert sheet.money_unit == money_unit and sheet.year == 2023
    assert sheet.funds["current_year"] == {
        "initial": Decimal("460000.00"),
        "adjusted": Decimal("460000.00"),
        "executed": Decimal("387600.00"),
    }
    assert sheet.goal_expected == business_env.project.goal_expected
    assert sheet.goal_actual == business_env.goal_actual
    results = business_env.results.select_related("indicator").order_by("indicator__order")
    stored = list(results)
    # Rows are keyed by their position, 1..n, as the form lists them; 一级/二级 read back from
    # their merged cells.
    assert [row.seq for row in sheet.indicators] == list(range(1, len(stored) + 1))
    for row, result in zip(sheet.indicators, stored, strict=True):
        assert (row.level1, row.level2, row.name, row.target) == (
            result.indicator.level1,
            result.indicator.level2,
            result.indicator.name,
            result.indicator.target,
        )
        assert (row.actual, row.weight, row.claimed_score) == (
            result.actual,
            result.indicator.weight,
            result.claimed_score,
        )


def test_table_workbook_uploads_back_without_changing_anything(client, personas, business_env):
    before = _filing(business_env)
    data = _download(
        client, personas.alice, reverse("reports:evaluation_table_xlsx", args=[business_env.pk])
    )
    outcome = upload_workbook(user=personas.alice, data=data, purpose=ACTUALS, confirm=True)
    assert outcome.ok, [str(e) for e in outcome.errors]
    assert outcome.to_change == [] and outcome.saved == []
    assert _filing(business_env) == before


def test_seed_000_amounts_survive_the_round_trip_in_wan_yuan(client, personas, kfq_projects):
    audit, _ = kfq_projects
    before = _filing(audit)
    data = _download(
        client, personas.bob, reverse("reports:evaluation_table_xlsx", args=[audit.pk])
    )
    sheets, errors = read_workbook(data)
    assert errors == []
    # 672,362 元 is 67.2362 万元, printed 67.24 as in the PDF; read back as the printed figure,
    # it stands for the stored one it was printed from.
    assert sheets[0].funds["current_year"]["executed"] == Decimal("672400.00")
    assert sheets[0].version == audit.version
    outcome = upload_workbook(user=personas.bob, data=data, purpose=ACTUALS, confirm=True)
    assert outcome.ok, [str(e) for e in outcome.errors]
    # The total printed alone is shown as 当年财政拨款 and read back as the same figures: the
    # workbook changes nothing, so nothing is written.
    assert outcome.to_change == []
    assert _filing(audit) == before


def test_an_edited_actual_in_the_workbook_is_what_gets_filed(client, personas, business_env):
    data = _download(
        client, personas.alice, reverse("reports:evaluation_table_xlsx", args=[business_env.pk])
    )
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    header = next(r for r in sheet.iter_rows() if "一级指标" in [c.value for c in r])
    columns = {c.value: c.column for c in header if c.value}
    row = next(
        r
        for r in range(1, sheet.max_row + 1)
        if sheet.cell(r, columns["三级指标"]).value == "走访企业数量"
    )
    sheet.cell(row, columns["实际完成值"]).value = "1500家"
    sheet.cell(
        row, columns["偏差原因分析及改进措施"]
    ).value = "受市场环境影响，走访计划未全部完成。"
    out = io.BytesIO()
    workbook.save(out)
    outcome = upload_workbook(
        user=personas.alice, data=out.getvalue(), purpose=ACTUALS, confirm=True
    )
    assert outcome.ok, [str(e) for e in outcome.errors]
    result = IndicatorResult.objects.get(evaluation=business_env, indicator__name="走访企业数量")
    assert result.actual == "1500家"
    assert result.deviation_reason == "受市场环境影响，走访计划未全部完成。"


def test_table_workbook_carries_computed_scores_and_grade(client, personas, business_env):
    data = _download(
        client, personas.alice, reverse("reports:evaluation_table_xlsx", args=[business_env.pk])
    )
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "项目支出绩效自评表" in values and "（2023年度）" in values
    assert Decimal("98.43") in [Decimal(str(v)) for v in values if isinstance(v, int | float)]
    assert "自评等级：优" in values
    total_row = next(r for r in sheet.iter_rows() if r[1].value == "年度资金总额")
    assert total_row[6].number_format == "0.00%" and round(total_row[6].value, 4) == 0.8426


def test_department_summary_workbook_has_numbers_formats_frozen_header_and_fitted_widths(
    client, personas, kfq_projects
):
    url = reverse("reports:department_summary_xlsx", args=[personas.department_b.pk, 2024])
    data = _download(client, personas.bob, url)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["项目自评汇总"]
    assert sheet.freeze_panes == "A4"
    header = [c.value for c in sheet[3]]
    assert header[6] == "当年预算数（万元）" and header[8] == "预算执行率"
    rows = {r[4].value: r for r in sheet.iter_rows(min_row=4) if r[4].value}
    audit = rows["审计、评估等相关费用"]
    # 800,000 / 672,362 元 in 万元, 84.05%, 98.40 优 (seed 000)
    assert audit[6].data_type == "n" and Decimal(str(audit[6].value)) == Decimal("80")
    # 672,362 元 prints 67.24 万元 in the PDF's summary; the cell holds that figure.
    assert Decimal(str(audit[7].value)) == Decimal("67.24")
    assert audit[6].number_format == audit[7].number_format == "#,##0.00"
    assert audit[8].number_format == "0.00%" and round(audit[8].value, 4) == 0.8405
    assert audit[9].number_format == "0.00" and audit[9].value == 98.4
    assert audit[10].value == "优"
    militia = rows["武装工作经费"]
    assert militia[8].value == 0 and militia[9].value == 85 and militia[10].value == "良"
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if cell.value is None:
                continue
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= display_width(cell.value, cell.number_format), cell.coordinate
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$3:$3"
    stats = workbook["统计"]
    values = [[c.value for c in r] for r in stats.iter_rows()]
    assert ["评优率", 0.5] in [v[:2] for v in values]  # 1 of 2 rated 优


def test_summary_workbook_in_yuan_uses_the_yuan_format(client, personas, kfq_projects):
    url = reverse("reports:department_summary_xlsx", args=[personas.department_b.pk, 2024])
    data = _download(client, personas.bob, url, money_unit="元")
    sheet = load_workbook(io.BytesIO(data))["项目自评汇总"]
    assert sheet.cell(3, 7).value == "当年预算数（元）"
    assert sheet.cell(4, 7).number_format == "#,##0.00"
    assert {sheet.cell(r, 7).value for r in (4, 5)} == {100000, 800000}
