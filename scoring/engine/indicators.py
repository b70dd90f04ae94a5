"""Scores one row of the 绩效指标 table (domain.md §4) and raises its row-level findings."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from .findings import finding, place_notes, row_label, row_note
from .model import ACHIEVEMENTS, Finding, IndicatorInput, IndicatorResult, new_indicator_result
from .numbers import (
    BLANK,
    CENT,
    HUNDRED,
    ONE,
    ZERO,
    is_blank,
    parse_printed_number,
    plain,
    to_units,
)
from .rules import RuleSet
from .targets import (
    DEADLINE,
    EMPTY,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    PLAIN_ACTUAL,
    QUALITATIVE,
    QUANTITATIVE,
    RANGE,
    RELATIVE,
    STRICT,
    TRADITIONAL_CHARS,
    Actual,
    Target,
    carries_number,
    format_target,
    normalise,
    parse_indicator_target,
    percent_reference,
    read_actual,
    resolve_relative,
)

_TRADITIONAL_FREE = TRADITIONAL_CHARS.isdisjoint
_WEIGHT_NOTE = re.compile(r"[(（][^()（）]*分[)）]$")
_INAPPLICABLE = frozenset({"不适用", "不涉及", "无此项", "本年度不涉及"})
_MEMO_LIMIT = 50_000  # about 1.4 kB an outcome: at most ~70 MB per rule set
_SEEN_LIMIT = 500_000  # hashes of rows seen once (see outcome_for): about 20 MB
_NOT_MET = {"partial": "未完全达成目标", "missed": "未达成目标", "exceeded": "超额完成较多"}


# What the sheet-level checks need of a row besides its frozen result: (level1, unrounded score
# so rescaling rounds once, on_bound (None: no readable number), inapplicable, the rounded score
# in cents, the weight in to_units() or None for an unweighted row). A plain tuple with the
# sums' terms as ints: it is read for every row of every batch. An outcome (outcome_for) is the
# row's result and finding notes followed by these facts, in one flat tuple.
RowFacts = tuple[str, Decimal, bool | None, bool, int, int | None]


@lru_cache(maxsize=4096)
def _claimed(text: str) -> Decimal | None:
    parsed = parse_printed_number(text)
    return parsed[0] if parsed is not None else None


@lru_cache(maxsize=65536)
def _inapplicable(text: str) -> bool:
    return normalise(text) in _INAPPLICABLE


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


def _levels(level1_text: str, level2_text: str | None, rules: RuleSet) -> tuple:
    """The row's 一级 name as the rules spell it, and what is wrong with its 一级/二级, if anything."""
    level1, level2 = level_name(level1_text), level_name(level2_text)
    problem = None
    if level1 not in rules.tree:
        problem = (
            f"的一级指标「{level1_text}」不在评分规则“{rules.public_title}”的指标体系中"
            f"（应为 {'、'.join(rules.tree)}）"
        )
    elif level2 and level2 not in rules.tree[level1]:
        problem = (
            f"的二级指标「{level2_text}」不属于一级指标「{level1}」"
            f"（应为 {'、'.join(rules.tree[level1])}）"
        )
    return level1, problem


def _weighing(text: str | None, rules: RuleSet) -> tuple:
    """A printed 分值 read once per spelling: (weight, what is wrong with it, to_units(weight))."""
    weight, problem = _read_weight(text)
    if weight is not None and weight <= 0 and rules.weight_positive_required:
        problem = "须大于 0"
    return weight, problem, to_units(weight) if weight is not None else None


class RowRules:
    """What scoring a row reads of its rule set, gathered once per rule set.

    Every row needs the same handful of parameters, the direction words as two searches, and the
    facts of its 一级/二级 labels and 分值 (few spellings in a region): looked up per row through
    rules.memo, these cost as much as a distinct row's arithmetic. score_evaluation fetches this
    once per evaluation (row_rules); it lives in rules.memo, so clearing the memo clears it all.
    """

    __slots__ = (
        "higher_words", "lower_words", "parts", "seen", "deviation_limit", "over_ratio",
        "over_deduction", "reverse_formula", "bands",
    )  # fmt: skip

    def __init__(self, rules: RuleSet) -> None:
        self.higher_words = re.compile("|".join(map(re.escape, rules.higher_is_better_words)))
        self.lower_words = re.compile("|".join(map(re.escape, rules.lower_is_better_words)))
        self.parts: dict[tuple, tuple] = {}  # (level1, level2, weight) as printed: _parts()
        self.seen: set[int] = set()  # hashes of rows seen once (see outcome_for)
        self.deviation_limit = rules.deviation_limit
        self.over_ratio = rules.over_achievement_ratio
        self.over_deduction = rules.over_achievement_deduction
        self.reverse_formula = rules.reverse_formula
        # Each qualitative band with the start of its trace line: 定性，达成（分值的 80%–100%），
        self.bands = {
            achievement: (band, f"定性，{_ACHIEVEMENT_CN[achievement]}（分值的 {plain(band[0])}%–"
                                f"{plain(band[1])}%），")
            for achievement, band in rules.qualitative_bands.items()
        }  # fmt: skip


_ROW_RULES = ("row rules",)  # its key in rules.memo
_PARTS_LIMIT = 50_000  # level and weight spellings: a region has dozens


def row_rules(rules: RuleSet) -> RowRules:
    """The rule set's RowRules, made on first use and kept in rules.memo."""
    found = rules.memo.get(_ROW_RULES)
    if found is None:
        found = rules.memo[_ROW_RULES] = RowRules(rules)
    return found


_ZERO_CENTS = ZERO.quantize(CENT, ROUND_HALF_UP)  # a 0 score, rounded: Decimal("0.00")


def _parts(
    level1_text: str, level2_text: str | None, weight_text: str | None, rules: RuleSet
) -> tuple:
    """Facts of a row's 一级/二级 labels and 分值, which recur from row to row and table to table.

    (一级 name, its problem, weight, its problem, to_units(weight), the weight rounded to cents
    and that in cents): a row meeting its target scores its weight, whose rounding is done here
    once rather than per row.
    """
    level1, level_problem = _levels(level1_text, level2_text, rules)
    weight, weight_problem, units = _weighing(weight_text, rules)
    rounded = cents = None
    if weight is not None:
        rounded = weight.quantize(CENT, ROUND_HALF_UP)
        cents = int(rounded * HUNDRED)
    return level1, level_problem, weight, weight_problem, units, rounded, cents


def _higher(t: Decimal, a: Decimal, w: Decimal) -> tuple[Decimal, str]:
    """Higher is better: full at or above target, else weight × actual / target (floor 0)."""
    if a >= t:
        return w, "实际等于目标值，得满分" if a == t else "实际高于目标，得满分"
    if t > 0:
        if a <= 0:
            return ZERO, "实际不为正数，计 0 分"
        return w * a / t, f"{plain(w)} × {plain(a)} / {plain(t)}"
    if t == 0:
        return ZERO, "目标为 0 而实际为负数，计 0 分"
    # A negative target (≥ -5%): the same shortfall share, measured against |target|.
    score = w * max(ZERO, ONE - (t - a) / -t)
    return score, f"{plain(w)} × (1 − ({plain(t)} − {plain(a)}) / |{plain(t)}|)"


def _lower(t: Decimal, a: Decimal, w: Decimal, formula: str) -> tuple[Decimal, str]:
    """Lower is better: full at or below target, else by the rule set's reverse formula."""
    if a <= t:
        return w, "实际等于目标值，得满分" if a == t else "实际低于目标，得满分"
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


def _numeric(t: Target, a: Decimal, w: Decimal, formula: str) -> tuple[Decimal, bool, str]:
    """Score a quantitative or range row: (unrounded score, target met, the rule as explained)."""
    if t.kind == RANGE:
        # An open bound ((90,100]) is missed by an actual on it, as a strict comparator is.
        if a < t.low or (t.low_open and a == t.low):
            score, rule = _higher(t.low, a, w)
            return score, False, f"低于区间下限，按正向公式 {rule}"
        if a > t.high or (t.high_open and a == t.high):
            score, rule = _lower(t.high, a, w, formula)
            return score, False, f"高于区间上限，按反向公式 {rule}"
        return w, True, "在区间内，得满分"
    value, comparator = t.value, t.comparator
    if comparator == ">=" and a >= value:  # the common case, answered before any formula
        return w, True, "实际不低于目标，得满分"
    if comparator in LOWER_IS_BETTER:
        score, rule = _lower(value, a, w, formula)
        return score, (a < value if comparator == "<" else a <= value), rule
    if comparator == "=" and value <= 0:
        met = a == value
        return (
            (w if met else ZERO),
            met,
            "目标不为正数时须恰好相等" + ("，得满分" if met else "，计 0 分"),
        )
    score, rule = _higher(value, a, w)
    return score, (a > value if comparator == ">" else a >= value), rule


Notes = list[tuple[str, dict]]  # findings of a row before its index is known: (code, values)


def _score_numeric(
    ind: IndicatorInput,
    t: Target,
    w: Decimal,
    a: Decimal,
    actual_notes: tuple[str, ...],
    context: RowRules,
    notes: Notes,
) -> tuple[Decimal, str, str]:
    """Score against a number or range; returns (unrounded score, status, the row's trace line)."""
    for code in actual_notes:
        notes.append(
            (
                code,
                {"actual": ind.actual, "target": ind.target, "value": plain(a),
                 "unit": t.unit_of_measure or ""},
            )
        )  # fmt: skip
    value, comparator = t.value, t.comparator
    if comparator == ">=" and a >= value:  # the common case, answered before any formula
        score, met, rule = w, True, "实际不低于目标，得满分"
    else:
        score, met, rule = _numeric(t, a, w, context.reverse_formula)
        if not met and (
            (comparator in STRICT and a == value)
            or (t.kind == RANGE and ((t.low_open and a == t.low) or (t.high_open and a == t.high)))
        ):
            notes.append(
                ("actual_equals_strict_bound", {"target": ind.target, "actual": ind.actual})
            )
    status = "met" if met else "partial" if score else "missed"
    if met and t.kind == QUANTITATIVE and comparator not in LOWER_IS_BETTER and value > 0:
        ratio = context.over_ratio
        if a >= value * ratio:
            status = "exceeded"
            percent = (a * HUNDRED / value).quantize(CENT)
            notes.append(
                ("exceeded_far", {"percent": plain(percent), "ratio": plain(ratio * HUNDRED)})
            )
            deduction = context.over_deduction
            if deduction:
                score = max(ZERO, w - deduction)
                rule += f"，超额扣 {plain(deduction)} 分"
    shown = ind.weight if score is w else f"{score:.4f}"
    trace = (
        f"「{ind.name}」目标 {ind.target}，实际 {ind.actual}，{_STATUS_CN[status]}；{rule}"
        f" = {shown}（分值 {ind.weight}）"
    )
    return score, status, trace


def _deadline_met(t: Target, actual: Actual) -> bool:
    """On time when the actual date is not later; a month-only actual is on time in its month."""
    if actual.achieved is not None:
        return actual.achieved
    year_known = t.year is not None and actual.year is not None
    done = (actual.year if year_known else 0, actual.month, actual.day or 0)
    due = (t.year if year_known else 0, t.month, t.day or 31)
    if actual.day is None:
        due = (due[0], due[1], 0)
    return done <= due


def _band_score(w: Decimal, claimed: Decimal | None, band: tuple[Decimal, Decimal]) -> Decimal:
    """Pick the score inside the qualitative band the filer's achievement selects."""
    low, high = band
    bottom, top = w * low / HUNDRED, w * high / HUNDRED
    closed = high == HUNDRED  # only the top band includes its upper bound
    if claimed is not None and bottom <= claimed and (claimed < top or (closed and claimed == top)):
        return claimed
    return top if closed else max(bottom, top - CENT)


def _score_qualitative(
    ind: IndicatorInput, w: Decimal, claimed: Decimal | None, context: RowRules, notes: Notes
) -> tuple[Decimal, str]:
    """Score a worded target by the filer's achievement band; returns (score, trace line)."""
    achievement = ind.achievement if ind.achievement in ACHIEVEMENTS else None
    if achievement is not None:
        band, heading = context.bands[achievement]
        score = _band_score(w, claimed, band)
        how = "采用自评得分" if score is claimed else "取区间上限"
        if achievement != "met" and is_blank(ind.deviation):
            notes.append(("deviation_missing", {"why": _NOT_MET[achievement]}))
        return score, f"「{ind.name}」{heading}{how} {plain(score)}"
    if claimed is not None:
        score = min(max(claimed, ZERO), w)
        return score, f"「{ind.name}」定性，未选择达成情况，采用自评得分 {plain(score)}"
    notes.append(("achievement_missing", {}))
    return ZERO, f"「{ind.name}」定性，未选择达成情况，计 0 分"


_STATUS_CN = {"met": "达成", "exceeded": "超额达成", "partial": "部分达成", "missed": "未达成"}
_ACHIEVEMENT_CN = {"met": "达成", "partial": "部分达成", "missed": "未达成"}


def claimed_above(index: int, label: str, claimed: Decimal, score: Decimal) -> Finding:
    """The filer's score above the computed one (allowed only with this finding beside it)."""
    return finding(
        "claimed_score_above_computed", index, row=label, claimed=plain(claimed), computed=score
    )


def _outcome(ind: IndicatorInput, rules: RuleSet, context: RowRules | None = None) -> tuple:
    """Everything about a row that does not depend on its position in the table.

    `context` is row_rules(rules), passed in by the evaluation's loop so rows do not fetch it.
    """
    if context is None:
        context = row_rules(rules)
    key = (ind.level1, ind.level2, ind.weight)
    parts = context.parts.get(key)
    if parts is None:
        if len(context.parts) > _PARTS_LIMIT:
            context.parts.clear()
        parts = context.parts[key] = _parts(ind.level1, ind.level2, ind.weight, rules)
    level1, level_problem, weight, weight_problem, units, weight_rounded, weight_cents = parts
    target = parse_indicator_target(ind.target, ind.name)
    kind = target.kind
    relative_problem = relative_text = None
    if kind == RELATIVE:  # 较上年提高5%: a quantity once last year's actual is known
        resolved = resolve_relative(target, ind.previous_actual)
        if resolved is None:
            relative_problem = (
                "系统中没有上年实际完成值"
                if is_blank(ind.previous_actual)
                else f"上年实际完成值「{ind.previous_actual}」不是数值"
            )
        else:
            target, kind = resolved, QUANTITATIVE
            relative_text = (
                f"目标 {ind.target}（上年实际 {ind.previous_actual}，即 {format_target(target)}）"
            )
    notes: Notes = []
    if level_problem:
        notes.append(("level_mismatch", {"why": level_problem}))
    claimed = _claimed(ind.claimed_score) if ind.claimed_score is not None else None
    score, status, on_bound, actual_value = ZERO, "unscored", None, None
    withheld = False  # a row left unscored for want of a readable target: no claim is taken
    # Every 不适用 spelling has 不 or 无, which normalise() leaves alone, and no digit, so only a
    # qualitative target can be one: most rows skip the test.
    text = ind.target
    not_applicable = kind == QUALITATIVE and ("不" in text or "无" in text) and _inapplicable(text)
    if ind.weight is None:
        trace = f"「{ind.name}」无分值（其中行），仅展示，不计分"
        weight = claimed = None
    elif weight_problem:
        notes.append(("weight_invalid", {"weight": ind.weight, "why": weight_problem}))
        trace = f"「{ind.name}」分值「{ind.weight}」无效，不计分"
        weight = claimed = None
    elif not_applicable or (
        ind.actual is not None and ("不" in ind.actual or "无" in ind.actual)
        and _inapplicable(ind.actual)
    ):  # fmt: skip
        not_applicable = True
        trace = f"「{ind.name}」不适用，不计分"
    elif relative_problem:
        withheld = True
        notes.append(("previous_actual_missing", {"target": ind.target, "why": relative_problem}))
        trace = (
            f"「{ind.name}」目标 {ind.target} 以上年实际完成值为基准，{relative_problem}，不计分"
        )
    elif kind == QUALITATIVE and carries_number(text):
        # A number the parser cannot read is a target to correct, not a worded one: the claim
        # would otherwise stand unchecked inside the qualitative band.
        withheld = True
        notes.append(("target_unreadable", {"target": ind.target}))
        trace = f"「{ind.name}」年度指标值「{ind.target}」含数值但无法识别，待财政部门更正，不计分"
    else:
        direction = (
            _direction(target, ind.name, context, level1, ind.level2)
            if kind == QUANTITATIVE
            else None
        )
        if direction:
            notes.append(
                (
                    "direction_suspect",
                    {"name": ind.name, "expected": direction, "target": ind.target},
                )
            )
        text = ind.actual
        # read_actual's short path, inline: most actuals are a plain number printed in their
        # target's own unit ("96.5%" against "≥95%"), which needs no Actual built and read back.
        simple = PLAIN_ACTUAL.match(text) if kind in _NUMERIC and text is not None else None
        if simple is not None and simple.group("unit") == target.unit_of_measure:
            actual_value = Decimal(simple.group("num"))
            score, status, trace = _score_numeric(
                ind, target, weight, actual_value, (), context, notes
            )
            on_bound = (
                actual_value in (target.low, target.high)
                if kind == RANGE
                else actual_value == target.value
            )
            if status in _NOT_MET and is_blank(ind.deviation):
                notes.append(("deviation_missing", {"why": _NOT_MET[status]}))
        elif kind in (EMPTY, QUALITATIVE):
            if kind == EMPTY:
                notes.append(("target_unparsed", {"target": ind.target or "", "why": "为空"}))
            if is_blank(text) and ind.achievement not in ACHIEVEMENTS:
                notes.append(("actual_missing", {}))
            score, trace = _score_qualitative(ind, weight, claimed, context, notes)
            status = "qualitative"
        else:
            lower = kind == QUANTITATIVE and target.comparator in LOWER_IS_BETTER
            actual = read_actual(
                text, kind, target.unit_of_measure, lower, percent_reference(target)
            )
            if actual.missing or actual.unreadable:
                # Nothing was measured, so no deviation is asked for: the actual is the fault.
                code = "actual_missing" if actual.missing else "actual_unparsed"
                notes.append((code, {"actual": text, "target": ind.target}))
                status, trace = "missed", f"「{ind.name}」实际完成值缺失或无法读取，计 0 分"
            else:
                if kind == DEADLINE:
                    met = _deadline_met(target, actual)
                    score, status = (weight, "met") if met else (ZERO, "missed")
                    trace = f"「{ind.name}」时限 {ind.target}，完成 {text}，{_STATUS_CN[status]}"
                else:
                    actual_value = actual.value
                    score, status, trace = _score_numeric(
                        ind, target, weight, actual_value, actual.notes, context, notes
                    )
                    on_bound = (
                        actual_value in (target.low, target.high)
                        if kind == RANGE
                        else actual_value == target.value
                    )
                if status in _NOT_MET and is_blank(ind.deviation):
                    notes.append(("deviation_missing", {"why": _NOT_MET[status]}))
    if relative_text is not None:  # the trace says what the relative target came to
        trace = trace.replace(f"目标 {ind.target}", relative_text, 1)
    if score is weight:  # met: the weight's rounding, done once per spelling (_parts)
        rounded, cents = weight_rounded, weight_cents
    elif score is ZERO:
        rounded, cents = _ZERO_CENTS, 0
    else:
        rounded = score.quantize(CENT, ROUND_HALF_UP)
        cents = int(rounded * HUNDRED)  # exact: rounded has two places
    if claimed is not None and claimed > rounded and not not_applicable and not withheld:
        notes.append(
            ("claimed_score_above_computed", {"claimed": plain(claimed), "computed": rounded})
        )
    limit = context.deviation_limit
    if limit and ind.deviation and len(ind.deviation) > limit:
        what = {"what": "的偏差原因分析", "length": len(ind.deviation), "limit": limit}
        notes.append(("text_too_long", what))
    status = "unscored" if not_applicable else status
    if notes:
        # A row with findings is built where it stands (placed), its findings naming it; until
        # then its fields wait in a tuple, not in a result nobody would read.
        shared = (rounded, status, target, weight, claimed, actual_value, (trace,))
        placed_notes = tuple([row_note(code, values) for code, values in notes])
    else:
        # A row without findings is the same result wherever it stands: built once, shared
        # (results are immutable).
        shared = new_indicator_result(
            rounded, status, target, weight, claimed, actual_value, (), (trace,)
        )
        placed_notes = ()
    if weight is None:
        units = None
    return shared, placed_notes, level1 or "（空）", score, on_bound, not_applicable, cents, units


_NUMERIC = frozenset({QUANTITATIVE, RANGE})


_HIGHER_TYPES = frozenset({"满意度指标", "服务对象满意度指标"})


@lru_cache(maxsize=4096)
def _higher_type(level2: str) -> bool:
    """Whether a printed 二级 names a type that is higher-is-better (服务对象满意度指标)."""
    return level_name(level2) in _HIGHER_TYPES


def _direction(
    target: Target, name: str, context: RowRules, level1: str = "", level2: str | None = None
) -> str | None:
    """A quantitative target whose comparator the row's type or name contradicts (成本 with ≥).

    The indicator's type speaks first: a 满意度 row is higher-is-better whatever its name
    (补贴对象对费用减免的满意度). Otherwise a name with a higher-is-better word (下降率) wants
    ≥ or >; failing that, one with a lower-is-better word (成本) wants ≤ or <; = suits either.
    Only the search that can matter for the comparator is run.
    """
    comparator = target.comparator
    if level1 in _HIGHER_TYPES or (level2 and _higher_type(level2)):
        return "越高越好（应为 ≥）" if comparator in LOWER_IS_BETTER else None
    if not _TRADITIONAL_FREE(name):
        name = normalise(name)
    if comparator in LOWER_IS_BETTER:
        return "越高越好（应为 ≥）" if context.higher_words.search(name) else None
    if (
        comparator in HIGHER_IS_BETTER
        and context.lower_words.search(name)
        and not context.higher_words.search(name)
    ):
        return "越低越好（应为 ≤）"
    return None


def outcome_for(ind: IndicatorInput, rules: RuleSet, context: RowRules | None = None) -> tuple:
    """The position-free outcome of a printed row: (shared result, finding notes, *row facts).

    With finding notes, the first item is the result's fields for placed() instead.

    A printed row always scores the same wherever it stands, and batches repeat rows (copied
    tables, 95% for ≥95%), so outcomes are memoised per rule set, the second time a row is seen.
    Most rows of a real region are printed once. A memoised outcome lives on, and the garbage
    collector rescans every long-lived object again and again (about 40 % of the time of a
    batch of distinct rows went there); a row seen once, left unremembered, dies young with its
    evaluation. Rows seen twice are likely to recur (copied tables), and are kept from then on.
    Only the key's hash is noted on first sight (a collision merely remembers an outcome early),
    and the memo is asked only for a row whose hash was seen: a row printed once is hashed once.
    """
    if context is None:
        context = row_rules(rules)
    # The deviation text matters only as given or not, and by its length when too long: keying
    # on that rather than on free text lets rows with different explanations share an outcome.
    deviation = ind.deviation
    if not deviation or deviation.strip() in BLANK:
        given = 0
    else:
        given = len(deviation) if len(deviation) > context.deviation_limit > 0 else 1
    key = (
        ind.level1, ind.level2, ind.name, ind.target, ind.actual, ind.weight, ind.claimed_score,
        given, ind.achievement, ind.previous_actual,
    )  # fmt: skip
    marker = hash(key)
    seen = context.seen
    memo = rules.outcomes
    if marker in seen:
        outcome = memo.get(key)
        if outcome is None:
            outcome = _outcome(ind, rules, context)
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            memo[key] = outcome
        return outcome
    if len(seen) > _SEEN_LIMIT:
        seen.clear()
    seen.add(marker)
    return _outcome(ind, rules, context)


def placed(fields: tuple, notes: tuple, index: int, name: str) -> IndicatorResult:
    """The result of a row with findings at its position: findings name the row and its index.

    `fields` are the outcome's (score, status, target, weight, claimed, actual value, trace).
    """
    score, status, target, weight, claimed, actual_value, trace = fields
    findings = place_notes(notes, index, row_label(index, name))
    return new_indicator_result(
        score, status, target, weight, claimed, actual_value, findings, trace
    )
