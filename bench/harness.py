"""What the Django benchmarks share: the settings, a throw-away database and synthetic filings.

Importing this module selects the test mode and sets Django up, so a script imports it before any
model (after putting the repository root on `sys.path`). The builders write with `bulk_create`:
a region of 10,000 filings is built in seconds, and the figures measured afterwards are the
product's, not the builder's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import NamedTuple

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfeval.settings")
os.environ.setdefault("SELFEVAL_MODE", "test")

import django  # noqa: E402

django.setup()


@contextmanager
def throwaway_database(*, instrumented: bool = True) -> Iterator[None]:
    """The test runner's database, created for the run and dropped after it.

    `instrumented=False` skips `setup_test_environment`, whose template instrumentation copies
    every context and would be timed as the server's work; the test client then only needs the
    host it sends.
    """
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    if instrumented:
        setup_test_environment()
    else:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        yield
    finally:
        runner.teardown_databases(old)


def region_units(count: int, *, is_department: bool = False):
    """The benchmark region and `count` departments, each with one unit; returns both."""
    from projects.models import Department, Region, Unit

    region = Region.objects.create(name="基准测试区", code="BENCH")
    units = []
    for d in range(count):
        department = Department.objects.create(region=region, name=f"部门{d}", code=f"D{d:02d}")
        units.append(
            Unit.objects.create(
                department=department, name=f"单位{d}", code=f"U{d}", is_department=is_department
            )
        )
    return region, units


class Row(NamedTuple):
    """One indicator row of a synthetic filing: the table's columns and the filer's figures."""

    level1: str
    level2: str
    name: str
    target: str
    weight: Decimal
    actual: str
    achievement: str = ""
    deviation: str = ""


def bulk_filings(
    units: Sequence,
    count: int,
    *,
    rows: Callable[[int], Sequence[Row]],
    executed: Callable[[int], Decimal],
    budget: Decimal,
    code: str = "P",
    name: str = "项目",
    goal_expected: str = "",
    goal_actual: str = "",
) -> list:
    """`count` draft filings spread over `units`, with 全年 and 本年 fund lines and the indicator
    rows `rows(i)` gives for the i-th; returns the evaluations (not scored)."""
    from projects.models import Evaluation, FundLine, Indicator, IndicatorResult, Project

    projects = Project.objects.bulk_create(
        [
            Project(
                unit=units[i % len(units)],
                year=2023,
                code=f"{code}{i:05d}",
                name=f"{name}{i}",
                goal_expected=goal_expected,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    FundLine.objects.bulk_create(
        [
            FundLine(
                project=p,
                source=source,
                initial=budget,
                adjusted=budget,
                executed=executed(i),
                weight=Decimal(10) if source == "total" else None,
            )
            for i, p in enumerate(projects)
            for source in ("total", "current_year")
        ],
        batch_size=5000,
    )
    table = [(p, k, row) for i, p in enumerate(projects) for k, row in enumerate(rows(i))]
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                project=p,
                order=k,
                level1=row.level1,
                level2=row.level2,
                name=row.name,
                target=row.target,
                weight=row.weight,
            )
            for p, k, row in table
        ],
        batch_size=5000,
    )
    evaluations = Evaluation.objects.bulk_create(
        [Evaluation(project=p, year=2023, goal_actual=goal_actual) for p in projects],
        batch_size=5000,
    )
    by_project = {e.project_id: e for e in evaluations}
    IndicatorResult.objects.bulk_create(
        [
            IndicatorResult(
                evaluation=by_project[indicator.project_id],
                indicator=indicator,
                actual=row.actual,
                achievement=row.achievement,
                deviation_reason=row.deviation,
            )
            for indicator, (_, _, row) in zip(indicators, table, strict=True)
        ],
        batch_size=5000,
    )
    return evaluations


def grade_of(total: Decimal) -> str:
    """优/良/中/差 by the national bands (90, 80, 60), for builders that set totals directly."""
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


# A finished year's grades (seed 004 has most projects 优 or 良): (share, lowest, highest total).
GRADE_BANDS = ((0.10, 4000, 5999), (0.25, 6000, 7999), (0.30, 8000, 8999), (0.35, 9000, 9999))


def _total(i: int, count: int) -> Decimal:
    """The i-th of `count` totals: shuffled by a prime stride, spread over the bands by their
    shares; distinct to the 分 while no band has more rows than cents (up to 2,857 rows)."""
    k = (i * 7919) % count if count % 7919 else i
    start = 0
    for share, low, high in GRADE_BANDS:
        size = max(1, round(share * count))
        if k < start + size or (share, low, high) == GRADE_BANDS[-1]:
            j = min(k - start, size - 1)
            return Decimal(low + j * (high - low) // size) / 100
        start += size
    raise AssertionError("unreachable")


def finished_results(evaluations: Sequence, *, approved_at, status: str = "approved") -> None:
    """Give each of `evaluations` (from `bulk_filings`) its own budget, execution, total and grade,
    and mark it finished (审核通过 by default) at `approved_at`; portable writes, so SQLite too.

    Budgets run from 5万 to 500万元 to the 分, execution from 55% to 100%, totals from 40 to 99.99
    with every grade 优良中差 at GRADE_BANDS' shares; the i-th evaluation's figures differ from
    every other's.
    """
    from projects.models import Evaluation, FundLine

    by_project = {}
    count = len(evaluations)
    for i, e in enumerate(evaluations):
        total = _total(i, count)
        rate = Decimal(5500 + (i * 104729) % 4501) / 100
        e.status, e.approved_at, e.submitted_at = status, approved_at, approved_at
        e.computed_total, e.computed_grade, e.execution_rate = total, grade_of(total), rate
        e.claimed_total, e.claimed_grade = total, grade_of(total)
        by_project[e.project_id] = rate
    Evaluation.objects.bulk_update(
        evaluations,
        [
            "status",
            "approved_at",
            "submitted_at",
            "computed_total",
            "computed_grade",
            "execution_rate",
            "claimed_total",
            "claimed_grade",
        ],
        batch_size=2000,
    )
    lines = list(FundLine.objects.filter(project_id__in=by_project))
    for line in lines:
        pid = line.project_id
        base = Decimal((pid * 7919) % 4950 + 50) * 1000 + Decimal(pid % 89) * Decimal("3.17")
        share = Decimal("0.6") if line.source == "current_year" else Decimal(1)
        line.initial = (base * share).quantize(Decimal("0.01"))
        line.adjusted = line.initial + Decimal((pid * 31) % 7) * 10000 * share
        line.executed = (line.adjusted * by_project[pid] / 100).quantize(Decimal("0.01"))
    FundLine.objects.bulk_update(lines, ["initial", "adjusted", "executed"], batch_size=2000)
