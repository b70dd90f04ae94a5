"""The finance bureau's overview of a region and year: coverage, grades, rates, findings, gaps.

The counts are one grouped query over the region's evaluations and the short lists read ten rows
each in the order of an index, so the page makes the same queries at ten filings as at ten
thousand, and fetches departments, not filings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Abs
from django.utils import timezone

from projects import formatting
from projects.models import DeadlineExtension, Evaluation, Region
from projects.review.selectors.queue import (
    APPROVED_STATUSES,
    OPEN_STATUSES,
    SUBMITTED_STATUSES,
)

GRADES = ("优", "良", "中", "差")
RATE_BANDS = (
    ("低于60%", None, Decimal("60")),
    ("60%–80%", Decimal("60"), Decimal("80")),
    ("80%–90%", Decimal("80"), Decimal("90")),
    ("90%–100%", Decimal("90"), Decimal("100")),
    ("100%及以上", Decimal("100"), None),
)
TOP = 10
# What the three short lists print: the filing's figures and its project's and department's names.
LISTED_FIELDS = (
    "execution_rate",
    "error_count",
    "warning_count",
    "claimed_total",
    "computed_total",
    "project__name",
    "project__unit__department__name",
)
# |claimed − computed| total; the largest-gaps list reads it in the order of an index on it.
GAP = Abs(F("claimed_total") - F("computed_total"))


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole × 100, two decimals half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return formatting.round2(Decimal(part) * 100 / Decimal(whole))


@dataclass
class Coverage:
    """One department's (or the region's) tasks issued, submitted, approved and overdue."""

    name: str
    department_id: int | None
    issued: int
    submitted: int
    approved: int
    overdue: int

    @property
    def submitted_rate(self) -> Decimal | None:
        """Share of issued tasks submitted (any step past the filer), percent."""
        return percent(self.submitted, self.issued)

    @property
    def approved_rate(self) -> Decimal | None:
        """Share of issued tasks approved, percent."""
        return percent(self.approved, self.issued)


@dataclass
class Band:
    """A count in a named band (a grade, an execution-rate range), with its share."""

    label: str
    count: int
    share: Decimal | None


@dataclass
class Overview:
    """Everything the overview page shows for one region and year."""

    region: Region
    year: int
    coverage: list[Coverage]
    total: Coverage
    grades: list[Band]
    graded: int
    excellent_rate: Decimal | None
    rate_bands: list[Band]
    lowest_rates: list[Evaluation]
    with_findings: list[Evaluation]
    with_findings_count: int
    largest_gaps: list[Evaluation]


def _band_q(low: Decimal | None, high: Decimal | None) -> Q:
    condition = Q(execution_rate__isnull=False)
    if low is not None:
        condition &= Q(execution_rate__gte=low)
    if high is not None:
        condition &= Q(execution_rate__lt=high)
    return condition


SUBMITTED = Q(status__in=SUBMITTED_STATUSES)
HAS_FINDINGS = Q(error_count__gt=0) | Q(warning_count__gt=0)
# What every coverage table counts per department, and what the overview adds. `open` is what is
# still with the filer: overdue once its department's deadline has passed.
COVERAGE_COUNTS = {
    "issued": Count("pk"),
    "submitted": Count("pk", filter=SUBMITTED),
    "approved": Count("pk", filter=Q(status__in=APPROVED_STATUSES)),
    "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
}
# Grades and rates count once the filer has submitted: a draft's score is still moving.
OVERVIEW_COUNTS = {
    **COVERAGE_COUNTS,
    **{
        f"grade{i}": Count("pk", filter=SUBMITTED & Q(computed_grade=grade))
        for i, grade in enumerate(GRADES)
    },
    **{
        f"band{i}": Count("pk", filter=SUBMITTED & _band_q(low, high))
        for i, (_, low, high) in enumerate(RATE_BANDS)
    },
    "rated": Count("pk", filter=SUBMITTED & Q(execution_rate__isnull=False)),
    "findings": Count("pk", filter=SUBMITTED & HAS_FINDINGS),
}
DEPARTMENT = "project__unit__department"


def department_counts(
    rows: QuerySet,
    counts: dict,
    today: datetime.date | None = None,
    *,
    extensions: dict[tuple[int, int], datetime.date] | None = None,
) -> list[dict]:
    """`counts` per department of `rows`, in one grouped query and one for the extensions.

    Rows are grouped by department and task, so the deadline (the department's extension, else
    the task's) is one per group: overdue filings are the group's open ones once it has passed,
    without a deadline looked up for every row. Each dict holds the department's id, name and
    the counts plus `overdue`, in the departments' code order. A caller that has the tasks'
    extensions already passes them as {(task id, department id): deadline}.
    """
    today = today or timezone.localdate()
    groups = list(
        rows.values(
            f"{DEPARTMENT}_id",
            f"{DEPARTMENT}__name",
            f"{DEPARTMENT}__code",
            "task_id",
            "task__deadline",
        )
        .annotate(**counts)
        .order_by(f"{DEPARTMENT}__code", f"{DEPARTMENT}_id", "task_id")
    )
    task_ids = {g["task_id"] for g in groups if g["task_id"] is not None and g["open"]}
    if extensions is None:
        extensions = (
            {
                (e.task_id, e.department_id): e.deadline
                for e in DeadlineExtension.objects.filter(task_id__in=task_ids).only(
                    "task_id", "department_id", "deadline"
                )
            }
            if task_ids
            else {}
        )
    departments: dict[int, dict] = {}
    for group in groups:
        department_id = group[f"{DEPARTMENT}_id"]
        deadline = extensions.get((group["task_id"], department_id), group["task__deadline"])
        overdue = group["open"] if deadline is not None and deadline < today else 0
        row = departments.get(department_id)
        if row is None:
            row = departments[department_id] = {
                "department_id": department_id,
                "name": group[f"{DEPARTMENT}__name"],
                "overdue": 0,
                **dict.fromkeys(counts, 0),
            }
        row["overdue"] += overdue
        for key in counts:
            row[key] += group[key]
    return list(departments.values())


def _coverage(row: dict) -> Coverage:
    return Coverage(
        name=row["name"],
        department_id=row["department_id"],
        issued=row["issued"],
        submitted=row["submitted"],
        approved=row["approved"],
        overdue=row["overdue"],
    )


def coverage_by_department(
    rows: QuerySet, today: datetime.date | None = None, *, extensions=None
) -> list[Coverage]:
    """Issued / submitted / approved / overdue per department of `rows` (evaluations)."""
    counted = department_counts(rows, COVERAGE_COUNTS, today, extensions=extensions)
    return [_coverage(row) for row in counted]


def finance_overview(*, region: Region, year: int, today: datetime.date | None = None) -> Overview:
    """The region's overview for one year; the caller has checked the finance role.

    Every count comes from one grouped query (the departments' rows are summed here, never the
    filings); the three short lists are read a few columns at a time, in index order.
    """
    rows = Evaluation.objects.filter(project__unit__department__region=region, year=year)
    departments = department_counts(rows, OVERVIEW_COUNTS, today)
    coverage = [_coverage(row) for row in departments]

    def whole(key: str) -> int:
        return sum(row[key] for row in departments)

    total = Coverage(
        "合计", None, whole("issued"), whole("submitted"), whole("approved"), whole("overdue")
    )
    grade_counts = [whole(f"grade{i}") for i in range(len(GRADES))]
    graded = sum(grade_counts)
    grades = [
        Band(grade, count, percent(count, graded))
        for grade, count in zip(GRADES, grade_counts, strict=True)
    ]
    rated = whole("rated")
    rate_bands = [
        Band(label, whole(f"band{i}"), percent(whole(f"band{i}"), rated))
        for i, (label, _, _) in enumerate(RATE_BANDS)
    ]

    listed = rows.filter(SUBMITTED).select_related("project__unit__department").only(*LISTED_FIELDS)
    lowest = list(
        listed.filter(execution_rate__isnull=False).order_by("execution_rate", "pk")[:TOP]
    )
    findings = list(
        listed.filter(HAS_FINDINGS).order_by("-error_count", "-warning_count", "pk")[:TOP]
    )
    gaps = list(
        listed.filter(claimed_total__isnull=False, computed_total__isnull=False)
        .annotate(abs_gap=GAP)
        .filter(abs_gap__gt=0)
        .order_by("-abs_gap", "pk")[:TOP]
    )
    for evaluation in gaps:
        # The database only orders: SQLite subtracts decimals as floats (98.43 − 95.42 =
        # 3.01000000000001), so the printed gap is the Decimal difference of the two totals.
        evaluation.gap = evaluation.claimed_total - evaluation.computed_total
    return Overview(
        region=region,
        year=year,
        coverage=coverage,
        total=total,
        grades=grades,
        graded=graded,
        excellent_rate=percent(grade_counts[0], graded),
        rate_bands=rate_bands,
        lowest_rates=lowest,
        with_findings=findings,
        with_findings_count=whole("findings"),
        largest_gaps=gaps,
    )
