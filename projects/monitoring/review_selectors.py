"""Reads of the monitoring review: the lit items of a scope as one list, and one report's page.

Every function returns plain dataclasses with words, never codes, so templates only print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, IntegerField, OuterRef, QuerySet, Value

from projects import rules
from projects.access import DEPARTMENT_REVIEW, FINANCE_REVIEW
from projects.filing.content import shown_fund_lines
from projects.formatting import fmt_amount, fmt_percent, rate, to_decimal
from projects.labels import SOURCE_LABELS
from projects.models import (
    DeviationCategory,
    EvaluationStatus,
    FollowUpDecision,
    Light,
    Likelihood,
    MonitoringEntry,
    MonitoringFollowUp,
    MonitoringReport,
    MonitoringRound,
    MonitoringStep,
    ReviewStep,
)
from projects.models.evaluation import Achievement
from projects.monitoring.content import fund_sources
from projects.monitoring.services import reviewing_roles

S = EvaluationStatus
EXECUTION_ITEM = "预算执行进度"
EXECUTION_KIND = "execution"
# 一级指标 are printed as 产出指标, 效益指标 ...; the filter matches their first words.
KIND_CHOICES = [
    ("产出", "产出指标"),
    ("效益", "效益指标"),
    ("满意度", "满意度指标"),
    ("成本", "成本指标"),
    (EXECUTION_KIND, "预算执行"),
]
LIT = (Light.RED, Light.YELLOW)
BADGES = {Light.RED: "danger", Light.YELLOW: "warning", Light.GREEN: "success", Light.BLUE: "info"}


@dataclass(frozen=True)
class Decision:
    """A recorded follow-up decision with who made it and when."""

    label: str
    comment: str
    by: str
    at: object


@dataclass(frozen=True)
class LightBadge:
    """A light as a word and a Bootstrap colour."""

    word: str
    colour: str


def badge(light: str | None) -> LightBadge | None:
    """The word and colour of a light, None when there is none."""
    if not light:
        return None
    return LightBadge(Light(light).label, BADGES.get(light, "secondary"))


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


def _decision(follow_up: MonitoringFollowUp) -> Decision:
    return Decision(
        label=FollowUpDecision(follow_up.decision).label,
        comment=follow_up.comment,
        by=_person(follow_up.decided_by),
        at=follow_up.decided_at,
    )


def _percent(text) -> str:
    return fmt_percent(to_decimal(text))


# --- the lights list -----------------------------------------------------------------------------


def rounds_in_scope(user) -> QuerySet:
    """The rounds the user sees a report of, latest first."""
    return (
        MonitoringRound.objects.filter(
            pk__in=MonitoringReport.objects.for_user(user).values("round")
        )
        .select_related("region")
        .order_by("-as_of", "region__name", "pk")
    )


def lit_items(
    reports: QuerySet, *, light: str = "", kind: str = "", undecided: bool = False
) -> QuerySet:
    """One row per lit item of `reports`: (r_id, i_id) with i_id 0 for the execution light.

    A union of the reports' execution lights and their entries' lights, so one paginator counts
    and slices both in the database; red first, then by department, unit, project and order.
    """
    lights = [light] if light in LIT else list(LIT)
    if undecided:
        lights = [Light.RED]
    columns = ("r_id", "i_id", "lit", "s_dept", "s_unit", "s_proj", "s_order")
    execution = (
        reports.order_by()
        .filter(execution_light__in=lights)
        .annotate(
            r_id=F("pk"),
            i_id=Value(0, output_field=IntegerField()),
            lit=F("execution_light"),
            s_dept=F("project__unit__department__code"),
            s_unit=F("project__unit__code"),
            s_proj=F("project__code"),
            s_order=Value(-1, output_field=IntegerField()),
        )
    )
    entries = (
        MonitoringEntry.objects.order_by()
        .filter(report__in=reports.order_by().values("pk"), light__in=lights)
        .annotate(
            r_id=F("report_id"),
            i_id=F("indicator_id"),
            lit=F("light"),
            s_dept=F("report__project__unit__department__code"),
            s_unit=F("report__project__unit__code"),
            s_proj=F("report__project__code"),
            s_order=F("indicator__order"),
        )
    )
    if undecided:
        execution = execution.exclude(
            Exists(MonitoringFollowUp.objects.filter(report=OuterRef("pk"), indicator__isnull=True))
        )
        entries = entries.exclude(
            Exists(
                MonitoringFollowUp.objects.filter(
                    report=OuterRef("report_id"), indicator=OuterRef("indicator_id")
                )
            )
        )
    if kind and kind != EXECUTION_KIND:
        entries = entries.filter(indicator__level1__startswith=kind)
    parts = []
    if kind in ("", EXECUTION_KIND):
        parts.append(execution.values(*columns))
    if kind != EXECUTION_KIND:
        parts.append(entries.values(*columns))
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("lit", "s_dept", "s_unit", "s_proj", "s_order", "i_id")


@dataclass(frozen=True)
class LightRow:
    """One lit item of the list, in words."""

    report_pk: int
    department: str
    unit: str
    project: str
    round: str
    item: str
    level1: str
    target: str
    value: str
    progress: str
    light: LightBadge | None
    likelihood: str
    reason: str
    status: str
    decision: Decision | None


def light_rows(items) -> list[LightRow]:
    """The page's items (dicts of `lit_items`) as rows, in a fixed number of queries."""
    items = list(items)
    report_ids = {i["r_id"] for i in items}
    reports = {
        r.pk: r
        for r in MonitoringReport.objects.filter(pk__in=report_ids).select_related(
            "round", "project__unit__department"
        )
    }
    pairs = {(i["r_id"], i["i_id"]) for i in items if i["i_id"]}
    entries = {
        (e.report_id, e.indicator_id): e
        for e in MonitoringEntry.objects.filter(
            report_id__in=report_ids, indicator_id__in={i for _, i in pairs}
        ).select_related("indicator")
        if (e.report_id, e.indicator_id) in pairs
    }
    latest = {}
    for follow_up in (
        MonitoringFollowUp.objects.filter(report_id__in=report_ids)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    ):
        latest[(follow_up.report_id, follow_up.indicator_id or 0)] = follow_up
    rows = []
    for item in items:
        report = reports[item["r_id"]]
        decision = latest.get((item["r_id"], item["i_id"]))
        common = {
            "report_pk": report.pk,
            "department": report.project.unit.department.name,
            "unit": report.project.unit.name,
            "project": report.project.name,
            "round": report.round.title,
            "light": badge(item["lit"]),
            "status": report.get_status_display(),
            "decision": _decision(decision) if decision else None,
        }
        result = report.result or {}
        if not item["i_id"]:
            rows.append(
                LightRow(
                    item=EXECUTION_ITEM,
                    level1="预算执行",
                    target=f"序时进度 {_percent(report.time_progress)}",
                    value=f"执行率 {_percent(report.execution_rate) or '—'}",
                    progress=_percent(result.get("execution_progress")),
                    likelihood="",
                    reason=report.explanation,
                    **common,
                )
            )
            continue
        entry = entries[(item["r_id"], item["i_id"])]
        computed = next(
            (r for r in result.get("indicators", []) if r.get("indicator_id") == item["i_id"]), {}
        )
        rows.append(
            LightRow(
                item=entry.indicator.name,
                level1=entry.indicator.level1,
                target=entry.indicator.target,
                value=entry.value,
                progress=_percent(computed.get("progress")),
                likelihood=entry.get_likelihood_display() if entry.likelihood else "",
                reason=entry.reason,
                **common,
            )
        )
    return rows


# --- the review page of one report ---------------------------------------------------------------


@dataclass(frozen=True)
class FundRow:
    """One fund source: budget for the year, executed to date, forecast, rate."""

    source: str
    budget: str
    executed: str
    forecast: str
    rate: str


@dataclass
class IndicatorRow:
    """One indicator of the report with its progress, light and follow-ups."""

    indicator_id: int
    level1: str
    level2: str
    name: str
    target: str
    value: str
    achievement: str
    forecast: str
    progress: str
    light: LightBadge | None
    is_red: bool
    likelihood: str
    deviation: str
    reason: str
    measures: str
    follow_ups: list[Decision] = field(default_factory=list)
    form: object = None  # the follow-up form, set by the view for a reviewer on a red light


@dataclass(frozen=True)
class StepRow:
    """One recorded transition in words."""

    action: str
    from_status: str
    to_status: str
    actor: str
    at: object
    version: int
    comment: str
    indicator_comments: list[tuple[str, str]]


@dataclass
class ReviewPage:
    """Everything the review page of one report shows, and what the user may do on it."""

    report: MonitoringReport
    report_light: LightBadge | None
    funds: list[FundRow]
    time_progress: str
    execution_rate: str
    execution_progress: str
    execution_light: LightBadge | None
    execution_red: bool
    execution_follow_ups: list[Decision]
    indicators: list[IndicatorRow]
    steps: list[StepRow]
    findings: list[str]
    can_department_review: bool
    can_finance_review: bool
    can_decide: bool
    execution_form: object = None  # the follow-up form of a red execution light, set by the view

    @property
    def can_review(self) -> bool:
        """The user holds the step the report is waiting in."""
        return self.can_department_review or self.can_finance_review


def _label(choices, code: str) -> str:
    return dict(choices).get(code, code) if code else ""


def _budget(line) -> Decimal | None:
    if line is None:
        return None
    return line.adjusted if line.adjusted is not None else line.initial


def review_page(report: MonitoringReport, user) -> ReviewPage:
    """The read-only report with its history, and the user's decisions (report from
    `report_queryset`, so funds, entries and indicators come prefetched)."""
    project = report.project
    lines = shown_fund_lines(project)
    funds = {f.source: f for f in report.funds.all()}
    fund_rows = []
    for source in fund_sources(project):
        row, budget = funds.get(source), _budget(lines.get(source))
        executed = row.executed if row else None
        fund_rows.append(
            FundRow(
                source=SOURCE_LABELS.get(source, source),
                budget=fmt_amount(budget),
                executed=fmt_amount(executed),
                forecast=fmt_amount(row.forecast if row else None),
                rate=fmt_percent(rate(executed, budget)),
            )
        )
    follow_ups = list(
        report.follow_ups.select_related("decided_by", "indicator").order_by("decided_at", "pk")
    )
    result = report.result or {}
    computed = {r.get("indicator_id"): r for r in result.get("indicators", [])}
    entries = {e.indicator_id: e for e in report.entries.all()}
    rows = []
    for indicator in project.indicators.all():
        entry = entries.get(indicator.pk) or MonitoringEntry(indicator=indicator)
        rows.append(
            IndicatorRow(
                indicator_id=indicator.pk,
                level1=indicator.level1,
                level2=indicator.level2,
                name=indicator.name,
                target=indicator.target,
                value=entry.value,
                achievement=_label(Achievement.choices, entry.achievement),
                forecast=entry.forecast,
                progress=_percent(computed.get(indicator.pk, {}).get("progress")),
                light=badge(entry.light),
                is_red=entry.light == Light.RED,
                likelihood=_label(Likelihood.choices, entry.likelihood),
                deviation=_label(DeviationCategory.choices, entry.deviation_category),
                reason=entry.reason,
                measures=entry.measures,
                follow_ups=[_decision(f) for f in follow_ups if f.indicator_id == indicator.pk],
            )
        )
    names = {i.pk: i.name for i in project.indicators.all()}
    steps = [
        StepRow(
            action=_label(ReviewStep.Action.choices, step.action),
            from_status=step.get_from_status_display(),
            to_status=step.get_to_status_display(),
            actor=_person(step.actor),
            at=step.created_at,
            version=step.version,
            comment=step.comment,
            indicator_comments=[
                (names.get(int(k), "（已删除的指标）"), text)
                for k, text in step.indicator_comments.items()
            ],
        )
        for step in MonitoringStep.objects.filter(report=report)
        .select_related("actor")
        .order_by("created_at", "pk")
    ]
    acting = not rules.is_observer_only.test(user)
    roles = reviewing_roles(user, report) if acting else []
    return ReviewPage(
        report=report,
        report_light=badge(report.light),
        funds=fund_rows,
        time_progress=_percent(report.time_progress),
        execution_rate=_percent(report.execution_rate),
        execution_progress=_percent(result.get("execution_progress")),
        execution_light=badge(report.execution_light),
        execution_red=report.execution_light == Light.RED,
        execution_follow_ups=[_decision(f) for f in follow_ups if f.indicator_id is None],
        indicators=rows,
        steps=steps,
        findings=[f["message"] for f in result.get("findings", [])],
        can_department_review=report.status == S.SUBMITTED and DEPARTMENT_REVIEW in roles,
        can_finance_review=report.status == S.DEPARTMENT_APPROVED and FINANCE_REVIEW in roles,
        can_decide=bool(roles) and report.status != S.DRAFT,
    )
