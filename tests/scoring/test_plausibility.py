"""Plausibility of the amounts: a rate no real filing has is a finding, never a crash.

checks.execution_rate_plausible_max (default 200 %) and checks.money_unit_slip_factor (default 3)
are the application's own checks (docs/rulesets.md). The cases sit at and around each bound, with
amounts in 元 as the database stores them (two places, below 10^16), plus the engine's wider
inputs (NaN, infinities, negatives, 12 decimals) which must not raise either.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import EvaluationInput, FundLine, load_ruleset, score_evaluation
from scoring.engine.document import result_to_json
from scoring.engine.findings import CATALOGUE
from scoring.engine.rules import RuleSetError, list_rulesets, override_ruleset

RULES = load_ruleset()
PLAUSIBILITY = ("execution_rate_implausible", "money_unit_slip_suspected")
MAX_AMOUNT = Decimal(10) ** 16 - Decimal("0.01")  # the largest amount a column (18, 2) holds


def _score(budget, executed, *, rules=RULES, initial=None, claimed_rate=None):
    amounts = [Decimal(str(a)) if a is not None else None for a in (budget, executed)]
    line = FundLine("total", initial=initial, adjusted=amounts[0], executed=amounts[1])
    inp = EvaluationInput(funds=(line,), indicators=(), claimed_rate=claimed_rate)
    return score_evaluation(inp, rules)


def _codes(result) -> list[str]:
    return [f.code for f in result.findings if f.code in PLAUSIBILITY]


def _message(result, code: str) -> str:
    return next(f.message for f in result.findings if f.code == code)


def test_both_findings_block_submission() -> None:
    assert CATALOGUE["execution_rate_implausible"][0] == "error"
    assert CATALOGUE["money_unit_slip_suspected"][0] == "error"


def test_every_shipped_rule_set_has_both_parameters_as_a_plausibility_check() -> None:
    for rules in list_rulesets():
        assert rules.execution_rate_plausible_max == 200, rules.key
        assert rules.money_unit_slip_factor == 3, rules.key
        for key in ("checks.execution_rate_plausible_max", "checks.money_unit_slip_factor"):
            assert "合理性检查，非政策规定" in rules.sources[key], (rules.key, key)


def test_the_reported_typo_900_against_950000_is_implausible_not_a_crash() -> None:
    # 950,000 / 900 = 1,055.6 times: far above 200 %, but not within 3 of 10^4 (3,333 to 30,000).
    result = _score(900, 950000)
    assert result.execution_rate == Decimal("105555.56")
    assert result.execution_score == 10  # capped: the check changes no score
    assert _codes(result) == ["execution_rate_implausible"]
    assert "executed_above_budget" in {f.code for f in result.findings}
    message = _message(result, "execution_rate_implausible")
    assert "105,555.56%" in message and "200%" in message
    assert "全年执行数 950,000 元" in message and "全年预算数 900 元" in message
    assert "元/万元" in message
    assert result.errors  # blocks submission


@pytest.mark.parametrize(
    ("executed", "expected"),
    [
        ("199.99", []),
        ("200", []),  # exactly the bound: not above it
        ("200.01", ["execution_rate_implausible"]),
        ("100", []),
        ("0", []),
    ],
)
def test_the_rate_bound_at_and_around_200_percent(executed, expected) -> None:
    assert _codes(_score(100, executed)) == expected


def test_the_bound_is_compared_from_unrounded_amounts() -> None:
    # 200.004 % rounds to 200.00 % yet lies above the bound; 200 % of a long budget is exact.
    assert _codes(_score(100000, "200004")) == ["execution_rate_implausible"]
    assert _score(100000, "200004").execution_rate == Decimal("200.00")
    budget = Decimal("3333333333333333.33")
    assert _codes(_score(budget, budget * 2)) == []
    assert _codes(_score(budget, budget * 2 + Decimal("0.01"))) == ["execution_rate_implausible"]


def test_the_bound_is_a_parameter() -> None:
    wider = override_ruleset(RULES, {"checks.execution_rate_plausible_max": 500})
    assert _codes(_score(100, 300, rules=wider)) == []
    assert _codes(_score(100, "500.01", rules=wider)) == ["execution_rate_implausible"]
    assert "超过 500%" in _message(_score(100, 501, rules=wider), "execution_rate_implausible")


@pytest.mark.parametrize(
    ("budget", "executed", "expected"),
    [
        # executed ≈ budget × 10^4: from 10^4 / 3 to 3 × 10^4 times, both edges included.
        (3, "9999.99", ["execution_rate_implausible"]),
        (3, 10000, ["money_unit_slip_suspected"]),  # exactly 10^4 / 3
        (900, 9000000, ["money_unit_slip_suspected"]),  # exactly 10^4
        (1, 30000, ["money_unit_slip_suspected"]),  # exactly 3 × 10^4
        (1, "30000.01", ["execution_rate_implausible"]),
        # executed ≈ budget ÷ 10^4: from 1 / (3 × 10^4) to 3 / 10^4, both edges included.
        ("30000.01", 1, []),
        (30000, 1, ["money_unit_slip_suspected"]),  # exactly 1 / (3 × 10^4)
        (9000000, 900, ["money_unit_slip_suspected"]),  # exactly 10^-4
        (10000, 3, ["money_unit_slip_suspected"]),  # exactly 3 / 10^4
        (10000, "3.01", []),
    ],
)
def test_the_slip_windows_at_and_around_each_edge(budget, executed, expected) -> None:
    assert _codes(_score(budget, executed)) == expected


def test_a_slip_upwards_names_the_unit_and_replaces_the_plain_finding() -> None:
    # 全年预算数 46 万元 typed as 46; 全年执行数 387,600 元 typed as 387600: ×8,426.
    result = _score(46, 387600)
    assert _codes(result) == ["money_unit_slip_suspected"]
    message = _message(result, "money_unit_slip_suspected")
    assert message.startswith("疑似元/万元单位错误：全年执行数约为全年预算数的 1 万倍")
    assert "执行率 842,608.70%" in message


def test_a_slip_downwards_says_one_ten_thousandth() -> None:
    message = _message(_score(460000, "38.76"), "money_unit_slip_suspected")
    assert message.startswith("疑似元/万元单位错误：全年执行数约为全年预算数的万分之一")


def test_the_slip_factor_is_a_parameter() -> None:
    narrow = override_ruleset(RULES, {"checks.money_unit_slip_factor": Decimal("1.5")})
    assert _codes(_score(1, 20000, rules=narrow)) == ["execution_rate_implausible"]
    assert _codes(_score(1, 15000, rules=narrow)) == ["money_unit_slip_suspected"]


def test_the_checks_follow_the_rule_sets_denominator() -> None:
    initial = override_ruleset(RULES, {"execution.denominator": "initial"})
    result = _score(100, 1000000, rules=initial, initial=Decimal(100))
    assert _codes(result) == ["money_unit_slip_suspected"]
    assert "约为年初预算数的 1 万倍" in _message(result, "money_unit_slip_suspected")


def test_the_checks_read_the_amounts_reconciled_from_the_source_rows() -> None:
    lines = (
        FundLine("total", Decimal(0), Decimal(0), Decimal(0)),
        FundLine("current_year", Decimal(100), Decimal(100), Decimal(90)),
        FundLine("carryover", Decimal(50), Decimal(50), Decimal(500000)),
    )
    result = score_evaluation(EvaluationInput(funds=lines, indicators=()), RULES)
    assert result.budget == 150 and result.executed == 500090
    assert _codes(result) == ["money_unit_slip_suspected"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("checks.execution_rate_plausible_max", 99),
        ("checks.execution_rate_plausible_max", -1),
        ("checks.execution_rate_plausible_max", "200"),
        ("checks.money_unit_slip_factor", 1),
        ("checks.money_unit_slip_factor", 100),
        ("checks.money_unit_slip_factor", True),
    ],
)
def test_bad_parameter_values_are_refused_naming_the_key(key, value) -> None:
    with pytest.raises(RuleSetError, match=key.replace(".", r"\.")):
        override_ruleset(RULES, {key: value})


@pytest.mark.parametrize(
    ("budget", "executed"),
    [
        (0, 0),
        (0, 5),  # budget 0 with executed > 0
        ("0.01", 0),
        ("0.01", "0.01"),
        ("0.01", MAX_AMOUNT),
        (MAX_AMOUNT, "0.01"),
        (MAX_AMOUNT, MAX_AMOUNT),
        (None, MAX_AMOUNT),
        (MAX_AMOUNT, None),
        (-5, 100),
        (100, -5),
        ("0.000000000001", "999999999999999.999999999999"),  # selfeval/1's widest numbers
        ("999999999999999.999999999999", "0.000000000001"),
        ("NaN", 100),
        (100, "NaN"),
        ("Infinity", 100),
        (100, "-Infinity"),
    ],
)
def test_the_engine_never_raises_on_any_amounts(budget, executed) -> None:
    result = _score(budget, executed, claimed_rate=Decimal("84.261234567891"))
    assert result.execution_score <= result.execution_weight


def _cents(high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, high).map(lambda cents: Decimal(cents).scaleb(-2))


# Amounts as the database holds them: exact to the 分, below 10^16 元; skewed towards the edges.
AMOUNTS = st.one_of(
    st.sampled_from([Decimal(0), Decimal("0.01"), MAX_AMOUNT]),
    _cents(10**4),
    _cents(10**18 - 1),
)


@settings(max_examples=300, deadline=None)
@given(budget=AMOUNTS, executed=AMOUNTS, claimed=st.none() | _cents(10**24 - 1))
def test_every_stored_amount_gives_a_rate_its_column_holds(budget, executed, claimed) -> None:
    """Whatever a filing stores, the rate fits execution_rate (24, 2), the result serialises and
    the trace renders: the pages that show them answer."""
    line = FundLine("total", budget, budget, executed)
    inp = EvaluationInput(funds=(line,), indicators=(), claimed_rate=claimed)
    result = score_evaluation(inp, RULES)
    if result.execution_rate is not None:
        assert abs(result.execution_rate) < Decimal(10) ** 22
        assert result.execution_rate == result.execution_rate.quantize(Decimal("0.01"))
    assert "execution_score" in result_to_json(result)
    assert result.trace
    codes = _codes(result)
    assert len(codes) <= 1  # a slip replaces the plain finding
    if budget > 0 and executed * 100 > 200 * budget:
        assert codes  # implausible or a slip, never silent
