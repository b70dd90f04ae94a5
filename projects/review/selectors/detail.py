"""The review page: the 自评表 with claimed and computed scores side by side, findings, comments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from projects import formatting, rules
from projects.access import scope_for
from projects.labels import severity_label
from projects.models import (
    Evaluation,
    EvaluationStatus,
    FundSource,
    ReviewComment,
    ReviewStep,
)
from projects.money import fund_amounts
from projects.report_check import report_findings
from projects.review.selectors.history import (
    TargetCorrection,
    filing_diff,
    last_return_step,
    target_corrections,
)
from projects.review.services.workflow import filing_snapshot
from scoring.services import Explanation, explain

S = EvaluationStatus
STATUS_LABELS = {
    "met": "达成",
    "partial": "部分达成",
    "missed": "未达成",
    "exceeded": "超额完成",
    "qualitative": "定性",
    "unscored": "不计分",
}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
FUND_ORDER = [s.value for s in FundSource]


@dataclass(frozen=True)
class Finding:
    """One finding of the stored scoring result, named for the page."""

    code: str
    severity: str
    message: str
    indicator_id: int | None
    indicator_name: str = ""

    @property
    def severity_label(self) -> str:
        """错误 / 警告 / 提示."""
        return severity_label(self.severity)


@dataclass
class FundRow:
    """One row of 项目资金 in the project's money unit, with claimed and computed figures."""

    source: str
    label: str
    initial: Decimal | None
    adjusted: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    is_total: bool = False
    weight: Decimal | None = None
    claimed_rate: Decimal | None = None
    claimed_score: Decimal | None = None
    computed_score: Decimal | None = None


@dataclass
class IndicatorRow:
    """One indicator row: target, actual, weight, claimed and computed score, comments."""

    indicator_id: int
    result_id: int | None
    level1: str
    level2: str
    level1_span: int
    level2_span: int
    name: str
    target: str
    actual: str
    achievement: str
    weight: Decimal | None
    claimed_score: Decimal | None
    computed_score: Decimal | None
    status: str
    deviation_reason: str
    findings: list[Finding] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)
    corrections: list[TargetCorrection] = field(default_factory=list)
    explanation: tuple[str, ...] = ()  # how the computed score was reached

    @property
    def is_sub_row(self) -> bool:
        """A 其中 row: shown, never scored."""
        return self.weight is None

    @property
    def difference(self) -> Decimal | None:
        """Claimed minus computed; positive means the filer claimed more than the rules give."""
        if self.claimed_score is None or self.computed_score is None:
            return None
        return self.claimed_score - self.computed_score

    @property
    def status_label(self) -> str:
        """The status in Chinese."""
        return STATUS_LABELS.get(self.status, self.status)


@dataclass
class Totals:
    """Execution score, indicator total, total and grade, as claimed or as computed."""

    execution_score: Decimal | None
    indicator_total: Decimal | None
    total: Decimal | None
    grade: str


@dataclass
class ReviewPage:
    """Everything the review page renders, read once."""

    evaluation: Evaluation
    money_unit: str
    funds: list[FundRow]
    indicators: list[IndicatorRow]
    findings: list[Finding]
    claimed: Totals
    computed: Totals
    steps: list[ReviewStep]
    last_return: ReviewStep | None
    diff: list
    deadline: object
    is_overdue: bool
    can_department_review: bool
    can_finance_review: bool
    is_finance: bool
    explanation: Explanation | None = None
    may_publish: bool = False  # the finance bureau, or the 主管部门 where the region allows it

    @property
    def can_return(self) -> bool:
        """The user may return (and approve) the filing in its present step."""
        return self.can_department_review or self.can_finance_review

    @property
    def can_reopen(self) -> bool:
        """Only the finance bureau reopens an approved or published filing."""
        return self.is_finance and self.evaluation.status in (S.APPROVED, S.PUBLISHED)

    @property
    def can_publish(self) -> bool:
        """The finance bureau (or the 主管部门 where the region allows it) publishes approved
        filings."""
        return self.may_publish and self.evaluation.status == S.APPROVED

    @property
    def can_correct_targets(self) -> bool:
        """Targets are corrected by the finance bureau, never on a frozen filing."""
        return self.is_finance and not self.evaluation.is_frozen

    @property
    def total_difference(self) -> Decimal | None:
        """Claimed minus computed total."""
        if self.claimed.total is None or self.computed.total is None:
            return None
        return self.claimed.total - self.computed.total

    @property
    def finding_counts(self) -> dict[str, int]:
        """How many findings of each severity the stored result holds."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Decimal | None, money_unit: str) -> Decimal | None:
    """An amount stored in 元 shown in the project's unit, two decimals, half up."""
    return formatting.in_unit(value, money_unit)


def _spans(values: list[str]) -> list[int]:
    """Row spans for vertically merged cells: the first of a run gets its length, the rest 0."""
    spans = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            spans[start] = i - start
            start = i
    return spans


def review_page(evaluation: Evaluation, user) -> ReviewPage:
    """Build the review page of one evaluation the user may see (fetched through the gate)."""
    project = evaluation.project
    unit = project.unit
    money_unit = project.money_unit
    result = evaluation.result or {}
    indicators = list(project.indicators.all())
    names = {i.pk: i.name for i in indicators}

    findings = sorted(
        (
            Finding(
                code=f.get("code", ""),
                severity=f.get("severity", "info"),
                message=f.get("message", ""),
                indicator_id=f.get("indicator_id"),
                indicator_name=names.get(f.get("indicator_id"), ""),
            )
            for f in result.get("findings", [])
        ),
        key=lambda f: SEVERITY_ORDER.get(f.severity, 3),
    )
    # The 自评报告 against its tables (placeholders are errors once the text is to be published).
    report = report_findings(evaluation, publishing=evaluation.status in (S.APPROVED, S.PUBLISHED))
    findings = sorted(
        [*findings, *(Finding(f["code"], f["severity"], f["message"], None) for f in report)],
        key=lambda f: SEVERITY_ORDER.get(f.severity, 3),
    )
    by_indicator: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.indicator_id is not None:
            by_indicator[finding.indicator_id].append(finding)

    comments: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in ReviewComment.objects.filter(
        step__evaluation=evaluation, indicator__isnull=False
    ).select_related("step__actor"):
        comments[comment.indicator_id].append(comment)
    corrections = target_corrections(project)

    results = {r.indicator_id: r for r in evaluation.results.all()}
    explanation = explain(evaluation)
    traces = explanation.by_indicator if explanation else {}
    level1 = [i.level1 for i in indicators]
    level2 = [f"{i.level1}\x00{i.level2}" for i in indicators]
    rows = []
    for indicator, span1, span2 in zip(indicators, _spans(level1), _spans(level2), strict=True):
        r = results.get(indicator.pk)
        rows.append(
            IndicatorRow(
                indicator_id=indicator.pk,
                result_id=r.pk if r else None,
                level1=indicator.level1,
                level2=indicator.level2,
                level1_span=span1,
                level2_span=span2,
                name=indicator.name,
                target=indicator.target,
                actual=r.actual if r else "",
                achievement=r.get_achievement_display() if r and r.achievement else "",
                weight=indicator.weight,
                claimed_score=r.claimed_score if r else None,
                computed_score=r.computed_score if r else None,
                status=r.status if r else "",
                deviation_reason=r.deviation_reason if r else "",
                findings=by_indicator.get(indicator.pk, []),
                comments=comments.get(indicator.pk, []),
                corrections=corrections.get(indicator.pk, []),
                explanation=traces.get(indicator.pk, ()),
            )
        )

    # The total row by the one rule (scoring.engine.funds), as the form and the prints show it.
    lines = {line.source: line for line in project.fund_lines.all()}
    amounts = fund_amounts(lines.values())
    funds = []
    for source in FUND_ORDER:
        line = lines.get(source)
        if line is None:
            continue
        is_total = source == FundSource.TOTAL
        a = amounts[source]
        funds.append(
            FundRow(
                source=source,
                label=line.get_source_display(),
                initial=money(a["initial"], money_unit),
                adjusted=money(a["adjusted"], money_unit),
                executed=money(a["executed"], money_unit),
                rate=evaluation.execution_rate
                if is_total
                else formatting.rate(a["executed"], a["adjusted"]),
                is_total=is_total,
                weight=line.weight if is_total else None,
                claimed_rate=line.claimed_rate if is_total else None,
                claimed_score=evaluation.claimed_execution_score if is_total else None,
                computed_score=evaluation.computed_execution_score if is_total else None,
            )
        )

    steps = list(
        evaluation.review_steps.select_related("actor").prefetch_related("comments__indicator")
    )
    base = last_return_step(steps)
    diff = (
        filing_diff(base.snapshot, filing_snapshot(evaluation), names, kind=project.kind)
        if base
        else []
    )

    scope = scope_for(user)
    department_id = unit.department_id
    region_id = unit.department.region_id
    is_department_reviewer = scope.superuser or department_id in scope.department_ids
    is_finance = scope.superuser or region_id in scope.region_ids
    deadline = getattr(evaluation, "deadline", None)
    if deadline is None and evaluation.task_id:
        deadline = evaluation.task.deadline_for(unit.department)
    is_overdue = bool(deadline and evaluation.is_editable and deadline < timezone.localdate())
    return ReviewPage(
        evaluation=evaluation,
        money_unit=money_unit,
        funds=funds,
        indicators=rows,
        findings=findings,
        claimed=Totals(
            evaluation.claimed_execution_score,
            evaluation.claimed_indicator_total,
            evaluation.claimed_total,
            evaluation.claimed_grade,
        ),
        computed=Totals(
            evaluation.computed_execution_score,
            _dec(result.get("indicator_total")),
            evaluation.computed_total,
            evaluation.computed_grade,
        ),
        steps=steps,
        last_return=base,
        diff=diff,
        deadline=deadline,
        is_overdue=is_overdue,
        can_department_review=evaluation.status == S.SUBMITTED and is_department_reviewer,
        can_finance_review=evaluation.status == S.DEPARTMENT_APPROVED and is_finance,
        is_finance=is_finance,
        explanation=explanation,
        may_publish=rules.can_publish_evaluation(user, evaluation),
    )
