"""The demo's 整改 items: one at every status, raised, reported and closed through the services.

开发区 (its 本级 unit, filer xs_kfq_filer, department reviewer xs_kfq_reviewer) gets an item
past its deadline on the filer's workspace, one reported and waiting for the reviewer's 销号,
and one closed; the 督促整改 decision on the red light of the mid-year round raises its item
through `monitoring_follow_up_record` (an earlier demo database gets it here). Idempotent: an
item already staged (by its `source_ref`) is left where it is.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from projects import demo
from projects.models import Evaluation, MonitoringFollowUp, Unit
from projects.models.monitoring import FollowUpDecision
from projects.models.results import Rectification, RectificationSource
from projects.rectifications import services as services

# Where the demo puts its items: the accounts that act, and the stages of the filings used.
FILER, REVIEWER, FINANCE = "xs_kfq_filer", "xs_kfq_reviewer", "xs_finance"
USABLE = ("returned", "department_approved", "approved", "published")


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _unit() -> Unit:
    scope = next(a.scope for a in demo.ACCOUNTS if a.username == FILER)
    return Unit.objects.select_related("department__region").get(name=scope)


def _filings(unit: Unit, evaluations=None) -> list[Evaluation]:
    """The unit's filings past the filer's hands, in a stable order."""
    rows = Evaluation.objects.filter(project__unit=unit, status__in=USABLE)
    if evaluations is not None:
        rows = rows.filter(pk__in=[e.pk for e in evaluations.values()])
    return list(rows.select_related("project").order_by("project__code", "pk"))


def _raise(ref: str, *, user, evaluation, source, problem, days=30) -> Rectification | None:
    """Raise once: None when an earlier run staged this item."""
    if Rectification.objects.filter(source_ref=ref).exists():
        return None
    return services.rectification_raise(
        user=user,
        unit=evaluation.project.unit,
        year=evaluation.year,
        source=source,
        problem=problem,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        evaluation=evaluation,
        source_ref=ref,
    )


def stage(evaluations: dict | None = None) -> int:
    """Stage the demo's 整改 items; returns how many it created. `evaluations` (the loader's
    key → Evaluation) narrows the filings used; without it the unit's filings are read."""
    unit = _unit()
    filer, reviewer, finance = _user(FILER), _user(REVIEWER), _user(FINANCE)
    filings = _filings(unit, evaluations)
    if len(filings) < 3:
        return 0
    made = 0
    # 1. Open and overdue: raised a while ago, its deadline passed (moved back after raising,
    #    as time passing would: the service refuses a deadline before today).
    item = _raise(
        "demo:overdue",
        user=reviewer,
        evaluation=filings[0],
        source=RectificationSource.FINDING,
        problem="示例：部分指标偏差原因分析不充分，请补充原因并制定改进措施。",
    )
    if item:
        Rectification.objects.filter(pk=item.pk).update(
            deadline=timezone.localdate() - datetime.timedelta(days=10)
        )
        made += 1
    # 2. Reported, waiting for the department reviewer's 销号.
    item = _raise(
        "demo:reported",
        user=reviewer,
        evaluation=filings[1],
        source=RectificationSource.RETURN,
        problem="示例：绩效目标细化量化不足，请按可衡量的指标值修订。",
    )
    if item:
        services.rectification_report(
            item=item,
            user=filer,
            measures="示例：已按季度分解目标，修订为可衡量的指标值。",
            evidence="示例：修订后的绩效目标表（开发区管委会会议纪要）",
            text="示例：已完成修订，待主管部门审核销号。",
        )
        made += 1
    # 3. Closed: raised by the finance bureau's spot check, reported, closed by the reviewer.
    item = _raise(
        "demo:closed",
        user=finance,
        evaluation=filings[2],
        source=RectificationSource.SPOT_CHECK,
        problem="示例：抽查复核得分与自评得分差异较大，请核实满意度调查样本。",
    )
    if item:
        services.rectification_report(
            item=item,
            user=filer,
            measures="示例：重新开展满意度调查，样本量扩大至200份。",
            evidence="示例：满意度调查问卷汇总表",
            text="示例：已重新调查并更正自评得分。",
        )
        services.rectification_close(item=item, user=reviewer, comment="示例：佐证齐全，同意销号。")
        made += 1
    # 4. The 督促整改 red light: raised by the follow-up service itself; a demo database loaded
    #    before 整改 existed gets it here.
    for follow_up in MonitoringFollowUp.objects.filter(
        decision=FollowUpDecision.URGE,
        report__project__unit__department__region=unit.department.region,
    ).select_related("report__round", "report__project__unit__department__region", "indicator"):
        ref = f"follow_up:{follow_up.pk}"
        if follow_up.decided_by and not Rectification.objects.filter(source_ref=ref).exists():
            services.raise_for_red_light(follow_up=follow_up, user=follow_up.decided_by)
            made += 1
    return made
