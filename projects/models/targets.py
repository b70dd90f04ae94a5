"""绩效目标 at budget time: a subject's target declaration, its review steps, and the finance
bureau's common indicator library (共性指标库).

A declaration is one more kind of filing: it reuses the self-evaluation's states and the one
workflow. What it declares lives where the year's scoring and monitoring read it: the project's
goal (goal_expected), its Indicator rows and the 年初预算数 of its FundLine rows. While the
declaration is a draft or returned, its unit edits them through the declaration's one write
service; once approved only the finance bureau changes a target, as a recorded 调整.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.access import scoped_queryset
from projects.models.budget import Project
from projects.models.evaluation import EDITABLE_STATUSES, EvaluationStatus
from projects.models.org import Region


class TargetDeclaration(models.Model):
    """One subject's 绩效目标申报 for its year, moved through review like a self-evaluation."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="declaration", verbose_name="项目"
    )
    status = models.CharField(
        "状态", max_length=30, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    version = models.PositiveIntegerField("版本", default=1)
    # The stored quality checks of the targets (findings as the engine reports them).
    result = models.JSONField("目标审核结果", null=True, blank=True)
    checked_at = models.DateTimeField("检查时间", null=True, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("警告数", default=0)
    # Set by the year rollover: where the proposal came from (last year's subject).
    rolled_from = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rolled_into",
        verbose_name="上年项目",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)

    objects = scoped_queryset("project__unit").as_manager()
    history = HistoricalRecords(verbose_name="目标申报变更记录", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "绩效目标申报"
        verbose_name_plural = "绩效目标申报"
        ordering = ["project__unit", "project__year", "project__code"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="declaration_version_gte_1"),
        ]
        indexes = [models.Index(fields=["status"], name="declaration_status")]

    def __str__(self) -> str:
        return f"{self.project.year}年度 {self.project.name} 绩效目标申报"

    @property
    def year(self) -> int:
        """The subject's year (the workflow and notices name a filing by it)."""
        return self.project.year

    @property
    def is_editable(self) -> bool:
        """The declarer may change the targets only in draft or after a return."""
        return self.status in EDITABLE_STATUSES


class TargetRevision(models.Model):
    """The declarer's fields at one version: the base a stale save is merged from."""

    declaration = models.ForeignKey(
        TargetDeclaration, on_delete=models.CASCADE, related_name="revisions", verbose_name="申报"
    )
    version = models.PositiveIntegerField("版本")
    content = models.JSONField("申报内容", default=dict)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    objects = scoped_queryset("declaration__project__unit").as_manager()

    class Meta:
        verbose_name = "目标申报版本"
        verbose_name_plural = "目标申报版本"
        ordering = ["declaration", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "version"], name="one_target_revision_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.version}"


class TargetStep(models.Model):
    """One recorded transition of a declaration (the same actions as ReviewStep)."""

    declaration = models.ForeignKey(
        TargetDeclaration, on_delete=models.CASCADE, related_name="steps", verbose_name="申报"
    )
    action = models.CharField("操作", max_length=30)
    from_status = models.CharField("原状态", max_length=30, choices=EvaluationStatus.choices)
    to_status = models.CharField("新状态", max_length=30, choices=EvaluationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    comment = models.TextField("意见", blank=True)
    # {indicator id: comment} attached to a return, shown beside the row on the declarer's form.
    indicator_comments = models.JSONField("指标意见", default=dict, blank=True)
    version = models.PositiveIntegerField("审核的版本")
    snapshot = models.JSONField("申报内容快照", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = scoped_queryset("declaration__project__unit").as_manager()

    class Meta:
        verbose_name = "目标审核记录"
        verbose_name_plural = "目标审核记录"
        ordering = ["declaration", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.declaration} · {self.action}"


class Direction(models.TextChoices):
    """Which way an indicator is better, as the library suggests it."""

    HIGHER = "higher", "越高越好（≥）"
    LOWER = "lower", "越低越好（≤）"
    EQUAL = "equal", "等于目标（=）"
    QUALITATIVE = "qualitative", "定性"


class LibraryIndicator(models.Model):
    """One standard indicator of the region's 共性指标库, kept by the finance bureau."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="library", verbose_name="地区"
    )
    function = models.CharField("适用领域（功能分类）", max_length=100)
    level1 = models.CharField("一级指标", max_length=50)
    level2 = models.CharField("二级指标", max_length=50)
    name = models.CharField("三级指标", max_length=300)
    unit_of_measure = models.CharField("度量单位", max_length=30, blank=True)
    direction = models.CharField(
        "指标方向", max_length=20, choices=Direction.choices, default=Direction.HIGHER
    )
    suggested_target = models.CharField("建议指标值写法", max_length=300, blank=True)
    policy_source = models.CharField("政策依据", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(verbose_name="共性指标变更记录")

    class Meta:
        verbose_name = "共性指标"
        verbose_name_plural = "共性指标库"
        ordering = ["region", "function", "level1", "level2", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "function", "level2", "name"], name="library_indicator_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.function} · {self.name}"


def targets_settled() -> Q:
    """Subjects whose targets stand: approved (or published) declarations, or none declared."""
    return Q(declaration__isnull=True) | Q(
        declaration__status__in=(EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED)
    )
