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
