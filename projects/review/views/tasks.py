"""Tasks and deadlines: the finance bureau issues the year's task, extends it, reminds filers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from projects.models import Department, EvaluationTask, Region
from projects.review.forms import DeadlineExtendForm, TaskIssueForm, default_year, in_days
from projects.review.selectors.overview import coverage_by_department
from projects.review.services.tasks import (
    deadline_extend,
    deadline_reminders_send,
    evaluation_tasks_issue,
    require_finance_reviewer,
)
from projects.review.views.common import (
    can_act,
    chosen_year,
    finance_region,
    finance_regions,
    finance_required,
    region_reader_required,
)


def _task(request, pk) -> EvaluationTask:
    """A task of a region the user reaches (else 404), for its finance bureau only (else 403)."""
    try:
        task = EvaluationTask.objects.select_related("region").get(
            pk=pk, region__in=Region.objects.for_user(request.user)
        )
    except EvaluationTask.DoesNotExist:
        raise Http404("未找到该任务。") from None
    require_finance_reviewer(request.user, task.region)
    return task


# Tabs for the latest tasks; an older year is one ?year= (or the year box) away.
YEAR_TABS = 6


@region_reader_required
def task_list(request):
    """The region's tasks with coverage and deadlines per department, and the issue form.

    The page reads one task (the chosen year's) with its own extensions and the years of the
    latest few, so it costs the same with one year of history as with twenty.
    """
    region = finance_region(request, reading=True)
    years = list(region.tasks.order_by("-year").values_list("year", flat=True)[:YEAR_TABS])
    year = chosen_year(request, years[0] if years else None)
    task = region.tasks.select_related("issued_by").filter(year=year).first()
    if task is not None and year not in years:
        years = sorted([*years, year], reverse=True)
    departments = Department.objects.filter(region=region).order_by("code")
    coverage = []
    if task is not None:
        extensions = {e.department_id: e for e in task.extensions.all()}
        coverage = coverage_by_department(
            task.evaluations.all(),
            extensions={(task.pk, d): e.deadline for d, e in extensions.items()},
        )
        for row in coverage:
            extension = extensions.get(row.department_id)
            row.deadline = extension.deadline if extension else task.deadline
            row.extension = extension
    context = {
        "region": region,
        "regions": finance_regions(request.user, reading=True),
        "years": years,
        "can_act": can_act(request.user),
        "task": task,
        "year": year,
        "coverage": coverage,
        "issue_form": TaskIssueForm(
            initial={"year": year or default_year(), "deadline": in_days(30)}
        ),
        "extend_form": DeadlineExtendForm(
            departments=departments,
            initial={"deadline": (task.deadline if task else in_days(30))},
        ),
    }
    return render(request, "review/tasks.html", context)


@finance_required
@require_POST
def task_issue(request):
    """Issue the year's task for every subject of the region in one action."""
    region = finance_region(request)
    form = TaskIssueForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{_tasks_url(region)}")
    issue = evaluation_tasks_issue(
        region=region,
        year=form.cleaned_data["year"],
        deadline=form.cleaned_data["deadline"],
        note=form.cleaned_data["note"],
        user=request.user,
    )
    verb = "已下发" if issue.created else "已更新"
    messages.success(
        request,
        f"{verb}{issue.task.year}年度自评任务，截止日期 {issue.task.deadline:%Y-%m-%d}；"
        f"新建自评 {issue.evaluations_created} 项，关联已有自评 {issue.evaluations_attached} 项。",
    )
    return redirect(f"{_tasks_url(region)}&year={issue.task.year}")


def _tasks_url(region) -> str:
    from django.urls import reverse

    return f"{reverse('review:task_list')}?region={region.pk}"


@finance_required
@require_POST
def task_extend(request, pk):
    """Extend the task's deadline for one department."""
    task = _task(request, pk)
    department_id = request.POST.get("department", "")
    if not (
        department_id.isdigit()
        and Department.objects.for_user(request.user).filter(pk=department_id).exists()
    ):
        raise Http404("未找到该部门。")
    form = DeadlineExtendForm(
        request.POST, departments=Department.objects.filter(region=task.region)
    )
    if form.is_valid():
        try:
            extension = deadline_extend(
                task=task,
                department=form.cleaned_data["department"],
                deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"{extension.department.name}的截止日期已延至 {extension.deadline:%Y-%m-%d}。",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(f"{_tasks_url(task.region)}&year={task.year}")


@finance_required
@require_POST
def task_remind(request, pk):
    """Remind the filers whose deadline is within a week (each deadline reminded once)."""
    task = _task(request, pk)
    sent = deadline_reminders_send(task=task, user=request.user)
    messages.success(request, f"已发送截止提醒 {sent} 条。" if sent else "没有需要提醒的填报单位。")
    return redirect(f"{_tasks_url(task.region)}&year={task.year}")
