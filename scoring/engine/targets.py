"""Reads 年度指标值 and 实际完成值 as printed in real tables (domain.md §5); never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from .numbers import BLANK, NUMBER, plain, to_decimal

QUANTITATIVE = "quantitative"
RANGE = "range"
DEADLINE = "deadline"
QUALITATIVE = "qualitative"
EMPTY = "empty"

HIGHER_IS_BETTER = frozenset({">=", ">"})
LOWER_IS_BETTER = frozenset({"<=", "<"})
STRICT = frozenset({">", "<"})
SYMBOL = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}

# Amounts in these units convert into one another; every other unit compares only with itself.
MONEY_FACTORS = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(10**8),
}
# Units a person writes after a number; used where prose surrounds the number (完成5项工作).
_UNIT_WORDS = """% ‰ 个 家 次 人 人次 万人 万人次 场 篇 份 项 天 日 月 年 元 千元 万元 亿元 ㎡ 台 件
辆 套 户 亩 公里 分 小时 个月 个工作日 工作日 吨 万吨 座 所 处 条 名 期 批 册 本 张 位 平方米 平米 米
千米 立方米 株 棵 头 只 间 栋 宗 起 例 课时 学时 门 轮 周 百分比 个百分点"""
KNOWN_UNITS = tuple(sorted(_UNIT_WORDS.split(), key=len, reverse=True))
_UNIT_ALIASES = {
    "百分比": "%",
    "百分率": "%",
    "平方米": "㎡",
    "m2": "㎡",
    "m²": "㎡",
    "平米": "㎡",
    "千米": "公里",
    "km": "公里",
    "日": "天",
}

# Full-width ASCII and the odd comparator glyphs seen in real tables, folded to one spelling.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        ord(c): r
        for c, r in {
            "\u3000": " ",
            "\xa0": " ",
            "≧": "≥",
            "⩾": "≥",
            "≦": "≤",
            "⩽": "≤",
            "﹦": "=",
            "═": "=",
            "﹤": "<",
            "﹥": ">",
            "〜": "~",
            "—": "-",
            "–": "-",
            "−": "-",
            "﹣": "-",
            "〔": "(",
            "〕": ")",
        }.items()
    }
)
_INCLUSIVE = re.compile(r"\((?:含|包含|含本数)\)")

# Longest words first so 不低于 wins over 低于 and 大于等于 over 大于.
_PREFIX_WORDS = {
    "大于或等于": ">=",
    "大于等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "至少": ">=",
    "≥": ">=",
    ">=": ">=",
    "=>": ">=",
    "小于或等于": "<=",
    "小于等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不多于": "<=",
    "不大于": "<=",
    "未超过": "<=",
    "≤": "<=",
    "<=": "<=",
    "=<": "<=",
    "大于": ">",
    "超过": ">",
    "高于": ">",
    "多于": ">",
    ">": ">",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "<": "<",
    "等于": "=",
    "==": "=",
    "=": "=",
}
_SUFFIX_WORDS = {
    "及以上": ">=",
    "以上": ">=",
    "及以下": "<=",
    "以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "内": "<=",
}


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT = r"%|‰|[A-Za-z\u4e00-\u9fff㎡㎞²³/·]{1,10}?"
# Characters that never occur in a unit but do in comparator words, dates and prose.
_NOT_IN_UNIT = frozenset("以上下内前后左右约不达完成于至到及或和、,.0123456789")
_QUANT = re.compile(
    rf"^(?P<ctl>控制在)?(?P<cmp>{_alternation(_PREFIX_WORDS)})?(?P<num>{NUMBER})"
    rf"(?P<unit>{_UNIT})??(?P<suf>{_alternation(_SUFFIX_WORDS)})?$"
)
_RANGE = re.compile(
    rf"^(?:在)?(?P<lo>{NUMBER})(?P<u1>{_UNIT})??(?:-|~|至|到)(?P<hi>{NUMBER})(?P<u2>{_UNIT})?"
    r"(?:之间)?$"
)
_NAME_HINT = re.compile(
    rf"\((?P<cmp>{_alternation(_PREFIX_WORDS)})?(?P<unit>{_alternation(KNOWN_UNITS)})?\)$"
)
_BEFORE = r"(?P<tail>底前|末前|底|末|份前|份|之前|以前|前)?"
_DATE_CN = re.compile(
    rf"^(?P<y>(?:19|20|21)\d\d)年(?:(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})日)?)?{_BEFORE}$"
)
_DATE_DOT = re.compile(
    rf"^(?P<y>(?:19|20|21)\d\d)[./-](?P<m>\d{{1,2}})(?:[./-](?P<d>\d{{1,2}}))?{_BEFORE}$"
)
_DATE_MONTH = re.compile(rf"^(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})日)?{_BEFORE}$")
_YEAR_END = frozenset({"年底", "年底前", "年末", "年末前", "年内", "年度内", "本年度内", "当年"})
_DIGIT = re.compile(r"\d")
_ANY_NUMBER = re.compile(rf"(?P<num>{NUMBER})(?P<unit>{_alternation(KNOWN_UNITS)})?")

_MET_WORDS = frozenset(
    {"达成", "已达成", "达到", "已达到", "达到预期", "完成", "已完成", "全部完成", "按时完成",
     "按期完成", "如期完成", "提前完成", "是", "已实现", "实现"}
)  # fmt: skip
_PARTIAL_WORDS = frozenset(
    {"部分达成", "基本达成", "部分达到", "基本达到", "部分完成", "基本完成", "部分实现", "基本实现"}
)
_MISSED_WORDS = frozenset(
    {"未达成", "未达到", "未完成", "未实现", "未按时完成", "否", "延期", "逾期", "延期完成"}
)


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed 年度指标值: what the actual is compared with, and how; raw is kept for display."""

    kind: str
    comparator: str | None = None
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    unit_of_measure: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    raw: str = field(default="", compare=False)


# Target's generated __init__ sets its ten slots through object.__setattr__ one by one; a batch of
# distinct targets builds one per row, so the parser fills the slots through their descriptors
# instead (less than half the cost). Same class, same immutability, equal to Target(...).
_SLOT_SETTERS = tuple(
    getattr(Target, name).__set__
    for name in (
        "kind", "comparator", "value", "low", "high", "unit_of_measure", "year", "month", "day",
        "raw",
    )
)  # fmt: skip
_NEW = object.__new__


def _target(
    kind: str,
    comparator: str | None = None,
    value: Decimal | None = None,
    low: Decimal | None = None,
    high: Decimal | None = None,
    unit_of_measure: str | None = None,
    year: int | None = None,
    month: int | None = None,
    day: int | None = None,
    raw: str = "",
) -> Target:
    """Build a Target quickly (parser use; equal to Target(...) with the same arguments)."""
    obj = _NEW(Target)
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 = _SLOT_SETTERS
    s0(obj, kind)
    s1(obj, comparator)
    s2(obj, value)
    s3(obj, low)
    s4(obj, high)
    s5(obj, unit_of_measure)
    s6(obj, year)
    s7(obj, month)
    s8(obj, day)
    s9(obj, raw)
    return obj


class Actual(NamedTuple):
    """An 实际完成值 read against its target: a number in the target's unit, or a date."""

    value: Decimal | None = None
    unit_of_measure: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    achieved: bool | None = None  # a deadline actual written as words (按时完成, 未完成)
    notes: tuple[str, ...] = ()  # finding codes: actual_not_a_value, unit_assumed, unit_mismatch
    missing: bool = False
    unreadable: bool = False


def normalise(text: str) -> str:
    """Fold full-width forms, odd glyphs and spaces so one pattern reads every spelling."""
    # str.split() splits at exactly the characters \s matches, at a third of the regex's cost.
    folded = "".join(text.translate(_FOLD).split())
    return _INCLUSIVE.sub("", folded) if "(" in folded else folded


def normalise_unit(unit: str | None) -> str | None:
    """Give a unit its one spelling (百分比 → %), or None when it is no unit at all."""
    if not unit:
        return None
    if unit in ("%", "‰"):
        return unit
    if not _NOT_IN_UNIT.isdisjoint(unit):
        return None
    return _UNIT_ALIASES.get(unit, unit)


def _unit_or_fail(raw: str | None) -> tuple[bool, str | None]:
    if raw is None:
        return True, None
    unit = normalise_unit(raw)
    return unit is not None, unit


def _deadline(s: str, raw: str) -> Target | None:
    if s in _YEAR_END:
        return _target(DEADLINE, month=12, raw=raw)
    if not s[:1].isdigit():  # every date pattern starts with a digit: spare ≥95% three matches
        return None
    for pattern in (_DATE_CN, _DATE_DOT, _DATE_MONTH):
        match = pattern.match(s)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"]) if parts.get("y") else None
        month = int(parts["m"]) if parts.get("m") else None
        day = int(parts["d"]) if parts.get("d") else None
        if month is None:
            if year is None or not parts["tail"]:  # "2023年" alone is a count of years
                return None
            month = 12
        if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
            return None
        return _target(DEADLINE, year=year, month=month, day=day, raw=raw)
    return None


def _quantitative(s: str, raw: str) -> tuple[Target, bool] | None:
    match = _QUANT.match(s)
    if match is None:
        return None
    ok, unit = _unit_or_fail(match["unit"])
    if not ok:
        return None
    prefix = _PREFIX_WORDS[match["cmp"]] if match["cmp"] else None
    suffix = _SUFFIX_WORDS[match["suf"]] if match["suf"] else None
    if match["ctl"] and prefix is None:
        prefix = "<="  # 控制在X(以内): a ceiling even when the suffix is left out
    if prefix and suffix and prefix[0] != suffix[0]:
        return None  # "≥95%以下" contradicts itself: leave it to a person
    comparator = prefix or suffix
    value = to_decimal(match["num"])
    target = _target(QUANTITATIVE, comparator or "=", value, unit_of_measure=unit, raw=raw)
    return target, comparator is not None


def _range(s: str, raw: str) -> Target | None:
    match = _RANGE.match(s)
    if match is None:
        return None
    ok1, u1 = _unit_or_fail(match["u1"])
    ok2, u2 = _unit_or_fail(match["u2"])
    if not (ok1 and ok2) or (u1 and u2 and u1 != u2):
        return None
    low, high = to_decimal(match["lo"]), to_decimal(match["hi"])
    if low > high:
        low, high = high, low
    return _target(RANGE, low=low, high=high, unit_of_measure=u1 or u2, raw=raw)


# The notation most targets are printed in: maybe a comparator, a plain number, maybe a unit of up
# to four characters ("≥95%", "不低于90.5％", "≧300人次", "≤12.5万元", "160亩"). The comparators
# are _PREFIX_WORDS and the glyphs normalise() folds into one of them; nothing else in such a text
# is touched by normalise() but ％ (digits are ASCII: \d would take full-width ones, which it
# folds), so it reads as normalised without being normalised.
_PLAIN_COMPARATORS = {
    **_PREFIX_WORDS,
    **{c: _PREFIX_WORDS[c.translate(_FOLD)] for c in "≧⩾≦⩽﹦═﹤﹥＞＜＝"},
}
_PLAIN_TARGET = re.compile(
    rf"^(?P<cmp>{_alternation(_PLAIN_COMPARATORS)})?(?P<num>[0-9]{{1,15}}(?:\.[0-9]{{1,12}})?)"
    r"(?P<unit>[%％]|[\u4e00-\u9fff]{1,4})?$"
)


def _plain_quantitative(text: str) -> tuple[Target, bool] | None:
    """What _read makes of a target in the plain notation (_PLAIN_TARGET); None for any other.

    A fast path, as most targets of a region are distinct numbers in this notation: it skips
    normalising, the date patterns (a comparator never starts a date) and the general pattern,
    whose comparator, number and unit are then exactly the ones matched here, as long as the
    unit does not end in 上, 下 or 内 (以上, 以内… are suffixes the general pattern splits off).
    Whatever it is unsure of it leaves to the general reading, which gives the same answer.
    """
    match = _PLAIN_TARGET.match(text)
    if match is None:
        return None
    written, number, unit = match.group("cmp", "num", "unit")
    if unit is not None:
        if unit[-1] in "上下内":
            return None
        unit = normalise_unit("%" if unit == "％" else unit)
        if unit is None:  # not a unit after all (完成, 以前…): the general reading decides
            return None
    if written is None:
        # Without a comparator the text starts with a digit, as dates do (2023.6, 12月底前).
        if _deadline(text.replace("％", "%"), text) is not None:
            return None
        return _target(QUANTITATIVE, "=", Decimal(number), unit_of_measure=unit, raw=text), False
    comparator = _PLAIN_COMPARATORS[written]
    return _target(QUANTITATIVE, comparator, Decimal(number), unit_of_measure=unit, raw=text), True


def _read(text: str) -> tuple[Target, bool]:
    """Parse a printed target; the flag says the comparator was written, not implied."""
    plain = _plain_quantitative(text)
    return plain if plain is not None else _read_general(text)


# Readings of texts read more than once, and the hashes of texts read once so far.
_READINGS: dict[str, tuple[Target, bool]] = {}
_READ_ONCE: set[int] = set()
_READINGS_LIMIT = 65_536
_READ_ONCE_LIMIT = 500_000  # ints: about 20 MB


def _reading(text: str) -> tuple[Target, bool]:
    """_read(text), remembered from the second time the text is read.

    Targets recur (≥95%, 达到预期) and are read once per spelling. But most texts of a region
    are read once: its distinct figures (≥12,345.6万元), and the actuals the general reading
    takes (1652元/人·月). Remembered at first sight they all live on, and the garbage collector
    rescans every one of them again and again (about a tenth of a batch of distinct rows went
    there); only the text's hash is noted at first sight, as outcome_for does for rows. Callers
    try _READINGS.get(text) first, the cost of a hit here.
    """
    found = _READINGS.get(text)
    if found is not None:
        return found
    found = _read(text)
    marker = hash(text)
    if marker in _READ_ONCE:
        if len(_READINGS) >= _READINGS_LIMIT:
            _READINGS.clear()
        _READINGS[text] = found
    else:
        if len(_READ_ONCE) >= _READ_ONCE_LIMIT:
            _READ_ONCE.clear()
        _READ_ONCE.add(marker)
    return found


def _forget_readings() -> None:
    _READINGS.clear()
    _READ_ONCE.clear()


_reading.cache_clear = _forget_readings  # as lru_cache has it: what a cold benchmark calls


def _read_general(text: str) -> tuple[Target, bool]:
    """The reading of any notation: normalised, then tried as a date, a number, a range."""
    s = normalise(text)
    if s in ("", "-", "--", "/", "无", "N/A", "n/a", "NA"):
        return _target(EMPTY, raw=text), False
    deadline = _deadline(s, text)
    if deadline is not None:
        return deadline, False
    if _DIGIT.search(s) is None:
        return _target(QUALITATIVE, raw=text), False
    quantitative = _quantitative(s, text)
    if quantitative is not None:
        return quantitative
    ranged = _range(s, text)
    if ranged is not None:
        return ranged, False
    return _target(QUALITATIVE, raw=text), False


def parse_target(text: str | None) -> Target:
    """Parse a printed 年度指标值 into a comparable target; any string is accepted."""
    if text is None:
        return Target(EMPTY)
    try:
        return (_READINGS.get(text) or _reading(text))[0]
    except Exception:  # noqa: BLE001 - the parser's contract is to never raise on input
        return Target(QUALITATIVE, raw=text)


def parse_indicator_target(text: str | None, name: str = "") -> Target:
    """Parse a target, borrowing an operator or unit folded into the name (工程合格率(%)).

    Read by the target text alone (_reading): names differ from row to row even where targets
    repeat, and only a name ending in a bracket can lend anything.
    """
    if text is None:
        return _EMPTY_TARGET
    try:
        target, explicit = _READINGS.get(text) or _reading(text)
    except Exception:  # noqa: BLE001 - never raise on input
        return _target(QUALITATIVE, raw=text)
    if target.kind != QUANTITATIVE or not name or (explicit and target.unit_of_measure):
        return target
    if not (")" in name or "）" in name or "〕" in name):  # what normalise() turns into ")"
        return target
    return _hinted(target, explicit, text, name)


_EMPTY_TARGET = Target(EMPTY)


@lru_cache(maxsize=4096)
def _hinted(target: Target, explicit: bool, text: str, name: str) -> Target:
    """The target with the comparator or unit a bracketed name adds (工程合格率(%))."""
    match = _NAME_HINT.search(normalise(name))
    if match is None:
        return target
    comparator = target.comparator
    if not explicit and match["cmp"]:
        comparator = _PREFIX_WORDS[match["cmp"]]
    unit = target.unit_of_measure or normalise_unit(match["unit"])
    return _target(QUANTITATIVE, comparator, target.value, unit_of_measure=unit, raw=text)


def format_target(target: Target) -> str:
    """Print a target in the canonical notation that parse_target reads back to the same target."""
    unit = target.unit_of_measure or ""
    if target.kind == QUANTITATIVE and target.value is not None:
        return f"{SYMBOL.get(target.comparator or '=', '=')}{plain(target.value)}{unit}"
    if target.kind == RANGE and target.low is not None and target.high is not None:
        return f"{plain(target.low)}~{plain(target.high)}{unit}"
    if target.kind == DEADLINE and target.month is not None:
        year = f"{target.year}年" if target.year else ""
        day = f"{target.day}日" if target.day else "底"
        return f"{year}{target.month}月{day}前"
    return target.raw


def achievement_from_text(text: str | None, target: str | None = None) -> str | None:
    """Read 达成 / 部分达成 / 未达成 from an actual in words, or 达成 from one repeating its target."""
    if text is None:
        return None
    s = normalise(text).rstrip("。.!")
    if s in _MET_WORDS:
        return "met"
    if s in _PARTIAL_WORDS:
        return "partial"
    if s in _MISSED_WORDS:
        return "missed"
    # Filers write 达成 by repeating a worded target (有效提升 / 有效提升).
    return "met" if target and s == normalise(target).rstrip("。.!") else None


def _convert(value: Decimal, unit: str | None, to_unit: str | None) -> tuple[Decimal, str | None]:
    """Bring an actual into the target's unit; the note names what had to be assumed."""
    if unit == to_unit:
        return value, None
    if unit is None:
        return value, "unit_assumed"
    if to_unit is None:
        # A plain-number target with a percent actual is a different quantity; other units
        # (300个 against ≥300) only say what was counted.
        return value, "unit_mismatch" if unit in ("%", "‰") else None
    if unit in MONEY_FACTORS and to_unit in MONEY_FACTORS:
        return value * MONEY_FACTORS[unit] / MONEY_FACTORS[to_unit], None
    return value, "unit_mismatch"


def _number_in_words(text: str) -> tuple[Decimal, str | None] | None:
    found = list(_ANY_NUMBER.finditer(normalise(text)))
    if len(found) != 1:
        return None
    return to_decimal(found[0]["num"]), normalise_unit(found[0]["unit"])


# Most actuals are a plain number and a unit ("1652家", "96.5%"): read without the full parser.
PLAIN_ACTUAL = re.compile(r"^(?P<num>-?\d{1,15}(?:\.\d{1,12})?)(?P<unit>%|[\u4e00-\u9fff]{1,4})?$")
_MISSING = Actual(missing=True)
_NO_NOTES: tuple[str, ...] = ()
_new_tuple = tuple.__new__


def _number_actual(value: Decimal, unit: str | None, notes: tuple[str, ...]) -> Actual:
    """Actual(value=..., unit_of_measure=..., notes=...) without the keyword-argument call."""
    return _new_tuple(Actual, (value, unit, None, None, None, None, notes, False, False))


_UNREADABLE = Actual(unreadable=True)


def read_actual(text: str | None, kind: str, unit: str | None, lower: bool) -> Actual:
    """parse_actual keyed on what it needs of the target.

    Not cached: actuals are measured figures, mostly distinct across a region, and most take
    the short path below; a cache kept every one alive for the garbage collector to rescan,
    which cost more than reading them again. Repeated rows are memoised whole (outcome_for).
    """
    if text is None or text.strip() in BLANK:  # is_blank(), inline: read for every row
        return _MISSING
    if kind not in _READABLE:
        return _NOTHING
    try:
        if kind != DEADLINE:
            # The short path, inline for the same reason: a plain number and maybe a unit.
            simple = PLAIN_ACTUAL.match(text)
            if simple is not None:
                number, printed = simple.group("num", "unit")
                found = normalise_unit(printed) if printed is not None else None
                if printed is None or found is not None:
                    if found == unit:
                        return _number_actual(Decimal(number), unit or found, _NO_NOTES)
                    value, note = _convert(Decimal(number), found, unit)
                    shown = found if note == "unit_mismatch" else unit or found
                    return _number_actual(value, shown, (note,) if note else _NO_NOTES)
        return _read_actual(text, kind, unit, lower)
    except Exception:  # noqa: BLE001 - never raise on input
        return _UNREADABLE


_READABLE = frozenset({QUANTITATIVE, RANGE, DEADLINE})
_NOTHING = Actual()


def _read_actual(text: str, kind: str, unit: str | None, lower: bool) -> Actual:
    """The full reading of an actual that is not a plain number with a unit."""
    notes: list[str] = []
    parsed, explicit = _READINGS.get(text) or _reading(text)
    if kind == DEADLINE:
        if parsed.kind == DEADLINE:
            return Actual(year=parsed.year, month=parsed.month, day=parsed.day)
        words = achievement_from_text(text)
        if words is not None:
            return Actual(achieved=words == "met")
        return _UNREADABLE
    if parsed.kind == QUANTITATIVE and parsed.value is not None:
        value, found_unit = parsed.value, parsed.unit_of_measure
        if explicit:
            notes.append("actual_not_a_value")
    elif parsed.kind == RANGE and parsed.low is not None and parsed.high is not None:
        # A range as an actual: take the end least favourable to the filer.
        value = parsed.high if lower else parsed.low
        found_unit = parsed.unit_of_measure
        notes.append("actual_not_a_value")
    else:
        extracted = _number_in_words(text)
        if extracted is None:
            return _UNREADABLE
        value, found_unit = extracted
        notes.append("actual_not_a_value")
    value, note = _convert(value, found_unit, unit)
    if note:
        notes.append(note)
    shown_unit = found_unit if note == "unit_mismatch" else unit or found_unit
    return _number_actual(value, shown_unit, tuple(notes))


def is_lower_is_better(target: Target) -> bool:
    """Whether a target scores lower actuals better (≤, <): ranges and dates do not."""
    return target.kind == QUANTITATIVE and target.comparator in LOWER_IS_BETTER


def parse_actual(text: str | None, target: Target) -> Actual:
    """Read an actual in its target's terms: its number in the target's unit, or its date."""
    return read_actual(text, target.kind, target.unit_of_measure, is_lower_is_better(target))
