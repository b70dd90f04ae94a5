"""The [targets] table of a rule set: the parameters of the quality checks on targets (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .checkers import boolean, count, words
from .monitoring_rules import read_section

COST_LEVEL1 = "成本指标"


@dataclass(frozen=True)
class TargetRules:
    """The [targets] table. Defaults are what a rule set published without one means.

    cost_indicator_required None: required exactly when 成本指标 is a level-1 of the rule set's
    tree (财预〔2021〕101号, national-2021-cost-tree), so no published file changes meaning.
    """

    cost_indicator_required: bool | None = None
    beaten_years: int = 2
    measurable_types: tuple[str, ...] = (
        "数量指标", "质量指标", "时效指标", "成本指标",
        "经济成本指标", "社会成本指标", "生态环境成本指标",
    )  # fmt: skip
    survey_words: tuple[str, ...] = (
        "问卷", "调查", "调研", "测评", "访谈", "座谈", "回访", "评议", "抽样", "抽查",
    )  # fmt: skip


DEFAULT_TARGETS = TargetRules()


def _years(value: object) -> int:
    number = count(value)
    if number < 1:
        raise ValueError(f"须为不小于 1 的整数：{value}")
    return number


def _non_empty_words(value: object) -> tuple[str, ...]:
    found = words(value)
    if not found:
        raise ValueError("至少列出一项")
    return found


# [targets] key -> (TargetRules field, checker, the source its default carries).
TARGETS_SPEC: dict[str, tuple[str, Callable[[object], object], str]] = {
    "cost_indicator_required": (
        "cost_indicator_required", boolean,
        "财预〔2021〕101号：成本指标为一级指标的指标体系须设成本指标；默认按规则集的 indicators.tree 判断",
    ),
    "beaten_years": (
        "beaten_years", _years,
        "issue 15：实际完成值连续两年及以上超过指标值较多（≥ scoring.over_achievement_ratio 倍），目标偏保守",
    ),
    "measurable_types": (
        "measurable_types", _non_empty_words,
        "财预〔2020〕10号：数量、质量、时效、成本指标应为可衡量的定量值；本系统默认",
    ),
    "survey_words": (
        "survey_words", _non_empty_words,
        "财预〔2020〕10号：满意度指标须通过问卷调查等方式取得；本系统默认的调查方式用语",
    ),
}  # fmt: skip


def read_targets(table: object, sources: dict[str, str]) -> TargetRules:
    """Read the optional [targets] table into sources too; absent keys keep their defaults."""
    return TargetRules(**read_section("targets", TARGETS_SPEC, table, sources))
