"""The year-end link to mid-year monitoring, in the pure engine: figures by hand from the rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.engine.model import EvaluationInput, FundLine, IndicatorInput
from scoring.engine.rules import load_ruleset
from scoring.engine.score import score_evaluation

RULES = load_ruleset("national-2020")


def _evaluation(target: str, actual: str, midyear: str | None, undecided=()) -> EvaluationInput:
    return EvaluationInput(
        funds=(FundLine("total", adjusted=Decimal("100"), executed=Decimal("100")),),
        indicators=(
            IndicatorInput(
                level1="产出指标",
                level2="数量指标",
                name="办理事项",
                target=target,
                actual=actual,
                weight="90",
                deviation="原因",
                midyear_value=midyear,
            ),
        ),  # fmt: skip
        execution_weight=Decimal("10"),
        red_lights_undecided=tuple(undecided),
    )


def _codes(inp: EvaluationInput) -> list[str]:
    return [f.code for f in score_evaluation(inp, RULES).findings]


@pytest.mark.parametrize(
    ("target", "actual", "midyear", "flagged"),
    [
        ("≥1000件", "900件", "950件", True),  # 900 < 950: a cumulative count cannot fall
        ("≥1000件", "950件", "950件", False),  # equal is no contradiction
        ("≥1000件", "1200件", "950件", False),
        ("≥98%", "97%", "99%", True),  # a rate the filer reported higher at mid-year
        ("≤2000元", "2100元", "1500元", False),  # lower-is-better rows are not compared
        ("≥1000件", "900件", "上半年进展顺利", False),  # prose at mid-year gives no figure
        ("≥1000件", "900件", None, False),  # no round
    ],
)
def test_a_year_end_actual_below_the_midyear_value_is_a_warning(target, actual, midyear, flagged):
    codes = _codes(_evaluation(target, actual, midyear))
    assert ("actual_below_midyear" in codes) is flagged


def test_the_warning_names_the_row_and_both_values():
    result = score_evaluation(_evaluation("≥1000件", "900件", "950件"), RULES)
    finding = next(f for f in result.findings if f.code == "actual_below_midyear")
    assert finding.severity == "warning" and finding.indicator == 0
    assert "办理事项" in finding.message and "950件" in finding.message


def test_red_lights_left_without_a_decision_are_named_in_one_warning():
    inp = _evaluation("≥1000件", "1000件", None, undecided=("预算执行进度", "指标「办理事项」"))
    finding = next(
        f for f in score_evaluation(inp, RULES).findings if f.code == "red_light_undecided"
    )
    assert finding.severity == "warning" and finding.indicator is None
    assert "预算执行进度、指标「办理事项」" in finding.message
    assert "red_light_undecided" not in _codes(_evaluation("≥1000件", "1000件", None))
