"""Django admin for a finance administrator: search, filters, inlines, and change history."""

from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from projects import models as m
from projects.models.org import DEFAULT_SIGNATURE_FIELDS
from projects.review.services.rescoring import recompute_after_rule_change
from scoring.engine.rules import latest_rulesets

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


@admin.register(m.Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["name", "code", "finance_bureau", "rule_set_id", "table_variant"]
    search_fields = ["name", "code", "finance_bureau"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "rule_set_id" in form.changed_data:
            years = recompute_after_rule_change(obj)
            if years:
                listed = "、".join(str(y) for y in years)
                self.message_user(
                    request,
                    f"评分规则已改为 {obj.rule_set_id}：已排队重新评分 {listed} 年度的未审定自评"
                    "（由后台任务执行）；已审定、已公开的自评保持审定时的得分。",
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
