"""Integration clients of the JSON API (/api/): one token per client, bound to a region and a role.

A client acts through its own service account: the account holds the memberships of the client's
role, so the one row-level gate (`for_user`) and the write services apply to the API unchanged,
and the history names the client on every row it writes. Only the token's SHA-256 digest is
stored; the token itself is shown once, when the finance bureau creates the client.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from projects.models.org import Department, Region


class ApiClient(models.Model):
    """One system that calls the API (预算管理一体化系统, a department's own system …)."""

    class Role(models.TextChoices):
        FINANCE = "finance", "财政局（导入项目和目标、推送执行数、查询）"
        DEPARTMENT = "department", "主管部门（本部门推送执行数、查询）"
        OBSERVER = "observer", "只读查询"

    name = models.CharField("客户端名称", max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="api_clients", verbose_name="地区"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_clients",
        verbose_name="主管部门",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        verbose_name="接口账户",
    )
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    token_prefix = models.CharField("令牌前缀", max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="吊销人",
    )
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["region", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="department", department__isnull=False)
                | (~Q(role="department") & Q(department__isnull=True)),
                name="api_client_department_matches_role",
                violation_error_message="主管部门客户端须指定主管部门，其他角色不指定。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.name}"

    @property
    def is_active(self) -> bool:
        """A revoked client's token answers 401 from the moment of revocation."""
        return self.revoked_at is None
