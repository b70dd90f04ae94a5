"""The formatting module: every displayed figure rounded once, half-up (四舍五入), to two places.

Golden texts are worked out by hand. Decimal's own formatting (`f"{x:.2f}"`) and Django's
`floatformat` round half-even, which prints 84.24 for 84.245: these tests fail on that.
"""

from decimal import Decimal

import pytest

from projects import formatting as fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("84.245", "84.25"),  # half-even would print 84.24
        ("0.125", "0.13"),
        ("1234567.005", "1,234,567.01"),
        ("579948", "579,948.00"),
        ("-2.345", "-2.35"),  # half away from zero, as 四舍五入 is taught
    ],
)
def test_amounts_round_half_up_with_thousands_separators(value, text):
    assert fmt.fmt_amount(Decimal(value)) == text


@pytest.mark.parametrize(
    ("yuan", "unit", "text"),
    [
        ("579948", "万元", "57.99"),
        ("842450", "万元", "84.25"),  # 84.245 万元
        ("1000000", "万元", "100.00"),
        ("1000000", "元", "1,000,000.00"),
        ("842450", "元", "842,450.00"),
    ],
)
def test_money_text_prints_the_table_figure(yuan, unit, text):
    assert fmt.money_text(Decimal(yuan), unit) == text


def test_money_prose_drops_trailing_zeros_after_rounding():
    assert fmt.money_prose(Decimal("579948"), "万元") == "57.99万元"
    assert fmt.money_prose(Decimal("1000000"), "万元") == "100万元"


def test_an_editable_amount_is_exact_so_an_untouched_form_changes_nothing():
    assert fmt.editable_amount(Decimal("579948"), "万元") == "57.9948"
    assert fmt.editable_amount(Decimal("579948"), "元") == "579,948.00"


def test_rates_and_scores_round_half_up():
    assert fmt.rate(Decimal("84245"), Decimal("100000")) == Decimal("84.25")
    assert fmt.fmt_percent(Decimal("84.245")) == "84.25%"
    assert fmt.fmt_score(Decimal("9.225")) == "9.23"
    assert fmt.percent_prose("84.245") == "84.25%"
    assert fmt.score_prose(Decimal("97.650")) == "97.65"


def test_blank_figures_print_as_the_page_asks():
    assert (fmt.fmt_amount(None), fmt.fmt_score(None), fmt.fmt_percent(None)) == ("", "", "")
    assert fmt.money_prose(None, "万元") == "—"
