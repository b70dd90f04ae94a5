"""Demo rows the scorecard needs to show every column of a region's year.

The demo's filings, returns, monitoring round and publications already feed the scorecard; what
the demo lacks is the bureau's side of the year: the self-evaluation task with its deadline, the
department draws of 抽查复核 (one per year, as seed 004 draws whole departments), 结果应用 decisions
with a cut and 整改 items. `stage` adds them once (a second run changes nothing), so after
`load_demo` the page shows a share, a cumulative coverage, 压减资金 and a closure rate.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from projects.models import (
    Decision,
    Evaluation,
    EvaluationStatus,
    EvaluationTask,
    FundLine,
    FundSource,
    Membership,
    Rectification,
    RectificationSource,
    RectificationStatus,
    Region,
    ResultDecision,
    SpotCheck,
    SpotCheckDepartment,
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


def _draws(region: Region, year: int, finance) -> None:
    """One department drawn a year, the earliest departments first, until the year itself."""
    if SpotCheck.objects.filter(region=region, scope=SpotCheck.Scope.DEPARTMENTS).exists():
        return
    departments = list(region.departments.filter(is_active=True).order_by("code"))
    first_year = year - len(departments) + 1
    for offset, department in enumerate(departments):
        check = SpotCheck.objects.create(
            region=region,
            year=first_year + offset,
            seed=first_year + offset,
            share=Decimal("0.2"),
            scope=SpotCheck.Scope.DEPARTMENTS,
            drawn_by=finance,
        )
        SpotCheckDepartment.objects.create(spot_check=check, department=department)


def _decisions(evaluations, finance) -> None:
    """The first approved filing is cut by CUT_SHARE, the next two kept."""
    if ResultDecision.objects.filter(evaluation__in=evaluations).exists():
        return
    approved = evaluations.filter(status__in=(S.APPROVED, S.PUBLISHED))
    for i, evaluation in enumerate(approved.order_by("pk")[:3]):
        base = _budget(evaluation)
        if base is None:
            continue
        cut = i == 0
        next_year = base
        if cut:
            next_year = (base * (100 - CUT_SHARE) / 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        ResultDecision.objects.create(
            evaluation=evaluation,
            decision=Decision.CUT if cut else Decision.KEEP,
            cut_share=CUT_SHARE if cut else None,
            base_amount=base,
            next_year_amount=next_year,
            note="执行率偏低，下年按比例压减。" if cut else "",
            decided_by=finance,
        )


def _rectifications(region: Region, year: int, evaluations, finance) -> None:
    if Rectification.objects.filter(unit__department__region=region, year=year).exists():
        return
    today = timezone.localdate()
    returned = evaluations.filter(status=S.RETURNED).select_related("project__unit").first()
    published = evaluations.filter(status=S.PUBLISHED).select_related("project__unit").first()
    for evaluation, status, days, problem in (
        (returned, RectificationStatus.OPEN, 15, "绩效指标未细化量化，实际完成值缺少佐证。"),
        (published, RectificationStatus.CLOSED, -10, "偏差原因分析不充分，未提出改进措施。"),
    ):
        if evaluation is None:
            continue
        Rectification.objects.create(
            unit=evaluation.project.unit,
            project=evaluation.project,
            year=year,
            source=RectificationSource.RETURN,
            evaluation=evaluation,
            problem=problem,
            measures="补充佐证材料，细化绩效指标。",
            deadline=today + datetime.timedelta(days=days),
            status=status,
            raised_by=finance,
            closed_by=finance if status == RectificationStatus.CLOSED else None,
            closed_at=timezone.now() if status == RectificationStatus.CLOSED else None,
        )


@transaction.atomic
def stage(*, region_name: str = "淮北市相山区", year: int = 2024) -> None:
    """Give the region's year a task, department draws, decisions and 整改 items (once)."""
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
    evaluations = Evaluation.objects.filter(project__unit__department__region=region, year=year)
    _task(region, year, finance)
    _draws(region, year, finance)
    _decisions(evaluations, finance)
    _rectifications(region, year, evaluations, finance)
