"""The 预算执行率 part of the score: fund rows reconciled, the rate, and its points."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import NamedTuple

from .findings import finding
from .funds import column_total
from .model import EvaluationInput, Finding
from .numbers import HUNDRED, ONE, ZERO, is_blank, plain, round2
from .rules import RuleSet

_COLUMNS = (("initial", "年初预算数"), ("adjusted", "全年预算数"), ("executed", "全年执行数"))
_LABEL = dict(_COLUMNS)
_SLIP = Decimal(10000)  # 1 万元 = 10,000 元: the factor a 元/万元 slip multiplies by
# Digits for exact products and roundings of any amounts (a printed amount has at most 27).
_WIDE = 120
# The same precision as a context object whose methods are called directly: a localcontext()
# switch per evaluation costs more than the arithmetic it guards.
_EXACT = Context(prec=_WIDE, rounding=ROUND_HALF_UP)
_times = _EXACT.multiply


class ExecutionFigures(NamedTuple):
    """The reconciled fund figures and the execution rate and score derived from them."""

    weight: Decimal
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    score: Decimal


def _amount(line, column: str) -> Decimal | None:
    """An amount of a fund row; a NaN or infinity (a numeric column may hold one) is no amount."""
    value = getattr(line, column) if line is not None else None
    return value if value is None or value.is_finite() else None


def _reconcile(inp: EvaluationInput, findings: list[Finding], notes: list) -> dict:
    """Take each column from the source rows when they carry it: the total row is derived."""
    funds = inp.funds
    if len(funds) == 1 and funds[0].source == "total":  # nothing to reconcile: its figures
        line = funds[0]
        initial, adjusted, executed = line.initial, line.adjusted, line.executed
        return {
            "initial": initial if initial is None or initial.is_finite() else None,
            "adjusted": adjusted if adjusted is None or adjusted.is_finite() else None,
            "executed": executed if executed is None or executed.is_finite() else None,
        }
    total = next((f for f in funds if f.source == "total"), None)
    sources = [f for f in funds if f.source != "total"]
    figures: dict[str, Decimal | None] = {}
    disagreements = []
    for column, label in _COLUMNS:
        printed = _amount(total, column)
        parts = [_amount(f, column) for f in sources]
        summed = column_total(None, parts)
        if summed is not None and printed is not None and summed != printed:
            disagreements.append(f"{label} {plain(printed)}（来源合计 {plain(summed)}）")
        figures[column] = column_total(printed, parts)  # the one rule (funds.py)
    if disagreements:
        details = "、".join(disagreements)
        findings.append(finding("fund_rows_not_summing", details=details))
        notes.append(("funds", f"年度资金总额与来源资金之和不一致：{details}；按来源合计计算"))
    return figures


def _claimed_rate_differs(claimed: Decimal, percent: Decimal) -> bool:
    """Compare at the precision the filer printed, so 61.2 agrees with 61.20 but 84.25 ≠ 84.26."""
    if not claimed.is_finite():
        return True
    # At 120 digits (a huge rate at a fine precision needs more than 28), to claimed's exponent.
    return _EXACT.quantize(percent, claimed) != claimed


def _printed_as_fraction(claimed: Decimal, ratio: Decimal, rules: RuleSet) -> bool:
    """Is the printed rate a fraction (the old form's `1` for 100 %, `0.85` for 85 %)?

    Only where the rules say the template prints fractions, and only when the figure read as a
    fraction agrees with the ratio at the precision printed: `1` beside 100 % is a fraction,
    `1` beside 1 % is the percent it says.
    """
    if not rules.claimed_rate_fraction or not claimed.is_finite() or not ZERO <= claimed <= ONE:
        return False
    return _EXACT.quantize(ratio, claimed) == claimed


def _rate(percent: Decimal) -> Decimal:
    """The rate rounded half-up to 2 places, however large a 元/万元 slip made it."""
    if percent.adjusted() < 24:  # fits the default 28 digits with its two places
        return round2(percent)
    with localcontext(prec=_WIDE):
        return round2(percent)


def _grouped(value: Decimal) -> str:
    """A figure as printed, with thousands separators: a slip's figures are long."""
    return f"{Decimal(plain(value)):,f}"


def _plausibility(
    budget: Decimal,
    executed: Decimal,
    rate: Decimal,
    column: str,
    money_unit: str,
    rules: RuleSet,
    findings: list[Finding],
) -> None:
    """Flag amounts no real filing has: a rate above the plausible bound, or executed ≈ budget ×
    10⁴ or ÷ 10⁴ (one of the two typed in 元, the other in 万元). A slip says why the rate is
    implausible, so it replaces the plain finding rather than joining it.

    Compared as exact products of the unrounded amounts, never through the rounded rate.
    """
    factor = rules.money_unit_slip_factor
    # Exact at 120 digits: the products of amounts and factors stay short.
    scaled = _times(budget, _SLIP)
    high = _times(executed, factor) >= scaled and executed <= _times(scaled, factor)
    slipped = _times(executed, _SLIP)
    low = _times(slipped, factor) >= budget and slipped <= _times(budget, factor)
    above = _times(executed, HUNDRED) > _times(rules.execution_rate_plausible_max, budget)
    if not (high or low or above):
        return
    figures = {
        "executed": f"{_grouped(executed)} {money_unit}",
        "budget": f"{_grouped(budget)} {money_unit}",
        "budget_label": _LABEL[column],
        "rate": f"{rate:,f}",
    }
    if high or low:
        times = " 1 万倍" if high else "万分之一"  # the spacing of “的 1 万倍”, “的万分之一”
        findings.append(finding("money_unit_slip_suspected", times=times, **figures))
    else:
        limit = plain(rules.execution_rate_plausible_max)
        findings.append(finding("execution_rate_implausible", limit=limit, **figures))


def score_execution(
    inp: EvaluationInput, rules: RuleSet, findings: list[Finding], notes: list
) -> ExecutionFigures:
    """Score the execution rate: weight × min(executed / budget, 1) from the unrounded ratio."""
    weight = rules.execution_weight
    if inp.execution_weight is not None and inp.execution_weight != weight:
        findings.append(
            finding(
                "execution_weight_mismatch",
                claimed=plain(inp.execution_weight),
                expected=plain(weight),
            )
        )
    figures = _reconcile(inp, findings, notes)
    column = rules.execution_denominator
    budget, executed = figures[column], figures["executed"]
    if budget is None or budget <= 0 or executed is None:
        missing = _LABEL[column] if budget is None or budget <= 0 else _LABEL["executed"]
        findings.append(finding("budget_missing", column=missing))
        notes.append(("execution", f"执行率：缺少{missing}，执行率得分 0"))
        return ExecutionFigures(weight, budget, executed, None, ZERO)
    ratio = executed / budget
    percent = ratio * HUNDRED
    rate = _rate(percent)
    if ratio > ONE:
        findings.append(
            finding(
                "executed_above_budget", executed=plain(executed), budget=plain(budget), rate=rate
            )
        )
    _plausibility(budget, executed, rate, column, inp.money_unit, rules, findings)
    if rules.execution_tiers:
        tier = next((t for t in rules.execution_tiers if rate >= t.min_rate), None)
        share = tier.share if tier is not None else ZERO
        score = round2(weight * share)
        band = f"执行率 ≥ {plain(tier.min_rate)}% 档" if tier else "低于最低档"
        notes.append(
            (
                "execution",
                f"执行率得分（分档）= {plain(weight)} × {plain(share)}（{band}）→ {score}",
            )
        )
    else:
        capped = min(max(ratio, ZERO), ONE)
        score = round2(weight * capped)
    claimed_rate = inp.claimed_rate
    if claimed_rate is not None and _printed_as_fraction(claimed_rate, ratio, rules):
        pass  # the old form's `1`: the same rate, printed as a fraction
    elif claimed_rate is not None and _claimed_rate_differs(claimed_rate, percent):
        findings.append(
            finding("claimed_rate_mismatch", claimed=plain(claimed_rate), computed=rate)
        )
    if inp.claimed_execution_score is not None and inp.claimed_execution_score > score:
        findings.append(
            finding(
                "claimed_score_above_computed",
                row="执行率",
                claimed=plain(inp.claimed_execution_score),
                computed=score,
            )
        )
    threshold = rules.execution_reason_below
    if threshold > 0 and rate < threshold and is_blank(inp.execution_reason):
        findings.append(finding("execution_reason_missing", rate=rate, threshold=plain(threshold)))
    return ExecutionFigures(weight, budget, executed, rate, score)
