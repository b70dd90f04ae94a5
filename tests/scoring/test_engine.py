"""Properties of the engine as a whole: pure, Decimal-only, stable codes, never raising."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    EvaluationInput,
    FundLine,
    IndicatorInput,
    load_ruleset,
    score_evaluation,
)
from scoring.engine.findings import CATALOGUE

ENGINE = Path(__file__).resolve().parents[2] / "scoring" / "engine"

# domain.md §6, code by code.
SEVERITIES = {
    "weights_not_90": "error",
    "actual_missing": "error",
    "deviation_missing": "error",
    "executed_above_budget": "error",
    "fund_rows_not_summing": "error",
    "claimed_score_above_computed": "warning",
    "claimed_total_mismatch": "warning",
    "claimed_rate_mismatch": "warning",
    "target_unparsed": "warning",
    "actual_equals_strict_bound": "warning",
    "exceeded_far": "warning",
    "unit_mismatch": "warning",
    "level_mismatch": "warning",
    "direction_suspect": "info",
    "actuals_copy_targets": "info",
    "total_capped": "info",
    "actual_not_a_value": "info",
    "unit_assumed": "info",
}


def test_every_code_of_domain_section_6_has_its_severity() -> None:
    for code, severity in SEVERITIES.items():
        assert CATALOGUE[code][0] == severity, code


def test_the_engine_imports_no_django_and_uses_no_float() -> None:
    for path in ENGINE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any(n.split(".")[0] == "django" for n in names), path.name
            assert not (isinstance(node, ast.Name) and node.id == "float"), path.name
            assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), path.name


def _evaluation(indicators: list[IndicatorInput], executed: str) -> EvaluationInput:
    return EvaluationInput(
        funds=(FundLine("total", None, Decimal("10000"), Decimal(executed)),),
        indicators=tuple(indicators),
    )


_TEXT = st.one_of(
    st.none(), st.text(max_size=12), st.sampled_from(["≥95%", "95%", "≤5万元", "达成"])
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.builds(
            IndicatorInput,
            level1=st.sampled_from(["产出指标", "效益指标", "", "成本"]),
            level2=st.one_of(st.none(), st.text(max_size=6)),
            name=st.text(max_size=8),
            target=_TEXT,
            actual=_TEXT,
            weight=st.one_of(st.none(), st.sampled_from(["10", "0", "-5", "20%", "abc", "10.3"])),
            claimed_score=st.one_of(st.none(), st.sampled_from(["10", "x", "-1", "99"])),
            deviation=st.one_of(st.none(), st.text(max_size=5)),
            achievement=st.sampled_from([None, "met", "partial", "missed", "bogus"]),
        ),
        max_size=6,
    ),
    st.sampled_from(["0", "5000", "10000", "12000", "-1"]),
)
def test_scoring_never_raises_and_scores_stay_within_weights(indicators, executed) -> None:
    result = score_evaluation(_evaluation(indicators, executed), load_ruleset())
    assert Decimal(0) <= result.execution_score <= 10
    for row in result.indicators:
        assert row.score >= 0
        if row.weight is not None and row.weight > 0:  # no 不适用 rows here, so no rescaling
            assert row.score <= row.weight
    assert result.total == result.execution_score + result.indicator_total


def test_the_same_input_gives_the_same_result() -> None:
    inp = _evaluation(
        [IndicatorInput("产出指标", "数量指标", "培训", "≥10次", "8次", "90")], "9000"
    )
    rules = load_ruleset()
    assert score_evaluation(inp, rules) == score_evaluation(inp, rules)


def test_fast_builders_fill_exactly_the_declared_fields() -> None:
    from dataclasses import fields

    from scoring.engine.model import (
        EvaluationResult,
        Finding,
        IndicatorResult,
        new_evaluation_result,
        new_finding,
        new_indicator_result,
    )

    inp = _evaluation(
        [IndicatorInput("产出指标", "数量指标", "培训", "≥10次", "8次", "90")], "9000"
    )
    result = score_evaluation(inp, load_ruleset())
    built = [
        (new_finding("c", "info", "m", None), Finding),
        (new_indicator_result(*([None] * 8)), IndicatorResult),
        (
            new_evaluation_result(**{f.name: None for f in fields(EvaluationResult)}),
            EvaluationResult,
        ),
        (result, EvaluationResult),
        (result.indicators[0], IndicatorResult),
        (result.findings[0], Finding),
    ]
    for obj, cls in built:
        assert type(obj) is cls
        assert list(vars(obj)) == [f.name for f in fields(cls)], cls.__name__


def test_the_trace_explains_rules_rate_rows_caps_and_grade() -> None:
    inp = _evaluation(
        [IndicatorInput("产出指标", "数量指标", "培训", "≥10次", "8次", "90", deviation="停办")],
        "5573",
    )
    trace = score_evaluation(inp, load_ruleset("execution-caps-over-deduction")).trace
    # People read the rule set in words, never its internal id (execution-caps-over-deduction@1).
    assert trace[0] == "评分规则：按执行率封顶总分、超额扣分（省级实践）第1版"
    assert trace[1] == "执行率 = 全年执行数 5573 / 全年预算数 10000 = 55.7300% → 55.73%"
    assert trace[2] == "执行率得分 = 10 × min(0.557300, 1) → 5.57"
    assert trace[3].startswith("「培训」目标 ≥10次，实际 8次，部分达成；90 × 8 / 10")
    assert trace[4] == "总分 = 执行率得分 5.57 + 指标得分 72.00 = 77.57"
    assert trace[5] == "执行率 55.73% 在 [50, 60) 内，总分上限 69：77.57 → 69.00"
    assert trace[6] == "等级：中（总分 69.00）"
