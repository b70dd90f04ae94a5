"""The engine's inputs and outputs: frozen, so a stored snapshot re-scores identically."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .numbers import plain
from .targets import Target

FUND_SOURCES = ("total", "current_year", "carryover", "other")
ACHIEVEMENTS = ("met", "partial", "missed")
STATUSES = ("met", "partial", "missed", "exceeded", "qualitative", "unscored")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class FundLine:
    """One row of 项目资金: 年度资金总额 (total) or one of its sources, amounts in one money unit."""

    source: str
    initial: Decimal | None = None
    adjusted: Decimal | None = None
    executed: Decimal | None = None


@dataclass(frozen=True, slots=True)
class IndicatorInput:
    """One row of the 绩效指标 table as printed; weight None marks an informational sub-row."""

    level1: str
    level2: str | None
    name: str
    target: str | None
    actual: str | None
    weight: str | None
    claimed_score: str | None = None
    deviation: str | None = None
    achievement: str | None = None  # the filer's 达成 / 部分达成 / 未达成 for a qualitative row
    # Last year's 实际完成值 of the same indicator, for a relative target (较上年提高5%); None
    # where the year before is not in the system.
    previous_actual: str | None = None
    # The value to date the year's latest filed monitoring round reported; None without one.
    midyear_value: str | None = None


@dataclass(frozen=True, slots=True)
class EvaluationInput:
    """Everything the rules need to score one 绩效自评, with what the filer claimed beside it."""

    funds: tuple[FundLine, ...]
    indicators: tuple[IndicatorInput, ...]
    execution_weight: Decimal | None = None
    claimed_rate: Decimal | None = None
    claimed_execution_score: Decimal | None = None
    claimed_indicator_total: Decimal | None = None
    claimed_total: Decimal | None = None
    claimed_grade: str | None = None
    execution_reason: str | None = None
    goal_expected: str | None = None
    goal_actual: str | None = None
    money_unit: str = "元"
    # The items of the year's monitoring whose red light has no follow-up decision (预算执行进度
    # or indicator names); empty where there is none or no round.
    red_lights_undecided: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One problem the checks report: a stable code, its severity, a Chinese message, the row."""

    code: str
    severity: str
    message: str
    indicator: int | None = None


@dataclass(frozen=True)
class IndicatorResult:
    """The computed score of one indicator row, with the figures and reasons behind it."""

    score: Decimal
    status: str
    target: Target
    weight: Decimal | None
    claimed_score: Decimal | None
    actual_value: Decimal | None
    findings: tuple[Finding, ...]
    trace: tuple[str, ...]


@dataclass(frozen=True)
class EvaluationResult:
    """The full outcome of scoring: every intermediate figure, the findings and the trace."""

    rules: str
    execution_rate: Decimal | None
    execution_score: Decimal
    execution_weight: Decimal
    budget: Decimal | None
    executed: Decimal | None
    indicators: tuple[IndicatorResult, ...]
    indicator_total: Decimal
    uncapped_total: Decimal
    total: Decimal
    grade: str
    grade_code: str
    findings: tuple[Finding, ...]
    denominator: str  # the budget the rate divides by: "adjusted" or "initial"
    notes: tuple[tuple[str, str], ...]  # the trace's occasional lines, by stage (see trace)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that block submission."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def trace(self) -> tuple[str, ...]:
        """The explanation, line by line; rendered when read, as batch recomputes never read it."""
        return _render_trace(self)


_BUDGET_LABEL = {"adjusted": "全年预算数", "initial": "年初预算数"}
_FOUR_PLACES, _SIX_PLACES = Decimal("0.0001"), Decimal("0.000001")


def _render_trace(r: EvaluationResult) -> tuple[str, ...]:
    stages: dict[str, list[str]] = {}
    for stage, line in r.notes:
        stages.setdefault(stage, []).append(line)
    lines = [*stages.get("rules", ()), *stages.get("funds", ())]
    if r.execution_rate is not None:
        ratio = r.executed / r.budget
        lines.append(
            f"执行率 = 全年执行数 {plain(r.executed)} / {_BUDGET_LABEL[r.denominator]} "
            f"{plain(r.budget)} = {(ratio * 100).quantize(_FOUR_PLACES)}% → {r.execution_rate}%"
        )
        linear = (
            f"执行率得分 = {plain(r.execution_weight)} × min({ratio.quantize(_SIX_PLACES)}, 1)"
            f" → {r.execution_score}"
        )
        lines.extend(stages.get("execution", [linear]))  # tiers or a missing budget say more
    else:
        lines.extend(stages.get("execution", ()))
    for row in r.indicators:
        lines.extend(row.trace)
    lines.extend(stages.get("rows", ()))
    lines.append(
        f"总分 = 执行率得分 {r.execution_score} + 指标得分 {r.indicator_total} = {r.uncapped_total}"
    )
    lines.extend(stages.get("total", ()))
    lines.append(f"等级：{r.grade}（总分 {r.total}）")
    return tuple(lines)


# A frozen dataclass's generated __init__ sets each field through object.__setattr__, which
# costs about as much as scoring the row itself; results are built by the hundred thousand, so
# the engine fills each new instance's own __dict__ directly. Same class, same immutability.
_new = object.__new__


def new_finding(code: str, severity: str, message: str, indicator: int | None) -> Finding:
    """Build a Finding quickly (engine use; equal to Finding(...))."""
    obj = _new(Finding)
    d = obj.__dict__
    d["code"], d["severity"], d["message"], d["indicator"] = code, severity, message, indicator
    return obj


def new_indicator_result(
    score: Decimal, status: str, target: Target, weight: Decimal | None,
    claimed_score: Decimal | None, actual_value: Decimal | None,
    findings: tuple[Finding, ...], trace: tuple[str, ...],
) -> IndicatorResult:  # fmt: skip
    """Build an IndicatorResult quickly (engine use; equal to IndicatorResult(...))."""
    obj = _new(IndicatorResult)
    d = obj.__dict__
    d["score"], d["status"], d["target"], d["weight"] = score, status, target, weight
    d["claimed_score"], d["actual_value"] = claimed_score, actual_value
    d["findings"], d["trace"] = findings, trace
    return obj


def new_evaluation_result(**fields: object) -> EvaluationResult:
    """Build an EvaluationResult quickly (engine use; equal to EvaluationResult(**fields))."""
    obj = _new(EvaluationResult)
    obj.__dict__.update(fields)
    return obj
