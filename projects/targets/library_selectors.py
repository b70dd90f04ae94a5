"""Reads of the common indicator library (共性指标库): a region's standard indicators with how
often each is used, and the regions a user may read it for."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from projects.access import scope_for
from projects.models import Indicator, LibraryIndicator, Region

LEVEL1_CHOICES = [(n, n) for n in ("产出指标", "效益指标", "满意度指标", "成本指标")]


def readable_regions(user) -> QuerySet:
    """The regions whose library the user may read: every region they belong to."""
    return Region.objects.for_user(user).order_by("name")


def can_keep(user, region: Region) -> bool:
    """True for the region's finance bureau (and a superuser): they keep the library."""
    scope = scope_for(user)
    return scope.superuser or region.pk in scope.region_ids


def library_queryset(
    region: Region,
    *,
    function: str = "",
    level1: str = "",
    level2: str = "",
    text: str = "",
    active: str = "",
) -> QuerySet:
    """The region's library narrowed by the filters, each row with its two usage counts.

    `uses_linked`: indicators chosen from the library (Indicator.library is that row);
    `uses_named`: other indicators of the region's projects whose 三级指标 is the same words.
    """
    rows = LibraryIndicator.objects.filter(region=region)
    if function:
        rows = rows.filter(function=function)
    if level1:
        rows = rows.filter(level1=level1)
    if level2:
        rows = rows.filter(level2__icontains=level2)
    if text:
        rows = rows.filter(
            Q(name__icontains=text)
            | Q(function__icontains=text)
            | Q(suggested_target__icontains=text)
            | Q(policy_source__icontains=text)
        )
    if active == "active":
        rows = rows.filter(is_active=True)
    elif active == "inactive":
        rows = rows.filter(is_active=False)
    named = (
        Indicator.objects.filter(
            project__unit__department__region=region, name=OuterRef("name"), library__isnull=True
        )
        .order_by()
        .values("name")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return rows.annotate(
        uses_linked=Count("uses", distinct=True),
        uses_named=Coalesce(Subquery(named, output_field=IntegerField()), 0),
    ).order_by("function", "level1", "level2", "name", "pk")


def functions_of(region: Region) -> list[str]:
    """The 适用领域 the region's library has, for the filter's choices."""
    return list(
        LibraryIndicator.objects.filter(region=region)
        .order_by("function")
        .values_list("function", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class LibraryRow:
    """One library indicator in words, with its usage."""

    pk: int
    function: str
    level1: str
    level2: str
    name: str
    unit_of_measure: str
    direction: str
    suggested_target: str
    policy_source: str
    is_active: bool
    uses_linked: int
    uses_named: int


def library_rows(indicators) -> list[LibraryRow]:
    """The page's library rows (from `library_queryset`), without further queries."""
    return [
        LibraryRow(
            pk=i.pk,
            function=i.function,
            level1=i.level1,
            level2=i.level2,
            name=i.name,
            unit_of_measure=i.unit_of_measure,
            direction=i.get_direction_display(),
            suggested_target=i.suggested_target,
            policy_source=i.policy_source,
            is_active=i.is_active,
            uses_linked=i.uses_linked,
            uses_named=i.uses_named,
        )
        for i in indicators
    ]
