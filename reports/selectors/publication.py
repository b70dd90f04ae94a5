"""What the public pages list: only published evaluations, grouped by region, year, department."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from projects.models import Department, Region
from reports.selectors.base import published_evaluations


@dataclass
class PublishedGroup:
    """A region and year with how many evaluations were published in it."""

    region_code: str
    region_name: str
    year: int
    count: int


def publication_groups() -> list[PublishedGroup]:
    """Every region and year with at least one published evaluation, newest year first."""
    rows = (
        published_evaluations()
        .values(
            "project__unit__department__region__code",
            "project__unit__department__region__name",
            "year",
        )
        .annotate(count=Count("pk"))
        .order_by("-year", "project__unit__department__region__name")
    )
    return [
        PublishedGroup(
            r["project__unit__department__region__code"],
            r["project__unit__department__region__name"],
            r["year"],
            r["count"],
        )
        for r in rows
    ]


def published_region(code: str) -> Region:
    """A region that has published something; 404 otherwise (no empty pages to probe)."""
    region = Region.objects.filter(code=code).first()
    if (
        region is None
        or not published_evaluations().filter(project__unit__department__region=region).exists()
    ):
        raise Http404("该地区暂无公开的自评信息。")
    return region


def published_departments(region: Region, year: int) -> list[tuple[Department, int]]:
    """Departments of a region with published evaluations in a year, with their counts."""
    counts = dict(
        published_evaluations()
        .filter(project__unit__department__region=region, year=year)
        .values_list("project__unit__department")
        .annotate(count=Count("pk"))
        .values_list("project__unit__department", "count")
    )
    if not counts:
        raise Http404("该年度暂无公开的自评信息。")
    departments = Department.objects.filter(pk__in=counts).order_by("code", "pk")
    return [(d, counts[d.pk]) for d in departments]


def published_department(region: Region, year: int, code: str) -> Department:
    """A department with something published in that year; 404 otherwise."""
    department = (
        Department.objects.filter(region=region, code=code).select_related("region").first()
    )
    if (
        department is None
        or not published_evaluations()
        .filter(project__unit__department=department, year=year)
        .exists()
    ):
        raise Http404("该部门该年度暂无公开的自评信息。")
    return department
