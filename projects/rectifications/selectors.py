"""Reads of 整改: lists scoped to the user, one item with its steps, the panels other pages show.

Overdue is computed, never stored: an item not yet closed whose deadline is before today. Every
list annotates it (`is_overdue`) so the 已逾期 badge is the same wherever an item is listed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from projects.access import DEPARTMENT_REVIEW, FILE, FINANCE_REVIEW, VIEW, scope_for
from projects.models.results import Rectification, RectificationStatus, RectificationStep

Status = RectificationStatus
PANEL_SIZE = 10


def overdue_q(today: datetime.date | None = None) -> Q:
    """Not closed and past its deadline."""
    today = today or timezone.localdate()
    return ~Q(status=Status.CLOSED) & Q(deadline__lt=today)


def with_overdue(queryset: QuerySet) -> QuerySet:
    """The queryset with `is_overdue` and the joins every listing reads."""
    return queryset.select_related("unit__department", "project").annotate(
        is_overdue=Case(
            When(overdue_q(), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def rectification_list(user) -> QuerySet:
    """Every item the user may read (unit filers: theirs; reviewers: their department or
    region; observers: what they observe), overdue and open first, then by deadline."""
    return with_overdue(Rectification.objects.for_user(user, VIEW)).order_by(
        "-is_overdue", "status", "deadline", "pk"
    )


@dataclass(frozen=True)
class ItemPage:
    """One item, its steps and what the user may do with it."""

    item: Rectification
    steps: list[RectificationStep]
    can_report: bool
    can_review: bool
    can_close: bool
    can_reopen: bool


def reviews_unit(user, unit) -> bool:
    """The user is a reviewer over the unit (per-request scope; the services re-check)."""
    scope = scope_for(user)
    return (
        scope.superuser
        or unit.department_id in scope.department_ids
        or unit.department.region_id in scope.region_ids
    )


def item_page(item: Rectification, user) -> ItemPage:
    """The detail page's context: steps with their actors, forms shown only to who may act."""
    scope = scope_for(user)
    steps = list(item.steps.select_related("actor").order_by("created_at", "pk"))
    reviewer = reviews_unit(user, item.unit)
    filer = scope.superuser or item.unit_id in scope.unit_ids
    return ItemPage(
        item=item,
        steps=steps,
        can_report=filer and item.status == Status.OPEN,
        can_review=reviewer,
        can_close=reviewer and item.status != Status.CLOSED,
        can_reopen=reviewer and item.status != Status.OPEN,
    )


def unit_open_items(user) -> dict:
    """The filer's workspace panel: items of the user's units not yet closed, overdue first."""
    rows = list(
        with_overdue(
            Rectification.objects.for_user(user, FILE).exclude(status=Status.CLOSED)
        ).order_by("-is_overdue", "deadline", "pk")[: PANEL_SIZE + 1]
    )
    return {
        "items": rows[:PANEL_SIZE],
        "more": len(rows) > PANEL_SIZE,
        "overdue": sum(1 for r in rows if r.is_overdue),
    }


def awaiting_close(user) -> dict:
    """The reviewer's first-page panel: items reported by units and waiting for 销号."""
    base = Rectification.objects.for_user(user, DEPARTMENT_REVIEW) | (
        Rectification.objects.for_user(user, FINANCE_REVIEW)
    )
    rows = list(
        with_overdue(base.filter(status=Status.REPORTED)).order_by("deadline", "pk")[
            : PANEL_SIZE + 1
        ]
    )
    return {"items": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE}


def previous_project_q(declaration) -> Q:
    """The subject a declaration continues: its rollover source, else the unit's project with
    the same code in the year before (as a condition on `project`, so no extra read)."""
    if declaration.rolled_from_id:
        return Q(project_id=declaration.rolled_from_id)
    project = declaration.project
    return Q(
        project__unit_id=project.unit_id, project__code=project.code, project__year=project.year - 1
    )


def declaration_open_items(declaration) -> list[Rectification]:
    """The 整改 items still open on the project the declaration continues, in one query."""
    return list(
        with_overdue(
            Rectification.objects.filter(previous_project_q(declaration)).exclude(
                status=Status.CLOSED
            )
        ).order_by("deadline", "pk")
    )
