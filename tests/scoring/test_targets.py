"""The target parser reads every notation of domain.md §5, and never raises."""

from __future__ import annotations

import re
from dataclasses import fields
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.targets import (
    _READINGS,
    DEADLINE,
    EMPTY,
    QUALITATIVE,
    QUANTITATIVE,
    RANGE,
    Target,
    _plain_quantitative,
    _read_general,
    _reading,
    achievement_from_text,
    format_target,
    normalise,
    parse_actual,
    parse_indicator_target,
    parse_target,
)

D = Decimal

QUANTITATIVE_NOTATIONS = [
    # (printed, comparator, value, unit)
    ("≥95%", ">=", "95", "%"),
    (">=95%", ">=", "95", "%"),
    ("≧95%", ">=", "95", "%"),
    ("＞＝95%", ">=", "95", "%"),
    ("不低于95%", ">=", "95", "%"),
    ("不少于300个", ">=", "300", "个"),
    ("至少3次", ">=", "3", "次"),
    ("大于等于5%", ">=", "5", "%"),
    ("95%以上", ">=", "95", "%"),
    ("95%及以上", ">=", "95", "%"),
    ("95%（含）以上", ">=", "95", "%"),
    ("≥95%以上", ">=", "95", "%"),
    (">10个", ">", "10", "个"),
    ("＞10个", ">", "10", "个"),
    ("大于10个", ">", "10", "个"),
    ("超过10个", ">", "10", "个"),
    ("=100%", "=", "100", "%"),
    ("＝100%", "=", "100", "%"),
    ("﹦100%", "=", "100", "%"),
    ("═100%", "=", "100", "%"),
    ("等于100%", "=", "100", "%"),
    ("≤367.19万元", "<=", "367.19", "万元"),
    ("<=3天", "<=", "3", "天"),
    ("≦3天", "<=", "3", "天"),
    ("不高于5%", "<=", "5", "%"),
    ("不超过3天", "<=", "3", "天"),
    ("不多于2次", "<=", "2", "次"),
    ("小于等于367.19万元", "<=", "367.19", "万元"),
    ("100万元以内", "<=", "100", "万元"),
    ("5%以下", "<=", "5", "%"),
    ("控制在5%以内", "<=", "5", "%"),
    ("控制在100万元", "<=", "100", "万元"),
    ("5天内", "<=", "5", "天"),
    ("<220", "<", "220", None),
    ("＜220", "<", "220", None),
    ("小于3", "<", "3", None),
    ("低于5%", "<", "5", "%"),
    # bare numbers are "=", which a positive target scores as higher-is-better
    ("43.2", "=", "43.2", None),
    ("29.5亩", "=", "29.5", "亩"),
    ("100", "=", "100", None),
    ("100%", "=", "100", "%"),
    # units: spelled out, compound, thousands separators, spaces and full-width digits
    ("≥95百分比", ">=", "95", "%"),
    ("≤20元/人·月", "<=", "20", "元/人·月"),
    ("≤10元/户", "<=", "10", "元/户"),
    ("1,947,970元", "=", "1947970", "元"),
    ("≥ 1,600 家", ">=", "1600", "家"),
    ("≥９５％", ">=", "95", "%"),
    ("≥1600家", ">=", "1600", "家"),
    ("≥5项", ">=", "5", "项"),
    ("≥3个工作日", ">=", "3", "个工作日"),
    ("≥100平方米", ">=", "100", "㎡"),
    ("≥-5%", ">=", "-5", "%"),
]


@pytest.mark.parametrize(("printed", "comparator", "value", "unit"), QUANTITATIVE_NOTATIONS)
def test_quantitative_notations_are_read(printed, comparator, value, unit) -> None:
    target = parse_target(printed)
    assert target.kind == QUANTITATIVE, printed
    assert (target.comparator, target.value, target.unit_of_measure) == (comparator, D(value), unit)
    assert target.raw == printed


@pytest.mark.parametrize(
    ("printed", "low", "high", "unit"),
    [
        ("90%-100%", "90", "100", "%"),
        ("90-100%", "90", "100", "%"),
        ("90～100%", "90", "100", "%"),
        ("90~100%", "90", "100", "%"),
        ("90至100个", "90", "100", "个"),
        ("90%—100%", "90", "100", "%"),
        ("在90%至100%之间", "90", "100", "%"),
        ("100-90", "90", "100", None),
        ("-5~-3%", "-5", "-3", "%"),
    ],
)
def test_ranges_are_read(printed, low, high, unit) -> None:
    target = parse_target(printed)
    assert (target.kind, target.low, target.high, target.unit_of_measure) == (
        RANGE,
        D(low),
        D(high),
        unit,
    )


@pytest.mark.parametrize(
    ("printed", "year", "month", "day"),
    [
        ("2023年12月", 2023, 12, None),
        ("2023.12", 2023, 12, None),
        ("2023年12月31日前", 2023, 12, 31),
        ("9月前", None, 9, None),
        ("11月底前", None, 11, None),
        ("12月31日前", None, 12, 31),
        ("6月份", None, 6, None),
        ("年底前", None, 12, None),
        ("2023年底前", 2023, 12, None),
    ],
)
def test_deadlines_are_read(printed, year, month, day) -> None:
    target = parse_target(printed)
    assert (target.kind, target.year, target.month, target.day) == (DEADLINE, year, month, day)


@pytest.mark.parametrize(
    "printed", ["达到预期", "有效提升", "良好", "按时完成", "约100次", "≥95%以下", "投入100万元"]
)
def test_anything_else_is_qualitative(printed) -> None:
    assert parse_target(printed).kind == QUALITATIVE


@pytest.mark.parametrize("printed", [None, "", "  ", "—", "-", "/", "无"])
def test_blank_targets_are_empty(printed) -> None:
    assert parse_target(printed).kind == EMPTY


def test_operator_and_unit_folded_into_the_name_are_used_when_the_target_has_none() -> None:
    assert parse_indicator_target("100", "投入资金(≥万元)") == Target(
        QUANTITATIVE, ">=", D(100), unit_of_measure="万元"
    )
    assert parse_indicator_target("98", "工程合格率（%）").unit_of_measure == "%"
    # The target's own operator and unit win over the name's.
    assert parse_indicator_target("≤5个", "投入资金(≥万元)") == Target(
        QUANTITATIVE, "<=", D(5), unit_of_measure="个"
    )


@pytest.mark.parametrize(
    ("actual", "target", "value", "notes"),
    [
        ("95%", "≥95%", "95", ()),
        ("≥90%", "≥90%", "90", ("actual_not_a_value",)),
        ("100", "≥100%", "100", ("unit_assumed",)),
        ("90", "≤90万元", "90", ("unit_assumed",)),
        ("5,540,000元", "≤367.19万元", "554", ()),
        ("1.2亿元", "≥5000万元", "12000", ()),
        ("95%", "≥300", "95", ("unit_mismatch",)),
        ("95个", "≥95%", "95", ("unit_mismatch",)),
        ("300个", "≥300", "300", ()),
        ("完成98%的任务", "≥95%", "98", ("actual_not_a_value",)),
        ("-3%", "≤-5%", "-3", ()),
    ],
)
def test_actuals_are_read_in_the_targets_terms(actual, target, value, notes) -> None:
    read = parse_actual(actual, parse_target(target))
    assert (read.value, read.notes) == (D(value), notes)


def test_actuals_that_cannot_be_numbers_are_flagged() -> None:
    assert parse_actual("已完成", parse_target("≥100次")).unreadable
    assert parse_actual(None, parse_target("≥100次")).missing
    assert parse_actual("—", parse_target("≥100次")).missing


def test_deadline_actuals_are_dates_or_words() -> None:
    target = parse_target("2023年12月")
    assert (parse_actual("2023年11月", target).year, parse_actual("2023年11月", target).month) == (
        2023,
        11,
    )
    assert parse_actual("按时完成", target).achieved is True
    assert parse_actual("未完成", target).achieved is False


@pytest.mark.parametrize(
    ("text", "achievement"),
    [
        ("达成", "met"),
        ("达到预期", "met"),
        ("基本达成", "partial"),
        ("未达成", "missed"),
        ("一般", None),
    ],
)
def test_achievement_words(text, achievement) -> None:
    assert achievement_from_text(text) == achievement


def test_an_actual_repeating_its_worded_target_is_met() -> None:
    assert achievement_from_text("有效提升", "有效提升") == "met"
    assert achievement_from_text("有效提升", "显著提升") is None
    assert achievement_from_text("部分达成", "部分达成") == "partial"


@settings(max_examples=500, deadline=None)
@given(st.text(), st.text(max_size=20))
def test_parsing_never_raises(text: str, name: str) -> None:
    target = parse_target(text)
    assert target.kind in (QUANTITATIVE, RANGE, DEADLINE, QUALITATIVE, EMPTY)
    parse_indicator_target(text, name)
    parse_actual(text, target)
    parse_actual(name, parse_target("≥95%"))
    parse_actual(text, parse_target("9月前"))
    format_target(target)


_NOTATION = st.sampled_from(
    ["≥", ">=", "不低于", ">", "大于", "=", "等于", "≤", "不超过", "<", "低于", "", "≧", "≦", "＜"]
)


@settings(max_examples=500, deadline=None)
@given(
    _NOTATION,
    st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False),
    st.sampled_from(
        ["", "%", "个", "万元", "元", "天", "次", "人次", "亩", "㎡", "元/人·月", "年"]
    ),
)
def test_printed_targets_survive_a_round_trip(notation, value, unit) -> None:
    target = parse_target(f"{notation}{value:f}{unit}")
    assert target.kind == QUANTITATIVE
    assert parse_target(format_target(target)) == target


_UNITS = st.sampled_from(
    [None, "%", "个", "家", "次", "人", "人次", "场", "篇", "份", "项", "天", "月", "年", "元",
     "万元", "㎡", "台", "件", "辆", "套", "户", "亩", "公里", "分", "元/人·月", "元/户"]
)  # fmt: skip
_VALUES = st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False)


@st.composite
def _targets(draw) -> Target:
    unit = draw(_UNITS)
    if draw(st.booleans()):
        comparator = draw(st.sampled_from([">=", ">", "=", "<=", "<"]))
        return Target(QUANTITATIVE, comparator, draw(_VALUES), unit_of_measure=unit)
    low, high = sorted((draw(_VALUES), draw(_VALUES)))
    return Target(RANGE, low=low, high=high, unit_of_measure=unit)


@settings(max_examples=1000, deadline=None)
@given(_targets())
def test_format_then_parse_gives_the_same_target(target: Target) -> None:
    assert parse_target(format_target(target)) == target


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,-~%≥≤<>=万元个以上下内至 ", max_size=16))
def test_whatever_parses_as_a_number_formats_back_to_itself(text: str) -> None:
    target = parse_target(text)
    if target.kind in (QUANTITATIVE, RANGE):
        assert parse_target(format_target(target)) == target


def _fields_of(parsed: tuple[Target, bool]) -> tuple:
    """Every field of a reading as printed, raw text and the explicit-comparator flag included."""
    target, explicit = parsed
    return (*(str(getattr(target, f.name)) for f in fields(Target)), explicit)


# Pieces of targets as printed: comparators and their glyphs, numbers that look like dates, units,
# words that are suffixes (以上, 以内) or date tails (底前, 份), and the odd full-width form.
_PIECES = st.lists(
    st.sampled_from(
        ["≥", ">=", "不低于", "不少于", "大于", "≤", "<", "＜", "≧", "﹦", "═", "=", "控制在", "在",
         "0", "5", "95", "95.5", "2023", "2023.6", "12", "1", "13", ".5", "-5", "1,000", "１２",
         "1234567890123456", "２０２３", "．６", "١٢", "%", "％", "‰", "万元", "元", "个", "人次", "亩", "年", "月", "月底前",
         "年底", "底", "份", "前", "以上", "以内", "及以下", "内", "之内", "完成", "元/人·月", "天",
         "平米", "百分比", "-", "~", "至", " ", "(含)", "之间", "不晚于", "[", "]", "(", ",",
         "元/人*月", "×", "個", "萬元", "较上年提高", "同比增长", "个百分点"]
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(_PIECES)
def test_the_plain_notation_fast_path_reads_as_the_general_parser(pieces: list[str]) -> None:
    """The fast path for ≥95%-like targets answers exactly as normalising and parsing would."""
    text = "".join(pieces)
    fast = _plain_quantitative(text)
    if fast is not None:
        assert _fields_of(fast) == _fields_of(_read_general(text)), text


def test_the_plain_notation_fast_path_takes_the_common_targets_and_leaves_the_rest() -> None:
    for text in ["≥95%", "不低于90.5％", "≧300人次", "≤12.5万元", "160亩", "=100%", "5年"]:
        assert _plain_quantitative(text) is not None, text
    # Dates, suffixes and anything normalise() would change go to the general reading.
    for text in [
        "2023.6",
        "12月底前",
        "2023年底",
        "95%以上",
        "100万元以内",
        "≥ 95%",
        "１２个",
        "２０２３.６",
    ]:
        assert _plain_quantitative(text) is None, text


def test_a_target_text_is_remembered_from_the_second_time_it_is_read() -> None:
    """A region's one-off figures are not kept alive for the garbage collector to rescan."""
    text = "≥98765.4321万元"
    _reading.cache_clear()
    first = parse_target(text)
    assert text not in _READINGS
    second = parse_target(text)
    assert text in _READINGS
    assert parse_target(text) is _READINGS[text][0]
    assert first == second == Target(QUANTITATIVE, ">=", D("98765.4321"), unit_of_measure="万元")
    _reading.cache_clear()
    assert text not in _READINGS


def test_normalising_drops_every_kind_of_space_the_regex_did() -> None:
    spaces = [chr(c) for c in range(0x3001) if re.fullmatch(r"\s", chr(c))]
    text = "≥" + "".join(spaces) + "95" + "\u3000" + "%"
    assert normalise(text) == "≥95%"


# --- issue 13: compound units, 繁体, intervals, deadlines, relative targets, fractions ----------

RELATIVE_KIND = "relative"


@pytest.mark.parametrize(
    "printed",
    ["≥530元/人*月", ">=530元/人*月", "≥530元/人×月", "≥530元／人＊月", "≥530元/人·月",
     "≥530元/人・月", "≥530元/人/月"],
)  # fmt: skip
def test_compound_units_have_one_spelling(printed) -> None:
    assert parse_target(printed) == Target(QUANTITATIVE, ">=", D(530), unit_of_measure="元/人·月")


@pytest.mark.parametrize(
    ("actual", "target", "value"),
    [
        ("583元/人*月", "≥530元/人·月", "583"),
        ("48000元/个", "≤5万元/个", "4.8"),
        ("2500米", "≥2公里", "2.5"),
        ("3.5万人次", "≥30000人次", "35000"),
        ("1.5吨", "≥1000公斤", "1500"),
        ("2公顷", "≥10000㎡", "20000"),
    ],
)
def test_actuals_convert_where_the_dimension_allows(actual, target, value) -> None:
    read = parse_actual(actual, parse_target(target))
    assert (read.value, read.notes) == (D(value), ())


def test_units_of_different_dimensions_still_mismatch() -> None:
    assert parse_actual("5公里", parse_target("≥5万元")).notes == ("unit_mismatch",)
    assert parse_actual("5元/户", parse_target("≥5元/人")).notes == ("unit_mismatch",)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("≥95個", Target(QUANTITATIVE, ">=", D(95), unit_of_measure="个")),
        ("不低於95%", Target(QUANTITATIVE, ">=", D(95), unit_of_measure="%")),
        ("不超過3萬元", Target(QUANTITATIVE, "<=", D(3), unit_of_measure="万元")),
        ("2023年12月底前", Target(DEADLINE, year=2023, month=12)),
    ],
)
def test_traditional_characters_read_as_simplified(printed, expected) -> None:
    assert parse_target(printed) == expected


def test_traditional_level_names_normalise() -> None:
    assert normalise("產出指標") == "产出指标"
    assert normalise("服務對象滿意度指標") == "服务对象满意度指标"
    assert normalise("預算執行率") == "预算执行率"


@pytest.mark.parametrize(
    ("printed", "low", "high", "low_open", "high_open", "unit"),
    [
        ("[95,100]", "95", "100", False, False, None),
        ("[95，100]", "95", "100", False, False, None),
        ("(90,100]", "90", "100", True, False, None),
        ("（90,100]", "90", "100", True, False, None),
        ("[95%,100%]", "95", "100", False, False, "%"),
        ("(90,100]%", "90", "100", True, False, "%"),
        ("[0,5)", "0", "5", False, True, None),
        ("[1000,2000]万元", "1000", "2000", False, False, "万元"),
    ],
)
def test_interval_notation_is_a_range(printed, low, high, low_open, high_open, unit) -> None:
    target = parse_target(printed)
    assert (target.kind, target.low, target.high, target.unit_of_measure) == (
        RANGE, D(low), D(high), unit,
    )  # fmt: skip
    assert (target.low_open, target.high_open) == (low_open, high_open)
    assert parse_target(format_target(target)) == target


@pytest.mark.parametrize(
    ("printed", "year", "month", "day"),
    [
        ("≤2023年12月", 2023, 12, None),
        ("<=2023年12月", 2023, 12, None),
        ("不晚于2023年12月", 2023, 12, None),
        ("不迟于2023年12月31日", 2023, 12, 31),
        ("不晚於2023年6月", 2023, 6, None),
        ("≤2023.12", 2023, 12, None),
        ("最迟11月底", None, 11, None),
    ],
)
def test_deadlines_with_a_ceiling_word_are_deadlines(printed, year, month, day) -> None:
    target = parse_target(printed)
    assert (target.kind, target.year, target.month, target.day) == (DEADLINE, year, month, day)


@pytest.mark.parametrize(
    ("printed", "comparator", "value", "unit"),
    [
        ("较上年提高5%", ">=", "5", "%"),
        ("比上年增长5%", ">=", "5", "%"),
        ("同比增长5%", ">=", "5", "%"),
        ("同比增长", ">", None, None),
        ("较上年增加100人", ">=", "100", "人"),
        ("较上年下降10%", "<=", "10", "%"),
        ("同比减少2个百分点", "<=", "2", "个百分点"),
        ("较上年提高2个百分点", ">=", "2", "个百分点"),
        ("不低于上年", ">=", None, None),
        ("較上年提高5%", ">=", "5", "%"),
    ],
)
def test_relative_targets_are_read(printed, comparator, value, unit) -> None:
    target = parse_target(printed)
    assert target.kind == RELATIVE_KIND, printed
    assert (target.comparator, target.value, target.unit_of_measure) == (
        comparator, D(value) if value else None, unit,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("relative", "previous", "expected"),
    [
        ("较上年提高5%", "100人", Target(QUANTITATIVE, ">=", D(105), unit_of_measure="人")),
        ("较上年下降10%", "50次", Target(QUANTITATIVE, "<=", D(45), unit_of_measure="次")),
        ("较上年增加100人", "1,000人", Target(QUANTITATIVE, ">=", D(1100), unit_of_measure="人")),
        ("较上年提高2个百分点", "90%", Target(QUANTITATIVE, ">=", D(92), unit_of_measure="%")),
        ("同比增长", "80", Target(QUANTITATIVE, ">", D(80))),
        ("较上年提高5%", "已完成", None),
        ("较上年提高5%", None, None),
    ],
)
def test_relative_targets_resolve_against_last_years_actual(relative, previous, expected) -> None:
    from scoring.engine.targets import resolve_relative

    resolved = resolve_relative(parse_target(relative), previous)
    if expected is None:
        assert resolved is None
    else:
        assert resolved == expected


@pytest.mark.parametrize(
    ("actual", "target", "value", "notes"),
    [
        ("0.95", "≥95%", "95", ("fraction_as_percent",)),
        ("1", "≥100%", "100", ("fraction_as_percent",)),
        ("0.97", "[95,100]%", "97", ("fraction_as_percent",)),
        ("0.95%", "≥95%", "0.95", ()),
        ("0.5", "≤1%", "0.5", ("unit_assumed",)),
        ("1.5", "≥95%", "1.5", ("unit_assumed",)),
        ("0.95", "≥95", "0.95", ()),
    ],
)
def test_a_fraction_against_a_percent_target_reads_as_a_percentage(
    actual, target, value, notes
) -> None:
    read = parse_actual(actual, parse_target(target))
    assert (read.value, read.notes) == (D(value), notes)


@pytest.mark.parametrize(
    ("text", "carries"),
    [
        ("约100次", True),
        ("投入100万元", True),
        ("≥95%（以验收为准）", True),
        ("有效提升", False),
        ("完成2023年度培训计划", False),
        ("达到国家3A级标准", False),
        ("ISO9001认证", False),
    ],
)
def test_which_worded_targets_carry_a_number(text, carries) -> None:
    from scoring.engine.targets import carries_number

    assert carries_number(text) is carries


_INTERVAL_PIECES = st.tuples(
    st.sampled_from(["[", "(", "（", "［"]),
    st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False),
    st.sampled_from([",", "，"]),
    st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False),
    st.sampled_from(["]", ")", "）", "］"]),
    st.sampled_from(["", "%", "万元", "元/人·月", "个"]),
)


@settings(max_examples=500, deadline=None)
@given(_INTERVAL_PIECES)
def test_interval_notation_round_trips(pieces) -> None:
    opening, low, comma, high, closing, unit = pieces
    target = parse_target(f"{opening}{low:f}{comma}{high:f}{closing}{unit}")
    assert target.kind == RANGE
    assert target.low <= target.high
    assert parse_target(format_target(target)) == target


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["", "*", "×", "/", "·", "・", "／", "＊"]),
    st.sampled_from(["元/人", "万元/个", "人", "次/人"]),
    st.sampled_from(["月", "年", "天"]),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
)
def test_compound_units_read_the_same_in_every_spelling(joint, head, tail, value) -> None:
    unit = f"{head}{joint}{tail}" if joint else head
    target = parse_target(f"≥{value:f}{unit}")
    assert target.kind == QUANTITATIVE
    assert parse_target(format_target(target)) == target
    assert parse_actual(f"{value:f}{unit}", target).notes == ()


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["较上年", "比上年", "同比", "较去年"]),
    st.sampled_from(["提高", "增长", "增加", "下降", "减少", "降低"]),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False),
    st.sampled_from(["%", "个百分点", "人", ""]),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
)
def test_relative_targets_resolve_to_a_quantity_or_nothing(base, verb, value, unit, prev) -> None:
    from scoring.engine.targets import resolve_relative

    target = parse_target(f"{base}{verb}{value:f}{unit}")
    assert target.kind == RELATIVE_KIND
    resolved = resolve_relative(target, f"{prev:f}")
    assert resolved is not None and resolved.kind == QUANTITATIVE
    grows = verb in ("提高", "增长", "增加")
    assert (resolved.value >= prev) if grows else (resolved.value <= prev)
