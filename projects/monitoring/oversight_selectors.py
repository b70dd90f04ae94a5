"""What the monitoring overview reads: per department, coverage, lights and execution progress.

The counts are aggregated by the database, one query per figure whatever the number of
departments; the budgets are summed in Python from one read of the fund lines, by the one total
rule (scoring.engine.funds), so the overview's execution rate is the tables' rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from projects.access import VIEW, scope_for
from projects.formatting import HUNDRED, rate, round2
from projects.models import (
    EvaluationStatus,
    FundLine,
    FundSource,
    Light,
    MonitoringEntry,
    MonitoringFollowUp,
    MonitoringFund,
    MonitoringReport,
    MonitoringRound,
)
from scoring.engine.funds import fund_total

S = EvaluationStatus
# Submitted or any state beyond: the report has left the filer.
SUBMITTED_OR_BEYOND = (S.SUBMITTED, S.DEPARTMENT_APPROVED, S.APPROVED, S.PUBLISHED)
LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.BLUE)
LOWEST = 10  # how many reports "the lowest" lists
LIGHT_WORDS = dict(Light.choices)
UNDECIDED_LIMIT = 50  # red lights listed without a decision (the count covers all of them)


@dataclass
class DepartmentRow:
    """One department's line of the overview (or the region's totals)."""

    department_id: int | None
    name: str
    subjects: int = 0
    submitted: int = 0
    lights: dict = field(default_factory=dict)  # {light value or "": count}
    executed: Decimal = Decimal(0)
    budget: Decimal = Decimal(0)
    undecided_reds: int = 0

    @property
    def coverage(self) -> Decimal | None:
        """Reports submitted or beyond over all reports, in percent."""
        return round2(Decimal(self.submitted) * HUNDRED / self.subjects) if self.subjects else None

    @property
    def execution_rate(self) -> Decimal | None:
        """Summed executed-to-date over summed budget, in percent."""
        return rate(self.executed, self.budget)

    def light_counts(self) -> list[int]:
        """Counts in the table's column order: red, yellow, green, blue, unlit."""
        return [self.lights.get(str(light), 0) for light in LIGHTS] + [self.lights.get("", 0)]


@dataclass(frozen=True)
class LowRow:
    """One of the reports with the lowest execution, as the overview lists it."""

    pk: int
    department: str
    project: str
    execution_rate: Decimal | None
    execution_light: str
    light: str
    status: str


@dataclass
class Overview:
    """The whole page: the round, the rows, the totals and the lists of the lowest."""

    round: MonitoringRound | None
    rounds: list
    time_progress: Decimal | None
    rows: list[DepartmentRow]
    totals: DepartmentRow
    lowest: list
    undecided: list
    undecided_count: int

    def progress_of(self, row: DepartmentRow) -> Decimal | None:
        """Execution rate over time progress, in percent (100% = on schedule)."""
        execution = row.execution_rate
        if execution is None or not self.time_progress:
            return None
        return round2(execution * HUNDRED / self.time_progress)


def overview_scope(user) -> None:
    """Finance bureaus, observers and department reviewers read the overview; filers do not."""
    scope = scope_for(user)
    if not (scope.superuser or scope.viewed_region_ids or scope.viewed_department_ids):
        raise PermissionDenied("只有财政部门、主管部门审核人和观察员可以查看监控总览。")


def rounds_for(user) -> QuerySet:
    """The rounds of every region the user oversees whole or in one of its departments."""
    scope = scope_for(user)
    rounds = MonitoringRound.objects.select_related("region").order_by("-as_of", "region__name")
    if scope.superuser:
        return rounds
    return rounds.filter(
        Q(region__in=scope.viewed_region_ids)
        | Q(region__departments__in=scope.viewed_department_ids)
    ).distinct()


def _budgets(reports: QuerySet) -> dict[int, Decimal]:
    """Each department's summed budget (全年预算数, else 年初预算数), one read of the fund lines."""
    lines = FundLine.objects.filter(project__monitoring_reports__in=reports).values_list(
        "project_id", "project__unit__department_id", "source", "initial", "adjusted"
    )
    projects: dict[int, dict] = {}
    for project_id, department_id, source, initial, adjusted in lines:
        entry = projects.setdefault(project_id, {"department": department_id, "rows": {}})
        entry["rows"][source] = {"initial": initial, "adjusted": adjusted}
    budgets: dict[int, Decimal] = {}
    for entry in projects.values():
        rows = entry["rows"]
        total = fund_total(
            rows.get(FundSource.TOTAL), (rows.get(s) for s in FundSource.values if s != "total")
        )
        budget = total["adjusted"] if total["adjusted"] is not None else total["initial"]
        if budget is not None:
            budgets[entry["department"]] = budgets.get(entry["department"], Decimal(0)) + budget
    return budgets


def _undecided(reports: QuerySet):
    """Red lights (indicator rows and execution lights) that no follow-up decision answers.

    Drafts are left out: a decision is taken on what the filer has submitted.
    """
    reports = reports.exclude(status=S.DRAFT)
    decided_row = MonitoringFollowUp.objects.filter(
        report=OuterRef("report"), indicator=OuterRef("indicator")
    )
    rows = (
        MonitoringEntry.objects.filter(report__in=reports, light=Light.RED)
        .exclude(Exists(decided_row))
        .select_related("report__project__unit__department", "indicator")
        .order_by("report__project__unit__department__code", "report__project__code", "pk")
    )
    decided_execution = MonitoringFollowUp.objects.filter(
        report=OuterRef("pk"), indicator__isnull=True
    )
    executions = (
        reports.filter(execution_light=Light.RED)
        .exclude(Exists(decided_execution))
        .select_related("project__unit__department")
        .order_by("project__unit__department__code", "project__code", "pk")
    )
    return rows, executions


def monitoring_overview(user, *, round_pk: int | None = None) -> Overview:
    """The overview of a round (the latest the user sees by default), scoped by the gate."""
    overview_scope(user)
    rounds = list(rounds_for(user))
    if round_pk is not None:
        chosen = next((r for r in rounds if r.pk == round_pk), None)
        if chosen is None:
            raise Http404("未找到该监控任务，或您无权查看。")
    else:
        chosen = rounds[0] if rounds else None
    if chosen is None:
        empty = DepartmentRow(None, "合计")
        return Overview(None, rounds, None, [], empty, [], [], 0)
    reports = MonitoringReport.objects.for_user(user, VIEW).filter(round=chosen)
    department = "project__unit__department"
    counts = (
        reports.values(department, f"{department}__name", f"{department}__code")
        .annotate(
            subjects=Count("pk"),
            submitted=Count("pk", filter=Q(status__in=SUBMITTED_OR_BEYOND)),
            time_progress=Max("time_progress"),
            **{f"light_{light}": Count("pk", filter=Q(light=light)) for light in LIGHTS},
            light_none=Count("pk", filter=Q(light="")),
        )
        .order_by(f"{department}__code", department)
    )
    executed = dict(
        MonitoringFund.objects.filter(report__in=reports)
        .values_list(f"report__{department}")
        .annotate(total=Sum("executed"))
        .values_list(f"report__{department}", "total")
    )
    budgets = _budgets(reports)
    entry_reds, execution_reds = _undecided(reports)
    undecided = [("indicator", e.report, e.indicator) for e in entry_reds[:UNDECIDED_LIMIT]]
    undecided += [("execution", r, None) for r in execution_reds[:UNDECIDED_LIMIT]]
    red_by_department = dict(
        entry_reds.values_list(f"report__{department}").annotate(n=Count("pk")).order_by()
    )
    for department_id, n in (
        execution_reds.values_list(department).annotate(n=Count("pk")).order_by()
    ):
        red_by_department[department_id] = red_by_department.get(department_id, 0) + n

    rows, time_progress = [], None
    totals = DepartmentRow(None, "合计")
    for item in counts:
        dep = item[department]
        row = DepartmentRow(
            department_id=dep,
            name=item[f"{department}__name"],
            subjects=item["subjects"],
            submitted=item["submitted"],
            lights={str(light): item[f"light_{light}"] for light in LIGHTS},
            executed=executed.get(dep) or Decimal(0),
            budget=budgets.get(dep, Decimal(0)),
            undecided_reds=red_by_department.get(dep, 0),
        )
        row.lights[""] = item["light_none"]
        time_progress = time_progress or item["time_progress"]
        rows.append(row)
        totals.subjects += row.subjects
        totals.submitted += row.submitted
        totals.executed += row.executed
        totals.budget += row.budget
        totals.undecided_reds += row.undecided_reds
        for key, n in row.lights.items():
            totals.lights[key] = totals.lights.get(key, 0) + n
    if time_progress is None:
        time_progress = round2(Decimal(chosen.as_of.month) * HUNDRED / 12)
    lowest = [
        LowRow(
            pk=r.pk,
            department=r.project.unit.department.name,
            project=r.project.name,
            execution_rate=r.execution_rate,
            execution_light=LIGHT_WORDS.get(r.execution_light, "—"),
            light=LIGHT_WORDS.get(r.light, "—"),
            status=r.get_status_display(),
        )
        for r in reports.filter(execution_rate__isnull=False)
        .select_related("project__unit__department")
        .order_by("execution_rate", "project__code", "pk")[:LOWEST]
    ]
    return Overview(
        round=chosen,
        rounds=rounds,
        time_progress=time_progress,
        rows=rows,
        totals=totals,
        lowest=lowest,
        undecided=undecided,
        undecided_count=totals.undecided_reds,
    )
