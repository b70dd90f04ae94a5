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
RELATIVE = "relative"  # 较上年提高5%: a quantity once last year's actual is known
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
# Every unit that converts into another of its dimension: (dimension, size in the base unit).
# Only exact factors: 亩 (666.67㎡) and months (28–31 days) convert to nothing.
_DIMENSIONS = {
    **{unit: ("money", factor) for unit, factor in MONEY_FACTORS.items()},
    "米": ("length", Decimal(1)),
    "公里": ("length", Decimal(1000)),
    "厘米": ("length", Decimal("0.01")),
    "毫米": ("length", Decimal("0.001")),
    "㎡": ("area", Decimal(1)),
    "公顷": ("area", Decimal(10000)),
    "平方公里": ("area", Decimal(10**6)),
    "公斤": ("mass", Decimal(1)),
    "克": ("mass", Decimal("0.001")),
    "吨": ("mass", Decimal(1000)),
    "立方米": ("volume", Decimal(1)),
    "小时": ("time", Decimal(60)),
    "分钟": ("time", Decimal(1)),
}
# A count with 万 or 亿 in front (3.5万人次) is that many thousands of the count.
_COUNT_PREFIXES = {"万": Decimal(10000), "亿": Decimal(10**8)}
# Units a person writes after a number; used where prose surrounds the number (完成5项工作).
_UNIT_WORDS = """% ‰ 个 家 次 人 人次 万人 万人次 场 篇 份 项 天 日 月 年 元 千元 万元 亿元 ㎡ 台 件
辆 套 户 亩 公里 分 小时 个月 个工作日 工作日 吨 万吨 座 所 处 条 名 期 批 册 本 张 位 平方米 平米 米
千米 立方米 株 棵 头 只 间 栋 宗 起 例 课时 学时 门 轮 周 百分比 个百分点 公顷 平方公里 公斤 千克 吨
克 厘米 毫米 分钟 万户 万个"""
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
    "千克": "公斤",
    "kg": "公斤",
    "m": "米",
}
# The marks that join the parts of a compound unit (元/人·月), folded to the middle dot.
_JOINS = str.maketrans(dict.fromkeys("*×・･•∙‧⋅", "·"))
_UNIT_PART = re.compile(r"([/·])")

# 繁体 spellings (tables copied from traditional-character mirrors) of the characters of level
# names, comparator words, units and achievement words, folded to the simplified form the rules
# and patterns use. A full converter (OpenCC) would be a native dependency for a few dozen
# characters; the parser only needs the vocabulary of the notation.
_TRADITIONAL = dict(
    zip(
        "產標滿務對會濟態續響數質時經預執績評價費節約審訴單為與後開學課門輪週歲遲當區於過達內"
        "個項萬億戶畝臺輛場張處條間棟頭隻噸裡裏點較長減準實際現計劃劃劃設備備總體獲權範圍驗檢測"
        "試監險災應廢棄聯網絡號碼輸運車電燈熱氣藥診斷證書圖館藝術團隊員職歷曆屆繼納稅賬錢額結轉"
        "餘虧損壞傷環綠護養醫療補貼種農業廠報訓練請機構組織專導參眾衆優積穩維規覆蓋質級極頃鐘"
        "噸斤兩億億元與於並從後衛鄉鎮縣戰軍劇藝樓層倉庫廳購銷達標準確遠邊緣親關係",
        "产标满务对会济态续响数质时经预执绩评价费节约审诉单为与后开学课门轮周岁迟当区于过达内"
        "个项万亿户亩台辆场张处条间栋头只吨里里点较长减准实际现计划划划设备备总体获权范围验检测"
        "试监险灾应废弃联网络号码输运车电灯热气药诊断证书图馆艺术团队员职历历届继纳税账钱额结转"
        "余亏损坏伤环绿护养医疗补贴种农业厂报训练请机构组织专导参众众优积稳维规覆盖质级极顷钟"
        "吨斤两亿亿元与于并从后卫乡镇县战军剧艺楼层仓库厅购销达标准确远边缘亲关系",
        strict=True,
    )
)
_TRADITIONAL_FOLD = str.maketrans(_TRADITIONAL)
TRADITIONAL_CHARS = frozenset(_TRADITIONAL)


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
            "【": "[",
            "】": "]",
            "〖": "[",
            "〗": "]",
        }.items()
    }
)
_FOLD.update({ord(c): ord(r) for c, r in _TRADITIONAL.items()})
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


_UNIT = r"%|‰|[A-Za-z\u4e00-\u9fff㎡㎞²³/·*×・･•∙‧⋅]{1,10}?"
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
_END = r"[+-]?\d{1,15}(?:\.\d{1,12})?"  # no thousands separator: the comma splits the interval
_INTERVAL = re.compile(
    rf"^(?P<open>[\[(])(?P<lo>{_END})(?P<u1>{_UNIT})?,(?P<hi>{_END})(?P<u2>{_UNIT})?"
    rf"(?P<close>[\])])(?P<u3>{_UNIT})?$"
)
_RELATIVE_BASE = r"(?:与上年相比|与去年相比|较上年度|比上年度|较上一年|比上一年|较上年|比上年|较去年|比去年|同比)"
_RELATIVE = re.compile(
    rf"^{_RELATIVE_BASE}(?P<verb>提高|增长|增加|提升|上升|下降|减少|降低|压减)"
    rf"(?P<num>{NUMBER})?(?P<unit>{_UNIT})??(?P<suf>以上|及以上)?$"
)
_RELATIVE_LEVEL = re.compile(
    r"^(?P<cmp>不低于|不少于|高于|超过|不高于|不超过|低于)(?:上年|去年|上年度|上一年)(?:水平|实际|完成值)?$"
)
_RELATIVE_UP = frozenset({"提高", "增长", "增加", "提升", "上升"})
_RELATIVE_LEVEL_CMP = {
    "不低于": ">=", "不少于": ">=", "高于": ">", "超过": ">", "不高于": "<=", "不超过": "<=",
    "低于": "<",
}  # fmt: skip
# Words that put a deadline under a ceiling: ≤2023年12月 is 2023年12月 or earlier.
_CEILING_WORDS = ("不晚于", "不迟于", "最迟", "最晚", "<=", "≤")
_NAME_HINT = re.compile(
    rf"\((?P<cmp>{_alternation(_PREFIX_WORDS)})?(?P<unit>{_alternation(KNOWN_UNITS)})?\)$"
)
_BEFORE = r"(?P<tail>底前|末前|底|末|份前|份|之前|以前|前)?(?:完成|完工)?"
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
    low_open: bool = False  # an interval's bound printed with a round bracket: (90,100]
    high_open: bool = False
    raw: str = field(default="", compare=False)


# Target's generated __init__ sets its ten slots through object.__setattr__ one by one; a batch of
# distinct targets builds one per row, so the parser fills the slots through their descriptors
# instead (less than half the cost). Same class, same immutability, equal to Target(...).
_SLOT_SETTERS = tuple(
    getattr(Target, name).__set__
    for name in (
        "kind", "comparator", "value", "low", "high", "unit_of_measure", "year", "month", "day",
        "low_open", "high_open", "raw",
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
    low_open: bool = False,
    high_open: bool = False,
) -> Target:
    """Build a Target quickly (parser use; equal to Target(...) with the same arguments)."""
    obj = _NEW(Target)
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s10, s11, s9 = _SLOT_SETTERS
    s0(obj, kind)
    s1(obj, comparator)
    s2(obj, value)
    s3(obj, low)
    s4(obj, high)
    s5(obj, unit_of_measure)
    s6(obj, year)
    s7(obj, month)
    s8(obj, day)
    s10(obj, low_open)
    s11(obj, high_open)
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
    if not TRADITIONAL_CHARS.isdisjoint(unit):
        unit = unit.translate(_TRADITIONAL_FOLD)
    if not _NOT_IN_UNIT.isdisjoint(unit):
        return None
    found = _UNIT_ALIASES.get(unit)
    if found is not None:
        return found
    if len(unit) > 1 and ("/" in unit or not _JOIN_CHARS.isdisjoint(unit)):
        return _compound_unit(unit)
    return unit


_JOIN_CHARS = frozenset("·*×・･•∙‧⋅")


@lru_cache(maxsize=1024)
def _compound_unit(unit: str) -> str | None:
    """One spelling of a compound unit: 元/人*月, 元/人×月, 元／人/月 all read 元/人·月.

    After the first slash every further slash or joining mark multiplies the denominator
    (元/人/月 is 元 per person-month); each part takes its own one spelling (平米 → ㎡).
    """
    parts = [p for p in _UNIT_PART.split(unit.translate(_JOINS)) if p]
    if not parts or parts[0] in "/·" or parts[-1] in "/·":
        return None
    spelled, divided = [], False
    for part in parts:
        if part == "/":
            spelled.append("·" if divided else "/")
            divided = True
        elif part == "·":
            spelled.append("·")
        else:
            spelled.append(_UNIT_ALIASES.get(part, part))
    text = "".join(spelled)
    return None if "··" in text or "/·" in text or "·/" in text else text


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


def _ceiling_deadline(rest: str, raw: str) -> Target | None:
    """The deadline after a ceiling word (≤2023年12月, 不晚于11月底), or None.

    A bare month (≤12月) stays a quantity of months, as the plain notation reads it.
    """
    deadline = _deadline(rest, raw)
    if deadline is None or (deadline.year is None and deadline.day is None and rest[-1] == "月"):
        return None
    return deadline


def _interval(s: str, raw: str) -> Target | None:
    """Interval notation: [95,100] closed, (90,100] open below; a unit inside or after."""
    match = _INTERVAL.match(s)
    if match is None:
        return None
    units = []
    for name in ("u1", "u2", "u3"):
        ok, unit = _unit_or_fail(match[name])
        if not ok:
            return None
        if unit is not None:
            units.append(unit)
    if len(set(units)) > 1:
        return None
    low, high = Decimal(match["lo"]), Decimal(match["hi"])
    low_open, high_open = match["open"] == "(", match["close"] == ")"
    if low > high:
        low, high, low_open, high_open = high, low, high_open, low_open
    unit = units[0] if units else None
    return _target(
        RANGE, low=low, high=high, unit_of_measure=unit, raw=raw, low_open=low_open,
        high_open=high_open,
    )  # fmt: skip


def _relative(s: str, raw: str) -> Target | None:
    """A target relative to last year (较上年提高5%, 同比增长, 不低于上年), or None.

    The comparator says which way; the value is the change (None: last year's level itself),
    in % (a share of last year's actual), 个百分点 (points added) or the indicator's own unit.
    """
    match = _RELATIVE.match(s)
    if match is not None:
        up = match["verb"] in _RELATIVE_UP
        value = to_decimal(match["num"]) if match["num"] else None
        if value is None and match["unit"]:
            return None
        ok, unit = _unit_or_fail(match["unit"])
        if not ok:
            return None
        # A change without a figure (同比增长) asks for more than last year, not as much.
        comparator = (">" if up else "<") if value is None else (">=" if up else "<=")
        return _target(RELATIVE, comparator, value, unit_of_measure=unit, raw=raw)
    match = _RELATIVE_LEVEL.match(s)
    if match is not None:
        return _target(RELATIVE, _RELATIVE_LEVEL_CMP[match["cmp"]], raw=raw)
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
    if comparator == "<=" and _ceiling_deadline(text[len(written) :].replace("％", "%"), text):
        return None  # ≤2023.12, ≤2023年底: a deadline, which the general reading takes
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
    if "上" in s or "去年" in s or "同比" in s:
        relative = _relative(s, text)
        if relative is not None:
            return relative, True
    if _DIGIT.search(s) is None:
        return _target(QUALITATIVE, raw=text), False
    for word in _CEILING_WORDS:
        if s.startswith(word):
            deadline = _ceiling_deadline(s[len(word) :], text)
            if deadline is not None:
                return deadline, False
    if s[0] in "[(":
        interval = _interval(s, text)
        if interval is not None:
            return interval, False
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


_RELATIVE_LEVEL_WORDS = {
    ">=": "不低于上年",
    ">": "较上年增长",
    "<=": "不高于上年",
    "<": "较上年下降",
}


def format_target(target: Target) -> str:
    """Print a target in the canonical notation that parse_target reads back to the same target."""
    unit = target.unit_of_measure or ""
    if target.kind == QUANTITATIVE and target.value is not None:
        return f"{SYMBOL.get(target.comparator or '=', '=')}{plain(target.value)}{unit}"
    if target.kind == RANGE and target.low is not None and target.high is not None:
        if target.low_open or target.high_open:
            opening, closing = "(["[not target.low_open], ")]"[not target.high_open]
            return f"{opening}{plain(target.low)},{plain(target.high)}{closing}{unit}"
        return f"{plain(target.low)}~{plain(target.high)}{unit}"
    if target.kind == RELATIVE and target.comparator is not None:
        if target.value is None:
            return _RELATIVE_LEVEL_WORDS[target.comparator]
        verb = "提高" if target.comparator in HIGHER_IS_BETTER else "下降"
        return f"较上年{verb}{plain(target.value)}{unit}"
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
    factor = conversion(unit, to_unit)
    if factor is not None:
        return value * factor[0] / factor[1], None
    return value, "unit_mismatch"


def _size(unit: str) -> tuple[str, Decimal]:
    """A unit's dimension and size in its base unit; a unit of its own is its own dimension."""
    found = _DIMENSIONS.get(unit)
    if found is not None:
        return found
    prefix = _COUNT_PREFIXES.get(unit[0]) if len(unit) > 1 else None
    if prefix is not None:  # 万人次 = 10,000 人次; 万公里 = 10,000 公里
        dimension, size = _size(unit[1:])
        return dimension, size * prefix
    return unit, Decimal(1)


@lru_cache(maxsize=1024)
def conversion(unit: str, to_unit: str) -> tuple[Decimal, Decimal] | None:
    """The factor (numerator, denominator) turning `unit` into `to_unit`; None across dimensions.

    Multiply by the one and divide by the other, as exact as the amounts allow.

    Compound units convert by their first part when the rest is the same: 元/个 into 万元/个.
    """
    if unit == to_unit:
        return Decimal(1), Decimal(1)
    if "/" in unit or "/" in to_unit:
        head, _, rest = unit.partition("/")
        to_head, _, to_rest = to_unit.partition("/")
        if rest != to_rest or not rest:
            return None
        unit, to_unit = head, to_head
    if unit in ("%", "‰") or to_unit in ("%", "‰"):
        return None
    (dimension, size), (to_dimension, to_size) = _size(unit), _size(to_unit)
    return (size, to_size) if dimension == to_dimension else None


def _as_percent(value: Decimal, reference: Decimal | None) -> bool:
    """A bare fraction (0.95, 1) against a percent target whose value is above 1 (≥95%)."""
    return reference is not None and reference > 1 and 0 <= value <= 1


_WORDED_YEAR = re.compile(r"(?:19|20|21)\d\d(?:年度?|年)")
_COMPARED_NUMBER = re.compile(rf"(?:{_alternation(_PREFIX_WORDS)}|约|近|共|计)\s*{NUMBER}")


def carries_number(text: str | None) -> bool:
    """Whether a target the parser could not read still states a quantity (约100次, 投入100万元).

    Such a target needs correcting; a worded one (有效提升, 完成2023年度计划, 3A级) does not.
    A number counts when a unit or % follows it or a comparator precedes it; years do not.
    """
    if not text:
        return False
    s = _WORDED_YEAR.sub("", normalise(text))
    if _DIGIT.search(s) is None:
        return False
    if _COMPARED_NUMBER.search(s):
        return True
    return any(match["unit"] for match in _ANY_NUMBER.finditer(s))


def resolve_relative(target: Target, previous: str | None) -> Target | None:
    """A relative target (较上年提高5%) as the quantity it asks for, given last year's actual.

    % is a share of last year's figure (100 → 105), 个百分点 points added to it (90% → 92%),
    any other unit an amount in that unit; None when last year's actual is missing or not a
    number.
    """
    if target.kind != RELATIVE or previous is None or not previous.strip():
        return None
    simple = PLAIN_ACTUAL.match(previous.strip())  # a measured figure, never a date (2092.01)
    if simple is not None:
        base, unit = Decimal(simple["num"]), normalise_unit(simple["unit"])
    else:
        try:
            parsed = (_READINGS.get(previous) or _reading(previous))[0]
        except Exception:  # noqa: BLE001 - never raise on input
            return None
        if parsed.kind != QUANTITATIVE or parsed.value is None:
            return None
        base, unit = parsed.value, parsed.unit_of_measure
    change, change_unit = target.value, target.unit_of_measure
    up = target.comparator in HIGHER_IS_BETTER
    if change is None:
        value = base
    elif change_unit == "%":
        value = base * (1 + change / 100) if up else base * (1 - change / 100)
    else:
        if change_unit not in (None, "个百分点", "百分点", "%"):
            if unit is None:
                unit = change_unit
            else:
                factor = conversion(change_unit, unit)
                if factor is None:
                    return None
                change = change * factor[0] / factor[1]
        value = base + change if up else base - change
    return _target(QUANTITATIVE, target.comparator, value, unit_of_measure=unit, raw=target.raw)


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


def read_actual(
    text: str | None, kind: str, unit: str | None, lower: bool, reference: Decimal | None = None
) -> Actual:
    """parse_actual keyed on what it needs of the target.

    `reference` is the target's value (a range's upper bound) when the target is in %: a bare
    fraction at most 1 against a reference above 1 is a percentage written as a fraction.

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
                    if found is None and unit == "%" and _as_percent(Decimal(number), reference):
                        return _number_actual(Decimal(number) * 100, unit, _FRACTION)
                    value, note = _convert(Decimal(number), found, unit)
                    shown = found if note == "unit_mismatch" else unit or found
                    return _number_actual(value, shown, (note,) if note else _NO_NOTES)
        return _read_actual(text, kind, unit, lower)
    except Exception:  # noqa: BLE001 - never raise on input
        return _UNREADABLE


_READABLE = frozenset({QUANTITATIVE, RANGE, DEADLINE})
_FRACTION = ("fraction_as_percent",)
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
    return read_actual(
        text,
        target.kind,
        target.unit_of_measure,
        is_lower_is_better(target),
        percent_reference(target),
    )


def percent_reference(target: Target) -> Decimal | None:
    """The value a fraction is compared with to tell it is a percentage (see read_actual)."""
    if target.unit_of_measure != "%":
        return None
    return target.value if target.kind == QUANTITATIVE else target.high
