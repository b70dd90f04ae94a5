"""Forms of the target review: the list's filters; approving, returning and correcting a target
take the review's own forms (projects.review.forms), as the transitions are the one workflow's."""

from __future__ import annotations

import django_filters

from projects.filters import _departments
from projects.models import EvaluationStatus
from projects.review.forms import ApproveForm, ReturnForm, TargetCorrectForm
from projects.targets.review_selectors import FINDINGS_CHOICES, list_queryset

__all__ = ["ApproveForm", "DeclarationFilter", "ReturnForm", "TargetCorrectForm"]


class DeclarationFilter(django_filters.FilterSet):
    """The declarations list's filters: year, department, status, and findings."""

    year = django_filters.NumberFilter(label="年度", field_name="project__year")
    department = django_filters.ModelChoiceFilter(
        label="主管部门",
        field_name="project__unit__department",
        queryset=_departments,
        empty_label="全部部门",
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=EvaluationStatus.choices, empty_label="全部状态"
    )
    findings = django_filters.ChoiceFilter(
        label="审核提示", choices=FINDINGS_CHOICES, method="by_findings", empty_label="全部"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["year"].error_messages["invalid"] = "请输入年份数字。"

    def by_findings(self, queryset, name, value):
        """Declarations whose stored quality checks found errors, warnings, or either."""
        return list_queryset(queryset, findings=value)
