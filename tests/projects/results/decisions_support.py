"""Builders for the 结果应用 decision tests (no tests here): finished evaluations with stored
figures, a spot check's review total and a filed monitoring report's red lights."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from projects.models import (
    EvaluationStatus,
    FundSource,
    Membership,
    MonitoringReport,
    MonitoringRound,
    SpotCheck,
    SpotCheckItem,
)
from tests import factories as f

S = EvaluationStatus
YEAR = 2023


def finished(
    unit,
    *,
    total: str | None = "85",
    rate: str | None = "95",
    base: str | None = "1000000",
    executed: str | None = "950000",
    initial: str | None = None,
    status: str = S.APPROVED,
    errors: int = 0,
    name: str | None = None,
    year: int = YEAR,
):
    """A project evaluation at `status` with one 年度资金总额 line and stored scoring figures."""
    project = f.ProjectFactory(unit=unit, year=year, **({"name": name} if name else {}))
    f.FundLineFactory(
        project=project,
        source=FundSource.TOTAL,
        initial=Decimal(initial if initial is not None else (base or "0")),
        adjusted=Decimal(base) if base is not None else None,
        executed=Decimal(executed) if executed is not None else None,
    )
    return f.EvaluationFactory(
        project=project,
        status=status,
        computed_total=Decimal(total) if total is not None else None,
        execution_rate=Decimal(rate) if rate is not None else None,
        error_count=errors,
        approved_at=timezone.now() if status in (S.APPROVED, S.PUBLISHED) else None,
    )


def review(evaluation, total: str, *, region, seed: int = 1):
    """A spot check of the region that re-scored the evaluation at `total`."""
    spot = SpotCheck.objects.create(region=region, year=evaluation.year, seed=seed)
    return SpotCheckItem.objects.create(
        spot_check=spot, evaluation=evaluation, review_total=Decimal(total)
    )


def monitored(
    evaluation, *, region, red: int, status: str = S.SUBMITTED, month: int = 6, year=None
):
    """A monitoring report of the subject in a round of `year` (the evaluation's by default)."""
    year = year or evaluation.year
    round_, _ = MonitoringRound.objects.get_or_create(
        region=region,
        as_of=datetime.date(year, month, 30),
        defaults={"year": year, "deadline": datetime.date(year, month + 1, 15)},
    )
    return MonitoringReport.objects.create(
        round=round_, project=evaluation.project, status=status, red_count=red
    )


def reviewer_of_b(personas):
    """A department reviewer of department B (who must see nothing of A)."""
    user = f.UserFactory(username="dan")
    f.membership(user, Membership.Role.DEPARTMENT_REVIEWER, department=personas.department_b)
    return user


def observer_of_region(personas):
    """The region's 人大 observer: reads everything, acts on nothing."""
    user = f.UserFactory(username="rita")
    f.membership(user, Membership.Role.OBSERVER, region=personas.region)
    return user
