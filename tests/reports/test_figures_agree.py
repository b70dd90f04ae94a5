"""One evaluation with awkward figures reads the same on every page, print, workbook and file.

The figures are chosen so that half-even rounding, float arithmetic, exact 万元 and missing
thousands separators each show a different text from the one a person computes by hand:

- 全年预算数 1,000,000 元, 全年执行数 842,450 元: 执行率 84.245% → 84.25% (half-even: 84.24),
  执行数 84.245 万元 → 84.25 万元 (half-even: 84.24);
- 年初预算数 579,948 元 → 57.9948 万元 → 57.99 万元;
- 执行率得分 10 × 0.84245 = 8.4245 → 8.42;
- 数量指标 ≥400个 with 369个 at weight 10: 10 × 369 / 400 = 9.225 → 9.23 (half-even: 9.22);
  the other rows are met in full (40 + 30 + 10), so 指标得分 89.23 and 总分 8.42 + 89.23 = 97.65,
  优 (≥ 90).

The golden texts below are that arithmetic, by hand; nothing here calls the formatting module.
Each place is read as a person reads it: the page's text without tags, the PDF's text through
poppler, each workbook cell as its number format displays it, the CSV's cells.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import EvaluationStatus, FundLine, Indicator, IndicatorResult
from tests import factories as f
from tests.reports import pdftools

# Golden figures, as a person prints them by hand (half-up, two places).
RATE = "84.25%"
EXECUTION_SCORE = "8.42"
ROW_SCORE = "9.23"
INDICATOR_TOTAL = "89.23"
TOTAL = "97.65"
AMOUNTS = {
    # 年初预算数, 全年预算数, 全年执行数 as a table prints them
    "万元": ("57.99", "100.00", "84.25"),
    "元": ("579,948.00", "1,000,000.00", "842,450.00"),
}
# What half-even, float or exact 万元 would print instead: none may appear anywhere.
# (The review page's 计分过程 shows the rule's unrounded steps, "84.2450% → 84.25%": those are
# four-place figures, which `shows` does not take for these.)
WRONG = ("84.24%", "84.24", "84.245", "57.9948", "9.22", "8.4245", "9.225")


def build(unit, money_unit: str):
    """The awkward evaluation, scored by the engine, published (so the open data carries it)."""
    from scoring.recompute import settle_following_claims
    from scoring.services import score_evaluation

    project = f.ProjectFactory(
        unit=unit, name="办公设备购置项目", code="P-FIG", money_unit=money_unit
    )
    for source in ("total", "current_year"):
        FundLine.objects.create(
            project=project,
            source=source,
            initial=Decimal("579948"),
            adjusted=Decimal("1000000"),
            executed=Decimal("842450"),
            weight=Decimal("10") if source == "total" else None,
        )
    evaluation = f.EvaluationFactory(
        project=project, goal_actual="按计划购置办公设备。", status=EvaluationStatus.DRAFT
    )
    rows = (
        ("产出指标", "数量指标", "购置设备数量", "≥400个", "369个", "10", "部分设备延期到货"),
        ("产出指标", "质量指标", "设备验收合格率", "≥95%", "96%", "40", ""),
        ("效益指标", "社会效益指标", "办公效率提升率", "≥90%", "95%", "30", ""),
        ("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥90%", "92%", "10", ""),
    )
    for order, (level1, level2, name, target, actual, weight, reason) in enumerate(rows):
        indicator = Indicator.objects.create(
            project=project,
            order=order,
            level1=level1,
            level2=level2,
            name=name,
            target=target,
            weight=Decimal(weight),
        )
        IndicatorResult.objects.create(
            evaluation=evaluation,
            indicator=indicator,
            actual=actual,
            deviation_reason=reason,
            claimed_follows=True,
        )
    evaluation.claimed_execution_follows = True
    evaluation.save()
    score_evaluation(evaluation)
    settle_following_claims([evaluation.pk])
    evaluation.refresh_from_db()
    return evaluation


def page_text(html: str) -> str:
    """What a reader sees of an HTML page: the text between tags, one space between cells."""
    html = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", "", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    html = html.replace("&nbsp;", " ").replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", html)


def shows(text: str, figure: str) -> bool:
    """The figure stands on its own in the text: 57.99 is not shown by 57.9948 or 157.99."""
    return re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d])", text) is not None


def cell_text(value, number_format: str) -> str:
    """A workbook cell as Excel displays it: its number format applied, half away from zero."""
    if not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    number = Decimal(str(value))  # Excel shows 15 significant digits: 84.245, not 84.24499…
    fmt = number_format.split(";")[0]
    percent = "%" in fmt
    if percent:
        number *= 100
    if fmt == "General":
        return f"{number.normalize():f}"
    decimals = fmt.split(".")[1] if "." in fmt else ""
    required = decimals.count("0")
    optional = decimals.count("#")
    shown = number.quantize(Decimal(1).scaleb(-(required + optional)), rounding=ROUND_HALF_UP)
    text = f"{shown:,f}" if "," in fmt else f"{shown:f}"
    if optional:
        integer, _, places = text.partition(".")
        places = places.rstrip("0").ljust(required, "0")
        text = f"{integer}.{places}" if places else integer
    return text + ("%" if percent else "")


def workbook_text(data: bytes) -> str:
    """Every cell of every sheet as displayed, separated so figures never run together."""
    book = load_workbook(io.BytesIO(data))
    return " | ".join(
        cell_text(cell.value, cell.number_format)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def expected(money_unit: str) -> list[str]:
    """Every figure the 自评表 prints, in the given money unit."""
    return [*AMOUNTS[money_unit], RATE, EXECUTION_SCORE, ROW_SCORE, TOTAL]


def assert_shows(text: str, figures, where: str, *, wrong=WRONG) -> None:
    missing = [figure for figure in figures if not shows(text, figure)]
    wrong = [figure for figure in wrong if shows(text, figure)]
    assert (missing, wrong) == ([], []), f"{where}: missing {missing}, wrong {wrong}"


MONEY_UNITS = pytest.mark.parametrize("money_unit", ["万元", "元"])


@pytest.fixture
def reader(client, personas):
    """GET a URL as the finance reviewer (who may open every page here) and return the bytes."""

    def get(url, **params):
        client.force_login(personas.frank)
        response = client.get(url, params)
        assert response.status_code == 200, url
        return b"".join(response.streaming_content) if response.streaming else response.content

    return get


@MONEY_UNITS
def test_filing_form_shows_the_golden_figures(client, personas, money_unit):
    evaluation = build(personas.unit_a, money_unit)
    client.force_login(personas.alice)
    html = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk])).content.decode()
    # The page's 自评报告 section is the drafted narrative, checked with the report below.
    table, _, _ = html.partition('<section id="narrative"')
    figures = [*expected(money_unit), INDICATOR_TOTAL]
    assert_shows(page_text(table), figures, "填报页")


@MONEY_UNITS
def test_review_page_shows_the_golden_figures(reader, personas, money_unit):
    evaluation = build(personas.unit_a, money_unit)
    html = reader(reverse("review:evaluation_detail", args=[evaluation.pk]))
    text = page_text(html.decode())
    # The 计分过程 below the table repeats the rate and scores: read the table alone.
    table = text.split("计分过程")[0]
    assert_shows(table, [*expected(money_unit), INDICATOR_TOTAL], "审核页")


@MONEY_UNITS
def test_table_page_shows_the_golden_figures(reader, personas, money_unit):
    evaluation = build(personas.unit_a, money_unit)
    url = reverse("reports:evaluation_table", args=[evaluation.pk])
    html = reader(url, money_unit=money_unit)
    assert_shows(page_text(html.decode()), expected(money_unit), "自评表页面")


@MONEY_UNITS
def test_table_pdf_reads_back_the_golden_figures(reader, personas, money_unit):
    evaluation = build(personas.unit_a, money_unit)
    url = reverse("reports:evaluation_table_pdf", args=[evaluation.pk])
    data = reader(url, money_unit=money_unit)
    assert_shows(pdftools.spaced_text(data), expected(money_unit), "自评表 PDF")


@pytest.mark.parametrize(
    "money_unit",
    ["万元", "元"],
)
def test_table_workbook_displays_the_golden_figures(reader, personas, money_unit):
    evaluation = build(personas.unit_a, money_unit)
    url = reverse("reports:evaluation_table_xlsx", args=[evaluation.pk])
    text = workbook_text(reader(url, money_unit=money_unit))
    assert_shows(text, expected(money_unit), "自评表 Excel")


def test_drafted_text_on_the_form_states_the_golden_figures(client, personas):
    evaluation = build(personas.unit_a, "万元")
    client.force_login(personas.alice)
    html = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk])).content.decode()
    _, _, narrative = html.partition('<section id="narrative"')
    figures = ("57.99万元", "100万元", "84.25万元", RATE, EXECUTION_SCORE, ROW_SCORE, TOTAL)
    assert_shows(page_text(narrative), figures, "填报页自评报告")


def test_drafted_report_states_the_golden_figures(reader, personas):
    evaluation = build(personas.unit_a, "万元")
    html = reader(reverse("reports:evaluation_report", args=[evaluation.pk]))
    # Prose drops a figure's trailing zeros: 100万元, 57.99万元, 84.25万元, 84.25%, 8.42分.
    figures = ("57.99万元", "100万元", "84.25万元", RATE, EXECUTION_SCORE, ROW_SCORE, TOTAL)
    assert_shows(page_text(html.decode()), figures, "自评报告")


def test_drafted_report_states_the_golden_rates_and_scores(reader, personas):
    evaluation = build(personas.unit_a, "万元")
    html = reader(reverse("reports:evaluation_report", args=[evaluation.pk]))
    figures = (RATE, EXECUTION_SCORE, ROW_SCORE, TOTAL)
    assert_shows(page_text(html.decode()), figures, "自评报告", wrong=("84.24%", "9.22"))


def _published(personas):
    evaluation = build(personas.unit_a, "万元")
    evaluation.status = EvaluationStatus.PUBLISHED
    evaluation.save()
    return evaluation


def test_open_data_csv_carries_the_golden_figures(client, personas):
    evaluation = _published(personas)
    response = client.get(reverse("publication_year_csv", args=[evaluation.year]))
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    # Open data prints machine-readable 元 without separators; the rate and score as the table.
    assert (row["预算执行率（%）"], row["审核得分"], row["填报得分"]) == ("84.25", TOTAL, TOTAL)
    assert (row["全年预算数（元）"], row["全年执行数（元）"]) == ("1000000.00", "842450.00")


def _json(client, evaluation) -> dict:
    response = client.get(reverse("publication_evaluation_json", args=[evaluation.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


def test_open_data_json_carries_the_claimed_figures(client, personas):
    published = _json(client, _published(personas))
    document = published["document"]
    # selfeval/1 carries amounts exactly (it is read back in); the claimed scores as printed.
    assert document["claimed"]["execution_score"] == EXECUTION_SCORE
    assert published["result"]["claimed"]["execution_score"] == EXECUTION_SCORE
    assert document["claimed"]["total"] == TOTAL
    row = next(r for r in document["indicators"] if r["name"] == "购置设备数量")
    assert row["claimed_score"] == ROW_SCORE


def test_open_data_json_carries_the_computed_rate_and_total(client, personas):
    computed = _json(client, _published(personas))["result"]["computed"]
    assert (computed["execution_rate"], computed["total"]) == ("84.25", TOTAL)
    assert computed["execution_score"] == EXECUTION_SCORE


# ---------------------------------------------------------------- partial fund rows
#
# The 年度资金总额 row is the sum of its source rows (domain.md §3.1). Where no source row carries
# a column (当年财政拨款 with a 全年预算数 but no 年初预算数), the total's printed figure stands;
# where some do, their sum is the figure. 万元, by hand:
PARTIAL_ROWS = {
    # 年初 only on the total: 20.00; 全年 25.00; 执行 20.00; 执行率 200,000 / 250,000 = 80.00%.
    "no_initial_on_the_source": (
        {"total": ("200000", "250000", "200000"), "current_year": (None, "250000", "200000")},
        ("20.00", "25.00", "20.00", "80.00%"),
    ),
    # 上年结转资金 with a 全年预算数 only: 年初 20.00, 全年 20 + 5 = 25.00, 执行 18.00, 72.00%.
    "a_source_with_one_column": (
        {
            "total": ("200000", "250000", "180000"),
            "current_year": ("200000", "200000", "180000"),
            "carryover": (None, "50000", None),
        },
        ("20.00", "25.00", "18.00", "72.00%"),
    ),
}


def build_partial(unit, rows: dict):
    """A project whose fund rows are `rows` (元), scored, with one indicator met in full."""
    from scoring.services import score_evaluation

    project = f.ProjectFactory(unit=unit, name="部分填列项目", code="P-PART", money_unit="万元")
    for source, amounts in rows.items():
        FundLine.objects.create(
            project=project,
            source=source,
            **{
                column: Decimal(value) if value else None
                for column, value in zip(("initial", "adjusted", "executed"), amounts, strict=True)
            },
            weight=Decimal("10") if source == "total" else None,
        )
    evaluation = f.EvaluationFactory(project=project)
    indicator = Indicator.objects.create(
        project=project,
        order=0,
        level1="产出指标",
        level2="数量指标",
        name="完成数量",
        target="≥1项",
        weight=Decimal("90"),
    )
    IndicatorResult.objects.create(evaluation=evaluation, indicator=indicator, actual="1项")
    score_evaluation(evaluation)
    evaluation.refresh_from_db()
    return evaluation


def total_row(text: str) -> tuple[str, ...]:
    """The 年度资金总额 row's 年初 / 全年 / 执行 cells and its 执行率, as the page prints them."""
    row = text.split("年度资金总额", 1)[1].split("其中", 1)[0]
    amounts = tuple(row.split()[:3])
    rate = re.search(r"\d+\.\d\d%", row)
    return (*amounts, rate.group() if rate else "")


def shown_totals(client, personas, evaluation) -> dict[str, tuple[str, ...]]:
    client.force_login(personas.alice)
    form = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk])).content
    client.force_login(personas.frank)
    review = client.get(reverse("review:evaluation_detail", args=[evaluation.pk])).content
    table = client.get(reverse("reports:evaluation_table", args=[evaluation.pk])).content
    pdf = client.get(reverse("reports:evaluation_table_pdf", args=[evaluation.pk]))
    pdf = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    review_text = page_text(review.decode()).split("计分过程")[0]
    return {
        "填报页": total_row(page_text(form.decode())),
        "审核页": total_row(review_text),
        "自评表": total_row(page_text(table.decode())),
        "PDF": total_row(pdftools.spaced_text(pdf)),
    }


@pytest.mark.parametrize("case", PARTIAL_ROWS)
def test_a_partial_fund_row_totals_alike_on_the_form_the_review_page_and_the_print(
    client, personas, case
):
    rows, golden = PARTIAL_ROWS[case]
    evaluation = build_partial(personas.unit_a, rows)
    shown = shown_totals(client, personas, evaluation)
    assert shown == dict.fromkeys(shown, golden)


@pytest.mark.parametrize("case", PARTIAL_ROWS)
def test_a_filers_save_keeps_the_totals_printed_figure_where_no_source_has_one(
    client, personas, case
):
    from projects.filing.content import DraftChanges
    from projects.filing.services import evaluation_save_draft

    rows, golden = PARTIAL_ROWS[case]
    # The filer has not filed 全年执行数 yet; their save brings the figure the golden row shows.
    unfiled = {source: (*amounts[:2], None) for source, amounts in rows.items()}
    evaluation = build_partial(personas.unit_a, unfiled)
    executed = Decimal(rows["current_year"][2])
    evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=evaluation.version,
        changes=DraftChanges(funds={"current_year": {"executed": executed}}),
    )
    total = FundLine.objects.get(project=evaluation.project, source="total")
    assert total.initial == Decimal(rows["total"][0])
    shown = shown_totals(client, personas, evaluation)
    assert shown == dict.fromkeys(shown, golden)


def test_public_table_page_shows_the_golden_figures(client, personas):
    evaluation = _published(personas)
    html = client.get(reverse("publication_evaluation", args=[evaluation.pk])).content.decode()
    assert_shows(page_text(html), expected("万元"), "公开页")


def test_department_summary_shows_the_golden_figures(reader, personas):
    evaluation = build(personas.unit_a, "万元")
    url = reverse("reports:department_summary", args=[personas.department_a.pk, evaluation.year])
    # The summary prints 全年预算数 and 全年执行数 (100.00, 84.25), the rate and the total.
    figures = ("100.00", "84.25", RATE, TOTAL)
    assert_shows(page_text(reader(url).decode()), figures, "汇总表")
