"""The finance bureau's overview of a region and year: coverage, grades, rates, findings, gaps.

Each block is one aggregate query over the region's evaluations, so the page costs the same at ten
filings as at ten thousand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Abs

from projects import formatting
from projects.models import Evaluation, Region
from projects.review.selectors.queue import (
    APPROVED_STATUSES,
    SUBMITTED_STATUSES,
    annotate_deadlines,
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


def coverage_by_department(rows: QuerySet) -> list[Coverage]:
    """Issued / submitted / approved / overdue per department of rows with `annotate_deadlines`."""
    counts = (
        rows.values("project__unit__department_id", "project__unit__department__name")
        .annotate(
            issued=Count("pk"),
            submitted=Count("pk", filter=Q(status__in=SUBMITTED_STATUSES)),
            approved=Count("pk", filter=Q(status__in=APPROVED_STATUSES)),
            overdue=Count("pk", filter=Q(is_overdue=True)),
        )
        .order_by("project__unit__department__code", "project__unit__department_id")
    )
    return [
        Coverage(
            name=row["project__unit__department__name"],
            department_id=row["project__unit__department_id"],
            issued=row["issued"],
            submitted=row["submitted"],
            approved=row["approved"],
            overdue=row["overdue"],
        )
        for row in counts
    ]


def finance_overview(*, region: Region, year: int, today: datetime.date | None = None) -> Overview:
    """The region's overview for one year; the caller has checked the finance role."""
    rows = Evaluation.objects.filter(project__unit__department__region=region, year=year)
    coverage = coverage_by_department(annotate_deadlines(rows, today))
    total = Coverage(
        "合计",
        None,
        sum(c.issued for c in coverage),
        sum(c.submitted for c in coverage),
        sum(c.approved for c in coverage),
        sum(c.overdue for c in coverage),
    )

    # Grades count once the filer has submitted: a draft's score is still moving.
    submitted = rows.filter(status__in=SUBMITTED_STATUSES)
    grade_counts = {
        g["computed_grade"]: g["n"]
        for g in submitted.filter(computed_grade__in=GRADES)
        .values("computed_grade")
        .annotate(n=Count("pk"))
        .order_by()
    }
    graded = sum(grade_counts.values())
    grades = [
        Band(g, grade_counts.get(g, 0), percent(grade_counts.get(g, 0), graded)) for g in GRADES
    ]

    band_filters = {}
    for label, low, high in RATE_BANDS:
        condition = Q(execution_rate__isnull=False)
        if low is not None:
            condition &= Q(execution_rate__gte=low)
        if high is not None:
            condition &= Q(execution_rate__lt=high)
        band_filters[label] = Count("pk", filter=condition)
    aggregates = submitted.aggregate(
        **{f"band{i}": agg for i, agg in enumerate(band_filters.values())},
        findings=Count("pk", filter=Q(error_count__gt=0) | Q(warning_count__gt=0)),
        rated=Count("pk", filter=Q(execution_rate__isnull=False)),
    )
    rated = aggregates["rated"]
    rate_bands = [
        Band(label, aggregates[f"band{i}"], percent(aggregates[f"band{i}"], rated))
        for i, label in enumerate(band_filters)
    ]

    listed = submitted.select_related("project__unit__department").defer(
        "result", "input_snapshot", "notes"
    )
    lowest = list(
        listed.filter(execution_rate__isnull=False).order_by("execution_rate", "pk")[:TOP]
    )
    findings = list(
        listed.filter(Q(error_count__gt=0) | Q(warning_count__gt=0)).order_by(
            "-error_count", "-warning_count", "pk"
        )[:TOP]
    )
    gaps = list(
        listed.filter(claimed_total__isnull=False, computed_total__isnull=False)
        .annotate(abs_gap=Abs(F("claimed_total") - F("computed_total")))
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
        excellent_rate=percent(grade_counts.get("优", 0), graded),
        rate_bands=rate_bands,
        lowest_rates=lowest,
        with_findings=findings,
        with_findings_count=aggregates["findings"],
        largest_gaps=gaps,
    )
