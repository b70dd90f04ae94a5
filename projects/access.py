"""The one row-level gate: every department-owned queryset narrows itself to what a user may see.

A user's scope comes from their memberships: a filer sees their unit, a department reviewer the
department's subtree, a finance reviewer the whole region. Views start from `for_user`; an object
outside the scope is a 404, inside the scope without the role for the action a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404

VIEW = "view"
FILE = "file"
DEPARTMENT_REVIEW = "department_review"
FINANCE_REVIEW = "finance_review"
ACTIONS = {VIEW, FILE, DEPARTMENT_REVIEW, FINANCE_REVIEW}


@dataclass(frozen=True)
class Scope:
    """The ids a user reaches through each role; computed once per request."""

    superuser: bool
    unit_ids: frozenset[int]
    department_ids: frozenset[int]
    region_ids: frozenset[int]
    # Read-only observers (人大, 审计): they see a department or a region and act on nothing.
    observed_department_ids: frozenset[int] = frozenset()
    observed_region_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        """True for a user with no membership at all."""
        return not (
            self.superuser
            or self.unit_ids
            or self.department_ids
            or self.region_ids
            or self.observed_department_ids
            or self.observed_region_ids
        )

    @property
    def is_observer_only(self) -> bool:
        """True for a user who may read somewhere and act nowhere."""
        return bool(
            (self.observed_department_ids or self.observed_region_ids)
            and not (self.superuser or self.unit_ids or self.department_ids or self.region_ids)
        )

    @property
    def viewed_department_ids(self) -> frozenset[int]:
        """Departments seen through a reviewer's or an observer's membership."""
        return self.department_ids | self.observed_department_ids

    @property
    def viewed_region_ids(self) -> frozenset[int]:
        """Regions seen through a finance reviewer's or an observer's membership."""
        return self.region_ids | self.observed_region_ids


def scope_for(user) -> Scope:
    """Return (and cache on the user object) the user's scope from their memberships."""
    cached = getattr(user, "_selfeval_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(False, frozenset(), frozenset(), frozenset())
    else:
        from projects.models import Membership

        rows = list(
            Membership.objects.filter(user=user).values_list(
                "role", "unit_id", "department_id", "region_id"
            )
        )
        scope = Scope(
            superuser=user.is_superuser,
            unit_ids=frozenset(u for r, u, _, _ in rows if r == Membership.Role.FILER and u),
            department_ids=frozenset(
                d for r, _, d, _ in rows if r == Membership.Role.DEPARTMENT_REVIEWER and d
            ),
            region_ids=frozenset(
                g for r, _, _, g in rows if r == Membership.Role.FINANCE_REVIEWER and g
            ),
            observed_department_ids=frozenset(
                d for r, _, d, _ in rows if r == Membership.Role.OBSERVER and d
            ),
            observed_region_ids=frozenset(
                g for r, _, _, g in rows if r == Membership.Role.OBSERVER and g
            ),
        )
    user._selfeval_scope = scope
    return scope


def _join(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its model to the owning unit (`unit_path`)."""

    unit_path: str = "unit"

    def _unit_field(self, suffix: str) -> str:
        # unit_path "" means the model is the unit itself.
        if self.unit_path:
            return f"{self.unit_path}__{suffix}" if suffix else self.unit_path
        return suffix or "pk"

    def for_user(self, user, action: str = VIEW) -> ScopedQuerySet:
        """Narrow to the rows the user may `action`; superusers see everything."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        scope = scope_for(user)
        if scope.superuser:
            return self.all()
        condition = Q(pk__in=[])
        by_unit = Q(**{f"{self._unit_field('')}__in": scope.unit_ids})
        by_department = Q(**{f"{self._unit_field('department')}__in": scope.department_ids})
        by_region = Q(**{f"{self._unit_field('department__region')}__in": scope.region_ids})
        if action == VIEW:
            if scope.unit_ids:
                condition |= by_unit
            if scope.viewed_department_ids:
                condition |= Q(
                    **{f"{self._unit_field('department')}__in": scope.viewed_department_ids}
                )
            if scope.viewed_region_ids:
                condition |= Q(
                    **{f"{self._unit_field('department__region')}__in": scope.viewed_region_ids}
                )
        elif action == FILE and scope.unit_ids:
            condition = by_unit
        elif action == DEPARTMENT_REVIEW and scope.department_ids:
            condition = by_department
        elif action == FINANCE_REVIEW and scope.region_ids:
            condition = by_region
        return self.filter(condition)


def scoped_queryset(unit_path: str) -> type[ScopedQuerySet]:
    """Build a ScopedQuerySet subclass for a model whose unit sits at `unit_path`."""
    return type(
        f"ScopedQuerySet_{unit_path or 'unit'}", (ScopedQuerySet,), {"unit_path": unit_path}
    )


def get_for_user(queryset: ScopedQuerySet, user, action: str = VIEW, **lookup):
    """Fetch one object: 404 outside the user's scope, PermissionDenied (403) without the role."""
    from django.core.exceptions import PermissionDenied

    try:
        obj = queryset.for_user(user, VIEW).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("未找到该记录，或您无权查看。") from exc
    if action != VIEW and not queryset.for_user(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("您没有执行此操作的权限。")
    return obj


def require_finance_bureau(user, region, message: str = "只有本地区财政局可以执行此操作。") -> None:
    """Refuse (403) anyone but an active finance reviewer of the region or a superuser.

    Read from the database, not the per-request scope cache, so that a check made inside a
    transaction sees a role removed since the page was opened.
    """
    from django.core.exceptions import PermissionDenied

    from projects.models import Membership

    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied(message)
    if user.is_superuser:
        return
    if not Membership.objects.filter(
        user=user, role=Membership.Role.FINANCE_REVIEWER, region=region
    ).exists():
        raise PermissionDenied(message)
