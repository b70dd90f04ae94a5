"""The 年度资金总额 rule (scoring.engine.funds): sum of the sources carrying a column, else printed."""

from decimal import Decimal

from scoring.engine.funds import fund_total

D = Decimal


def test_each_column_is_the_sum_of_the_sources_that_carry_it():
    sources = [
        {"initial": D("200000"), "adjusted": D("200000"), "executed": D("180000")},
        {"initial": None, "adjusted": D("50000"), "executed": None},  # 上年结转, one column
    ]
    printed = {"initial": D("250000"), "adjusted": D("1"), "executed": D("2")}
    assert fund_total(printed, sources) == {
        "initial": D("200000"),  # the sum wins over a printed figure that disagrees
        "adjusted": D("250000"),
        "executed": D("180000"),
    }


def test_a_column_no_source_carries_keeps_the_totals_printed_figure():
    sources = [{"initial": None, "adjusted": D("250000"), "executed": D("200000")}, None]
    printed = {"initial": D("200000"), "adjusted": D("250000"), "executed": None}
    assert fund_total(printed, sources) == {
        "initial": D("200000"),
        "adjusted": D("250000"),
        "executed": D("200000"),
    }


def test_no_rows_at_all_give_a_blank_total():
    assert fund_total(None, []) == dict.fromkeys(("initial", "adjusted", "executed"))
