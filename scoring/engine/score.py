"""Scores one 绩效自评 under a rule set: execution, indicators, totals, caps, grade, findings."""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

from .execution import score_execution
from .findings import finding, row_label
from .indicators import RowFacts, claimed_above, outcome_for, placed, row_rules
from .model import (
    EvaluationInput,
    EvaluationResult,
    Finding,
    IndicatorResult,
    new_evaluation_result,
)
from .numbers import (
    CENT,
    HUNDRED,
    ONE,
    ZERO,
    from_units,
    is_blank,
    parse_printed_number,
    plain,
    round2,
)
from .rules import RuleSet
from .yearend import yearend_findings


class _Sheet:
    """Sums over the indicator table, gathered in the one pass that scores its rows."""

    __slots__ = ("weight_units", "by_level1", "inapplicable", "bounds", "off_bound")

    def __init__(self) -> None:
        self.weight_units = self.bounds = 0
        self.by_level1: dict[str, int] = {}  # weights in to_units(), by normalised 一级 name
        self.inapplicable: list[int] = []
        self.off_bound = False  # whether a numeric row's actual is off its target's bound

    @property
    def weight_sum(self) -> Decimal:
        """The table's weights added up."""
        return from_units(self.weight_units)


def _rescale(
    results: list[IndicatorResult], facts: list[RowFacts], inp: EvaluationInput, factor: Decimal
) -> None:
    """Spread the weight of 不适用 rows over the others: each unrounded score × factor."""
    for i, (result, (_, raw_score, _, inapplicable, *_)) in enumerate(
        zip(results, facts, strict=True)
    ):
        if result.weight is None or inapplicable:
            continue
        score = (raw_score * factor).quantize(CENT, ROUND_HALF_UP)
        kept = tuple(f for f in result.findings if f.code != "claimed_score_above_computed")
        if result.claimed_score is not None and result.claimed_score > score:
            label = row_label(i, inp.indicators[i].name)
            kept += (claimed_above(i, label, result.claimed_score, score),)
        results[i] = dataclasses.replace(result, score=score, findings=kept)


def _inapplicable_rows(
    inp: EvaluationInput,
    results: list[IndicatorResult],
    facts: list[RowFacts],
    sheet: _Sheet,
    rules: RuleSet,
) -> str:
    """Flag 不适用 rows and, where the rules say so, rescale the others; returns the trace line."""
    applicable = sheet.weight_sum - sum((results[i].weight for i in sheet.inapplicable), ZERO)
    rescale = rules.rescale_inapplicable and applicable > 0
    note = f"，其余指标得分按 {plain(sheet.weight_sum)}/{plain(applicable)} 折算" if rescale else ""
    if rescale:
        _rescale(results, facts, inp, sheet.weight_sum / applicable)
    for i in sheet.inapplicable:
        label = row_label(i, inp.indicators[i].name)
        extra = finding("indicator_inapplicable", i, row=label, rescale=note)
        results[i] = dataclasses.replace(results[i], findings=(*results[i].findings, extra))
    return f"不适用指标 {len(sheet.inapplicable)} 项{note or '，不计分'}"


def _sheet_findings(sheet: _Sheet, rules: RuleSet, findings: list[Finding]) -> None:
    """Checks over the whole table: weights adding up, level-1 weights, copied actuals."""
    if sheet.weight_units != rules.weight_total_units:
        expected = plain(rules.indicator_weight_total)
        findings.append(finding("weights_not_90", total=plain(sheet.weight_sum), expected=expected))
    if sheet.bounds >= max(rules.copy_check_min_indicators, 1) and not sheet.off_bound:
        findings.append(finding("actuals_copy_targets", count=sheet.bounds))
    expected_units = rules.level1_units
    if sheet.by_level1 != expected_units:
        names = [*expected_units, *(n for n in sheet.by_level1 if n not in expected_units)]
        differ = [
            f"{name} {plain(from_units(sheet.by_level1.get(name, 0)))} 分"
            f"（规则集 {plain(rules.level1_weights.get(name, ZERO))} 分）"
            for name in names
            if sheet.by_level1.get(name, 0) != expected_units.get(name, 0)
        ]
        if differ:
            findings.append(finding("level1_weights_differ", details="；".join(differ)))


def _text_checks(inp: EvaluationInput, rules: RuleSet, findings: list[Finding]) -> None:
    """Length limits on the table's own texts (rows check their deviation; 0 is no limit)."""
    limits = rules.text_limits
    texts = (
        ("年度总体目标（预期目标）", "goal", inp.goal_expected),
        ("年度总体目标（实际完成情况）", "goal", inp.goal_actual),
        ("执行率偏低原因", "execution_reason", inp.execution_reason),
    )
    for what, kind, text in texts:
        limit = limits.get(kind, 0)
        if text and limit and len(text) > limit:
            findings.append(
                finding("text_too_long", row="", what=what, length=len(text), limit=limit)
            )


def _claimed_sum(results: list[IndicatorResult]) -> Decimal | None:
    """The filer's row scores added up, or None when a weighted row has none."""
    claimed = [r.claimed_score for r in results if r.weight is not None]
    return sum(claimed, ZERO) if claimed and None not in claimed else None


def _claim_checks(
    inp: EvaluationInput, results: list[IndicatorResult], rules: RuleSet, findings: list[Finding]
) -> None:
    """Do the filer's own figures add up among themselves (claimed_total_mismatch)?"""
    indicator_total = inp.claimed_indicator_total
    needed = indicator_total is not None or (
        inp.claimed_total is not None and inp.claimed_execution_score is not None
    )
    claimed_sum = _claimed_sum(results) if needed else None
    if indicator_total is not None and claimed_sum is not None and indicator_total != claimed_sum:
        findings.append(
            finding(
                "claimed_total_mismatch",
                what=f"各指标自评得分之和 {plain(claimed_sum)} 与填报的指标得分合计 "
                f"{plain(indicator_total)} 不一致",
            )
        )
    if indicator_total is None:
        indicator_total = claimed_sum
    total, execution = inp.claimed_total, inp.claimed_execution_score
    parts_known = execution is not None and indicator_total is not None
    if total is not None and parts_known and execution + indicator_total != total:
        findings.append(
            finding(
                "claimed_total_mismatch",
                what=f"填报的执行率得分 {plain(execution)} 与指标得分 {plain(indicator_total)}"
                f" 之和为 {plain(execution + indicator_total)}，与填报总分 {plain(total)} 不一致",
            )
        )
    if total is not None and not is_blank(inp.claimed_grade):
        expected = rules.grade_for(total).name
        if inp.claimed_grade.strip() != expected:
            findings.append(
                finding(
                    "claimed_grade_mismatch",
                    total=plain(total),
                    expected=expected,
                    claimed=inp.claimed_grade,
                )
            )


def _cap(
    total: Decimal, rate: Decimal | None, rules: RuleSet, findings: list[Finding], notes: list
) -> Decimal:
    """Apply the rule set's ceilings on the total by execution rate (none by default)."""
    uncapped = total
    for cap in rules.execution_caps:
        if rate is not None and cap.min_rate <= rate < cap.below and total > cap.max_total:
            total = cap.max_total
            after = round2(total)
            findings.append(
                finding(
                    "total_capped", rate=rate, below=plain(cap.below), before=uncapped, after=after
                )
            )
            notes.append(
                (
                    "total",
                    f"执行率 {rate}% 在 [{plain(cap.min_rate)}, {plain(cap.below)}) 内，"
                    f"总分上限 {plain(cap.max_total)}：{uncapped} → {after}",
                )
            )
    return total


def _shares_as_points(inp: EvaluationInput) -> EvaluationInput:
    """The weighted form prints each row's 权重占比 (`0.2`, `20%`) of a 100-point table: as
    points, 0.2 is 20 (a printed `20%` already reads as 20), so 单项得分 × 权重占比 = 折算得分
    is the row's score under the usual formulas."""
    rows = []
    for ind in inp.indicators:
        parsed = parse_printed_number(ind.weight) if ind.weight is not None else None
        if parsed is not None and not parsed[1] and ZERO < parsed[0] <= ONE:
            ind = dataclasses.replace(ind, weight=plain(parsed[0] * HUNDRED))
        rows.append(ind)
    return dataclasses.replace(inp, indicators=tuple(rows))


def _grade(total: Decimal, weight_sum: Decimal, rules: RuleSet, findings: list[Finding]):
    """The grade band of the total, or none when the total is above the rules' maximum: a
    table of 105 or 110 points is mis-built, and grading it would call it 优."""
    if total <= rules.max_total:
        return rules.grade_for(total)
    why = f"指标分值合计 {plain(weight_sum)} 分，执行率 {plain(rules.execution_weight)} 分"
    findings.append(
        finding(
            "total_above_maximum",
            total=total,
            rules=rules.public_title,
            maximum=plain(rules.max_total),
            why=why,
        )
    )
    return None


def score_evaluation(inp: EvaluationInput, rules: RuleSet) -> EvaluationResult:
    """Score one evaluation: the computed figures, the findings and the trace explaining them."""
    if rules.weight_form == "share":
        inp = _shares_as_points(inp)
    findings: list[Finding] = []
    explained: list[tuple[str, str]] = [("rules", rules.heading)]  # the trace's occasional lines
    execution = score_execution(inp, rules, findings, explained)
    results: list[IndicatorResult] = []
    sheet = _Sheet()
    append = results.append
    by_level1 = sheet.by_level1
    total_cents = bounds = 0
    off_bound = False
    rows_from = len(findings)
    context = row_rules(rules)  # what every row reads of the rules, fetched once
    # The one pass over the rows, run for every row of a batch: locals, and the sums' terms as
    # ints the outcomes carry (cents of score, to_units() of weight), converted once at the end.
    for index, indicator in enumerate(inp.indicators):
        result, notes, level1, _, on_bound, inapplicable, cents, units = outcome_for(
            indicator, rules, context
        )
        if notes:
            result = placed(result, notes, index, indicator.name)
            findings.extend(result.findings)
        append(result)
        total_cents += cents
        if units is not None:
            by_level1[level1] = by_level1.get(level1, 0) + units
            if inapplicable:
                sheet.inapplicable.append(index)
        if on_bound is not None:
            bounds += 1
            off_bound = off_bound or not on_bound
    indicator_total = Decimal(total_cents).scaleb(-2)
    sheet.bounds, sheet.off_bound = bounds, off_bound
    sheet.weight_units = sum(by_level1.values())
    if sheet.inapplicable:  # rare: rescaling rebuilds the rows' part of the sums and lists
        facts = [outcome_for(indicator, rules)[2:] for indicator in inp.indicators]
        explained.append(("rows", _inapplicable_rows(inp, results, facts, sheet, rules)))
        del findings[rows_from:]
        indicator_total = sum((r.score for r in results), ZERO)
        for result in results:
            findings.extend(result.findings)
    _sheet_findings(sheet, rules, findings)
    _text_checks(inp, rules, findings)
    _claim_checks(inp, results, rules, findings)
    yearend_findings(inp, results, findings)
    uncapped = execution.score + indicator_total
    total = round2(_cap(uncapped, execution.rate, rules, findings, explained))
    band = _grade(total, sheet.weight_sum, rules, findings)
    return new_evaluation_result(
        rules=rules.key,
        execution_rate=execution.rate,
        execution_score=execution.score,
        execution_weight=execution.weight,
        budget=execution.budget,
        executed=execution.executed,
        indicators=tuple(results),
        indicator_total=indicator_total,
        uncapped_total=uncapped,
        total=total,
        grade=band.name if band else "",
        grade_code=band.code if band else "",
        findings=tuple(findings),
        denominator=rules.execution_denominator,
        notes=tuple(explained),
    )
