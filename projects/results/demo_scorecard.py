"""The demo's self-evaluation task, so the scorecard's on-time column has a deadline to count.

The demo's filings, returns, monitoring round and publications already feed the scorecard; the
department draws, 结果应用 decisions and 整改 items come from their own demo stages
(`projects/review/demo_spot_checks.py`, `demo_decisions.py`, `demo_rectifications.py`), which go
through the services. What is left is the bureau's task with its deadline, issued once here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projects.models import (
    Evaluation,
    EvaluationStatus,
    EvaluationTask,
    FundLine,
    FundSource,
    Membership,
    Region,
)
from projects.review.services.tasks import evaluation_tasks_issue
from scoring.engine.funds import fund_total

S = EvaluationStatus
CUT_SHARE = Decimal("10")  # 压减 10% of this year's budget, the demo's one cut
DEADLINE_DAYS = 30  # the task's deadline, counted from the day the demo is loaded


def _budget(evaluation: Evaluation) -> Decimal | None:
    """全年预算数 (else 年初预算数) of the subject, by the one total rule."""
    rows = {
        line.source: {"initial": line.initial, "adjusted": line.adjusted}
        for line in FundLine.objects.filter(project=evaluation.project)
    }
    total = fund_total(
        rows.get(FundSource.TOTAL), (rows.get(s) for s in FundSource.values if s != "total")
    )
    return total["adjusted"] if total["adjusted"] is not None else total["initial"]


def _task(region: Region, year: int, finance) -> None:
    if EvaluationTask.objects.filter(region=region, year=year).exists():
        return
    evaluation_tasks_issue(
        region=region,
        year=year,
        deadline=timezone.localdate() + datetime.timedelta(days=DEADLINE_DAYS),
        user=finance,
        note="请各部门对本年度项目支出和部门整体支出开展全面自评。",
    )


@transaction.atomic
def stage(*, region_name: str = "淮北市相山区", year: int = 2024) -> None:
    """Give the region's year its self-evaluation task with a deadline (once)."""
    region = Region.objects.filter(name=region_name).first()
    if region is None:
        return
    membership = (
        Membership.objects.filter(region=region, role=Membership.Role.FINANCE_REVIEWER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return
    finance = membership.user
    _task(region, year, finance)
