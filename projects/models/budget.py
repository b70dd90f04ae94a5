"""Budget data approved with the budget: projects (subjects), fund lines and indicators (targets)."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.access import scoped_queryset
from projects.models.org import Unit

MONEY = {"max_digits": 18, "decimal_places": 2}


class FundType(models.TextChoices):
    """The four budgets of the Budget Law a project can be funded from."""

    GENERAL = "general", "一般公共预算"
    GOVERNMENT_FUND = "government_fund", "政府性基金预算"
    STATE_CAPITAL = "state_capital", "国有资本经营预算"
    SOCIAL_INSURANCE = "social_insurance", "社保基金预算"


class TransferLevel(models.TextChoices):
    """Whether the money is a transfer payment from a higher level, and from which."""

    NONE = "none", "非转移支付"
    CENTRAL = "central", "中央转移支付"
    PROVINCIAL = "provincial", "省级转移支付"
    MUNICIPAL = "municipal", "市级转移支付"


class FundSource(models.TextChoices):
    """The rows of 项目资金: the total and the three sources it is made of."""

    TOTAL = "total", "年度资金总额"
    CURRENT_YEAR = "current_year", "其中：当年财政拨款"
    CARRYOVER = "carryover", "上年结转资金"
    OTHER = "other", "其他资金"


class Project(models.Model):
    """An evaluation subject for one year: a budget project, or a department's overall spending."""

    class Kind(models.TextChoices):
        PROJECT = "project", "项目支出"
        DEPARTMENT_OVERALL = "department_overall", "部门整体支出"

    class MoneyUnit(models.TextChoices):
        YUAN = "元", "元"
        WAN_YUAN = "万元", "万元"

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="projects", verbose_name="实施单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("评价对象", max_length=30, choices=Kind.choices, default=Kind.PROJECT)
    code = models.CharField("项目编码", max_length=100)
    name = models.CharField("项目名称", max_length=300)
    fund_type = models.CharField(
        "资金类型", max_length=30, choices=FundType.choices, default=FundType.GENERAL
    )
    transfer_level = models.CharField(
        "转移支付", max_length=20, choices=TransferLevel.choices, default=TransferLevel.NONE
    )
    money_unit = models.CharField(
        "金额单位", max_length=4, choices=MoneyUnit.choices, default=MoneyUnit.WAN_YUAN
    )
    goal_expected = models.TextField("年度总体目标（预期目标）", blank=True)
    is_example = models.BooleanField(
        "含示例数据", default=False, help_text="指标为演示用示例，非公开发布的数据。"
    )
    # The year rollover copies a subject into the next year until its last year has passed.
    end_year = models.PositiveSmallIntegerField(
        "项目截止年度",
        null=True,
        blank=True,
        help_text="项目实施期的最后一个年度；空表示持续性项目。",
    )

    objects = scoped_queryset("unit").as_manager()
    history = HistoricalRecords(verbose_name="项目变更记录")

    class Meta:
        verbose_name = "评价对象（项目）"
        verbose_name_plural = "评价对象（项目）"
        ordering = ["unit", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "code"], name="project_code_unique"),
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=Q(kind="department_overall"),
                name="one_department_overall_per_year",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="project_year_range"
            ),
        ]
        indexes = [models.Index(fields=["year", "kind"], name="project_year_kind")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class FundLine(models.Model):
    """One row of 项目资金 in 元: 年初预算数, 全年预算数, 全年执行数 for one source."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="fund_lines", verbose_name="项目"
    )
    source = models.CharField("资金来源", max_length=20, choices=FundSource.choices)
    initial = models.DecimalField("年初预算数（元）", null=True, blank=True, **MONEY)
    adjusted = models.DecimalField("全年预算数（元）", null=True, blank=True, **MONEY)
    executed = models.DecimalField("全年执行数（元）", null=True, blank=True, **MONEY)
    weight = models.DecimalField("分值", max_digits=7, decimal_places=2, null=True, blank=True)
    claimed_rate = models.DecimalField(
        "执行率（填报）", max_digits=24, decimal_places=2, null=True, blank=True
    )
    claimed_score = models.DecimalField(
        "得分（填报）", max_digits=7, decimal_places=2, null=True, blank=True
    )

    objects = scoped_queryset("project__unit").as_manager()
    history = HistoricalRecords(verbose_name="资金变更记录")

    class Meta:
        verbose_name = "项目资金"
        verbose_name_plural = "项目资金"
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="fund_line_source_unique"),
            models.CheckConstraint(
                condition=Q(initial__gte=0) | Q(initial__isnull=True), name="fund_initial_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(adjusted__gte=0) | Q(adjusted__isnull=True), name="fund_adjusted_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(executed__gte=0) | Q(executed__isnull=True), name="fund_executed_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_source_display()}"


class Indicator(models.Model):
    """A three-tier performance indicator with its approved target; weight null = 其中 sub-row."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="indicators", verbose_name="项目"
    )
    order = models.PositiveIntegerField("序号", default=0)
    level1 = models.CharField("一级指标", max_length=50)
    level2 = models.CharField("二级指标", max_length=50, blank=True)
    name = models.CharField("三级指标", max_length=300)
    target = models.CharField("年度指标值", max_length=300, blank=True)
    weight = models.DecimalField("分值", max_digits=7, decimal_places=2, null=True, blank=True)
    # Filled by the scoring app from `target`; kept for filtering and the 三列 table variant.
    comparator = models.CharField("指标性质", max_length=10, blank=True)
    target_value = models.DecimalField(
        "指标值", max_digits=20, decimal_places=4, null=True, blank=True
    )
    unit_of_measure = models.CharField("度量单位", max_length=30, blank=True)
    target_kind = models.CharField("指标类型", max_length=20, blank=True)
    # How the actual will be measured (满意度: the survey; others: the data source).
    method = models.CharField("评价方法（数据来源/调查方式）", max_length=300, blank=True)
    library = models.ForeignKey(
        "projects.LibraryIndicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uses",
        verbose_name="共性指标",
    )

    objects = scoped_queryset("project__unit").as_manager()
    history = HistoricalRecords(verbose_name="指标变更记录")

    class Meta:
        verbose_name = "绩效指标"
        verbose_name_plural = "绩效指标"
        ordering = ["project", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "order"], name="indicator_order_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) | Q(weight__isnull=True), name="indicator_weight_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sub_row(self) -> bool:
        """An informational 其中 row: shown, never scored."""
        return self.weight is None
