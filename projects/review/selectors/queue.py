"""The reviewer's queue: evaluations in the user's review scope with deadlines and overdue marks."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects import rules
from projects.access import DEPARTMENT_REVIEW, FINANCE_REVIEW, scope_for
from projects.models import DeadlineExtension, Evaluation, EvaluationStatus

S = EvaluationStatus
OPEN_STATUSES = (S.DRAFT, S.RETURNED)
SUBMITTED_STATUSES = (S.SUBMITTED, S.DEPARTMENT_APPROVED, S.APPROVED, S.PUBLISHED)
APPROVED_STATUSES = (S.APPROVED, S.PUBLISHED)


def is_reviewer(user) -> bool:
    """Department reviewers, finance reviewers and superusers work on the review pages."""
    return rules.is_reviewer.test(user)


def is_finance_reviewer(user) -> bool:
    """The finance bureau (or a superuser) issues tasks, spot-checks and sees the overview."""
    return rules.is_finance_reviewer.test(user)


def annotate_deadlines(queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Add `deadline` (the department's extension, else the task's) and `is_overdue`.

    Overdue means still with the filer (draft or returned) after the deadline: the mark every list
    shows. The filing workspace can use this on its own queryset.
    """
    today = today or timezone.localdate()
    extension = DeadlineExtension.objects.filter(
        task=OuterRef("task"), department=OuterRef("project__unit__department")
    ).values("deadline")[:1]
    return queryset.annotate(
        deadline=Coalesce(Subquery(extension), F("task__deadline"), output_field=DateField())
    ).annotate(
        is_overdue=Case(
            When(status__in=OPEN_STATUSES, deadline__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def awaiting_q(user) -> Q:
    """Filings waiting for this user's step: submitted for departments, approved for finance."""
    scope = scope_for(user)
    if scope.superuser:
        return Q(status__in=[S.SUBMITTED, S.DEPARTMENT_APPROVED])
    condition = Q(pk__in=[])
    if scope.department_ids:
        condition |= Q(status=S.SUBMITTED, project__unit__department__in=scope.department_ids)
    if scope.region_ids:
        condition |= Q(
            status=S.DEPARTMENT_APPROVED,
            project__unit__department__region__in=scope.region_ids,
        )
    return condition


def publishable_q(user) -> Q:
    """Approved filings this user may publish: the finance bureau's region, and the department
    reviewer's own department where the region lets departments publish."""
    scope = scope_for(user)
    if scope.superuser:
        return Q(status=S.APPROVED)
    condition = Q(pk__in=[])
    if scope.region_ids:
        condition |= Q(project__unit__department__region__in=scope.region_ids)
    if scope.department_ids:
        condition |= Q(
            project__unit__department__in=scope.department_ids,
            project__unit__department__region__department_publishes=True,
        )
    return Q(status=S.APPROVED) & condition


def review_scope(user) -> QuerySet:
    """Evaluations on the user's review pages: the department subtree and/or the region they
    review, and what they observe (人大, 审计: read only); never what they merely file."""
    queryset = Evaluation.objects.for_user(user, DEPARTMENT_REVIEW) | Evaluation.objects.for_user(
        user, FINANCE_REVIEW
    )
    scope = scope_for(user)
    if scope.observed_department_ids or scope.observed_region_ids:
        queryset = queryset | Evaluation.objects.filter(
            Q(project__unit__department__in=scope.observed_department_ids)
            | Q(project__unit__department__region__in=scope.observed_region_ids)
        )
    return queryset


def review_queue(user, today: datetime.date | None = None) -> QuerySet:
    """The queue's rows with everything the table shows, in a fixed number of queries.

    The stored result is kilobytes of JSON per row and the table needs only whether there is
    one (`is_scored`), so the JSON columns stay in the database.
    """
    return annotate_deadlines(
        review_scope(user)
        .select_related("project__unit__department", "task")
        .defer("result", "input_snapshot", "notes"),
        today,
    ).annotate(
        awaiting=Case(
            When(awaiting_q(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_scored=Case(
            When(result__isnull=False, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        publishable=Case(
            When(publishable_q(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
