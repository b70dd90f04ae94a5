"""Django admin for a finance administrator: search, filters, inlines, and change history."""

from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from projects import models as m
from projects.models.org import DEFAULT_SIGNATURE_FIELDS, RegionRuleSet
from scoring.engine.rules import latest_rulesets, list_rulesets

admin.site.site_header = "绩效自评 管理后台"
admin.site.site_title = "绩效自评"
admin.site.index_title = "数据管理"


class UnitInline(admin.TabularInline):
    model = m.Unit
    extra = 0


def _rule_set_choices() -> list[tuple[str, str]]:
    return [(i, f"{r.title}（{i}@{r.version}）") for i, r in latest_rulesets().items()]


class SignatureFieldsField(forms.CharField):
    """The signature block's labels, one per line: easier to edit than a JSON list."""

    widget = forms.Textarea(attrs={"rows": 6, "cols": 40})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(label) for label in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        labels = [line.strip() for line in text.splitlines() if line.strip()]
        for label in labels:
            if len(label) > 30:
                raise forms.ValidationError(f"签章栏项目“{label[:30]}…”过长（不超过 30 个字）。")
        if len(labels) > 12:
            raise forms.ValidationError("签章栏项目不超过 12 项。")
        # A blank block prints the national labels rather than no block at all.
        return labels or list(DEFAULT_SIGNATURE_FIELDS)


class RegionForm(forms.ModelForm):
    """The rule set is picked from the published ones: a mistyped id would stop every page that
    scores the region's filings."""

    rule_set_id = forms.ChoiceField(label="评分规则", choices=_rule_set_choices)
    signature_fields = SignatureFieldsField(
        label="签章栏",
        required=False,
        help_text="每行一项，按打印顺序排列，如“部门单位名称（公章）”“填报时间”；"
        "留空则使用全国通用格式（填报单位（公章）、单位负责人、填报人、联系电话、填报日期）。",
    )

    class Meta:
        model = m.Region
        fields = [
            "name",
            "code",
            "finance_bureau",
            "rule_set_id",
            "table_variant",
            "signature_fields",
        ]


def _year_rule_set_choices() -> list[tuple[str, str]]:
    """Each published rule set (the version in force for the year), then pinned versions."""
    latest = [(i, f"{r.title}（按年度适用的版本）") for i, r in latest_rulesets().items()]
    pinned = [(r.key, f"{r.title}（固定第{r.version}版）") for r in list_rulesets()]
    return latest + pinned


class RegionRuleSetForm(forms.ModelForm):
    """A year's rule set, picked from the published ones (an unknown id would stop scoring)."""

    rule_set_id = forms.ChoiceField(label="评分规则", choices=_year_rule_set_choices)

    class Meta:
        model = RegionRuleSet
        fields = ["effective_from_year", "rule_set_id"]

    def clean_effective_from_year(self):
        year = self.cleaned_data["effective_from_year"]
        if year is not None and not 2000 <= year <= 2100:
            raise forms.ValidationError("起始年度应在 2000 到 2100 之间。")
        return year


class RegionRuleSetInline(admin.TabularInline):
    """Rules by year: from each year on, the region's filings are scored under this rule set."""

    model = RegionRuleSet
    form = RegionRuleSetForm
    extra = 0
    verbose_name = "按年度适用的评分规则"
    verbose_name_plural = "按年度适用的评分规则（未列年度按上方“评分规则”）"


@admin.register(m.Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    inlines = [RegionRuleSetInline]
    list_display = ["name", "code", "finance_bureau", "rule_set_id", "table_variant"]
    search_fields = ["name", "code", "finance_bureau"]

    def save_model(self, request, obj, form, change):
        # The rules in force per open year before the change, to queue only the years it moves.
        if change:
            from scoring.recompute import open_years_rules

            request._rule_years_before = open_years_rules(m.Region.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_rule_years_before", None)
        if before is None:
            return
        from scoring.recompute import queue_changed_years

        years = queue_changed_years(region=form.instance, before=before)
        if years:
            listed = "、".join(str(y) for y in years)
            self.message_user(
                request,
                f"评分规则已改为 {form.instance.rule_set_id}：已排队重新评分 {listed} 年度的未审定自评"
                "（由后台任务执行）；已审定、已公开的自评保持审定时的得分，其他年度不受影响。",
                messages.INFO,
            )


@admin.register(m.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    inlines = [UnitInline]


@admin.register(m.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "department", "is_department"]
    list_filter = ["department__region", "is_department"]
    search_fields = ["name", "code", "department__name"]
    list_select_related = ["department"]


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "department", "region"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "unit__name", "department__name"]
    autocomplete_fields = ["unit", "department"]


class FundLineInline(admin.TabularInline):
    model = m.FundLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = m.Indicator
    extra = 0
    fields = ["order", "level1", "level2", "name", "target", "weight"]


@admin.register(m.Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "year", "kind", "unit", "fund_type", "transfer_level"]
    list_filter = ["year", "kind", "fund_type", "transfer_level", "unit__department__region"]
    search_fields = ["name", "code", "unit__name", "unit__department__name"]
    list_select_related = ["unit"]
    inlines = [FundLineInline, IndicatorInline]


@admin.register(m.Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "project", "level1", "level2", "target", "weight"]
    list_filter = ["level1", "project__year"]
    search_fields = ["name", "project__name"]
    list_select_related = ["project"]


class IndicatorResultInline(admin.TabularInline):
    model = m.IndicatorResult
    extra = 0
    fields = ["indicator", "actual", "achievement", "claimed_score", "computed_score", "status"]
    readonly_fields = ["indicator", "computed_score", "status"]


class ReviewStepInline(admin.TabularInline):
    model = m.ReviewStep
    extra = 0
    fields = ["created_at", "action", "from_status", "to_status", "actor", "comment", "version"]
    readonly_fields = fields
    can_delete = False


@admin.register(m.Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = [
        "project",
        "year",
        "status",
        "execution_rate",
        "computed_total",
        "computed_grade",
        "claimed_total",
        "error_count",
        "warning_count",
    ]
    list_filter = ["year", "status", "computed_grade", "project__kind", "project__unit__department"]
    search_fields = ["project__name", "project__code", "project__unit__name"]
    list_select_related = ["project", "project__unit"]
    readonly_fields = [*m.Evaluation.COMPUTED_FIELDS, "version"]
    inlines = [IndicatorResultInline, ReviewStepInline]


@admin.register(m.EvaluationTask)
class EvaluationTaskAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "deadline", "issued_by", "issued_at"]
    list_filter = ["region", "year"]


@admin.register(m.SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "share", "min_count", "seed", "drawn_at"]
    list_filter = ["region", "year"]


@admin.register(m.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind"]
