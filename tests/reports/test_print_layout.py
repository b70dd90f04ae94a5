"""Print layout of long documents (issue item 8): the summary's grand total once, at the end; the
主管部门 as a heading instead of a column repeated on every row; the 总分 block of a 自评表 never
alone on a page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import FundLine, IndicatorResult
from tests import factories as f
from tests.reports import pdftools

PROJECTS = 45


@pytest.fixture
def long_summary(personas):
    """45 projects of department A, each 10,000 元 budgeted and 9,000 元 executed (90%)."""
    for n in range(1, PROJECTS + 1):
        project = f.ProjectFactory(
            unit=personas.unit_a, year=2023, name=f"长表项目{n:02d}", code=f"S{n:02d}"
        )
        FundLine.objects.create(
            project=project,
            source="total",
            initial=Decimal(10000),
            adjusted=Decimal(10000),
            executed=Decimal(9000),
            weight=Decimal(10),
        )
        f.EvaluationFactory(
            project=project,
            execution_rate=Decimal("90.00"),
            computed_execution_score=Decimal("9.00"),
            computed_total=Decimal("99.00"),
            computed_grade="优",
        )


def _pdf(client, user, url) -> list[str]:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return pdftools.pages_text(response.content)


def test_summary_grand_total_is_printed_once_after_the_last_row(client, personas, long_summary):
    pages = _pdf(
        client,
        personas.dora,
        reverse("reports:department_summary_pdf", args=[personas.department_a.pk, 2023]),
    )
    assert len(pages) >= 2
    # 45 × 1.00 万元 budgeted, 45 × 0.90 executed, 90.00%: a figure from the rows, not the code.
    grand_total = "合计45.0040.5090.00%"
    assert sum(page.count(grand_total) for page in pages) == 1
    last_row_page = next(i for i, page in enumerate(pages) if f"长表项目{PROJECTS}" in page)
    total_page = next(i for i, page in enumerate(pages) if grand_total in page)
    assert total_page == last_row_page
    assert pages[total_page].index(f"长表项目{PROJECTS}") < pages[total_page].index(grand_total)
    # no page before the last row carries a total that looks like a subtotal
    assert all("合计" not in page for page in pages[:last_row_page])


def test_summary_prints_the_department_as_a_heading_not_on_every_row(
    client, personas, long_summary
):
    pages = _pdf(
        client,
        personas.dora,
        reverse("reports:department_summary_pdf", args=[personas.department_a.pk, 2023]),
    )
    text = "".join(pages)
    name = personas.department_a.name
    assert text.count(f"主管部门：{name}") == 1
    assert text.count(name) == 2  # the title and the group heading, not 45 rows
    assert "序号项目名称当年预算数" in text
    assert "{" not in text and "#" not in text  # no template syntax printed


@pytest.mark.parametrize("indicators", [19, 23])
def test_the_total_block_is_never_alone_on_a_page(client, personas, indicators):
    # With 19–23 indicator rows the table fills page 1 and, without the rule, 总分 and the
    # signature block would start page 2 on their own.
    project = f.ProjectFactory(unit=personas.unit_a, name="长指标项目", code="LONG")
    FundLine.objects.create(
        project=project,
        source="total",
        initial=Decimal(100000),
        adjusted=Decimal(100000),
        executed=Decimal(90000),
        weight=Decimal(10),
    )
    evaluation = f.EvaluationFactory(project=project)
    for i in range(indicators):
        indicator = f.IndicatorFactory(
            project=project,
            order=i,
            name=f"长表指标{i:02d}",
            level2=f"二级{i // 3}",
            weight=Decimal(90) / indicators,
        )
        IndicatorResult.objects.create(evaluation=evaluation, indicator=indicator, actual="100个")
    pages = _pdf(
        client, personas.alice, reverse("reports:evaluation_table_pdf", args=[evaluation.pk])
    )
    assert len(pages) == 2
    total_page = next(page for page in pages if "总分" in page)
    assert f"长表指标{indicators - 1:02d}" in total_page
    assert "填报单位（公章）：" in total_page and "注：金额单位为万元" in total_page
