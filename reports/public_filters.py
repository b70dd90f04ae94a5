"""The public index's search and filters (django-filter): name, department, year, grade, kind.

Every choice is read from what is published, so a filter never offers an empty or hidden option,
and its values are codes (地区代码:部门编码), never database keys.
"""

from __future__ import annotations

import unicodedata

import django_filters
from django.db.models import Q

from projects.models import Department, EvaluationStatus, Project

GRADE_CHOICES = [(g, g) for g in ("优", "良", "中", "差")]
KIND_CHOICES = [
    (Project.Kind.PROJECT, "项目支出"),
    (Project.Kind.DEPARTMENT_OVERALL, "部门整体支出"),
]
QUERY_MAX = 100


def _published_departments():
    rows = (
        Department.objects.filter(units__projects__evaluations__status=EvaluationStatus.PUBLISHED)
        .values_list("region__code", "code", "name", "region__name")
        .distinct()
        .order_by("region__name", "code")
    )
    return [
        (f"{region}:{code}", f"{name}（{region_name}）") for region, code, name, region_name in rows
    ]


def department_choices() -> list[tuple[str, str]]:
    """Departments that published something, valued by region and department code."""
    return _published_departments()


def year_choices(queryset) -> list[tuple[str, str]]:
    """The years with publications, newest first."""
    years = queryset.order_by().values_list("year", flat=True).distinct()
    return [(str(y), f"{y}年度") for y in sorted(years, reverse=True)]


class PublicationFilter(django_filters.FilterSet):
    """Search by project or unit name; filter by department, year, grade and kind of subject."""

    q = django_filters.CharFilter(label="项目或单位名称", method="filter_name")
    department = django_filters.ChoiceFilter(
        label="主管部门", method="filter_department", empty_label="全部部门"
    )
    year = django_filters.ChoiceFilter(label="年度", empty_label="全部年度")
    grade = django_filters.ChoiceFilter(
        label="自评等级", field_name="computed_grade", choices=GRADE_CHOICES, empty_label="全部等级"
    )
    kind = django_filters.ChoiceFilter(
        label="类型", field_name="project__kind", choices=KIND_CHOICES, empty_label="全部类型"
    )

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # Choices come from the published rows: read once per request, not per row.
        self.filters["department"].extra["choices"] = department_choices()
        self.filters["year"].extra["choices"] = year_choices(self.queryset)

    def filter_name(self, queryset, name, value):
        """A case-insensitive substring of the project's or the unit's name (Chinese or not).

        Full-width letters and digits are folded (NFKC) as the forms fold them; icontains is a
        LIKE on SQLite and UPPER(...) LIKE UPPER(...) on PostgreSQL, both fine for Chinese.
        """
        text = unicodedata.normalize("NFKC", value).strip()[:QUERY_MAX]
        if not text:
            return queryset
        return queryset.filter(
            Q(project__name__icontains=text) | Q(project__unit__name__icontains=text)
        )

    def filter_department(self, queryset, name, value):
        """The department named by region and department code."""
        region, _, code = value.partition(":")
        return queryset.filter(
            project__unit__department__region__code=region, project__unit__department__code=code
        )
