"""The self-evaluation of one subject and year, and the filer's figures per indicator."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Abs
from simple_history.models import HistoricalRecords

from projects.access import scoped_queryset
from projects.models.budget import Indicator, Project

SCORE = {"max_digits": 7, "decimal_places": 2, "null": True, "blank": True}
# Sums of many scores: wide enough for any number of rows whose weights the inputs accept.
TOTAL = {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True}
# A rate of any two amounts the inputs accept (each below 10^16 元, to the 分): below 10^21 %.
RATE = {"max_digits": 24, "decimal_places": 2, "null": True, "blank": True}


class EvaluationStatus(models.TextChoices):
    """The life of a filing (domain.md §2)."""

    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "待主管部门审核"
    DEPARTMENT_APPROVED = "department_approved", "待财政审核"
    APPROVED = "approved", "审核通过"
    PUBLISHED = "published", "已公开"
    RETURNED = "returned", "已退回"


class Achievement(models.TextChoices):
    """The filer's judgement on a qualitative indicator; it fixes the score band."""

    MET = "met", "达成"
    PARTIAL = "partial", "部分达成"
    MISSED = "missed", "未达成"


EDITABLE_STATUSES = (EvaluationStatus.DRAFT, EvaluationStatus.RETURNED)
FROZEN_STATUSES = (EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED)


class Evaluation(models.Model):
    """One filing for one subject (project or department overall) and year."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="evaluations", verbose_name="评价对象"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(
        "状态", max_length=30, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    task = models.ForeignKey(
        "projects.EvaluationTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
        verbose_name="自评任务",
    )
    goal_actual = models.TextField("年度总体目标（实际完成情况）", blank=True)
    claimed_execution_score = models.DecimalField("预算执行得分（填报）", **SCORE)
    # The claimed execution score follows the computed one until the filer types another.
    claimed_execution_follows = models.BooleanField("执行得分跟随计算", default=False)
    claimed_indicator_total = models.DecimalField("指标得分合计（填报）", **TOTAL)
    claimed_total = models.DecimalField("总分（填报）", **TOTAL)
    claimed_grade = models.CharField("等级（填报）", max_length=4, blank=True)
    notes = models.JSONField("自评报告各部分", default=dict, blank=True)

    # The stored scoring result: reproducible from input_snapshot under rule_set_id@version.
    result = models.JSONField("评分结果", null=True, blank=True)
    input_snapshot = models.JSONField("评分输入快照", null=True, blank=True)
    rule_set_id = models.CharField("评分规则", max_length=100, blank=True)
    rule_set_version = models.PositiveIntegerField("规则版本", null=True, blank=True)
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)
    execution_rate = models.DecimalField("预算执行率", **RATE)
    computed_execution_score = models.DecimalField("预算执行得分", **SCORE)
    computed_total = models.DecimalField("总分", **TOTAL)
    computed_grade = models.CharField("等级", max_length=4, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("警告数", default=0)
    info_count = models.PositiveIntegerField("提示数", default=0)
    # What the stored result was computed from (scoring.rows.input_digest): unchanged, no re-score.
    input_digest = models.CharField("评分输入摘要", max_length=64, blank=True, editable=False)
    # The columns above that scoring writes (scoring.rows.computed_fields): read-only to people.
    COMPUTED_FIELDS = (
        "result",
        "input_snapshot",
        "rule_set_id",
        "rule_set_version",
        "scored_at",
        "execution_rate",
        "computed_execution_score",
        "computed_total",
        "computed_grade",
        "error_count",
        "warning_count",
        "info_count",
        "input_digest",
    )

    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    objects = scoped_queryset("project__unit").as_manager()
    history = HistoricalRecords(verbose_name="自评变更记录", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "绩效自评"
        verbose_name_plural = "绩效自评"
        ordering = ["-year", "project__unit", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_evaluation_per_subject"),
            models.CheckConstraint(condition=Q(version__gte=1), name="evaluation_version_gte_1"),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="evaluation_year_status"),
            # The review queue's default order (newest submissions first, then by id), so a page
            # deep in ten thousand filings is read in index order instead of after a full sort.
            models.Index(fields=["submitted_at", "id"], name="evaluation_submitted_at"),
            # The overview's three short lists of a year, each the first ten in index order:
            # lowest execution rates, most errors and warnings, largest claimed − computed gap.
            models.Index(fields=["year", "execution_rate", "id"], name="evaluation_year_rate"),
            models.Index(
                fields=["year", "-error_count", "-warning_count", "id"],
                name="evaluation_year_findings",
            ),
            models.Index(
                F("year"),
                Abs(F("claimed_total") - F("computed_total")).desc(),
                F("id"),
                name="evaluation_year_gap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.project.name}"

    def save(self, *args, **kwargs):
        """Keep the denormalised year equal to the subject's."""
        if self.project_id and not self.year:
            self.year = self.project.year
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        """The filer may change the filing only in draft or after a return."""
        return self.status in EDITABLE_STATUSES

    @property
    def is_frozen(self) -> bool:
        """Approved and published filings keep their scores and rule-set version."""
        return self.status in FROZEN_STATUSES


class IndicatorResult(models.Model):
    """What the filer reports for one indicator: actual, claimed score, deviation reason."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="results", verbose_name="自评"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="results", verbose_name="指标"
    )
    actual = models.CharField("实际完成值", max_length=300, blank=True)
    midyear_actual = models.CharField("年中监控值", max_length=300, blank=True)
    achievement = models.CharField(
        "完成程度", max_length=10, choices=Achievement.choices, blank=True
    )
    claimed_score = models.DecimalField("得分（填报）", **SCORE)
    # The claimed score follows the computed one until the filer types another.
    claimed_follows = models.BooleanField("得分跟随计算", default=False)
    computed_score = models.DecimalField("得分（计算）", **SCORE)
    status = models.CharField("完成状态", max_length=20, blank=True)
    deviation_reason = models.TextField("偏差原因分析及改进措施", blank=True)

    objects = scoped_queryset("evaluation__project__unit").as_manager()
    history = HistoricalRecords(verbose_name="指标填报变更记录")

    class Meta:
        verbose_name = "指标完成情况"
        verbose_name_plural = "指标完成情况"
        ordering = ["evaluation", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="one_result_per_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.actual}"


class EvaluationRevision(models.Model):
    """The filer's fields as they stood at one version of an evaluation.

    A save from a page, or an upload of a file, made at an older version is merged field by
    field against the version it was made from (its base): without the base, a field the other
    side changed could not be told from one this side changed.
    """

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="revisions", verbose_name="自评"
    )
    version = models.PositiveIntegerField("版本")
    content = models.JSONField("填报内容", default=dict)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    objects = scoped_queryset("evaluation__project__unit").as_manager()

    class Meta:
        verbose_name = "自评版本"
        verbose_name_plural = "自评版本"
        ordering = ["evaluation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "version"], name="one_revision_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} v{self.version}"
