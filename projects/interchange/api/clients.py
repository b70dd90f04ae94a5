"""Integration clients: create and revoke their tokens, keep their service accounts' roles.

A client acts through a service account holding the memberships of its role, so the one gate
(`for_user`) and every write service treat an API call as they treat the same person on the
page, and simple_history records the account (named after the client) on each row it writes:

- 财政局 (finance): finance reviewer of the region, plus filer of each unit and reviewer of each
  department of the region, since the data it brings (budgets, targets, payments) is entered
  for the units and approved targets pass through the one workflow;
- 主管部门 (department): reviewer of its department and filer of the department's units;
- 只读 (observer): an observer of the region, who reads and acts on nothing.

Only the SHA-256 digest of a token is stored; the token is returned once, at creation.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from projects.access import require_finance_bureau
from projects.models import ApiClient, Department, Membership, Region, Unit

Role = Membership.Role
TOKEN_PREFIX = "se_"
# last_used_at is written at most this often, so that reads do not each cost a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_bureau(user, region: Region) -> None:
    require_finance_bureau(user, region, "只有本地区财政局可以管理接口客户端。")


def _wanted_memberships(client: ApiClient) -> set[tuple[str, int | None, int | None, int | None]]:
    """(role, unit, department, region) rows the client's account should hold."""
    if client.role == ApiClient.Role.OBSERVER:
        return {(Role.OBSERVER, None, None, client.region_id)}
    if client.role == ApiClient.Role.DEPARTMENT:
        units = Unit.objects.filter(department_id=client.department_id)
        wanted = {(Role.DEPARTMENT_REVIEWER, None, client.department_id, None)}
    else:
        units = Unit.objects.filter(department__region_id=client.region_id)
        departments = Department.objects.filter(region_id=client.region_id)
        wanted = {(Role.FINANCE_REVIEWER, None, None, client.region_id)}
        wanted |= {
            (Role.DEPARTMENT_REVIEWER, None, pk, None)
            for pk in departments.values_list("pk", flat=True)
        }
    wanted |= {(Role.FILER, pk, None, None) for pk in units.values_list("pk", flat=True)}
    return wanted


def sync_memberships(client: ApiClient, *, actor=None) -> int:
    """Give the client's account the roles its scope needs now (units added since included)."""
    held = set(
        Membership.objects.filter(user_id=client.user_id).values_list(
            "role", "unit_id", "department_id", "region_id"
        )
    )
    missing = _wanted_memberships(client) - held
    for role, unit_id, department_id, region_id in sorted(missing, key=str):
        membership = Membership(
            user_id=client.user_id,
            role=role,
            unit_id=unit_id,
            department_id=department_id,
            region_id=region_id,
        )
        membership._history_user = actor or client.user
        membership._change_reason = f"接口客户端“{client.name}”的授权"
        membership.save()
    if missing:
        client.user.__dict__.pop("_selfeval_scope", None)
    return len(missing)


@transaction.atomic
def api_client_create(
    *, region: Region, name: str, role: str, user, department: Department | None = None
) -> tuple[ApiClient, str]:
    """Create a client and its service account; return the client and its token (shown once)."""
    _require_bureau(user, region)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写客户端名称。"
    elif ApiClient.objects.filter(region=region, name=name, revoked_at__isnull=True).exists():
        errors["name"] = "本地区已有同名的有效客户端。"
    if role not in ApiClient.Role.values:
        errors["role"] = "请选择角色。"
    if role == ApiClient.Role.DEPARTMENT:
        if department is None:
            errors["department"] = "主管部门客户端须指定主管部门。"
        elif department.region_id != region.pk:
            errors["department"] = "该主管部门不属于本地区。"
    else:
        department = None
    if errors:
        raise ValidationError(errors)
    account = get_user_model()(
        username=f"api-{secrets.token_hex(6)}", first_name=f"接口：{name}"[:150]
    )
    account.set_unusable_password()
    account._history_user = user
    account._change_reason = "创建接口客户端"
    account.save()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        region=region,
        role=role,
        department=department,
        user=account,
        token_hash=token_digest(token),
        token_prefix=token[:10],
        created_by=user,
    )
    client.full_clean(exclude=["user", "token_hash", "token_prefix"])
    client.save()
    sync_memberships(client, actor=user)
    return client, token


@transaction.atomic
def api_client_revoke(*, client: ApiClient, region: Region, user) -> ApiClient:
    """Revoke a client: its token answers 401 from now on and its account can no longer act."""
    _require_bureau(user, region)
    client = ApiClient.objects.select_for_update().select_related("user").get(pk=client.pk)
    if client.region_id != region.pk:
        raise ValidationError("该客户端不属于本地区。")
    if client.revoked_at is not None:
        return client
    client.revoked_at = timezone.now()
    client.revoked_by = user
    client.save(update_fields=["revoked_at", "revoked_by"])
    account = client.user
    account.is_active = False
    account._history_user = user
    account._change_reason = f"吊销接口客户端“{client.name}”"
    account.save(update_fields=["is_active"])
    return client


def client_for_token(token: str) -> ApiClient | None:
    """The active client a token belongs to, or None (unknown, revoked, or account disabled)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    client = (
        ApiClient.objects.select_related("user", "region", "department")
        .filter(token_hash=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if client is None:
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
