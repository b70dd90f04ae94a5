"""Evaluation tasks and deadlines: the finance bureau issues the year's work and extends it.

Issuing is one action for the whole region: it creates (or updates) the region's task for the
year and an evaluation, with its indicator rows, for every subject of that year that has none, so
every unit finds its filings waiting. Extensions are per department; reminders are idempotent, so
pressing the button twice never notifies anyone twice about the same deadline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects import notifications as notices
from projects.access import require_finance_bureau
from projects.models import (
    DeadlineExtension,
    Department,
    Evaluation,
    EvaluationStatus,
    EvaluationTask,
    IndicatorResult,
    Notification,
    Project,
    Region,
)
from projects.models.targets import targets_settled

OPEN_STATUSES = (EvaluationStatus.DRAFT, EvaluationStatus.RETURNED)
REMINDER_DAYS = 7


def require_finance_reviewer(user, region: Region) -> None:
    """Refuse (403) anyone but the region's finance reviewers; callers 404 outside the scope."""
    require_finance_bureau(user, region)


@dataclass(frozen=True)
class TaskIssue:
    """What issuing did: the task and how many filings it created or attached."""

    task: EvaluationTask
    created: bool
    evaluations_created: int
    evaluations_attached: int


@transaction.atomic
def evaluation_tasks_issue(
    *, region: Region, year: int, deadline: datetime.date, user, note: str = ""
) -> TaskIssue:
    """Issue the year's self-evaluation task for every subject of the region in one action."""
    require_finance_reviewer(user, region)
    task, created = EvaluationTask.objects.select_for_update().get_or_create(
        region=region,
        year=year,
        defaults={"deadline": deadline, "note": note.strip(), "issued_by": user},
    )
    if not created:
        task.deadline = deadline
        task.note = note.strip()
        task.save(update_fields=["deadline", "note"])
    in_region = {"project__unit__department__region": region, "year": year}
    attached = Evaluation.objects.filter(task__isnull=True, **in_region).update(task=task)
    subjects = list(
        # A unit or department the bureau has deactivated gets no new filing.
        Project.objects.filter(
            unit__department__region=region,
            year=year,
            evaluations__isnull=True,
            unit__is_active=True,
            unit__department__is_active=True,
        )
        # A subject whose targets are declared here is filed on once they are approved
        # (将绩效目标设置作为安排预算的前置条件); one without a declaration was approved with the budget.
        .filter(targets_settled())
        .order_by("pk")
        .prefetch_related("indicators")
    )
    fresh = bulk_create_with_history(
        [Evaluation(project=p, year=year, task=task) for p in subjects],
        Evaluation,
        default_user=user,
        default_change_reason="下发自评任务",
    )
    # bulk_create_with_history returns the rows with their ids on both databases.
    by_project = {e.project_id: e for e in fresh}
    bulk_create_with_history(
        [
            IndicatorResult(evaluation=by_project[p.pk], indicator=indicator)
            for p in subjects
            for indicator in p.indicators.all()
        ],
        IndicatorResult,
        default_user=user,
        default_change_reason="下发自评任务",
    )
    if fresh:
        from scoring.services import recompute

        # Score the new filings at once so every list shows their findings from the first day.
        recompute(queryset=Evaluation.objects.filter(pk__in=[e.pk for e in fresh]))
    units = (
        Evaluation.objects.filter(task=task, status__in=OPEN_STATUSES)
        .values("project__unit")
        .annotate(n=Count("pk"))
    )
    for row in units:
        notices.notify(
            recipients=notices.filers_of_units([row["project__unit"]]),
            kind=Notification.Kind.DEADLINE,
            message=(
                f"{region.finance_bureau or region.name + '财政局'}已下发{year}年度绩效自评任务："
                f"本单位待填报 {row['n']} 项，截止日期 {deadline:%Y-%m-%d}。"
            ),
            exclude=user,
        )
    return TaskIssue(task, created, len(fresh), attached)


@transaction.atomic
def deadline_extend(
    *, task: EvaluationTask, department: Department, deadline: datetime.date, user, reason: str
) -> DeadlineExtension:
    """Grant one department a later deadline than the task's, with the reason recorded."""
    require_finance_reviewer(user, task.region)
    if department.region_id != task.region_id:
        raise ValidationError({"department": "该部门不属于本任务所在地区。"})
    if deadline <= task.deadline:
        raise ValidationError(
            {"deadline": f"延期日期须晚于任务截止日期 {task.deadline:%Y-%m-%d}。"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "延期必须说明原因。"})
    extension, _ = DeadlineExtension.objects.update_or_create(
        task=task, department=department, defaults={"deadline": deadline, "reason": reason.strip()}
    )
    unit_ids = department.units.values_list("pk", flat=True)
    notices.notify(
        recipients=list(notices.filers_of_units(unit_ids))
        + list(notices.department_reviewers_of(department)),
        kind=Notification.Kind.DEADLINE,
        message=(
            f"{task.year}年度绩效自评任务：{department.name}的截止日期已延至 {deadline:%Y-%m-%d}。"
            f"原因：{reason.strip()}"
        ),
        exclude=user,
    )
    return extension


@transaction.atomic
def deadline_reminders_send(
    *, task: EvaluationTask, user, today: datetime.date | None = None, days: int = REMINDER_DAYS
) -> int:
    """Remind the filers of every open filing whose deadline falls within `days`; idempotent."""
    require_finance_reviewer(user, task.region)
    today = today or timezone.localdate()
    extensions = {e.department_id: e.deadline for e in task.extensions.all()}
    rows = (
        Evaluation.objects.filter(task=task, status__in=OPEN_STATUSES)
        .select_related("project__unit")
        .order_by("pk")
    )
    already = set(
        Notification.objects.filter(
            kind=Notification.Kind.DEADLINE, evaluation__task=task
        ).values_list("recipient_id", "evaluation_id", "message")
    )
    sent = 0
    for evaluation in rows:
        unit = evaluation.project.unit
        deadline = extensions.get(unit.department_id, task.deadline)
        left = (deadline - today).days
        if not 0 <= left <= days:
            continue
        message = (
            f"{evaluation.year}年度“{evaluation.project.name}”绩效自评将于 {deadline:%Y-%m-%d} "
            "截止，请尽快填报并提交。"
        )
        recipients = [
            u for u in notices.filers_of(unit) if (u.pk, evaluation.pk, message) not in already
        ]
        sent += len(
            notices.notify(
                recipients=recipients,
                kind=Notification.Kind.DEADLINE,
                message=message,
                evaluation=evaluation,
            )
        )
    return sent
