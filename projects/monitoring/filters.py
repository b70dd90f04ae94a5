"""Filters (django-filter) of the monitoring lights list: round, department, light, kind, status.

Round, department and status narrow the reports; light, kind and "red without decision" narrow
the lit items of those reports (`items`), which is what the list shows.
"""

from __future__ import annotations

import django_filters
from django import forms

from projects.filters import _departments
from projects.models import EvaluationStatus, Light
from projects.monitoring.review_selectors import KIND_CHOICES, lit_items, rounds_in_scope

LIGHT_CHOICES = [(Light.RED.value, Light.RED.label), (Light.YELLOW.value, Light.YELLOW.label)]


def _rounds(request):
    return rounds_in_scope(request.user) if request else None


class MonitoringLightFilter(django_filters.FilterSet):
    """The lights list's filters; the view fills in the latest round when none is asked for."""

    round = django_filters.ModelChoiceFilter(
        label="监控任务", queryset=_rounds, empty_label="全部任务"
    )
    department = django_filters.ModelChoiceFilter(
        label="主管部门",
        field_name="project__unit__department",
        queryset=_departments,
        empty_label="全部部门",
    )
    light = django_filters.ChoiceFilter(
        label="预警灯", choices=LIGHT_CHOICES, method="by_item", empty_label="红灯和黄灯"
    )
    kind = django_filters.ChoiceFilter(
        label="一级指标", choices=KIND_CHOICES, method="by_item", empty_label="全部"
    )
    status = django_filters.ChoiceFilter(
        label="监控表状态", choices=EvaluationStatus.choices, empty_label="全部状态"
    )
    undecided = django_filters.BooleanFilter(
        label="仅看未作处理决定的红灯", method="by_item", widget=forms.CheckboxInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["round"].label_from_instance = lambda r: f"{r.region.name} {r.title}"

    def by_item(self, queryset, name, value):
        """Applied to the items in `items`, not to the reports."""
        return queryset

    def items(self):
        """The lit items of the filtered reports, narrowed by light, kind and decision."""
        data = self.form.cleaned_data
        return lit_items(
            self.qs,
            light=data.get("light") or "",
            kind=data.get("kind") or "",
            undecided=bool(data.get("undecided")),
        )
