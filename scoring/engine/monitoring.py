"""Mid-year monitoring lights (绩效运行监控, domain.md §7): pure, every threshold from the rule set.

Time progress is the share of the year's months that have ended by the as-of date. The default
method (`completed_months`) counts a date inside a month as the months completed before it:
2024-06-30 → 6/12 = 50.00 %, but 2024-06-15 → 5/12. Monitoring tables report 1–N月 figures,
whole months, and a month-end floor (川财绩〔2025〕10号: 40 % by the end of June) is not due
before the month has ended; counting the unfinished month would hold the filer to it early.
Rule sets may choose `calendar_month` (6/12 for 15 June) or `fractional_months` (5 + 15/30).

Every band compares unrounded figures and is half-open: red below its bound, the next colour
from it. Only the reported figures are rounded, half-up to two places.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from .execution import _reconcile
from .findings import row_label
from .indicators import _deadline_met, level_name
from .model import Finding, FundLine, new_finding
from .numbers import HUNDRED, ZERO, is_blank, plain, round2, two_places
from .rules import MonitoringRules, RuleSet
from .targets import (
    DEADLINE,
    EMPTY,
    QUALITATIVE,
    QUANTITATIVE,
    RANGE,
    Target,
    achievement_from_text,
    parse_actual,
    parse_indicator_target,
)

FORMAT = "selfeval-monitoring/1"
LIGHT_ORDER = ("red", "yellow", "green", "blue")  # worst first; the project's light = worst present
LIKELIHOODS = ("certain", "possible", "unlikely")
BASES = ("prorated", "within_target", "qualitative")
_LIGHT_CN = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯"}
_LIKELIHOOD_CN = {"certain": "确定能", "possible": "有可能", "unlikely": "不可能"}
_ACHIEVEMENT_LIGHT = {"met": "green", "partial": "yellow", "missed": "red"}
_ACHIEVEMENT_CN = {"met": "达成", "partial": "部分达成", "missed": "未达成"}
_RATE_UNITS = frozenset({"%", "‰", "个百分点", "百分点"})
# Level names whose rows are never cumulative: quality, timeliness, cost, satisfaction.
_NOT_CUMULATIVE_LEVELS = ("质量指标", "时效指标", "成本指标", "满意度指标")
_TWELVE = Decimal(12)

# code: (severity, message template); stable codes, Chinese messages (domain.md §6 style).
CATALOGUE: dict[str, tuple[str, str]] = {
    "likelihood_reason_missing": (
        "error",
        "{row}完成目标可能性为「{likelihood}」，须说明原因",
    ),
    # An error: domain.md §7 requires measures, as it requires the reason, for 有可能 / 不可能.
    "measures_missing": ("error", "{row}完成目标可能性为「{likelihood}」，须填写拟采取的措施"),
    "likelihood_missing": ("warning", "{row}已亮{light}，未填写完成目标可能性"),
    "value_missing": ("info", "{row}未填写截至目前的完成值，不亮灯"),
    "value_unreadable": ("info", "{row}截至目前的完成值「{value}」{why}，不亮灯"),
    "red_light": ("warning", "{row}亮红灯：{why}"),
    "execution_red": (
        "warning",
        "预算执行进度亮红灯：执行率 {rate}% ÷ 时间进度 {time}% = {progress}%，低于 {bound}%",
    ),
    "execution_below_floor": (
        "warning",
        "截至 {month} 月末预算执行率应不低于 {floor}%，实为 {rate}%，执行进度亮红灯",
    ),
    "progress_diverges": (
        "warning",
        "{row}完成进度 {progress}% 与预算执行率 {rate}% 相差 {gap} 个百分点，超过 {points} 个百分点",
    ),
    "execution_unavailable": ("info", "缺少{what}，无法计算预算执行率，执行进度不亮灯"),
    "time_progress_zero": (
        "info",
        "截至 {as_of} 尚无已结束的月份，时间进度为 0，按时间进度计算的灯不亮",
    ),
}


@dataclass(frozen=True)
class MonitoringIndicatorInput:
    """One 绩效指标 row of a monitoring table: the target, the value to date and the outlook."""

    level1: str
    level2: str | None
    name: str
    target: str | None
    value: str | None  # value to date (raw text as typed, e.g. "120个", "45%")
    achievement: str | None = None  # "met" / "partial" / "missed" for a qualitative row
    likelihood: str | None = None  # "certain" / "possible" / "unlikely"
    likelihood_reason: str | None = None
    measures: str | None = None
    weight: str | None = None  # None marks an informational 其中 sub-row (no light)


@dataclass(frozen=True)
class MonitoringInput:
    """Everything the monitoring rules read: the date, fund lines to date and the rows."""

    as_of: datetime.date
    funds: tuple[FundLine, ...]  # executed = executed to date
    indicators: tuple[MonitoringIndicatorInput, ...]
    money_unit: str = "元"


@dataclass(frozen=True)
class IndicatorLight:
    """One row's light, the figures it came from and the row's findings."""

    light: str | None
    basis: str | None  # "prorated" | "within_target" | "qualitative" | None
    progress: Decimal | None  # percent, 2 dp
    expected: Decimal | None  # target × time progress (prorated only), 2 dp
    findings: tuple[Finding, ...]
    trace: tuple[str, ...]
    name: str = ""  # the row's 三级指标, for the output
    likelihood: str | None = None  # the filer's likelihood code, as given (LIKELIHOODS)


@dataclass(frozen=True)
class MonitoringResult:
    """The outcome of monitoring one project: its lights, figures, findings and trace."""

    rules: str
    as_of: datetime.date
    time_progress: Decimal  # percent 2 dp
    budget: Decimal | None
    executed: Decimal | None
    execution_rate: Decimal | None  # percent 2 dp
    execution_progress: Decimal | None  # execution rate ÷ time progress × 100, 2 dp
    execution_light: str | None
    indicators: tuple[IndicatorLight, ...]
    light: str | None
    findings: tuple[Finding, ...]
    trace: tuple[str, ...]


def _finding(code: str, indicator: int | None = None, /, **values: object) -> Finding:
    severity, template = CATALOGUE[code]
    return new_finding(code, severity, template.format(**values), indicator)


def worst(lights: object) -> str | None:
    """The worst of the lights present (LIGHT_ORDER), None when there is none."""
    present = [light for light in lights if light is not None]
    return min(present, key=LIGHT_ORDER.index) if present else None


def elapsed_months(as_of: datetime.date, method: str) -> Decimal:
    """Months of the year counted as elapsed at as_of, by the rule set's time-progress method."""
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    if method == "calendar_month":
        return Decimal(as_of.month)
    if method == "fractional_months":
        return Decimal(as_of.month - 1) + Decimal(as_of.day) / Decimal(days)
    return Decimal(as_of.month if as_of.day == days else as_of.month - 1)


def _band(ratio_percent: Decimal, m: MonitoringRules) -> str:
    """Light of a prorated indicator's unrounded progress (half-open bands)."""
    if ratio_percent < m.indicator_red_below:
        return "red"
    if ratio_percent < m.indicator_yellow_below:
        return "yellow"
    if ratio_percent < m.indicator_blue_from:
        return "green"
    return "blue"


def _cumulative(target: Target, row: MonitoringIndicatorInput) -> bool:
    """A higher-is-better count or amount that accrues over the year, so it is prorated.

    Not prorated (domain.md §7): lower-is-better targets, quality, timeliness, cost and
    satisfaction rows, and rates or percentages (合格率, 满意度, 覆盖率) by unit or by name.
    """
    if target.kind != QUANTITATIVE or target.value is None or target.value <= 0:
        return False
    if target.comparator not in (">=", ">", "="):
        return False
    if target.unit_of_measure in _RATE_UNITS:
        return False
    levels = (level_name(row.level1), level_name(row.level2))
    if any(level.endswith(_NOT_CUMULATIVE_LEVELS) for level in levels if level):
        return False
    return "率" not in row.name and "满意度" not in row.name


def _within(target: Target, value: Decimal) -> bool:
    """Is a value inside its target, in the direction the comparator states?"""
    if target.kind == RANGE:
        above_low = value > target.low if target.low_open else value >= target.low
        below_high = value < target.high if target.high_open else value <= target.high
        return above_low and below_high
    bound, comparator = target.value, target.comparator
    if comparator == ">":
        return value > bound
    if comparator == "<=":
        return value <= bound
    if comparator == "<":
        return value < bound
    if comparator == "=" and bound <= 0:
        return value == bound
    return value >= bound  # ≥, and = with a positive target (scored as higher is better)


class _Context:
    """What every row of one monitoring reads: rules, time progress and the execution rate."""

    def __init__(self, rules: RuleSet, months: Decimal, rate: Decimal | None) -> None:
        self.m = rules.monitoring
        self.months = months
        self.time = months / _TWELVE  # a fraction, unrounded
        self.rate = rate  # percent, unrounded


def _no_light(
    index: int, label: str, row: MonitoringIndicatorInput, why: str | None
) -> IndicatorLight:
    """A row without a light: blank (value_missing) or words the rules cannot compare."""
    if why is None:
        found = _finding("value_missing", index, row=label)
        line = f"{label}：未填写完成值，不亮灯"
    else:
        found = _finding("value_unreadable", index, row=label, value=row.value, why=why)
        line = f"{label}：完成值「{row.value}」{why}，不亮灯"
    return IndicatorLight(None, None, None, None, (found,), (line,))


def _qualitative(
    index: int, label: str, row: MonitoringIndicatorInput
) -> tuple[str | None, str | None, str]:
    achievement = row.achievement if row.achievement in _ACHIEVEMENT_LIGHT else None
    if achievement is None:
        achievement = achievement_from_text(row.value, row.target)
    if achievement is None:
        return None, None, ""
    light = _ACHIEVEMENT_LIGHT[achievement]
    return (
        light,
        f"定性指标{_ACHIEVEMENT_CN[achievement]}",
        f"{label}：定性，{_ACHIEVEMENT_CN[achievement]} → {_LIGHT_CN[light]}",
    )


def _light_row(index: int, row: MonitoringIndicatorInput, ctx: _Context) -> IndicatorLight:
    """The light of one row and its findings (likelihood checks are added by the caller)."""
    label = row_label(index, row.name)
    if row.weight is None:
        return IndicatorLight(None, None, None, None, (), (f"{label}：其中项，不亮灯",))
    target = parse_indicator_target(row.target, row.name)
    if target.kind in (QUALITATIVE, EMPTY):
        light, why, line = _qualitative(index, label, row)
        if light is None:
            if is_blank(row.value) and row.achievement is None:
                return _no_light(index, label, row, None)
            return _no_light(index, label, row, "未选择完成程度（达成/部分达成/未达成）")
        findings = [_finding("red_light", index, row=label, why=why)] if light == "red" else []
        return IndicatorLight(light, "qualitative", None, None, tuple(findings), (line,))
    if is_blank(row.value):
        return _no_light(index, label, row, None)
    if target.kind not in (QUANTITATIVE, RANGE, DEADLINE):
        return _no_light(index, label, row, f"无法与年度指标值「{row.target}」比较")
    actual = parse_actual(row.value, target)
    if target.kind == DEADLINE:
        if actual.unreadable or (actual.month is None and actual.achieved is None):
            return _no_light(index, label, row, "不是完成日期")
        met = _deadline_met(target, actual)
        light = "green" if met else "red"
        line = f"{label}：时限 {row.target}，完成 {row.value} → {_LIGHT_CN[light]}"
        findings = (
            (_finding("red_light", index, row=label, why=f"未在「{row.target}」内完成"),)
            if light == "red"
            else ()
        )
        return IndicatorLight(light, "within_target", None, None, findings, (line,))
    if actual.unreadable or actual.value is None:
        return _no_light(index, label, row, "不是数值")
    value = actual.value
    if _cumulative(target, row):
        return _prorated(index, label, row, target, value, ctx)
    met = _within(target, value)
    light = "green" if met else "red"
    progress = (
        round2(value * HUNDRED / target.value)
        if target.kind == QUANTITATIVE and target.value
        else None
    )
    line = f"{label}：不按时间折算，目标 {row.target}，完成 {row.value}" + (
        "，在目标以内 → 绿灯" if met else "，未达目标 → 红灯"
    )
    findings = (
        (
            _finding(
                "red_light",
                index,
                row=label,
                why=f"完成值 {row.value} 未达到年度指标值 {row.target}",
            ),
        )
        if not met
        else ()
    )
    return IndicatorLight(light, "within_target", progress, None, findings, (line,))


def _prorated(
    index: int,
    label: str,
    row: MonitoringIndicatorInput,
    target: Target,
    value: Decimal,
    ctx: _Context,
) -> IndicatorLight:
    """A cumulative row: value against target × time progress, and the divergence check."""
    expected = target.value * ctx.time
    findings: list[Finding] = []
    completion = value * HUNDRED / target.value  # share of the year's target done, unrounded
    points = ctx.m.divergence_points
    if points > 0 and ctx.rate is not None and abs(completion - ctx.rate) > points:
        findings.append(
            _finding(
                "progress_diverges", index, row=label, progress=two_places(completion),
                rate=two_places(ctx.rate), gap=two_places(abs(completion - ctx.rate)),
                points=plain(points),
            )
        )  # fmt: skip
    if expected == 0:
        line = f"{label}：时间进度为 0，不按时间折算亮灯"
        return IndicatorLight(None, "prorated", None, ZERO, tuple(findings), (line,))
    ratio = value * HUNDRED / expected
    light = _band(ratio, ctx.m)
    line = (
        f"{label}：累计指标，完成 {plain(value)} ÷（目标 {plain(target.value)} × 时间进度 "
        f"{plain(ctx.months)}/12 = {two_places(expected)}）= {two_places(ratio)}% → {_LIGHT_CN[light]}"
    )
    if light == "red":
        why = (
            f"完成进度 {two_places(ratio)}% 低于 {plain(ctx.m.indicator_red_below)}%"
            f"（应完成 {two_places(expected)}，实际 {plain(value)}）"
        )
        findings.insert(0, _finding("red_light", index, row=label, why=why))
    return IndicatorLight(
        light, "prorated", round2(ratio), round2(expected), tuple(findings), (line,)
    )


def _outlook(index: int, row: MonitoringIndicatorInput, light: str | None) -> list[Finding]:
    """The likelihood checks: a lit row states it; 有可能 / 不可能 need a reason and measures."""
    label = row_label(index, row.name)
    found = []
    likelihood = row.likelihood if row.likelihood in LIKELIHOODS else None
    if likelihood is None:
        if light is not None:
            found.append(_finding("likelihood_missing", index, row=label, light=_LIGHT_CN[light]))
        return found
    if likelihood != "certain":
        words = _LIKELIHOOD_CN[likelihood]
        if is_blank(row.likelihood_reason):
            found.append(_finding("likelihood_reason_missing", index, row=label, likelihood=words))
        if is_blank(row.measures):
            found.append(_finding("measures_missing", index, row=label, likelihood=words))
    return found


def _execution(
    inp: MonitoringInput, rules: RuleSet, findings: list[Finding], trace: list[str]
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """Budget, executed to date and the unrounded rate (percent): adjusted, else initial."""
    notes: list = []
    figures = _reconcile(inp, findings, notes)  # the fund-row rule of the score (funds.py)
    trace.extend(line for _, line in notes)
    budget = figures[rules.execution_denominator]
    label = "全年预算数" if rules.execution_denominator == "adjusted" else "年初预算数"
    if (budget is None or budget <= 0) and rules.execution_denominator == "adjusted":
        budget, label = figures["initial"], "年初预算数"
    executed = figures["executed"]
    if budget is None or budget <= 0 or executed is None:
        what = "全年预算数（及年初预算数）" if budget is None or budget <= 0 else "截至目前的执行数"
        findings.append(_finding("execution_unavailable", what=what))
        trace.append(f"执行率：缺少{what}")
        return budget, executed, None
    rate = executed * HUNDRED / budget
    trace.append(
        f"执行率 = 截至目前执行数 {plain(executed)} / {label} {plain(budget)} = {two_places(rate)}%"
    )
    return budget, executed, rate


def _execution_light(
    inp: MonitoringInput, rate: Decimal | None, ctx: _Context, findings: list[Finding],
    trace: list[str],
) -> tuple[Decimal | None, str | None]:  # fmt: skip
    """The execution light from rate ÷ time progress, and the month-end floors."""
    if rate is None or ctx.time == 0:
        return None, None
    m = ctx.m
    progress = rate / ctx.time  # percent: rate ÷ (time progress as a fraction)
    light = (
        "red"
        if progress < m.execution_red_below
        else "yellow"
        if progress < m.execution_yellow_below
        else "green"
    )
    time_text = two_places(ctx.time * HUNDRED)
    trace.append(
        f"执行进度 = 执行率 {two_places(rate)}% ÷ 时间进度 {time_text}% = "
        f"{two_places(progress)}% → {_LIGHT_CN[light]}"
    )
    if light == "red":
        findings.append(
            _finding(
                "execution_red", rate=two_places(rate), time=time_text,
                progress=two_places(progress), bound=plain(m.execution_red_below),
            )
        )  # fmt: skip
    floor = next((f for f in reversed(m.execution_floors) if f.month <= ctx.months), None)
    if floor is not None and rate < floor.min_rate:
        findings.append(
            _finding(
                "execution_below_floor", month=floor.month, floor=plain(floor.min_rate),
                rate=two_places(rate),
            )
        )  # fmt: skip
        trace.append(f"{floor.month} 月末执行率下限 {plain(floor.min_rate)}%，未达到 → 红灯")
        light = "red"
    return progress, light


def monitor(inp: MonitoringInput, rules: RuleSet) -> MonitoringResult:
    """Light one project's mid-year monitoring under a rule set (domain.md §7)."""
    findings: list[Finding] = []
    trace: list[str] = [rules.heading]
    months = elapsed_months(inp.as_of, rules.monitoring.time_progress)
    trace.append(f"时间进度 = {plain(months)}/12 = {two_places(months * HUNDRED / _TWELVE)}%")
    budget, executed, rate = _execution(inp, rules, findings, trace)
    ctx = _Context(rules, months, rate)
    if months == 0:
        findings.append(_finding("time_progress_zero", as_of=inp.as_of.isoformat()))
    progress, execution_light = _execution_light(inp, rate, ctx, findings, trace)
    rows = []
    for index, row in enumerate(inp.indicators):
        lit = _light_row(index, row, ctx)
        outlook = _outlook(index, row, lit.light) if row.weight is not None else []
        likelihood = row.likelihood if row.likelihood in LIKELIHOODS else None
        lit = replace(lit, findings=(*lit.findings, *outlook), name=row.name, likelihood=likelihood)
        rows.append(lit)
        trace.extend(lit.trace)
        findings.extend(lit.findings)
    light = worst([execution_light, *(r.light for r in rows)])
    trace.append(f"项目灯：{_LIGHT_CN[light] if light else '不亮灯'}（取最差的灯）")
    return MonitoringResult(
        rules=rules.key,
        as_of=inp.as_of,
        time_progress=round2(months * HUNDRED / _TWELVE),
        budget=budget,
        executed=executed,
        execution_rate=round2(rate) if rate is not None else None,
        execution_progress=round2(progress) if progress is not None else None,
        execution_light=execution_light,
        indicators=tuple(rows),
        light=light,
        findings=tuple(findings),
        trace=tuple(trace),
    )


def _two(value: Decimal | None) -> str | None:
    return two_places(value) if value is not None else None


def monitoring_to_json(result: MonitoringResult) -> dict:
    """Render a result as selfeval-monitoring/1: figures as two-decimal strings."""
    rows = [
        {
            "index": index,
            "name": row.name,
            "light": row.light,
            "basis": row.basis,
            "progress": _two(row.progress),
            "expected": _two(row.expected),
            "likelihood": row.likelihood,
        }
        for index, row in enumerate(result.indicators)
    ]
    return {
        "format": FORMAT,
        "rules": result.rules,
        "as_of": result.as_of.isoformat(),
        "time_progress": two_places(result.time_progress),
        "execution_rate": _two(result.execution_rate),
        "execution_progress": _two(result.execution_progress),
        "execution_light": result.execution_light,
        "indicators": rows,
        "light": result.light,
        "findings": [
            {"code": f.code, "severity": f.severity, "message": f.message, "indicator": f.indicator}
            for f in result.findings
        ],
    }
