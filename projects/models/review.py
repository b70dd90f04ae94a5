"""Review and oversight: transitions, comments, tasks and deadlines, spot checks, notifications."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from projects.access import scoped_queryset
from projects.models.budget import Indicator
from projects.models.evaluation import Evaluation, EvaluationStatus, IndicatorResult
from projects.models.org import Department, Region


class ReviewStep(models.Model):
    """One recorded transition of an evaluation: who, when, the comment, the version reviewed."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        DEPARTMENT_APPROVE = "department_approve", "主管部门审核通过"
        DEPARTMENT_RETURN = "department_return", "主管部门退回"
        FINANCE_APPROVE = "finance_approve", "财政审核通过"
        FINANCE_RETURN = "finance_return", "财政退回"
        PUBLISH = "publish", "公开"
        REOPEN = "reopen", "重新开启"

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="review_steps", verbose_name="自评"
    )
    action = models.CharField("操作", max_length=30, choices=Action.choices)
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
    version = models.PositiveIntegerField("审核的版本")
    snapshot = models.JSONField("填报内容快照", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = scoped_queryset("evaluation__project__unit").as_manager()

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["evaluation", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_action_display()}"


class ReviewComment(models.Model):
    """A reviewer's comment on a return, attached to one indicator where it concerns one."""

    step = models.ForeignKey(
        ReviewStep, on_delete=models.CASCADE, related_name="comments", verbose_name="审核记录"
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, verbose_name="指标"
    )
    text = models.TextField("意见")
    # The reviewer asks the filer for 佐证材料 on this indicator (shown on the filer's row).
    needs_evidence = models.BooleanField("需补充佐证材料", default=False)

    objects = scoped_queryset("step__evaluation__project__unit").as_manager()

    class Meta:
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"

    def __str__(self) -> str:
        return self.text[:30]


class EvaluationTask(models.Model):
    """The year's self-evaluation task a finance bureau issues, with its deadline."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="tasks", verbose_name="地区"
    )
    year = models.PositiveSmallIntegerField("评价年度")
    deadline = models.DateField("截止日期")
    note = models.TextField("说明", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="下发人",
    )
    issued_at = models.DateTimeField("下发时间", auto_now_add=True)

    class Meta:
        verbose_name = "自评任务"
        verbose_name_plural = "自评任务"
        ordering = ["-year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_task_per_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}年度绩效自评"

    def deadline_for(self, department: Department):
        """The department's deadline: its extension if granted, else the task's."""
        for extension in self.extensions.all():
            if extension.department_id == department.pk:
                return extension.deadline
        return self.deadline


class DeadlineExtension(models.Model):
    """A later deadline granted to one department."""

    task = models.ForeignKey(
        EvaluationTask, on_delete=models.CASCADE, related_name="extensions", verbose_name="任务"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, verbose_name="主管部门")
    deadline = models.DateField("延期至")
    reason = models.TextField("延期原因", blank=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="one_extension_per_dept")
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.deadline}"


class SpotCheck(models.Model):
    """A reproducible draw of approved evaluations for 抽查复核 (the seed is recorded)."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="spot_checks", verbose_name="地区"
    )
    year = models.PositiveSmallIntegerField("年度")
    share = models.DecimalField("抽取比例", max_digits=5, decimal_places=4, default=Decimal("0.2"))
    min_count = models.PositiveIntegerField("最少抽取数", default=1)
    seed = models.BigIntegerField("随机种子")
    threshold = models.DecimalField("差异阈值（分）", max_digits=6, decimal_places=2, default=5)

    class Scope(models.TextChoices):
        """What is drawn: single evaluations (stratified), or whole departments (seed 004)."""

        EVALUATIONS = "evaluations", "按项目抽取"
        DEPARTMENTS = "departments", "按部门抽取"

    class History(models.TextChoices):
        """How departments checked in earlier years weigh in a department draw."""

        IGNORE = "ignore", "不考虑往年"
        EXCLUDE = "exclude", "排除往年已抽查部门"
        FAVOUR = "favour", "优先抽取往年未抽查部门"

    scope = models.CharField(
        "抽取方式", max_length=20, choices=Scope.choices, default=Scope.EVALUATIONS
    )
    history = models.CharField(
        "往年抽查", max_length=20, choices=History.choices, default=History.IGNORE
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="抽取人",
    )
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽查复核"
        verbose_name_plural = "抽查复核"
        ordering = ["-drawn_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1), name="spot_check_share_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year} 抽查（种子 {self.seed}）"


class SpotCheckItem(models.Model):
    """One sampled evaluation and its re-scored total."""

    spot_check = models.ForeignKey(
        SpotCheck, on_delete=models.CASCADE, related_name="items", verbose_name="抽查"
    )
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, verbose_name="自评")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="复核人",
    )
    review_total = models.DecimalField(
        "复核总分", max_digits=7, decimal_places=2, null=True, blank=True
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)

    objects = scoped_queryset("evaluation__project__unit").as_manager()

    class Meta:
        verbose_name = "抽查项目"
        verbose_name_plural = "抽查项目"
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "evaluation"], name="one_item_per_evaluation"
            )
        ]

    def __str__(self) -> str:
        return str(self.evaluation)


class SpotCheckScore(models.Model):
    """A reviewer's score for one indicator, kept beside the self score."""

    item = models.ForeignKey(
        SpotCheckItem, on_delete=models.CASCADE, related_name="scores", verbose_name="抽查项目"
    )
    result = models.ForeignKey(IndicatorResult, on_delete=models.CASCADE, verbose_name="指标")
    review_score = models.DecimalField("复核得分", max_digits=7, decimal_places=2)
    comment = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = "复核得分"
        verbose_name_plural = "复核得分"
        constraints = [
            models.UniqueConstraint(fields=["item", "result"], name="one_review_score_per_result")
        ]

    def __str__(self) -> str:
        return f"{self.result}: {self.review_score}"


class Notification(models.Model):
    """An in-app message on the user's home page (returned, approved, deadline near)."""

    class Kind(models.TextChoices):
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "审核通过"
        SUBMITTED = "submitted", "待审核"
        DEADLINE = "deadline", "截止日期临近"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, verbose_name="自评"
    )
    monitoring_report = models.ForeignKey(
        "projects.MonitoringReport",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name="绩效监控表",
    )
    target_declaration = models.ForeignKey(
        "projects.TargetDeclaration",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name="绩效目标申报",
    )
    message = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message[:30]
