"""Scores one 绩效自评 under a rule set: execution, indicators, totals, caps, grade, findings."""

from __future__ import annotations

from decimal import Decimal

from .execution import score_execution
from .findings import finding, row_label
from .indicators import Row, score_row
from .model import EvaluationInput, EvaluationResult, Finding, IndicatorResult
from .numbers import ZERO, is_blank, plain, round2
from .rules import RuleSet


def _sheet_checks(rows: list[Row], rules: RuleSet, findings: list[Finding], trace: list) -> None:
    """Checks over the whole indicator table: weights, inapplicable rows, copied actuals."""
    weighted = [r for r in rows if r.weight is not None]
    weight_sum = sum((r.weight for r in weighted), ZERO)
    expected = rules.indicator_weight_total
    if weight_sum != expected:
        findings.append(
            finding("weights_not_90", total=plain(weight_sum), expected=plain(expected))
        )
    inapplicable = [r for r in weighted if r.inapplicable]
    applicable = weight_sum - sum((r.weight for r in inapplicable), ZERO)
    rescale = rules.rescale_inapplicable and inapplicable and applicable > 0
    note = f"，其余指标得分按 {plain(weight_sum)}/{plain(applicable)} 折算" if rescale else ""
    for r in inapplicable:
        r.findings.append(
            finding("indicator_inapplicable", r.index, row=row_label(r.index, r.name), rescale=note)
        )
    if rescale:
        factor = weight_sum / applicable
        for r in weighted:
            if not r.inapplicable:
                r.score = r.score * factor
        trace.append(f"不适用指标 {len(inapplicable)} 项{note}")
    on_bound = [r.on_bound for r in rows if r.on_bound is not None]
    if len(on_bound) >= max(rules.copy_check_min_indicators, 1) and all(on_bound):
        findings.append(finding("actuals_copy_targets", count=len(on_bound)))
    by_level1: dict[str, Decimal] = dict.fromkeys(rules.level1_weights, ZERO)
    for r in weighted:
        by_level1[r.level1 or "（空）"] = by_level1.get(r.level1 or "（空）", ZERO) + r.weight
    differ = [
        f"{name} {plain(total)} 分（规则集 {plain(rules.level1_weights.get(name, ZERO))} 分）"
        for name, total in by_level1.items()
        if total != rules.level1_weights.get(name, ZERO)
    ]
    if differ:
        findings.append(finding("level1_weights_differ", details="；".join(differ)))


def _text_checks(inp: EvaluationInput, rows: list[Row], rules: RuleSet, findings: list) -> None:
    """Length limits on the free texts of the table (0 switches a limit off)."""
    limits = rules.text_limits
    texts = [("年度总体目标（预期目标）", "goal", inp.goal_expected, None)]
    texts.append(("年度总体目标（实际完成情况）", "goal", inp.goal_actual, None))
    texts.append(("执行率偏低原因", "execution_reason", inp.execution_reason, None))
    texts.extend(
        (f"{row_label(r.index, r.name)}的偏差原因分析", "deviation", r.deviation, r.index)
        for r in rows
        if r.deviation
    )
    for what, kind, text, index in texts:
        limit = limits.get(kind, 0)
        if text and limit and len(text) > limit:
            findings.append(
                finding("text_too_long", index, what=what, length=len(text), limit=limit)
            )


def _claim_checks(
    inp: EvaluationInput, rows: list[Row], rules: RuleSet, findings: list[Finding]
) -> None:
    """Do the filer's own figures add up among themselves (claimed_total_mismatch)?"""
    weighted = [r for r in rows if r.weight is not None]
    claimed_rows = [r.claimed for r in weighted]
    claimed_sum = sum(claimed_rows, ZERO) if weighted and None not in claimed_rows else None
    indicator_total = inp.claimed_indicator_total
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


def _freeze(row: Row) -> IndicatorResult:
    score = round2(row.score)
    scored = row.weight is not None and row.status != "unscored"
    if scored and row.claimed is not None and row.claimed > score:
        row.findings.append(
            finding(
                "claimed_score_above_computed",
                row.index,
                row=row_label(row.index, row.name),
                claimed=plain(row.claimed),
                computed=score,
            )
        )
    if row.inapplicable:
        row.status = "unscored"
    return IndicatorResult(
        row.index,
        score,
        row.status,
        row.target,
        row.weight,
        row.claimed,
        row.actual_value,
        tuple(row.findings),
        (row.trace,) if row.trace else (),
    )


def score_evaluation(inp: EvaluationInput, rules: RuleSet) -> EvaluationResult:
    """Score one evaluation: the computed figures, the findings and the trace explaining them."""
    findings: list[Finding] = []
    trace: list[str] = [f"规则集 {rules.key}（{rules.title}）"]
    execution = score_execution(inp, rules, findings, trace)
    rows = [score_row(i, ind, rules) for i, ind in enumerate(inp.indicators)]
    sheet: list[Finding] = []
    _sheet_checks(rows, rules, sheet, trace)
    _text_checks(inp, rows, rules, sheet)
    _claim_checks(inp, rows, rules, sheet)
    results = [_freeze(r) for r in rows]
    for result in results:
        findings.extend(result.findings)
        trace.extend(result.trace)
    findings.extend(sheet)
    indicator_total = sum((r.score for r in results), ZERO)
    uncapped = execution.score + indicator_total
    trace.append(f"总分 = 执行率得分 {execution.score} + 指标得分 {indicator_total} = {uncapped}")
    total = uncapped
    rate = execution.rate
    for cap in rules.execution_caps:
        if rate is not None and cap.min_rate <= rate < cap.below and total > cap.max_total:
            total = cap.max_total
            findings.append(
                finding(
                    "total_capped",
                    rate=rate,
                    below=plain(cap.below),
                    before=uncapped,
                    after=round2(total),
                )
            )
            trace.append(
                f"执行率 {rate}% 在 [{plain(cap.min_rate)}, {plain(cap.below)}) 内，"
                f"总分上限 {plain(cap.max_total)}：{uncapped} → {round2(total)}"
            )
    total = round2(total)
    band = rules.grade_for(total)
    trace.append(f"等级：{band.name}（总分 {total} ≥ {plain(band.min)}）")
    return EvaluationResult(
        rules=rules.key,
        execution_rate=rate,
        execution_score=execution.score,
        execution_weight=execution.weight,
        budget=execution.budget,
        executed=execution.executed,
        indicators=tuple(results),
        indicator_total=indicator_total,
        uncapped_total=uncapped,
        total=total,
        grade=band.name,
        grade_code=band.code,
        findings=tuple(findings),
        trace=tuple(trace),
    )
