"""结果应用 and 整改: the finance bureau's budget decision per evaluation, rectification items
tracked to closure, and the departments drawn by a spot check (issue 16).

A decision keeps the suggestion it was made beside (decision, amount, reasons as the rules gave
them at the time), so the list can show where the bureau departed from the rules. 整改 items
belong to the unit that must act; where they came from (a return, a finding, a spot-check
difference, a red light, a decision) is recorded with a link to that filing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from projects.access import scoped_queryset
from projects.models.budget import Project
from projects.models.evaluation import Evaluation
from projects.models.monitoring import MonitoringReport
from projects.models.org import Department, Unit
from projects.models.review import SpotCheck

MONEY = {"max_digits": 16, "decimal_places": 2}


class Decision(models.TextChoices):
    """What next year's budget does with a project after its evaluation (domain.md §8)."""

    KEEP = "keep", "保持"
    PRIORITISE = "prioritise", "优先保障"
    CUT = "cut", "压减"
    CANCEL = "cancel", "取消"
    SUSPEND = "suspend", "暂停"


class ResultDecision(models.Model):
    """The finance bureau's 结果应用 decision on one evaluation, beside the rules' suggestion."""

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="decision", verbose_name="自评"
    )
    decision = models.CharField("处理意见", max_length=20, choices=Decision.choices)
    cut_share = models.DecimalField(
        "压减比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    base_amount = models.DecimalField("本年预算数（元）", **MONEY)
    next_year_amount = models.DecimalField("下年安排数（元）", **MONEY)
    note = models.TextField("说明", blank=True)
    suggested_decision = models.CharField(
        "建议处理意见", max_length=20, choices=Decision.choices, blank=True
    )
    suggested_amount = models.DecimalField("建议下年安排数（元）", null=True, blank=True, **MONEY)
    suggestion_reasons = models.JSONField("建议理由", default=list, blank=True)
    rule_set = models.CharField("规则", max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="决定人",
    )
    decided_at = models.DateTimeField("决定时间", auto_now=True)

    objects = scoped_queryset("evaluation__project__unit").as_manager()

    class Meta:
        verbose_name = "结果应用决定"
        verbose_name_plural = "结果应用决定"
        ordering = ["evaluation"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_year_amount__gte=0), name="decision_amount_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(cut_share__isnull=True) | (Q(cut_share__gt=0) & Q(cut_share__lte=100)),
                name="decision_cut_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_decision_display()}"

    @property
    def reduction(self) -> Decimal:
        """压减资金: what next year's amount is below this year's budget (never negative)."""
        return max(self.base_amount - self.next_year_amount, Decimal("0"))


class RectificationSource(models.TextChoices):
    """Where a 整改 item was raised."""

    RETURN = "return", "审核退回"
    FINDING = "finding", "审核发现的问题"
    SPOT_CHECK = "spot_check", "抽查复核差异"
    RED_LIGHT = "red_light", "监控红灯"
    DECISION = "decision", "结果应用决定"
    OTHER = "other", "其他"


class RectificationStatus(models.TextChoices):
    """整改中 until the unit reports, 待销号 until the reviewer closes (or reopens) it."""

    OPEN = "open", "整改中"
    REPORTED = "reported", "待销号"
    CLOSED = "closed", "已销号"


class Rectification(models.Model):
    """One 整改 item: the problem, the unit that must act, measures, deadline, evidence, status."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rectifications", verbose_name="责任单位"
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectifications",
        verbose_name="项目",
    )
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("来源", max_length=20, choices=RectificationSource.choices)
    evaluation = models.ForeignKey(
        Evaluation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectifications",
        verbose_name="自评",
    )
    monitoring_report = models.ForeignKey(
        MonitoringReport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectifications",
        verbose_name="绩效监控表",
    )
    # A stable reference inside the source: a finding code, an indicator id, a step id.
    source_ref = models.CharField("来源标识", max_length=100, blank=True)
    problem = models.TextField("问题")
    measures = models.TextField("整改措施", blank=True)
    deadline = models.DateField("整改期限")
    evidence = models.TextField("整改佐证", blank=True)
    status = models.CharField(
        "状态",
        max_length=20,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="提出人",
    )
    raised_at = models.DateTimeField("提出时间", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="销号人",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    objects = scoped_queryset("unit").as_manager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="rectification_status_due")]

    def __str__(self) -> str:
        return self.problem[:40]


class RectificationStep(models.Model):
    """One move of a 整改 item: the unit's progress report, the reviewer's close or reopen."""

    class Action(models.TextChoices):
        RAISE = "raise", "提出"
        REPORT = "report", "报告整改情况"
        CLOSE = "close", "销号"
        REOPEN = "reopen", "重新开启"

    item = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="steps", verbose_name="整改事项"
    )
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    text = models.TextField("说明", blank=True)
    evidence = models.TextField("佐证", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = scoped_queryset("item__unit").as_manager()

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["item", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_action_display()}"


class SpotCheckDepartment(models.Model):
    """A department drawn whole by a department-level spot check (seed 004: 11 of 55, 20%)."""

    spot_check = models.ForeignKey(
        SpotCheck, on_delete=models.CASCADE, related_name="departments", verbose_name="抽查"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )

    class Meta:
        verbose_name = "抽查部门"
        verbose_name_plural = "抽查部门"
        ordering = ["spot_check", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "department"], name="one_draw_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.spot_check} · {self.department}"


__all__ = [
    "Decision",
    "ResultDecision",
    "Rectification",
    "RectificationSource",
    "RectificationStatus",
    "RectificationStep",
    "SpotCheckDepartment",
]
