"""The [results] table of a rule set: how a season's results suggest next year's budget (§8).

Every threshold of the 结果应用 suggestion lives here, each naming where its default comes from,
so a region that cuts 中 projects by 20% instead of 10% publishes a rule set, not a code change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .checkers import boolean, choice, percent, words
from .monitoring_rules import ParameterError, read_section

GRADE_CODES = ("excellent", "good", "fair", "poor")


@dataclass(frozen=True)
class ResultsRules:
    """The [results] table; defaults are domain.md §8's (and seed 004's practice)."""

    prioritise_grades: tuple[str, ...] = ("excellent",)
    keep_grades: tuple[str, ...] = ("good",)
    cut_grades: tuple[str, ...] = ("fair",)
    cut_share: Decimal = Decimal(10)
    poor_decision: str = "cancel"
    prioritise_min_execution: Decimal = Decimal(90)
    low_execution_below: Decimal = Decimal(80)
    review_total_counts: bool = True
    red_light_blocks_priority: bool = True
    errors_block_priority: bool = True


DEFAULT_RESULTS = ResultsRules()


def _grades(value: object) -> tuple[str, ...]:
    found = words(value)
    unknown = [g for g in found if g not in GRADE_CODES]
    if unknown:
        raise ValueError(f"等级代码须为 {' / '.join(GRADE_CODES)} 之一，实为 {unknown[0]!r}")
    return found


def _share(value: object) -> Decimal:
    number = percent(value)
    if number <= 0:
        raise ValueError(f"须大于 0：{value}")
    return number


# [results] key -> (ResultsRules field, checker, the source its default carries).
RESULTS_SPEC: dict[str, tuple[str, Callable[[object], object], str]] = {
    "prioritise_grades": (
        "prioritise_grades", _grades,
        "domain.md §8：优、良保持或优先保障；seed 004：绩效评价得分高的项目优先予以申报（默认：优）",
    ),
    "keep_grades": (
        "keep_grades", _grades, "domain.md §8：优、良保持或优先保障（默认：良保持）",
    ),
    "cut_grades": (
        "cut_grades", _grades, "domain.md §8：中按可配置比例压减（默认：中）",
    ),
    "cut_share": (
        "cut_share", _share, "domain.md §8：中按可配置比例压减；本系统默认 10%",
    ),
    "poor_decision": (
        "poor_decision", choice(("cancel", "suspend")),
        "domain.md §8：差取消或暂停；本系统默认取消",
    ),
    "prioritise_min_execution": (
        "prioritise_min_execution", percent,
        "seed 004：对执行率低的项目合理压减；优先保障的项目执行率不低于 90%（本系统默认）",
    ),
    "low_execution_below": (
        "low_execution_below", percent,
        "seed 004：对部分执行率低的项目，申报下年预算时合理压减项目资金量；执行率低于 80% 时下年安排数不超过本年执行数（本系统默认）",
    ),
    "review_total_counts": (
        "review_total_counts", boolean,
        "seed 004：“自评+部门评价+抽查复核+财政评价”；抽查复核得分取代自评得分定等（本系统默认）",
    ),
    "red_light_blocks_priority": (
        "red_light_blocks_priority", boolean,
        "domain.md §7：监控红灯须分析原因、采取措施；有红灯的项目不优先保障（本系统默认）",
    ),
    "errors_block_priority": (
        "errors_block_priority", boolean,
        "domain.md §6：错误类问题未改正的自评不作为优先保障依据（本系统默认）",
    ),
}  # fmt: skip


def read_results(table: object, sources: dict[str, str]) -> ResultsRules:
    """Read the optional [results] table into sources too; absent keys keep domain.md §8."""
    results = ResultsRules(**read_section("results", RESULTS_SPEC, table, sources))
    check_results(results)
    return results


def check_results(r: ResultsRules) -> None:
    """A grade may lead to one decision only."""
    seen: dict[str, str] = {}
    for key in ("prioritise_grades", "keep_grades", "cut_grades"):
        for grade in getattr(r, key):
            if grade in seen:
                raise ParameterError(f"results.{key}", f"等级 {grade} 已列于 {seen[grade]}")
            seen[grade] = key
