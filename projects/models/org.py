"""Organisations: regions with their finance bureau, departments, units and memberships."""

import contextlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.access import ScopedQuerySet, scope_for

# The signature block under a printed 自评表 and at the end of a report, in the national order.
# Regions print their own labels (seed 002: 部门单位名称（公章）… 填报时间), set in the admin.
DEFAULT_SIGNATURE_FIELDS = ("填报单位（公章）", "单位负责人", "填报人", "联系电话", "填报日期")


def default_signature_fields() -> list[str]:
    """A fresh list for each new region (a JSONField default must be a callable)."""
    return list(DEFAULT_SIGNATURE_FIELDS)


class RegionQuerySet(models.QuerySet):
    """Regions a user reaches through any membership."""

    def for_user(self, user, action: str = "view"):
        """Narrow to regions of the user's memberships."""
        scope = scope_for(user)
        if scope.superuser:
            return self.all()
        return self.filter(
            Q(pk__in=scope.viewed_region_ids)
            | Q(departments__pk__in=scope.viewed_department_ids)
            | Q(departments__units__pk__in=scope.unit_ids)
        ).distinct()


class Region(models.Model):
    """An administrative region and its finance bureau (财政局), which owns the rule set."""

    class TableVariant(models.TextChoices):
        NATIONAL = "national", "全国通用格式"
        THREE_COLUMN_TARGET = "three_column_target", "指标性质/指标值/度量单位 三列格式"

    name = models.CharField("地区", max_length=100, unique=True)
    code = models.CharField("地区代码", max_length=50, unique=True)
    finance_bureau = models.CharField("财政部门", max_length=100, blank=True)
    rule_set_id = models.CharField("评分规则", max_length=100, default="national-2020")
    table_variant = models.CharField(
        "自评表格式", max_length=30, choices=TableVariant.choices, default=TableVariant.NATIONAL
    )
    signature_fields = models.JSONField(
        "签章栏",
        default=default_signature_fields,
        blank=True,
        help_text="打印在自评表和自评报告末尾的签章栏项目，按顺序排列；留空则使用全国通用格式。",
    )
    department_publishes = models.BooleanField(
        "主管部门可公开",
        default=False,
        help_text="允许主管部门将本部门审核通过的自评报告向社会公开（种子文件004：由主管部门公开）。",
    )

    history = HistoricalRecords(verbose_name="地区变更记录")

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "地区"
        verbose_name_plural = "地区"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def signature_labels(self) -> tuple[str, ...]:
        """The labels to print: the region's own, or the national ones when none are set."""
        labels = [str(label).strip() for label in self.signature_fields or []]
        return tuple(label for label in labels if label) or DEFAULT_SIGNATURE_FIELDS


class RegionRuleSet(models.Model):
    """The rule set a region scores with from one evaluation year on, until its next entry.

    Rules by date, as OpenFisca resolves parameters by period: an evaluation of year Y is scored
    under the entry with the latest effective_from_year not after Y; before the first entry the
    region's own rule_set_id applies. So switching a region's rules for 2025 never re-scores
    its 2024 filings.
    """

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="rule_set_years", verbose_name="地区"
    )
    effective_from_year = models.PositiveSmallIntegerField(
        "起始年度", help_text="自该年度（含）起的自评按此规则评分，直到下一条记录的年度。"
    )
    rule_set_id = models.CharField(
        "评分规则",
        max_length=100,
        help_text="规则集标识；可写“标识@版本”固定某一版本，否则按该年度适用的版本。",
    )

    history = HistoricalRecords(verbose_name="地区评分规则变更记录")

    class Meta:
        verbose_name = "地区评分规则（按年度）"
        verbose_name_plural = "地区评分规则（按年度）"
        ordering = ["region", "effective_from_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from_year"], name="region_rule_set_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(effective_from_year__gte=2000, effective_from_year__lte=2100),
                name="region_rule_set_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region}：{self.effective_from_year} 年度起 {self.rule_set_id}"


class DepartmentQuerySet(models.QuerySet):
    """Departments a user reaches: their own, their unit's, or every one of their region."""

    def for_user(self, user, action: str = "view"):
        """Narrow to departments in the user's scope."""
        scope = scope_for(user)
        if scope.superuser:
            return self.all()
        return self.filter(
            Q(pk__in=scope.viewed_department_ids)
            | Q(region__pk__in=scope.viewed_region_ids)
            | Q(units__pk__in=scope.unit_ids)
        ).distinct()


class Department(models.Model):
    """A 主管部门; its subordinate units file, its reviewers approve their filings."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name="地区"
    )
    name = models.CharField("主管部门", max_length=200)
    code = models.CharField("部门代码", max_length=50)
    is_active = models.BooleanField("启用", default=True)

    objects = DepartmentQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="主管部门变更记录")

    class Meta:
        verbose_name = "主管部门"
        verbose_name_plural = "主管部门"
        ordering = ["region", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="department_code_unique"),
            models.UniqueConstraint(fields=["region", "name"], name="department_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(ScopedQuerySet):
    """Units scoped by the gate; the unit is its own owner."""

    unit_path = ""


class Unit(models.Model):
    """A 预算单位 that spends and files; a department is also a unit of itself (is_department)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="units", verbose_name="主管部门"
    )
    name = models.CharField("单位名称", max_length=200)
    code = models.CharField("单位代码", max_length=50)
    is_department = models.BooleanField(
        "部门本级", default=False, help_text="本单位即主管部门本级时，跳过主管部门审核。"
    )
    is_active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="预算单位变更记录")

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["department", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="unit_code_unique"),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(is_department=True),
                name="one_department_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Gives a user one role in a unit, a department or a region."""

    class Role(models.TextChoices):
        FILER = "filer", "单位填报人"
        DEPARTMENT_REVIEWER = "department_reviewer", "主管部门审核人"
        FINANCE_REVIEWER = "finance_reviewer", "财政局审核人"
        OBSERVER = "observer", "监督查阅（人大、审计）"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="用户",
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, verbose_name="单位"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, verbose_name="主管部门"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, verbose_name="地区"
    )

    history = HistoricalRecords(verbose_name="角色授权变更记录")

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role="filer",
                        unit__isnull=False,
                        department__isnull=True,
                        region__isnull=True,
                    )
                    | Q(
                        role="department_reviewer",
                        unit__isnull=True,
                        department__isnull=False,
                        region__isnull=True,
                    )
                    | Q(
                        role="finance_reviewer",
                        unit__isnull=True,
                        department__isnull=True,
                        region__isnull=False,
                    )
                    | (
                        Q(role="observer", unit__isnull=True)
                        & (
                            Q(department__isnull=False, region__isnull=True)
                            | Q(department__isnull=True, region__isnull=False)
                        )
                    )
                ),
                name="membership_scope_matches_role",
                violation_error_message=(
                    "填报人须指定单位，主管部门审核人须指定部门，财政局审核人须指定地区，"
                    "监督查阅人须指定部门或地区（二选一）。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit or self.department or self.region}"


def _register_user_history() -> None:
    """Accounts are changed by the finance bureau in the browser, so their changes are kept too.

    The password hash and the last login stay out of the record: neither is anyone's business,
    and a sign-in is not a change of the account (projects.apps skips it).
    """
    from django.contrib.auth import get_user_model
    from simple_history import register
    from simple_history.exceptions import MultipleRegistrationsError

    with contextlib.suppress(MultipleRegistrationsError):
        register(
            get_user_model(),
            app="projects",
            table_name="projects_historicaluser",
            excluded_fields=["password", "last_login"],
            verbose_name="用户变更记录",
        )


_register_user_history()
