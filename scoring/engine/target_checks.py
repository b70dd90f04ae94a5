"""Quality checks on declared targets (issue 15 item 2): findings before a year begins.

Pure like the scoring engine: a declaration's rows, with what the bridge found of earlier years
(actuals and the targets they were measured against) and of other units (an identical row), are
checked under the rule set in force; every threshold is a rule-set value ([targets] or
scoring.over_achievement_ratio, indicators.weight_total, indicators.tree).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .findings import row_label
from .indicators import _levels, _read_weight, level_name, row_rules
from .model import Finding, new_finding
from .numbers import ZERO, from_units, plain, to_units
from .rules import RuleSet
from .targets import (
    DEADLINE,
    EMPTY,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    QUALITATIVE,
    QUANTITATIVE,
    RANGE,
    RELATIVE,
    Target,
    carries_number,
    normalise,
    parse_actual,
    parse_indicator_target,
)

FORMAT = "selfeval-targets/1"
SATISFACTION = "满意度指标"
_MEASURABLE = frozenset({QUANTITATIVE, RANGE, DEADLINE, RELATIVE})
_NUMERIC = frozenset({QUANTITATIVE, RANGE})

# code: (severity, message template). target_not_measurable is an error for the types that need
# a measurable value and downgraded to a warning for 效益指标 (see _measurable).
CATALOGUE: dict[str, tuple[str, str]] = {
    "target_not_measurable": ("error", "{row}为{kind}，年度指标值「{target}」{why}"),
    "unit_missing": (
        "warning",
        "{row}年度指标值「{target}」只有数值没有度量单位，请写明单位（如 %、人次、万元）",
    ),
    "weight_invalid": ("error", "{row}分值「{weight}」不是数值"),
    "weights_not_total": (
        "error",
        "指标分值合计为 {total} 分，评分规则“{rules}”要求合计 {expected} 分",
    ),
    "cost_indicator_missing": (
        "error",
        "评分规则“{rules}”的指标体系要求设置成本指标，本项目尚无成本指标",
    ),
    "target_below_previous": (
        "warning",
        "{row}年度指标值「{target}」{how}上年实际完成值「{previous}」，目标不及上年已达到的水平，请说明理由或调整",
    ),
    "target_beaten_repeatedly": (
        "warning",
        "{row}近 {years} 年实际完成值均达到当年指标值的 {ratio}% 以上（{details}），"
        "目标设置偏保守，请提高年度指标值",
    ),
    "indicator_copied": (
        "warning",
        "{row}的二级指标、名称和年度指标值与{source}完全相同，疑似照抄，请按本项目实际设定",
    ),
    "satisfaction_without_method": (
        "warning",
        "{row}为满意度指标，评价方法未写明调查方式（如问卷调查、抽样调查、座谈访谈）",
    ),
    "level_not_in_tree": ("warning", "{row}{why}"),
}


@dataclass(frozen=True)
class TargetRowInput:
    """One declared indicator row, with what the bridge found of earlier years and other units."""

    level1: str
    level2: str | None
    name: str
    target: str | None
    weight: str | None
    method: str | None = None
    # Last years' 实际完成值 of the same indicator, newest first, consecutive years only.
    previous_actuals: tuple[str, ...] = ()
    # The 年度指标值 each of those actuals was measured against (same order; may be shorter).
    previous_targets: tuple[str, ...] = ()
    # Another unit's project in which an identical row was found (the bridge decides).
    copied_from: str | None = None


@dataclass(frozen=True)
class TargetsInput:
    """A declaration's indicator rows in table order."""

    rows: tuple[TargetRowInput, ...]


@dataclass(frozen=True)
class TargetsResult:
    """The findings of the checks, and the weights' total they were made on."""

    rules: str
    findings: tuple[Finding, ...]
    weight_total: Decimal


def _finding(code: str, index: int | None, severity: str | None = None, **values) -> Finding:
    default, template = CATALOGUE[code]
    return new_finding(code, severity or default, template.format(**values), index)


def _kind(row: TargetRowInput, rules: RuleSet) -> tuple[str | None, str | None]:
    """(the type named in messages, the severity of an unmeasurable target) for a row."""
    level1, level2 = level_name(row.level1), level_name(row.level2)
    if level1 == SATISFACTION or "满意度" in level2:
        return level2 or level1, "error"
    if level1 == "成本指标" or level2 in rules.targets.measurable_types:
        return level2 or level1, "error"
    if level1 == "产出指标":
        return level2 or level1, "error"
    if level1 == "效益指标":
        return level2 or level1, "warning"
    return None, None


def _measurable(
    index: int, label: str, row: TargetRowInput, target: Target, rules: RuleSet
) -> Finding | None:
    kind, severity = _kind(row, rules)
    if kind is None:
        return None
    shown = row.target or ""
    satisfaction = level_name(row.level1) == SATISFACTION or "满意度" in level_name(row.level2)
    if target.kind == EMPTY or not shown.strip():
        why = "未填写"
    elif target.kind == QUALITATIVE and carries_number(shown):
        why = "含有数值但无法识别，请写作 ≥95%、≤100万元、2024年12月底前 等形式"
    elif target.kind not in _MEASURABLE:
        why = "不是可衡量的数值，请写作 ≥95%、≤100万元、2024年12月底前 等形式"
    elif (
        satisfaction
        and target.kind != RELATIVE
        and (target.kind not in _NUMERIC or target.unit_of_measure != "%")
    ):
        why = "不是百分比，满意度应写作 ≥90% 等形式"
    else:
        return None
    return _finding(
        "target_not_measurable", index, severity, row=label, kind=kind, target=shown, why=why
    )


def _higher(target: Target, row: TargetRowInput, rules: RuleSet, satisfaction: bool) -> bool | None:
    """True for a higher-is-better target, False for lower-is-better, None for neither.

    A plain number (=) above 0 is scored as higher-is-better (indicators._numeric) unless the
    name reads lower-is-better (the rule set's checks.lower_is_better_words, e.g. 成本).
    """
    if target.kind != QUANTITATIVE or target.value is None:
        return None
    if target.comparator in HIGHER_IS_BETTER:
        return True
    if target.comparator in LOWER_IS_BETTER:
        return False
    if target.value <= ZERO:
        return None
    if satisfaction:
        return True
    context = row_rules(rules)
    name = normalise(row.name)
    return not (context.lower_words.search(name) and not context.higher_words.search(name))


def _below_previous(index, label, row, target, rules, satisfaction) -> Finding | None:
    higher = _higher(target, row, rules, satisfaction)
    if higher is None or not row.previous_actuals:
        return None
    previous = row.previous_actuals[0]
    actual = parse_actual(previous, target)
    if actual.value is None or actual.unreadable or "unit_mismatch" in actual.notes:
        return None
    if higher and target.value < actual.value:
        how = "低于"
    elif not higher and target.value > actual.value:
        how = "高于"
    else:
        return None
    return _finding(
        "target_below_previous", index, row=label, target=row.target, how=how, previous=previous
    )


def _beaten(index, label, row, rules: RuleSet, satisfaction: bool) -> Finding | None:
    """Consecutive earlier years, newest first, whose actual reached ratio × that year's target."""
    ratio = rules.over_achievement_ratio
    details = []
    for actual_text, target_text in zip(row.previous_actuals, row.previous_targets, strict=False):
        target = parse_indicator_target(target_text, row.name)
        if _higher(target, row, rules, satisfaction) is not True or target.value <= ZERO:
            break
        actual = parse_actual(actual_text, target)
        if actual.value is None or actual.unreadable or "unit_mismatch" in actual.notes:
            break
        if actual.value < ratio * target.value:
            break
        details.append(f"指标值「{target_text}」，实际「{actual_text}」")
    if len(details) < rules.targets.beaten_years:
        return None
    return _finding(
        "target_beaten_repeatedly",
        index,
        row=label,
        years=len(details),
        ratio=plain(ratio * 100),
        details="；".join(details),
    )


def _survey(method: str | None, rules: RuleSet) -> bool:
    text = normalise(method or "")
    return any(word in text for word in rules.targets.survey_words)


def _row_findings(index: int, row: TargetRowInput, rules: RuleSet) -> list[Finding]:
    label = row_label(index, row.name)
    target = parse_indicator_target(row.target, row.name)
    satisfaction = level_name(row.level1) == SATISFACTION or "满意度" in level_name(row.level2)
    found: list[Finding | None] = []
    _level1, problem = _levels(row.level1, row.level2, rules)
    if problem:
        found.append(_finding("level_not_in_tree", index, row=label, why=problem))
    unmeasurable = _measurable(index, label, row, target, rules)
    found.append(unmeasurable)
    if unmeasurable is None and target.kind in _NUMERIC and target.unit_of_measure is None:
        found.append(_finding("unit_missing", index, row=label, target=row.target))
    found.append(_below_previous(index, label, row, target, rules, satisfaction))
    found.append(_beaten(index, label, row, rules, satisfaction))
    if row.copied_from:
        found.append(_finding("indicator_copied", index, row=label, source=row.copied_from))
    if satisfaction and not _survey(row.method, rules):
        found.append(_finding("satisfaction_without_method", index, row=label))
    return [f for f in found if f is not None]


def check_targets(inp: TargetsInput, rules: RuleSet) -> TargetsResult:
    """Every finding of a declaration's targets under the rule set: rows first, then the table."""
    findings: list[Finding] = []
    total = 0
    for index, row in enumerate(inp.rows):
        findings.extend(_row_findings(index, row, rules))
        weight, problem = _read_weight(row.weight)
        if problem:
            label = row_label(index, row.name)
            findings.append(_finding("weight_invalid", index, row=label, weight=row.weight))
        elif weight is not None:
            total += to_units(weight)
    weight_total = from_units(total)
    if total != rules.weight_total_units:
        findings.append(
            _finding(
                "weights_not_total",
                None,
                total=plain(weight_total),
                rules=rules.public_title,
                expected=plain(rules.indicator_weight_total),
            )
        )
    if rules.cost_indicator_required and not any(_is_cost(row, rules) for row in inp.rows):
        findings.append(_finding("cost_indicator_missing", None, rules=rules.public_title))
    return TargetsResult(rules=rules.key, findings=tuple(findings), weight_total=weight_total)


def _is_cost(row: TargetRowInput, rules: RuleSet) -> bool:
    """A 成本指标 row: the level-1 where the tree has it (财预〔2021〕101号), else a 成本 type."""
    if level_name(row.level1) == "成本指标":
        return True
    return "成本指标" not in rules.tree and "成本" in level_name(row.level2)


def targets_to_json(result: TargetsResult) -> dict:
    """Render a result as selfeval-targets/1: the weights' total as a plain decimal string."""
    return {
        "format": FORMAT,
        "rules": result.rules,
        "weight_total": plain(result.weight_total),
        "findings": [
            {"code": f.code, "severity": f.severity, "message": f.message, "indicator": f.indicator}
            for f in result.findings
        ],
    }
