"""What the bureau's scorecard reads: per department and for the region, for one year.

The scorecard is how a finance bureau is itself examined (seed 004: 绩效目标管理、绩效运行监控、
绩效评价实施、绩效评价结果应用) and how it examines its departments. Every figure is counted by the
database, grouped by department, so the page makes the same queries for 5 departments as for 55;
the few figures that need a per-filing comparison (a deadline, a working-day count, an exact
Decimal difference) read one narrow row per filing in one query and compare in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from projects.formatting import HUNDRED, round2
from projects.models import (
    DeadlineExtension,
    Department,
    Evaluation,
    EvaluationStatus,
    EvaluationTask,
    Light,
    MonitoringEntry,
    MonitoringReport,
    Project,
    Rectification,
    RectificationStatus,
    Region,
    ResultDecision,
    ReviewStep,
    SpotCheckItem,
)
from projects.review.selectors.spot_checks import department_coverage

S = EvaluationStatus
SUBMITTED_STATUSES = (S.SUBMITTED, S.DEPARTMENT_APPROVED, S.APPROVED, S.PUBLISHED)
APPROVED_STATUSES = (S.APPROVED, S.PUBLISHED)
EXCELLENT = "优"

# 《中华人民共和国政府信息公开条例》（2019年修订）第二十六条：属于主动公开范围的政府信息，应当自
# 该政府信息形成或者变更之日起20个工作日内及时公开。A filing is formed when the finance bureau
# approves it; publication within this many working days of that approval is on time.
PUBLICATION_WORKING_DAYS = 20
# Working days are Monday to Friday: the State Council's yearly holiday notice (法定节假日 and
# 调休 weekends) is not kept in the application, so a holiday week counts as working days.
WEEKEND = (5, 6)

DEPARTMENT = "project__unit__department"


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part ÷ whole in percent, two places half-up; None when there is nothing to divide by."""
    if not whole:
        return None
    return round2(Decimal(part) * HUNDRED / Decimal(whole))


def working_days_after(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (Monday to Friday; 0 if not later)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + datetime.timedelta(days=weeks * 7 + offset)).weekday() not in WEEKEND:
            count += 1
    return count


@dataclass
class DepartmentScore:
    """One department's line of the scorecard (or the region's totals, department_id None)."""

    department_id: int | None
    name: str
    deadline: datetime.date | None = None
    subjects: int = 0  # 应评对象: the year's projects and department-overall subjects
    submitted: int = 0  # an evaluation submitted or beyond
    on_time: int = 0  # first submitted on or before the department's deadline
    graded: int = 0
    excellent: int = 0
    department_returns: int = 0
    finance_returns: int = 0
    checked: int = 0  # reviewed spot-check items
    deviation_sum: Decimal = Decimal(0)
    reports: int = 0  # monitoring reports of the year's rounds
    reports_filed: int = 0
    red_reports: int = 0  # filed reports whose light is red
    red_entries: int = 0  # red indicator rows of filed reports
    raised: int = 0  # 整改 items
    closed: int = 0
    overdue: int = 0  # not closed and past their deadline
    approved: int = 0  # approved or published
    published: int = 0
    published_on_time: int = 0
    reduction: Decimal = Decimal(0)  # 压减资金, 元

    @property
    def returns(self) -> int:
        """Returns by the department's reviewer and by the finance bureau."""
        return self.department_returns + self.finance_returns

    @property
    def evaluation_coverage(self) -> Decimal | None:
        """Subjects with an evaluation submitted or beyond ÷ subjects (自评覆盖率)."""
        return percent(self.submitted, self.subjects)

    @property
    def on_time_rate(self) -> Decimal | None:
        """Subjects submitted by the deadline ÷ subjects due (a missing filing is not on time)."""
        return percent(self.on_time, self.subjects)

    @property
    def excellent_rate(self) -> Decimal | None:
        """评优率: 优 ÷ graded evaluations (submitted or beyond, by the computed grade)."""
        return percent(self.excellent, self.graded)

    @property
    def deviation(self) -> Decimal | None:
        """Mean |self total − review total| over the reviewed spot-check items, in points."""
        return round2(self.deviation_sum / self.checked) if self.checked else None

    @property
    def monitoring_coverage(self) -> Decimal | None:
        """Monitoring reports filed (submitted or beyond) ÷ reports of the year's rounds."""
        return percent(self.reports_filed, self.reports)

    @property
    def closure_rate(self) -> Decimal | None:
        """整改销号率: closed ÷ raised."""
        return percent(self.closed, self.raised)

    @property
    def publication_rate(self) -> Decimal | None:
        """Published ÷ approved (or published)."""
        return percent(self.published, self.approved)

    @property
    def on_time_publication_rate(self) -> Decimal | None:
        """Published within PUBLICATION_WORKING_DAYS of approval ÷ approved."""
        return percent(self.published_on_time, self.approved)

    def add(self, other: DepartmentScore) -> None:
        """Sum another line's counts into this one (the region's totals)."""
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTED = (
    "subjects",
    "submitted",
    "on_time",
    "graded",
    "excellent",
    "department_returns",
    "finance_returns",
    "checked",
    "deviation_sum",
    "reports",
    "reports_filed",
    "red_reports",
    "red_entries",
    "raised",
    "closed",
    "overdue",
    "approved",
    "published",
    "published_on_time",
    "reduction",
)


@dataclass
class Scorecard:
    """The whole scorecard: the departments' lines, the totals and seed 004's region figures."""

    region: Region
    year: int
    today: datetime.date
    task_deadline: datetime.date | None
    rows: list[DepartmentScore]
    totals: DepartmentScore
    departments: int  # the region's active departments (the spot-check denominator)
    drawn: int  # departments drawn for 抽查复核 this year
    covered: int  # departments drawn this year or before
    spot_check_share: Decimal | None  # 抽查比例
    spot_check_cumulative: Decimal | None  # 累计部门覆盖率
    publication_working_days: int = PUBLICATION_WORKING_DAYS
    coverage_years: list = field(default_factory=list)

    @property
    def reduction(self) -> Decimal:
        """压减资金 of the year's decisions, 元."""
        return self.totals.reduction

    @property
    def evaluation_coverage(self) -> Decimal | None:
        """自评覆盖率 of the region."""
        return self.totals.evaluation_coverage

    @property
    def excellent_rate(self) -> Decimal | None:
        """评优率 of the region."""
        return self.totals.excellent_rate


def _grouped(queryset, key: str, **counts) -> dict[int, dict]:
    """{department id: counts} from one grouped query."""
    return {row[key]: row for row in queryset.values(key).annotate(**counts).order_by(key)}


def _deadlines(region: Region, year: int) -> tuple[datetime.date | None, dict[int, datetime.date]]:
    """The year's task deadline and the departments' extensions (EvaluationTask.deadline_for)."""
    deadline = (
        EvaluationTask.objects.filter(region=region, year=year)
        .values_list("deadline", flat=True)
        .first()
    )
    extensions = dict(
        DeadlineExtension.objects.filter(task__region=region, task__year=year).values_list(
            "department_id", "deadline"
        )
    )
    return deadline, extensions


def scorecard(*, region: Region, year: int, today: datetime.date | None = None) -> Scorecard:
    """The region's scorecard for `year`; the caller has checked the reader's role."""
    today = today or timezone.localdate()
    in_region = {f"{DEPARTMENT}__region": region}
    evaluations = Evaluation.objects.filter(year=year, **in_region)

    departments = list(
        Department.objects.filter(region=region)
        .order_by("code", "pk")
        .values_list("pk", "name", "is_active")
    )
    deadline, extensions = _deadlines(region, year)

    submitted = Q(evaluations__year=year, evaluations__status__in=SUBMITTED_STATUSES)
    subjects = _grouped(
        Project.objects.filter(year=year, unit__department__region=region),
        "unit__department",
        subjects=Count("pk", distinct=True),
        submitted=Count("evaluations", filter=submitted),
        graded=Count("evaluations", filter=submitted & ~Q(evaluations__computed_grade="")),
        excellent=Count("evaluations", filter=submitted & Q(evaluations__computed_grade=EXCELLENT)),
        approved=Count(
            "evaluations",
            filter=Q(evaluations__year=year, evaluations__status__in=APPROVED_STATUSES),
        ),
        published=Count(
            "evaluations", filter=Q(evaluations__year=year, evaluations__status=S.PUBLISHED)
        ),
    )
    steps = ReviewStep.objects.filter(evaluation__in=evaluations)
    A = ReviewStep.Action
    returns = _grouped(
        steps.filter(action__in=(A.DEPARTMENT_RETURN, A.FINANCE_RETURN)),
        f"evaluation__{DEPARTMENT}",
        department_returns=Count("pk", filter=Q(action=A.DEPARTMENT_RETURN)),
        finance_returns=Count("pk", filter=Q(action=A.FINANCE_RETURN)),
    )
    first_submits = (
        steps.filter(action=A.SUBMIT)
        .values("evaluation", f"evaluation__{DEPARTMENT}")
        .annotate(first=Min("created_at"))
        .order_by()
        .values_list(f"evaluation__{DEPARTMENT}", "first")
    )
    checked_items = SpotCheckItem.objects.filter(
        spot_check__region=region, spot_check__year=year, review_total__isnull=False
    ).values_list(
        f"evaluation__{DEPARTMENT}",
        "evaluation__claimed_total",
        "evaluation__computed_total",
        "review_total",
    )
    reports = MonitoringReport.objects.filter(round__region=region, round__year=year)
    filed = Q(status__in=SUBMITTED_STATUSES)
    monitoring = _grouped(
        reports,
        DEPARTMENT,
        reports=Count("pk"),
        reports_filed=Count("pk", filter=filed),
        red_reports=Count("pk", filter=filed & Q(light=Light.RED)),
    )
    red_entries = dict(
        MonitoringEntry.objects.filter(report__in=reports.filter(filed), light=Light.RED)
        .values_list(f"report__{DEPARTMENT}")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rectifications = _grouped(
        Rectification.objects.filter(year=year, unit__department__region=region),
        "unit__department",
        raised=Count("pk"),
        closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
        overdue=Count("pk", filter=~Q(status=RectificationStatus.CLOSED) & Q(deadline__lt=today)),
    )
    publications = evaluations.filter(
        status=S.PUBLISHED, approved_at__isnull=False, published_at__isnull=False
    ).values_list(DEPARTMENT, "approved_at", "published_at")
    # 压减资金 counts only where next year's amount is below this year's (ResultDecision.reduction).
    cut = Q(base_amount__gt=F("next_year_amount"))
    decisions = _grouped(
        ResultDecision.objects.filter(evaluation__in=evaluations).filter(cut),
        f"evaluation__{DEPARTMENT}",
        base=Sum("base_amount"),
        next=Sum("next_year_amount"),
    )

    lines: dict[int, DepartmentScore] = {}
    for pk, name, _ in departments:
        lines[pk] = DepartmentScore(pk, name, deadline=extensions.get(pk, deadline))
    for key, counts in subjects.items():
        _fill(lines[key], counts, "subjects", "submitted", "graded", "excellent", "approved",
              "published")  # fmt: skip
    for key, counts in returns.items():
        _fill(lines[key], counts, "department_returns", "finance_returns")
    for key, first in first_submits:
        line = lines[key]
        if line.deadline is not None and timezone.localtime(first).date() <= line.deadline:
            line.on_time += 1
    for key, claimed, computed, review in checked_items:
        self_total = claimed if claimed is not None else computed
        if self_total is None:
            continue
        lines[key].checked += 1
        lines[key].deviation_sum += abs(self_total - review)
    for key, counts in monitoring.items():
        _fill(lines[key], counts, "reports", "reports_filed", "red_reports")
    for key, n in red_entries.items():
        lines[key].red_entries = n
    for key, counts in rectifications.items():
        _fill(lines[key], counts, "raised", "closed", "overdue")
    for key, approved_at, published_at in publications:
        days = working_days_after(
            timezone.localtime(approved_at).date(), timezone.localtime(published_at).date()
        )
        if days <= PUBLICATION_WORKING_DAYS:
            lines[key].published_on_time += 1
    for key, sums in decisions.items():
        lines[key].reduction = (sums["base"] or Decimal(0)) - (sums["next"] or Decimal(0))

    active = {pk for pk, _, is_active in departments if is_active}
    rows = [
        line
        for line in lines.values()
        if line.department_id in active or any(getattr(line, n) for n in COUNTED)
    ]
    totals = DepartmentScore(None, "合计", deadline=deadline)
    for line in rows:
        totals.add(line)

    # Spot-check figures are department_coverage's own (the one definition of seed 004's 20% and
    # 60%); a year without a draw shares 0 of the region's departments and keeps what was covered.
    coverage = department_coverage(region, until=year)
    this_year = next((c for c in coverage if c.year == year), None)
    latest = coverage[-1] if coverage else None
    drawn = this_year.drawn if this_year else 0
    covered = latest.covered if latest else 0
    return Scorecard(
        region=region,
        year=year,
        today=today,
        task_deadline=deadline,
        rows=rows,
        totals=totals,
        departments=len(active),
        drawn=drawn,
        covered=covered,
        spot_check_share=this_year.share if this_year else percent(0, len(active)),
        spot_check_cumulative=latest.cumulative if latest else percent(0, len(active)),
        coverage_years=coverage,
    )


def _fill(line: DepartmentScore, counts: dict, *names: str) -> None:
    for name in names:
        setattr(line, name, counts[name])
