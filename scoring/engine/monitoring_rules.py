"""The [monitoring] table of a rule set: the mid-year lights' thresholds (domain.md §7)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .checkers import choice, non_negative, percent, positive, records

TIME_PROGRESS_METHODS = ("completed_months", "calendar_month", "fractional_months")


class ParameterError(ValueError):
    """A bad [monitoring] parameter; the loader names the file with the key."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}：{reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ExecutionFloor:
    """The least execution rate (%) expected once a month has ended (川财绩〔2025〕10号 style)."""

    month: int
    min_rate: Decimal


@dataclass(frozen=True)
class MonitoringRules:
    """The [monitoring] table: thresholds of the mid-year lights (domain.md §7), in percent.

    Defaults are domain.md §7's, so a rule set published before monitoring means exactly them.
    """

    execution_red_below: Decimal = Decimal(60)
    execution_yellow_below: Decimal = Decimal(80)
    indicator_red_below: Decimal = Decimal(60)
    indicator_yellow_below: Decimal = Decimal(80)
    indicator_blue_from: Decimal = Decimal(120)
    time_progress: str = "completed_months"
    execution_floors: tuple[ExecutionFloor, ...] = ()
    divergence_points: Decimal = Decimal(0)  # 0: the divergence check is off


DEFAULT_MONITORING = MonitoringRules()


def _floors(value: object) -> tuple[ExecutionFloor, ...]:
    floors = []
    for r in records(value, ("month", "min_rate")):
        month = r["month"]
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise ValueError(f"month 应为 1 到 12 的整数，实为 {month!r}")
        floors.append(ExecutionFloor(month, percent(r["min_rate"])))
    if len({f.month for f in floors}) != len(floors):
        raise ValueError("同一月份只能设一个下限")
    return tuple(sorted(floors, key=lambda f: f.month))


# [monitoring] key -> (MonitoringRules field, checker, the source its default carries). The
# whole table and each key are optional: a file without them means domain.md §7.
MONITORING_SPEC: dict[str, tuple[str, Callable[[object], object], str]] = {
    "execution_red_below": (
        "execution_red_below", positive, "domain.md §7：执行进度（执行率 ÷ 时间进度）低于 60% 为红灯",
    ),
    "execution_yellow_below": (
        "execution_yellow_below", positive, "domain.md §7：执行进度 60% 至低于 80% 为黄灯，80% 及以上为绿灯",
    ),
    "indicator_red_below": (
        "indicator_red_below", positive, "domain.md §7：累计类指标完成值 ÷（指标值 × 时间进度）低于 60% 为红灯",
    ),
    "indicator_yellow_below": (
        "indicator_yellow_below", positive, "domain.md §7：60% 至低于 80% 为黄灯",
    ),
    "indicator_blue_from": (
        "indicator_blue_from", positive, "domain.md §7：80% 至低于 120% 为绿灯，120% 及以上为蓝灯",
    ),
    "time_progress": (
        "time_progress", choice(TIME_PROGRESS_METHODS),
        "domain.md §7：时间进度 = 月份 / 12；月中日期按已结束的月份计（本系统默认）",
    ),
    "execution_floors": (
        "execution_floors", _floors, "domain.md §7：按月设定的执行率下限为地方选项，默认不设",
    ),
    "divergence_points": (
        "divergence_points", non_negative,
        "domain.md §7：指标进度与预算执行进度的偏离检查为地方选项，默认关闭（0）",
    ),
}  # fmt: skip


def read_section(
    section: str,
    spec: dict[str, tuple[str, Callable[[object], object], str]],
    table: object,
    sources: dict[str, str],
) -> dict[str, object]:
    """Read an optional table of `{ value, source }` parameters (monitoring, targets, results).

    Returns the given values by field name and records every key's source, the default's when
    the key is absent, so `rules.sources` names a source for every parameter of the table.
    """
    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise ParameterError(section, "应为表")
    unknown = sorted(set(table) - set(spec))
    if unknown:
        raise ParameterError(f"{section}.{unknown[0]}", "未知的键")
    values: dict[str, object] = {}
    for key, (attr, check, default_source) in spec.items():
        dotted = f"{section}.{key}"
        param = table.get(key)
        if param is None:
            sources[dotted] = default_source
            continue
        if not isinstance(param, dict) or set(param) != {"value", "source"}:
            raise ParameterError(dotted, '应写作 { value = …, source = "政策依据" }')
        if not isinstance(param["source"], str) or not param["source"].strip():
            raise ParameterError(dotted, "source（政策依据）不能为空")
        try:
            values[attr] = check(param["value"])
        except ValueError as exc:
            raise ParameterError(f"{dotted}.value", str(exc)) from None
        sources[dotted] = param["source"]
    return values


def read_monitoring(table: object, sources: dict[str, str]) -> MonitoringRules:
    """Read the optional [monitoring] table into sources too; absent keys keep domain.md §7."""
    monitoring = MonitoringRules(**read_section("monitoring", MONITORING_SPEC, table, sources))
    check_monitoring(monitoring)
    return monitoring


def check_monitoring(m: MonitoringRules) -> None:
    """Bands in order: red below yellow, yellow below blue."""
    if m.execution_red_below > m.execution_yellow_below:
        raise ParameterError("monitoring.execution_red_below", "不能大于 execution_yellow_below")
    if m.indicator_red_below > m.indicator_yellow_below:
        raise ParameterError("monitoring.indicator_red_below", "不能大于 indicator_yellow_below")
    if m.indicator_yellow_below > m.indicator_blue_from:
        raise ParameterError("monitoring.indicator_yellow_below", "不能大于 indicator_blue_from")
