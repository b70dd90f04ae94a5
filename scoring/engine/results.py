"""The 结果应用 suggestion: from a season's results to next year's budget (domain.md §8).

Pure: frozen facts in, a suggestion with its reasons in words out; every threshold comes from the
rule set's [results] table. The grade is the rule set's band of the total that counts: the
spot-check review total where a spot check re-scored the evaluation (it replaces the self score),
else the computed total. Then, in this order:

1. the grade's decision: prioritise / keep / cut by `cut_share` / `poor_decision`;
2. 优先保障 falls back to 保持 when execution is below `prioritise_min_execution`, a red
   monitoring light stands, or an error finding remains;
3. a low execution rate (< `low_execution_below`) caps next year's amount at what was spent this
   year, turning 保持 / 优先保障 into 压减 when that is less than the budget.

Amounts are in 元 and rounded half-up to the fen; shares are percentages with two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .rules import RuleSet

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

LABELS = {
    "keep": "保持",
    "prioritise": "优先保障",
    "cut": "压减",
    "cancel": "取消",
    "suspend": "暂停",
}


@dataclass(frozen=True)
class ResultFacts:
    """What the suggestion reads about one evaluation; amounts in 元, rates in percent."""

    base_amount: Decimal
    total: Decimal | None = None
    execution_rate: Decimal | None = None
    executed_amount: Decimal | None = None
    error_count: int = 0
    review_total: Decimal | None = None
    red_lights: int = 0


@dataclass(frozen=True)
class Suggestion:
    """The suggested decision, next year's amount, the cut share (if any) and why."""

    decision: str
    amount: Decimal
    cut_share: Decimal | None
    grade: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        """The decision in words (压减 with its share)."""
        if self.decision == "cut" and self.cut_share is not None:
            return f"压减{_pct(self.cut_share)}%"
        return LABELS[self.decision]


def _pct(value: Decimal) -> str:
    text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def suggest(facts: ResultFacts, rules: RuleSet) -> Suggestion:
    """Suggest next year's budget decision for one evaluation, with the reasons in words."""
    r = rules.results
    base = facts.base_amount
    reasons: list[str] = []
    total = facts.total
    if r.review_total_counts and facts.review_total is not None:
        total = facts.review_total
        reasons.append(f"抽查复核得分 {_pct(facts.review_total)} 分取代自评得分定等")
    if total is None:
        return Suggestion("keep", _money(base), None, "", ("尚无评分，暂按保持",))
    band = rules.grade_for(total)
    reasons.append(f"得分 {_pct(total)} 分，等级为{band.name}")

    if band.code in r.prioritise_grades:
        decision, amount = "prioritise", base
        blockers = []
        rate = facts.execution_rate
        if rate is not None and rate < r.prioritise_min_execution:
            blockers.append(f"执行率 {_pct(rate)}% 低于 {_pct(r.prioritise_min_execution)}%")
        if r.red_light_blocks_priority and facts.red_lights:
            blockers.append(f"年中监控有 {facts.red_lights} 个红灯")
        if r.errors_block_priority and facts.error_count:
            blockers.append(f"仍有 {facts.error_count} 个错误类问题")
        if blockers:
            decision = "keep"
            reasons.append("不予优先保障：" + "；".join(blockers))
        else:
            reasons.append("建议优先保障")
    elif band.code in r.keep_grades:
        decision, amount = "keep", base
        reasons.append("建议保持")
    elif band.code in r.cut_grades:
        decision = "cut"
        amount = base * (HUNDRED - r.cut_share) / HUNDRED
        reasons.append(f"等级为{band.name}，按规则压减 {_pct(r.cut_share)}%")
    else:
        decision, amount = r.poor_decision, Decimal(0)
        reasons.append(f"等级为{band.name}，建议{LABELS[r.poor_decision]}")

    rate = facts.execution_rate
    if (
        decision in ("keep", "prioritise", "cut")
        and rate is not None
        and rate < r.low_execution_below
        and facts.executed_amount is not None
        and facts.executed_amount < amount
    ):
        amount = facts.executed_amount
        decision = "cut"
        reasons.append(
            f"执行率 {_pct(rate)}% 低于 {_pct(r.low_execution_below)}%，下年安排数不超过本年执行数"
        )

    amount = _money(max(amount, Decimal(0)))
    share = None
    if decision == "cut":
        if base > 0 and amount < base:
            share = ((base - amount) * HUNDRED / base).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            decision, share = "keep", None
    return Suggestion(decision, amount, share, band.name, tuple(reasons))
