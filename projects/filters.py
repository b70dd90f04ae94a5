"""Filters (django-filter) of the review queue: year, department, status, grade, findings, overdue."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from projects.models import Department, EvaluationStatus
from projects.review.selectors import awaiting_q

GRADE_CHOICES = [(g, g) for g in ("优", "良", "中", "差")]
YES_NO = [("1", "是"), ("0", "否")]
TODO_CHOICES = [("mine", "待我审核"), ("all", "全部")]


def _departments(request):
    return Department.objects.for_user(request.user).order_by("code") if request else None


class ReviewQueueFilter(django_filters.FilterSet):
    """The queue's filters; `todo=mine` (the default) keeps the filings waiting for this user."""

    todo = django_filters.ChoiceFilter(
        label="范围", choices=TODO_CHOICES, method="filter_todo", empty_label=None
    )
    year = django_filters.NumberFilter(label="年度")
    department = django_filters.ModelChoiceFilter(
        label="主管部门",
        field_name="project__unit__department",
        queryset=_departments,
        empty_label="全部部门",
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=EvaluationStatus.choices, empty_label="全部状态"
    )
    grade = django_filters.ChoiceFilter(
        label="等级", field_name="computed_grade", choices=GRADE_CHOICES, empty_label="全部等级"
    )
    has_findings = django_filters.ChoiceFilter(
        label="有警告或错误", choices=YES_NO, method="filter_findings", empty_label="不限"
    )
    overdue = django_filters.ChoiceFilter(
        label="逾期", choices=YES_NO, method="filter_overdue", empty_label="不限"
    )
    q = django_filters.CharFilter(label="搜索", method="filter_search")

    def filter_todo(self, queryset, name, value):
        """Only the filings in the user's own review step."""
        if value == "mine":
            return queryset.filter(awaiting_q(self.request.user))
        return queryset

    def filter_findings(self, queryset, name, value):
        """Warnings and errors count; info findings are hints, not problems."""
        condition = Q(error_count__gt=0) | Q(warning_count__gt=0)
        return queryset.filter(condition) if value == "1" else queryset.exclude(condition)

    def filter_overdue(self, queryset, name, value):
        """Uses the `is_overdue` annotation of the queue's queryset."""
        return queryset.filter(is_overdue=value == "1")

    def filter_search(self, queryset, name, value):
        """Project, unit or department name."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(project__name__icontains=value)
            | Q(project__unit__name__icontains=value)
            | Q(project__unit__department__name__icontains=value)
        )


NOT_STARTED = "not_started"
WORKSPACE_STATUS_CHOICES = [(NOT_STARTED, "未开始"), *EvaluationStatus.choices]


def _filer_units(request):
    """Only the units the user files for: another unit's name never shows in the list."""
    from projects.access import FILE
    from projects.models import Unit

    if request is None:
        return Unit.objects.none()
    return Unit.objects.for_user(request.user, FILE).order_by("department__code", "code", "pk")


class WorkspaceFilter(django_filters.FilterSet):
    """The filer's workspace: search by name or code, status (未开始 included) and unit.

    The year is chosen by the workspace itself (its deadlines and totals are per year), so it is
    not a filter here; every filter is a GET parameter, so a link keeps them.
    """

    q = django_filters.CharFilter(label="搜索", method="filter_search")
    status = django_filters.ChoiceFilter(
        label="状态",
        choices=WORKSPACE_STATUS_CHOICES,
        method="filter_status",
        empty_label="全部状态",
    )
    unit = django_filters.ModelChoiceFilter(
        label="实施单位", queryset=_filer_units, empty_label="全部单位"
    )

    def filter_search(self, queryset, name, value):
        """Project name or code, as printed on the budget."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_status(self, queryset, name, value):
        """The status of the year's evaluation; 未开始 is a subject with none yet."""
        if value == NOT_STARTED:
            return queryset.filter(ev_status__isnull=True)
        return queryset.filter(ev_status=value)
