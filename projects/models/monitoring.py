"""绩效运行监控 (domain.md §7): rounds a finance bureau issues, a subject's progress report per
round, its lights, the recorded steps of its review, and the follow-up decision on a red light.

A report reuses the self-evaluation's states (EvaluationStatus) and its transitions (one
workflow in projects.review.services.workflow); only what is filed differs: amounts executed to
date per fund source, and per indicator the value to date and the likelihood of completion.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.access import scoped_queryset
from projects.models.budget import MONEY, FundSource, Indicator, Project
from projects.models.evaluation import (
    EDITABLE_STATUSES,
    RATE,
    Achievement,
    EvaluationStatus,
)
from projects.models.org import Region

PERCENT = {"max_digits": 7, "decimal_places": 2, "null": True, "blank": True}


class Light(models.TextChoices):
    """The 红黄绿(蓝) warning lights, worst first (the project's light is the worst it has)."""

    RED = "red", "红灯"
    YELLOW = "yellow", "黄灯"
    GREEN = "green", "绿灯"
    BLUE = "blue", "蓝灯"


class Likelihood(models.TextChoices):
    """完成目标可能性: the latter two require a reason and the measures to be taken."""

    CERTAIN = "certain", "确定能"
    POSSIBLE = "possible", "有可能"
    UNLIKELY = "unlikely", "不可能"


class DeviationCategory(models.TextChoices):
    """The classified 偏差原因 of the published monitoring tables."""

    FUNDING = "funding", "经费保障"
    RULES = "rules", "制度保障"
    STAFF = "staff", "人员保障"
    EQUIPMENT = "equipment", "硬件保障"
    OTHER = "other", "其他"


class FollowUpDecision(models.TextChoices):
    """What the reviewer decides on a red light (seed 004: 督促部门认真分析原因，及时采取措施)."""

    URGE = "urge", "督促整改"
    ADJUST_TARGET = "adjust_target", "调整绩效目标"
    REDUCE = "reduce", "调减/收回资金"
    SUSPEND = "suspend", "暂停"


class MonitoringRound(models.Model):
    """One monitoring round of a region: the date the progress is reported as of, a deadline."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="monitoring_rounds", verbose_name="地区"
    )
    year = models.PositiveSmallIntegerField("年度")
    as_of = models.DateField("监控时点")
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
    # Empty while the background task makes the round's reports (a new round, or a re-issue).
    reports_ready_at = models.DateTimeField("监控表生成时间", null=True, blank=True)

    class Meta:
        verbose_name = "绩效监控任务"
        verbose_name_plural = "绩效监控任务"
        ordering = ["-year", "-as_of", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "as_of"], name="one_round_per_region_date"),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("as_of")), name="round_deadline_after_as_of"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.as_of:%Y年%-m月%-d日}绩效监控"

    @property
    def title(self) -> str:
        """How the round is named on pages and prints: 2024年1-6月绩效运行监控."""
        return f"{self.year}年1-{self.as_of.month}月绩效运行监控"


class MonitoringReport(models.Model):
    """One subject's progress report for one round, with its stored lights."""

    round = models.ForeignKey(
        MonitoringRound, on_delete=models.CASCADE, related_name="reports", verbose_name="监控任务"
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="monitoring_reports",
        verbose_name="监控对象",
    )
    status = models.CharField(
        "状态", max_length=30, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    explanation = models.TextField("执行情况说明", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    # The stored lights: reproducible from the filed rows under rule_set_id@version.
    result = models.JSONField("监控结果", null=True, blank=True)
    rule_set_id = models.CharField("规则", max_length=100, blank=True)
    rule_set_version = models.PositiveIntegerField("规则版本", null=True, blank=True)
    scored_at = models.DateTimeField("计算时间", null=True, blank=True)
    time_progress = models.DecimalField("时间进度（%）", **PERCENT)
    execution_rate = models.DecimalField("预算执行率（%）", **RATE)
    execution_light = models.CharField("执行进度预警", max_length=10, blank=True)
    light = models.CharField("预警灯", max_length=10, choices=Light.choices, blank=True)
    red_count = models.PositiveIntegerField("红灯数", default=0)
    yellow_count = models.PositiveIntegerField("黄灯数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("警告数", default=0)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)

    objects = scoped_queryset("project__unit").as_manager()
    history = HistoricalRecords(verbose_name="监控表变更记录", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "绩效监控表"
        verbose_name_plural = "绩效监控表"
        ordering = ["round", "project__unit", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="one_report_per_round"),
            models.CheckConstraint(condition=Q(version__gte=1), name="monitoring_version_gte_1"),
        ]
        indexes = [
            models.Index(fields=["round", "light"], name="monitoring_round_light"),
            models.Index(fields=["round", "status"], name="monitoring_round_status"),
        ]

    def __str__(self) -> str:
        return f"{self.round.title} {self.project.name}"

    @property
    def year(self) -> int:
        """The subject's year (the workflow and notices name a filing by it)."""
        return self.project.year

    @property
    def is_editable(self) -> bool:
        """The filer may change the report only in draft or after a return."""
        return self.status in EDITABLE_STATUSES


class MonitoringFund(models.Model):
    """One fund source's amount executed to the round's date (元), and the full-year forecast."""

    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, related_name="funds", verbose_name="监控表"
    )
    source = models.CharField("资金来源", max_length=20, choices=FundSource.choices)
    executed = models.DecimalField("截至监控时点执行数（元）", null=True, blank=True, **MONEY)
    forecast = models.DecimalField("全年预计执行数（元）", null=True, blank=True, **MONEY)

    objects = scoped_queryset("report__project__unit").as_manager()

    class Meta:
        verbose_name = "监控资金"
        verbose_name_plural = "监控资金"
        ordering = ["report", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "source"], name="monitoring_fund_unique"),
            models.CheckConstraint(
                condition=Q(executed__gte=0) | Q(executed__isnull=True),
                name="monitoring_executed_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(forecast__gte=0) | Q(forecast__isnull=True),
                name="monitoring_forecast_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_source_display()}"


class MonitoringEntry(models.Model):
    """One indicator's progress: value to date, likelihood of completion, reason and measures."""

    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, related_name="entries", verbose_name="监控表"
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="monitoring_entries",
        verbose_name="指标",
    )
    value = models.CharField("截至监控时点完成值", max_length=300, blank=True)
    achievement = models.CharField(
        "完成程度", max_length=10, choices=Achievement.choices, blank=True
    )
    forecast = models.CharField("全年预计完成值", max_length=300, blank=True)
    likelihood = models.CharField(
        "完成目标可能性", max_length=10, choices=Likelihood.choices, blank=True
    )
    deviation_category = models.CharField(
        "偏差原因类型", max_length=20, choices=DeviationCategory.choices, blank=True
    )
    reason = models.TextField("偏差原因", blank=True)
    measures = models.TextField("拟采取的措施", blank=True)
    light = models.CharField("预警灯", max_length=10, choices=Light.choices, blank=True)

    objects = scoped_queryset("report__project__unit").as_manager()

    class Meta:
        verbose_name = "指标监控情况"
        verbose_name_plural = "指标监控情况"
        ordering = ["report", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_entry_per_indicator"),
        ]
        indexes = [models.Index(fields=["report", "light"], name="monitoring_entry_light")]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.value}"


class MonitoringRevision(models.Model):
    """The filer's fields at one version of a report: the base a stale save is merged from."""

    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, related_name="revisions", verbose_name="监控表"
    )
    version = models.PositiveIntegerField("版本")
    content = models.JSONField("填报内容", default=dict)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    objects = scoped_queryset("report__project__unit").as_manager()

    class Meta:
        verbose_name = "监控表版本"
        verbose_name_plural = "监控表版本"
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "version"], name="one_monitoring_revision_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.version}"


class MonitoringStep(models.Model):
    """One recorded transition of a report (the same actions as ReviewStep), with comments."""

    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, related_name="steps", verbose_name="监控表"
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
    # {indicator id: comment} attached to a return, shown beside the row on the filer's form.
    indicator_comments = models.JSONField("指标意见", default=dict, blank=True)
    version = models.PositiveIntegerField("审核的版本")
    snapshot = models.JSONField("填报内容快照", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = scoped_queryset("report__project__unit").as_manager()

    class Meta:
        verbose_name = "监控审核记录"
        verbose_name_plural = "监控审核记录"
        ordering = ["report", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} · {self.action}"


class MonitoringFollowUp(models.Model):
    """The reviewer's follow-up decision on a red light, with who decided and when."""

    report = models.ForeignKey(
        MonitoringReport,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name="监控表",
    )
    # None: the decision concerns the project's execution light (or the project as a whole).
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, verbose_name="指标"
    )
    decision = models.CharField("处理决定", max_length=20, choices=FollowUpDecision.choices)
    comment = models.TextField("说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="决定人",
    )
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)

    objects = scoped_queryset("report__project__unit").as_manager()

    class Meta:
        verbose_name = "红灯处理决定"
        verbose_name_plural = "红灯处理决定"
        ordering = ["report", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_decision_display()}"
