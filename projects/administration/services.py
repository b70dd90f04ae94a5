"""Every change the finance bureau makes to its region: one keyword-only function per action.

Each function checks, inside its transaction and against the database rather than the cached
scope, that the acting user is the finance bureau of the region the object lies in, so a
membership removed a moment ago no longer lets anyone act. Each save carries the acting user and
a Chinese reason into django-simple-history, which the region's change history reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from projects.access import require_finance_bureau
from projects.models import Department, Membership, Project, Region, Unit

Role = Membership.Role

# What the bureau may set on a project; the form and the service both read this list.
PROJECT_FIELDS = (
    "unit",
    "year",
    "kind",
    "code",
    "name",
    "fund_type",
    "transfer_level",
    "money_unit",
    "goal_expected",
)


def require_bureau(user, region: Region) -> None:
    """Refuse (403) anyone but the region's finance bureau, read fresh inside the transaction."""
    require_finance_bureau(user, region, "只有本地区财政局可以管理本地区。")


def _stamp(obj, user, reason: str):
    """Carry who made the change and why into the history row the next save writes."""
    obj._history_user = user
    obj._change_reason = reason
    return obj


def _clean_and_save(obj, user, reason: str, **full_clean) -> None:
    """Validate like a form would (unique codes, constraints), then save with the history stamp."""
    _check_unique(obj)
    obj.full_clean(**full_clean)
    _stamp(obj, user, reason).save()


def _check_unique(obj) -> None:
    """Name the field a duplicate code or name sits in, in words the bureau uses.

    Django's own constraint message ("包含 地区 和 部门代码 的 主管部门 已经存在") lands above the
    form and reads like a database error.
    """
    model = type(obj)
    others = model._default_manager.exclude(pk=obj.pk) if obj.pk else model._default_manager
    errors = {}
    if model is Department:
        if others.filter(region_id=obj.region_id, code=obj.code).exists():
            errors["code"] = "本地区已有该部门代码。"
        if others.filter(region_id=obj.region_id, name=obj.name).exists():
            errors["name"] = "本地区已有同名主管部门。"
    elif model is Unit:
        if others.filter(department_id=obj.department_id, code=obj.code).exists():
            errors["code"] = "该主管部门下已有该单位代码。"
    elif model is Project:
        same_year = others.filter(unit_id=obj.unit_id, year=obj.year)
        if same_year.filter(code=obj.code).exists():
            errors["code"] = "该单位本年度已有该项目编码。"
        if (
            obj.kind == Project.Kind.DEPARTMENT_OVERALL
            and same_year.filter(kind=Project.Kind.DEPARTMENT_OVERALL).exists()
        ):
            errors["kind"] = "该单位本年度已有部门整体支出。"
    if errors:
        raise ValidationError(errors)


# ---- departments and units --------------------------------------------------------------------


@transaction.atomic
def department_create(*, region: Region, code: str, name: str, user) -> Department:
    """Add a 主管部门 to the region."""
    require_bureau(user, region)
    department = Department(region=region, code=code.strip(), name=name.strip())
    _clean_and_save(department, user, "新建主管部门")
    return department


@transaction.atomic
def department_update(*, department: Department, code: str, name: str, user) -> Department:
    """Rename a department or correct its code."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    require_bureau(user, department.region)
    department.code, department.name = code.strip(), name.strip()
    _clean_and_save(department, user, "修改主管部门")
    return department


@transaction.atomic
def department_set_active(*, department: Department, active: bool, user) -> Department:
    """Deactivate a department with its units (their filings stay), or bring it back alone.

    Units are not reactivated with their department: the bureau may have closed some on purpose.
    """
    department = Department.objects.select_for_update().get(pk=department.pk)
    require_bureau(user, department.region)
    department.is_active = active
    _stamp(department, user, "启用主管部门" if active else "停用主管部门").save()
    if not active:
        for unit in department.units.filter(is_active=True):
            unit.is_active = False
            _stamp(unit, user, "随主管部门停用").save()
    return department


@transaction.atomic
def unit_create(
    *, department: Department, code: str, name: str, is_department: bool = False, user
) -> Unit:
    """Add a 预算单位 under a department; `is_department` marks it as the department's 本级."""
    require_bureau(user, department.region)
    if not department.is_active:
        raise ValidationError({"department": "该主管部门已停用，不能新增单位。"})
    unit = Unit(
        department=department, code=code.strip(), name=name.strip(), is_department=is_department
    )
    _check_one_department_unit(unit)
    _clean_and_save(unit, user, "新建预算单位")
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, code: str, name: str, is_department: bool, user) -> Unit:
    """Rename a unit, correct its code or mark it as the department's 本级."""
    unit = Unit.objects.select_for_update().select_related("department__region").get(pk=unit.pk)
    require_bureau(user, unit.department.region)
    unit.code, unit.name, unit.is_department = code.strip(), name.strip(), is_department
    _check_one_department_unit(unit)
    _clean_and_save(unit, user, "修改预算单位")
    return unit


def _check_one_department_unit(unit: Unit) -> None:
    """A department has one 本级 unit; say so at the field instead of an integrity error."""
    if (
        unit.is_department
        and Unit.objects.filter(department_id=unit.department_id, is_department=True)
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise ValidationError({"is_department": "该主管部门已有本级单位。"})


@transaction.atomic
def unit_set_active(*, unit: Unit, active: bool, user) -> Unit:
    """Deactivate a unit (its filings and history stay) or bring it back."""
    unit = Unit.objects.select_for_update().select_related("department__region").get(pk=unit.pk)
    require_bureau(user, unit.department.region)
    if active and not unit.department.is_active:
        raise ValidationError("请先启用其主管部门。")
    unit.is_active = active
    _stamp(unit, user, "启用预算单位" if active else "停用预算单位").save()
    return unit


# ---- accounts and memberships -----------------------------------------------------------------


def account_region_ids(account) -> set[int]:
    """The regions an account's memberships lie in."""
    ids = set()
    for m in Membership.objects.filter(user=account).select_related(
        "unit__department", "department"
    ):
        if m.unit_id:
            ids.add(m.unit.department.region_id)
        elif m.department_id:
            ids.add(m.department.region_id)
        elif m.region_id:
            ids.add(m.region_id)
    return ids


def require_account_in_region(account, region: Region) -> None:
    """An account the bureau may touch: not a superuser, and every membership inside the region.

    Anything else is out of the bureau's reach and answers as if it did not exist.
    """
    from django.http import Http404

    if account.is_superuser or account_region_ids(account) != {region.pk}:
        raise Http404("未找到该用户。")


def _scope_kwargs(*, region: Region, role: str, unit=None, department=None) -> dict:
    """The membership's scope for a role, checked to lie inside the region."""
    if role == Role.FILER:
        if unit is None:
            raise ValidationError({"unit": "单位填报人须指定单位。"})
        if unit.department.region_id != region.pk:
            raise ValidationError({"unit": "该单位不属于本地区。"})
        if not unit.is_active:
            raise ValidationError({"unit": "该单位已停用。"})
        return {"unit": unit}
    if role == Role.DEPARTMENT_REVIEWER or (role == Role.OBSERVER and department is not None):
        if department is None:
            raise ValidationError({"department": "主管部门审核人须指定主管部门。"})
        if department.region_id != region.pk:
            raise ValidationError({"department": "该主管部门不属于本地区。"})
        if not department.is_active:
            raise ValidationError({"department": "该主管部门已停用。"})
        return {"department": department}
    if role in (Role.FINANCE_REVIEWER, Role.OBSERVER):
        return {"region": region}
    raise ValidationError({"role": "请选择角色。"})


def check_password(password: str, account) -> None:
    """Django's validators from settings, with their (Chinese) messages at the password field."""
    try:
        validate_password(password, user=account)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def account_create(
    *,
    region: Region,
    username: str,
    full_name: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    department: Department | None = None,
    user,
):
    """Create a user with one role in the region; an account never exists outside a region."""
    require_bureau(user, region)
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已存在。"})
    account = User(username=username, first_name=full_name.strip())
    scope = _scope_kwargs(region=region, role=role, unit=unit, department=department)
    check_password(password, account)
    account.set_password(password)
    account.full_clean(exclude=["password"])
    _stamp(account, user, "新建用户").save()
    membership = Membership(user=account, role=role, **scope)
    _stamp(membership, user, "授予角色").save()
    return account


@transaction.atomic
def account_update(*, account, region: Region, full_name: str, user):
    """Correct the name shown for a user."""
    require_bureau(user, region)
    require_account_in_region(account, region)
    account.first_name = full_name.strip()
    _stamp(account, user, "修改姓名").save(update_fields=["first_name"])
    return account


@transaction.atomic
def account_set_active(*, account, region: Region, active: bool, user):
    """Deactivate a user (they can no longer sign in; their filings stay) or reactivate them."""
    require_bureau(user, region)
    require_account_in_region(account, region)
    if not active and account.pk == user.pk:
        raise ValidationError("不能停用自己的账户。")
    account.is_active = active
    _stamp(account, user, "启用用户" if active else "停用用户").save(update_fields=["is_active"])
    return account


@transaction.atomic
def account_password_reset(*, account, region: Region, password: str, user):
    """Set a new password chosen by the bureau; the history records that it happened, not what."""
    require_bureau(user, region)
    require_account_in_region(account, region)
    check_password(password, account)
    account.set_password(password)
    _stamp(account, user, "重置密码").save()
    return account


@transaction.atomic
def membership_add(
    *,
    account,
    region: Region,
    role: str,
    unit: Unit | None = None,
    department: Department | None = None,
    user,
) -> Membership:
    """Give a user of the region one more role inside the region."""
    require_bureau(user, region)
    require_account_in_region(account, region)
    scope = _scope_kwargs(region=region, role=role, unit=unit, department=department)
    if Membership.objects.filter(user=account, role=role, **scope).exists():
        raise ValidationError({"role": "该用户已有此角色。"})
    membership = Membership(user=account, role=role, **scope)
    _stamp(membership, user, "授予角色").save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, region: Region, user) -> None:
    """Take one role away; the last one stays (deactivate the user instead), so no account is
    left belonging to no region, where no bureau could reach it again."""
    require_bureau(user, region)
    account = membership.user
    require_account_in_region(account, region)
    if Membership.objects.filter(user=account).count() <= 1:
        raise ValidationError("这是该用户的最后一个角色；如不再使用该账户，请停用用户。")
    if account.pk == user.pk and membership.role == Role.FINANCE_REVIEWER:
        raise ValidationError("不能取消自己的财政局审核人角色。")
    _stamp(membership, user, "取消角色").delete()


@transaction.atomic
def account_unlock(*, account, region: Region, user) -> int:
    """Lift a django-axes sign-in lock through axes' own API; returns the attempts cleared."""
    from axes.utils import reset

    require_bureau(user, region)
    require_account_in_region(account, region)
    return reset(username=account.username)


# ---- projects ---------------------------------------------------------------------------------


@transaction.atomic
def project_save(*, region: Region, user, project: Project | None = None, **fields) -> Project:
    """Create a unit's project for a year, or edit one, so the bureau can then issue tasks to it."""
    require_bureau(user, region)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"project fields not editable here: {sorted(unknown)}")
    if project is not None:
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.unit.department.region_id != region.pk:
            raise PermissionDenied("该项目不属于本地区。")
    else:
        project = Project()
    for name, value in fields.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    unit = project.unit
    if unit.department.region_id != region.pk:
        raise ValidationError({"unit": "该单位不属于本地区。"})
    reason = "修改项目" if project.pk else "新建项目"
    _clean_and_save(project, user, reason)
    return project


# ---- the organisation workbook ----------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import changed, for the message after it."""

    departments: int
    units: int
    accounts: int
    memberships: int


@transaction.atomic
def org_import(*, region: Region, rows, user) -> ImportResult:
    """Apply checked workbook rows (projects.administration.importer) all at once, idempotently.

    Existing codes keep their objects and take the workbook's names; existing users keep their
    password and gain the roles the workbook lists. Any error rolls the whole workbook back.
    """
    from projects.administration import importer

    require_bureau(user, region)
    errors = importer.check(region=region, rows=rows)
    if errors:
        raise ValidationError([str(e) for e in errors])
    counts = {"departments": 0, "units": 0, "accounts": 0, "memberships": 0}
    User = get_user_model()
    departments: dict[str, Department] = {}
    units: dict[tuple[str, str], Unit] = {}
    for row in rows:
        department = None
        if row.department_code:
            department = departments.get(row.department_code)
            if department is None:
                department = Department.objects.filter(
                    region=region, code=row.department_code
                ).first()
                if department is None:
                    department = Department(region=region, code=row.department_code)
                    counts["departments"] += 1
                if department.name != row.department_name or not department.pk:
                    department.name = row.department_name
                    _stamp(department, user, "导入组织架构").save()
                departments[row.department_code] = department
        unit = None
        if department is not None and row.unit_code:
            key = (row.department_code, row.unit_code)
            unit = units.get(key)
            if unit is None:
                unit = Unit.objects.filter(department=department, code=row.unit_code).first()
                if unit is None:
                    unit = Unit(department=department, code=row.unit_code)
                    counts["units"] += 1
                if (
                    not unit.pk
                    or unit.name != row.unit_name
                    or unit.is_department != row.is_department
                ):
                    unit.name, unit.is_department = row.unit_name, row.is_department
                    _stamp(unit, user, "导入组织架构").save()
                units[key] = unit
        if not row.username:
            continue
        account = User.objects.filter(username__iexact=row.username).first()
        if account is None:
            account = User(username=row.username, first_name=row.full_name)
            account.set_password(row.password)
            _stamp(account, user, "导入用户").save()
            counts["accounts"] += 1
        elif row.full_name and account.first_name != row.full_name:
            account.first_name = row.full_name
            _stamp(account, user, "导入用户").save(update_fields=["first_name"])
        scope = _scope_kwargs(region=region, role=row.role, unit=unit, department=department)
        if not Membership.objects.filter(user=account, role=row.role, **scope).exists():
            _stamp(Membership(user=account, role=row.role, **scope), user, "导入角色").save()
            counts["memberships"] += 1
    return ImportResult(**counts)
