"""The spot-check list: one year's draws, counted in SQL, a page at a time.

The list used to load every draw of every year with every item and its evaluation, and count in
Python, so it slowed with each year of history. Here the counts are aggregates of one query and
the page holds one year's draws, so its cost is flat however many draws and years there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Coalesce

PER_PAGE = 20


def spot_check_page(region, *, year: int, page_number) -> Page:
    """One page of the region's draws of `year`, newest first, with their item counts and (for
    department draws) the departments drawn, in one more query for the page.

    `flagged` counts the items whose review total differs from the self total (the filer's claimed
    total, else the computed one) by more than the draw's threshold, as `item_totals` decides.
    """
    self_total = Coalesce(
        F("items__evaluation__claimed_total"), F("items__evaluation__computed_total")
    )
    reviewed = Q(items__review_total__isnull=False)
    beyond = Q(items__review_total__lt=self_total - F("threshold")) | Q(
        items__review_total__gt=self_total + F("threshold")
    )
    from projects.models import SpotCheckDepartment

    departments = SpotCheckDepartment.objects.select_related("department").order_by(
        "department__code", "department__pk"
    )
    checks = (
        region.spot_checks.filter(year=year)
        .select_related("drawn_by")
        .prefetch_related(Prefetch("departments", queryset=departments))
        .annotate(
            item_count=Count("items"),
            reviewed_count=Count("items", filter=reviewed),
            flagged_count=Count("items", filter=reviewed & beyond),
        )
        .order_by("-drawn_at", "-pk")
    )
    return Paginator(checks, PER_PAGE).get_page(page_number)


def spot_check_years(region) -> list[int]:
    """The years the region has draws for, newest first (the list's year tabs)."""
    return list(region.spot_checks.order_by("-year").values_list("year", flat=True).distinct())


@dataclass(frozen=True)
class YearCoverage:
    """One year of department spot checks: drawn that year, and covered up to and including it."""

    year: int
    drawn: int
    covered: int
    departments: int

    @property
    def share(self) -> Decimal | None:
        """抽查比例: departments drawn this year ÷ the region's departments, in percent."""
        return _percent(self.drawn, self.departments)

    @property
    def cumulative(self) -> Decimal | None:
        """累计部门覆盖率: distinct departments drawn so far ÷ the region's departments (seed 004)."""
        return _percent(self.covered, self.departments)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def department_coverage(region, *, until: int | None = None) -> list[YearCoverage]:
    """Department coverage of the region's department draws, year by year, oldest first.

    The denominator is the region's active departments today (seed 004 counts 55 区直部门 once);
    a department drawn twice counts once in the cumulative figure, and one since deactivated
    no longer counts in it (so coverage never exceeds 100%). One query for the draws, one for the
    active departments.
    """
    from projects.models import SpotCheck, SpotCheckDepartment

    rows = SpotCheckDepartment.objects.filter(
        spot_check__region=region, spot_check__scope=SpotCheck.Scope.DEPARTMENTS
    )
    if until is not None:
        rows = rows.filter(spot_check__year__lte=until)
    by_year: dict[int, set[int]] = {}
    for year, department_id in rows.order_by().values_list("spot_check__year", "department_id"):
        by_year.setdefault(year, set()).add(department_id)
    active = set(region.departments.filter(is_active=True).order_by().values_list("pk", flat=True))
    covered: set[int] = set()
    table = []
    for year in sorted(by_year):
        covered |= by_year[year] & active
        table.append(YearCoverage(year, len(by_year[year]), len(covered), len(active)))
    return table
