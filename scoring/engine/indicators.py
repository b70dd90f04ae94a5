"""Scores one row of the 绩效指标 table (domain.md §4) and raises its row-level findings."""

from __future__ import annotations

import re
from decimal import Decimal

from .findings import finding, row_label
from .model import ACHIEVEMENTS, Finding, IndicatorInput
from .numbers import CENT, HUNDRED, ONE, ZERO, is_blank, parse_printed_number, plain
from .rules import RuleSet
from .targets import (
    DEADLINE,
    EMPTY,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    QUALITATIVE,
    QUANTITATIVE,
    RANGE,
    STRICT,
    Actual,
    Target,
    normalise,
    parse_actual,
    parse_indicator_target,
)

_WEIGHT_NOTE = re.compile(r"[(（][^()（）]*分[)）]$")
_INAPPLICABLE = frozenset({"不适用", "不涉及", "无此项", "本年度不涉及"})
_MEMO_LIMIT = 200_000
_NOT_MET = {"partial": "未完全达成目标", "missed": "未达成目标", "exceeded": "超额完成较多"}


class Row:
    """The working record of one row while the sheet is scored; frozen into IndicatorResult."""

    __slots__ = (
        "index", "name", "level1", "score", "status", "target", "weight", "claimed",
        "actual_value", "findings", "trace", "on_bound", "inapplicable", "deviation",
    )  # fmt: skip

    def __init__(self, index: int, ind: IndicatorInput, level1: str, target: Target) -> None:
        self.index = index
        self.name = ind.name
        self.level1 = level1
        self.target = target
        self.score = ZERO
        self.status = "unscored"
        self.weight: Decimal | None = None
        self.claimed: Decimal | None = None
        self.actual_value: Decimal | None = None
        self.findings: list[Finding] = []
        self.trace = ""
        self.on_bound: bool | None = None  # None: not a numeric row with a readable actual
        self.inapplicable = False
        self.deviation = ind.deviation

    @property
    def scored(self) -> bool:
        """Whether the row carries a weight and is scored (not a sub-row, not inapplicable)."""
        return self.weight is not None and not self.inapplicable and self.status != "unscored"


def level_name(text: str | None) -> str:
    """Spell a printed 一级/二级 label the rule set's way: no spaces, no (50分), ends in 指标."""
    if not text:
        return ""
    name = _WEIGHT_NOTE.sub("", normalise(text))
    return name if not name or name.endswith("指标") else f"{name}指标"


def _read_weight(text: str | None) -> tuple[Decimal | None, str | None]:
    """A printed 分值: "10", "10.3", or "20%" (a share of the 100-point total, so 20 points)."""
    if text is None:
        return None, None
    parsed = parse_printed_number(text)
    if parsed is None:
        return None, "不是数值"
    return parsed[0], None


def _static(ind: IndicatorInput, rules: RuleSet) -> tuple:
    """Facts that depend only on the printed row and the rules; memoised per rule set."""
    key = (ind.level1, ind.level2, ind.name, ind.target, ind.weight)
    facts = rules.memo.get(key)
    if facts is not None:
        return facts
    target = parse_indicator_target(ind.target, ind.name)
    weight, weight_problem = _read_weight(ind.weight)
    if weight is not None and weight <= 0 and rules.weight_positive_required:
        weight_problem = "须大于 0"
    level1, level2 = level_name(ind.level1), level_name(ind.level2)
    level_problem = None
    if level1 not in rules.tree:
        level_problem = (
            f"的一级指标「{ind.level1}」不在规则集 {rules.key} 的指标体系中"
            f"（应为 {'、'.join(rules.tree)}）"
        )
    elif level2 and level2 not in rules.tree[level1]:
        level_problem = (
            f"的二级指标「{ind.level2}」不属于一级指标「{level1}」"
            f"（应为 {'、'.join(rules.tree[level1])}）"
        )
    direction = None
    if target.kind == QUANTITATIVE:
        if any(w in ind.name for w in rules.higher_is_better_words):
            if target.comparator in LOWER_IS_BETTER:
                direction = "越高越好（应为 ≥）"
        elif (
            any(w in ind.name for w in rules.lower_is_better_words)
            and target.comparator in HIGHER_IS_BETTER
        ):
            direction = "越低越好（应为 ≤）"
    inapplicable = normalise(ind.target or "") in _INAPPLICABLE
    facts = (target, weight, weight_problem, level1, level_problem, direction, inapplicable)
    if len(rules.memo) > _MEMO_LIMIT:
        rules.memo.clear()
    rules.memo[key] = facts
    return facts


def _higher(t: Decimal, a: Decimal, w: Decimal) -> tuple[Decimal, str]:
    """Higher is better: full at or above target, else weight × actual / target (floor 0)."""
    if a >= t:
        return w, "实际不低于目标，得满分"
    if t > 0:
        if a <= 0:
            return ZERO, "实际不为正数，计 0 分"
        return w * a / t, f"{plain(w)} × {plain(a)} / {plain(t)}"
    if t == 0:
        return ZERO, "目标为 0 而实际为负数，计 0 分"
    # A negative target (≥ -5%): the same shortfall share, measured against |target|.
    return w * max(
        ZERO, ONE - (t - a) / -t
    ), f"{plain(w)} × (1 − ({plain(t)} − {plain(a)}) / |{plain(t)}|)"


def _lower(t: Decimal, a: Decimal, w: Decimal, formula: str) -> tuple[Decimal, str]:
    """Lower is better: full at or below target, else by the rule set's reverse formula."""
    if a <= t:
        return w, "实际不高于目标，得满分"
    if formula == "all_or_nothing":
        return ZERO, "超出目标，all_or_nothing 计 0 分"
    if t == 0:
        return ZERO, "目标为 0 而实际超出，计 0 分"
    if formula == "ratio":
        if t < 0:
            return ZERO, "目标为负数，ratio 公式不适用，计 0 分"
        return w * t / a, f"ratio：{plain(w)} × {plain(t)} / {plain(a)}"
    score = w * max(ZERO, ONE - (a - t) / abs(t))
    return score, (
        f"linear_to_zero_at_double：{plain(w)} × (1 − ({plain(a)} − {plain(t)}) / |{plain(t)}|)"
    )


def _numeric(row: Row, t: Target, a: Decimal, w: Decimal, rules: RuleSet) -> tuple[bool, str]:
    """Score a quantitative or range row; returns whether the target is met and the rule used."""
    if t.kind == RANGE:
        low, high = t.low, t.high
        row.on_bound = a in (low, high)
        if a < low:
            row.score, rule = _higher(low, a, w)
            return False, f"低于区间下限，按正向公式 {rule}"
        if a > high:
            row.score, rule = _lower(high, a, w, rules.reverse_formula)
            return False, f"高于区间上限，按反向公式 {rule}"
        row.score = w
        return True, "在区间内，得满分"
    value, comparator = t.value, t.comparator
    row.on_bound = a == value
    if comparator in LOWER_IS_BETTER:
        row.score, rule = _lower(value, a, w, rules.reverse_formula)
        met = a < value if comparator == "<" else a <= value
        return met, rule
    if comparator == "=" and value <= 0:
        met = a == value
        row.score = w if met else ZERO
        return met, "目标不为正数时须恰好相等" + ("，得满分" if met else "，计 0 分")
    row.score, rule = _higher(value, a, w)
    met = a > value if comparator == ">" else a >= value
    return met, rule


def _score_numeric(row: Row, ind: IndicatorInput, actual: Actual, rules: RuleSet) -> None:
    t, w, label = row.target, row.weight, row_label(row.index, ind.name)
    a = actual.value
    row.actual_value = a
    for note in actual.notes:
        row.findings.append(
            finding(
                note,
                row.index,
                row=label,
                actual=ind.actual,
                target=ind.target,
                value=plain(a),
                unit=t.unit_of_measure or "",
            )
        )
    met, rule = _numeric(row, t, a, w, rules)
    if not met and t.comparator in STRICT and a == t.value:
        row.findings.append(
            finding(
                "actual_equals_strict_bound",
                row.index,
                row=label,
                target=ind.target,
                actual=ind.actual,
            )
        )
    exceeded = False
    if met and t.kind == QUANTITATIVE and t.comparator not in LOWER_IS_BETTER and t.value > 0:
        ratio = rules.over_achievement_ratio
        if a >= t.value * ratio:
            exceeded = True
            percent = (a * HUNDRED / t.value).quantize(CENT)
            row.findings.append(
                finding(
                    "exceeded_far",
                    row.index,
                    row=label,
                    percent=plain(percent),
                    ratio=plain(ratio * HUNDRED),
                )
            )
            deduction = rules.over_achievement_deduction
            if deduction:
                row.score = max(ZERO, w - deduction)
                rule += f"，超额扣 {plain(deduction)} 分"
    row.status = "exceeded" if exceeded else "met" if met else "partial" if row.score else "missed"
    row.trace = (
        f"{label}：目标 {ind.target}，实际 {ind.actual}，{_STATUS_CN[row.status]}；{rule}"
        f" = {row.score:.4f}（分值 {plain(w)}）"
    )


def _score_deadline(row: Row, ind: IndicatorInput, actual: Actual) -> None:
    t = row.target
    if actual.achieved is not None:
        met = actual.achieved
    else:
        year_known = t.year is not None and actual.year is not None
        done = (actual.year if year_known else 0, actual.month, actual.day or 0)
        due = (t.year if year_known else 0, t.month, t.day or 31)
        if actual.day is None:  # an actual given by month only is on time within that month
            due = due[:2] + (0,)
        met = done <= due
    row.score = row.weight if met else ZERO
    row.status = "met" if met else "missed"
    row.trace = f"{row_label(row.index, ind.name)} 时限 {ind.target}，完成 {ind.actual} → {_STATUS_CN[row.status]}"


def _band_score(row: Row, achievement: str, rules: RuleSet) -> str:
    """Pick the score inside the qualitative band the filer's achievement selects."""
    w = row.weight
    low, high = rules.qualitative_bands[achievement]
    bottom, top = w * low / HUNDRED, w * high / HUNDRED
    closed = high == HUNDRED  # only the top band includes its upper bound
    claimed = row.claimed
    if claimed is not None and bottom <= claimed and (claimed < top or (closed and claimed == top)):
        row.score = claimed
        return f"自评得分 {plain(claimed)} 在区间内，采用"
    row.score = top if closed else max(bottom, top - CENT)
    return f"取区间上限 {plain(row.score)}"


def _score_qualitative(row: Row, ind: IndicatorInput, rules: RuleSet) -> None:
    label = row_label(row.index, ind.name)
    row.status = "qualitative"
    achievement = ind.achievement if ind.achievement in ACHIEVEMENTS else None
    if achievement is not None:
        low, high = rules.qualitative_bands[achievement]
        rule = _band_score(row, achievement, rules)
        row.trace = (
            f"{label} 定性（{_ACHIEVEMENT_CN[achievement]}，{plain(low)}%–{plain(high)}%），{rule}"
        )
        if achievement != "met" and is_blank(ind.deviation):
            row.findings.append(
                finding("deviation_missing", row.index, row=label, why=_NOT_MET[achievement])
            )
        return
    if row.claimed is not None:
        row.score = min(max(row.claimed, ZERO), row.weight)
        row.trace = f"{label} 定性，未选择达成情况，采用自评得分 {plain(row.score)}"
        return
    row.findings.append(finding("achievement_missing", row.index, row=label))
    row.trace = f"{label} 定性，未选择达成情况，计 0 分"


_STATUS_CN = {"met": "达成", "exceeded": "超额达成", "partial": "部分达成", "missed": "未达成"}
_ACHIEVEMENT_CN = {"met": "达成", "partial": "部分达成", "missed": "未达成"}


def score_row(index: int, ind: IndicatorInput, rules: RuleSet) -> Row:
    """Score one printed indicator row under the rules, never raising on what was printed."""
    target, weight, weight_problem, level1, level_problem, direction, inapplicable = _static(
        ind, rules
    )
    row = Row(index, ind, level1, target)
    label = row_label(index, ind.name)
    if level_problem:
        row.findings.append(finding("level_mismatch", index, row=label, why=level_problem))
    if ind.weight is None:
        row.trace = f"{label} 无分值（其中行），仅展示，不计分"
        return row
    if weight_problem:
        row.findings.append(
            finding("weight_invalid", index, row=label, weight=ind.weight, why=weight_problem)
        )
        row.trace = f"{label} 分值「{ind.weight}」无效，不计分"
        return row
    row.weight = weight
    if ind.claimed_score is not None:
        claimed = parse_printed_number(ind.claimed_score)
        row.claimed = claimed[0] if claimed is not None else None
    if inapplicable or normalise(ind.actual or "") in _INAPPLICABLE:
        row.inapplicable = True
        row.trace = f"{label} 不适用，不计分"
        return row
    if direction:
        row.findings.append(
            finding(
                "direction_suspect",
                index,
                row=label,
                name=ind.name,
                expected=direction,
                target=ind.target,
            )
        )
    kind = target.kind
    if kind in (EMPTY, QUALITATIVE):
        if kind == EMPTY or any(ch.isdigit() for ch in target.raw):
            why = "为空" if kind == EMPTY else "无法识别为定量目标"
            row.findings.append(
                finding("target_unparsed", index, row=label, target=ind.target or "", why=why)
            )
        if is_blank(ind.actual) and ind.achievement not in ACHIEVEMENTS:
            row.findings.append(finding("actual_missing", index, row=label))
        _score_qualitative(row, ind, rules)
        return row
    actual = parse_actual(ind.actual, target)
    if actual.missing or actual.unreadable:
        code = "actual_missing" if actual.missing else "actual_unparsed"
        row.findings.append(finding(code, index, row=label, actual=ind.actual, target=ind.target))
        row.status = "missed"
        row.trace = f"{label} 实际完成值缺失或无法读取，计 0 分"
        return row
    if kind == DEADLINE:
        _score_deadline(row, ind, actual)
    else:
        _score_numeric(row, ind, actual, rules)
    if row.status in _NOT_MET and is_blank(ind.deviation):
        row.findings.append(
            finding("deviation_missing", index, row=label, why=_NOT_MET[row.status])
        )
    return row
