"""Forms and filters of the 整改 pages; the services validate again and speak at the fields."""

from __future__ import annotations

import django_filters
from django import forms

from projects.models import Department
from projects.models.results import RectificationSource, RectificationStatus
from projects.rectifications.selectors import overdue_q
from projects.review.forms import DATE

YES_NO = [("1", "是"), ("0", "否")]


def _departments(request):
    return Department.objects.for_user(request.user).order_by("code") if request else None


class RectificationFilter(django_filters.FilterSet):
    """Status, overdue, source, department and year, all by GET so a link keeps them."""

    status = django_filters.ChoiceFilter(
        label="状态", choices=RectificationStatus.choices, empty_label="全部状态"
    )
    overdue = django_filters.ChoiceFilter(
        label="已逾期", choices=YES_NO, method="filter_overdue", empty_label="不限"
    )
    source = django_filters.ChoiceFilter(
        label="来源", choices=RectificationSource.choices, empty_label="全部来源"
    )
    department = django_filters.ModelChoiceFilter(
        label="主管部门",
        field_name="unit__department",
        queryset=_departments,
        empty_label="全部部门",
    )
    year = django_filters.NumberFilter(label="年度")

    def filter_overdue(self, queryset, name, value):
        """Not closed and past the deadline (the same rule as the 已逾期 badge)."""
        return queryset.filter(overdue_q()) if value == "1" else queryset.exclude(overdue_q())


class RaiseForm(forms.Form):
    """A reviewer raises one item; the page is prefilled from the link that led to it."""

    source = forms.ChoiceField(label="来源", choices=RectificationSource.choices)
    problem = forms.CharField(
        label="存在的问题",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写存在的问题。"},
    )
    measures = forms.CharField(
        label="整改要求（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label="整改期限",
        widget=DATE,
        error_messages={"required": "请填写整改期限。", "invalid": "整改期限不是有效日期。"},
    )
    source_ref = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)


class ReportForm(forms.Form):
    """The unit's report: measures taken, evidence, progress."""

    measures = forms.CharField(
        label="整改措施",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写整改措施。"},
    )
    evidence = forms.CharField(
        label="整改佐证（文件名称、文号等）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    text = forms.CharField(
        label="整改进展",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写整改进展情况。"},
    )


class CloseForm(forms.Form):
    """销号, with a remark (required by the service when the unit has not reported)."""

    comment = forms.CharField(
        label="销号意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    """重新开启: a reason, and a new deadline if the old one has passed."""

    comment = forms.CharField(
        label="重新开启原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "重新开启须说明原因。"},
    )
    deadline = forms.DateField(
        label="新的整改期限（可选）",
        required=False,
        widget=DATE,
        error_messages={"invalid": "整改期限不是有效日期。"},
    )
