"""What the region administration pages read: the bureau's region, the tree, users, history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from projects.access import scope_for
from projects.models import Department, Membership, Project, Region, Unit

Role = Membership.Role


def bureau_regions(user):
    """Regions whose finance bureau the user is (every region for a superuser)."""
    scope = scope_for(user)
    regions = (
        Region.objects.all() if scope.superuser else Region.objects.filter(pk__in=scope.region_ids)
    )
    return regions.order_by("name")


def bureau_region(user, region_pk: int) -> Region:
    """The region an administration page works on: 404 outside the user's reach, 403 inside it
    without the finance bureau's role (a filer, a department reviewer or an observer there)."""
    region = bureau_regions(user).filter(pk=region_pk).first()
    if region is not None:
        return region
    if Region.objects.for_user(user).filter(pk=region_pk).exists():
        raise PermissionDenied("只有本地区财政局可以管理本地区。")
    raise Http404("未找到该地区。")


def department_tree(region: Region) -> list[Department]:
    """The region's departments with their units (本级 first), active ones first."""
    units = Unit.objects.order_by("-is_department", "code")
    return list(
        Department.objects.filter(region=region)
        .order_by("-is_active", "code")
        .prefetch_related(Prefetch("units", queryset=units))
    )


def region_units(region: Region, *, active_only: bool = True):
    """Units of the region, for choice fields."""
    units = Unit.objects.filter(department__region=region).select_related("department")
    if active_only:
        units = units.filter(is_active=True, department__is_active=True)
    return units.order_by("department__code", "-is_department", "code")


def region_departments(region: Region, *, active_only: bool = True):
    """Departments of the region, for choice fields."""
    departments = Department.objects.filter(region=region)
    if active_only:
        departments = departments.filter(is_active=True)
    return departments.order_by("code")


def _membership_in_region(region: Region) -> Q:
    return Q(unit__department__region=region) | Q(department__region=region) | Q(region=region)


def region_accounts(region: Region):
    """Users whose every membership lies in the region (others belong to no one bureau)."""
    User = get_user_model()
    inside = Membership.objects.filter(_membership_in_region(region)).values("user_id")
    outside = Membership.objects.exclude(_membership_in_region(region)).values("user_id")
    return (
        # An API client's service account is kept on the clients page, never signed in with.
        User.objects.filter(pk__in=inside, is_superuser=False, api_client__isnull=True)
        .exclude(pk__in=outside)
        .order_by("username")
    )


def region_account(region: Region, pk: int):
    """One user of the region, else 404 (another region's, a superuser, nobody's)."""
    account = region_accounts(region).filter(pk=pk).first()
    if account is None:
        raise Http404("未找到该用户。")
    return account


@dataclass
class AccountRow:
    """A user with their roles in words and whether a sign-in lock holds them."""

    account: object
    memberships: list
    locked: bool


def locked_usernames(usernames) -> set[str]:
    """Usernames django-axes currently refuses (failures at the limit within the cool-off)."""
    from axes.models import AccessAttempt

    limit = settings.AXES_FAILURE_LIMIT
    since = timezone.now() - _cool_off()
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames), failures_since_start__gte=limit, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


def _cool_off() -> timedelta:
    from axes.helpers import get_cool_off

    return get_cool_off() or timedelta(days=36500)


def account_rows(region: Region) -> list[AccountRow]:
    """The region's users for the user list, memberships and locks read in three queries."""
    memberships = Membership.objects.select_related("unit__department", "department", "region")
    accounts = list(
        region_accounts(region).prefetch_related(Prefetch("memberships", queryset=memberships))
    )
    locked = locked_usernames(a.username for a in accounts)
    return [AccountRow(a, list(a.memberships.all()), a.username in locked) for a in accounts]


def region_projects(region: Region, year: int | None = None):
    """The region's projects of a year, unit and department read with them."""
    projects = Project.objects.filter(unit__department__region=region).select_related(
        "unit__department"
    )
    if year:
        projects = projects.filter(year=year)
    return projects.order_by("unit__department__code", "unit__code", "code")


def project_years(region: Region) -> list[int]:
    """Years the region has projects for, latest first."""
    return list(
        Project.objects.filter(unit__department__region=region)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


# ---- change history ---------------------------------------------------------------------------

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
HISTORY_LIMIT = 200


@dataclass
class Change:
    """One line of the region's history, in words."""

    when: datetime
    who: str
    kind: str
    what: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _words(model, name: str, value, names: dict) -> str:
    """A stored value as a person reads it: choices by label, links by name, flags as 是/否."""
    try:
        field_ = model._meta.get_field(name)
    except Exception:  # a field dropped since
        return str(value)
    if value is None or value == "":
        return "（空）"
    if field_.is_relation:
        return names.get((field_.related_model, value), f"（已删除，编号 {value}）")
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _history_sets(region: Region):
    """(model, historical queryset) for every kind of object the region's history covers."""
    User = get_user_model()
    department_ids = list(Department.objects.filter(region=region).values_list("pk", flat=True))
    unit_ids = list(Unit.objects.filter(department__region=region).values_list("pk", flat=True))
    account_ids = list(region_accounts(region).values_list("pk", flat=True))
    return [
        (Region, Region.history.filter(id=region.pk)),
        (Department, Department.history.filter(region_id=region.pk)),
        (Unit, Unit.history.filter(department_id__in=department_ids)),
        (
            Membership,
            Membership.history.filter(
                Q(region_id=region.pk)
                | Q(department_id__in=department_ids)
                | Q(unit_id__in=unit_ids)
            ),
        ),
        (User, User.history.filter(id__in=account_ids)),
        (Project, Project.history.filter(unit_id__in=unit_ids)),
    ]


def region_history(region: Region, limit: int = HISTORY_LIMIT) -> list[Change]:
    """The latest changes to the region's organisation, users, roles and projects, in words.

    Each record is compared with the record before it of the same object; two queries per kind of
    object, whatever the number of lines.
    """
    User = get_user_model()
    picked = []
    for model, records in _history_sets(region):
        latest = list(records.select_related("history_user").order_by("-history_date")[:limit])
        ids = {r.id for r in latest}
        earlier: dict[int, list] = {}
        for r in records.model.objects.filter(id__in=ids).order_by("history_date", "history_id"):
            earlier.setdefault(r.id, []).append(r)
        for record in latest:
            chain = earlier.get(record.id, [])
            position = next(
                (i for i, r in enumerate(chain) if r.history_id == record.history_id), 0
            )
            previous = chain[position - 1] if position > 0 else None
            picked.append((model, record, previous))
    picked.sort(key=lambda item: item[1].history_date, reverse=True)
    picked = picked[:limit]
    names = _related_names(picked)
    lines = []
    for model, record, previous in picked:
        tracked = [
            f.name
            for f in record.instance_type._meta.fields
            if f.name not in ("id",) and hasattr(record, f.attname)
        ]
        changes = []
        if record.history_type == "~" and previous is not None:
            for name in tracked:
                attname = record.instance_type._meta.get_field(name).attname
                before, after = getattr(previous, attname), getattr(record, attname)
                if before != after:
                    changes.append(
                        (
                            _label(model, name),
                            _words(model, name, before, names),
                            _words(model, name, after, names),
                        )
                    )
        who = record.history_user
        lines.append(
            Change(
                when=record.history_date,
                who=(who.get_full_name() or who.username) if who else "系统",
                kind=str(model._meta.verbose_name) if model is not User else "用户",
                what=_describe(model, record, names),
                action=ACTIONS.get(record.history_type, ""),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return lines


def _describe(model, record, names) -> str:
    """The object a line is about, named as people know it."""
    User = get_user_model()
    if model is User:
        full = f"{record.first_name}{record.last_name}".strip()
        return f"{record.username}（{full}）" if full else record.username
    if model is Membership:
        who = names.get((User, record.user_id), f"用户 {record.user_id}")
        where_model, where_id = (
            (Unit, record.unit_id)
            if record.unit_id
            else (Department, record.department_id)
            if record.department_id
            else (Region, record.region_id)
        )
        where = names.get((where_model, where_id), "")
        return f"{who} · {Role(record.role).label} · {where}"
    if model is Project:
        return f"{record.year} {record.name}"
    return str(getattr(record, "name", record.id))


def _related_names(picked) -> dict:
    """Names of every object a line links to, read in one query per kind."""
    User = get_user_model()
    wanted: dict = {}
    for model, record, previous in picked:
        for r in (record, previous):
            if r is None:
                continue
            for f in model._meta.fields:
                if f.is_relation and f.related_model in (Region, Department, Unit, User):
                    value = getattr(r, f.attname, None)
                    if value is not None:
                        wanted.setdefault(f.related_model, set()).add(value)
    names = {}
    for related, ids in wanted.items():
        for obj in related.objects.filter(pk__in=ids):
            label = obj.username if related is User else str(obj)
            if related is User and obj.get_full_name():
                label = f"{obj.username}（{obj.get_full_name()}）"
            names[(related, obj.pk)] = label
    return names
