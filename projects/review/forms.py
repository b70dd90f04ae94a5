"""Forms of the review pages: decisions, tasks and deadlines, spot checks, target corrections."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from projects.models import SpotCheck
from projects.review.services.spot_checks import DEFAULT_THRESHOLD

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
INDICATOR_PREFIX = "indicator_"
EVIDENCE_PREFIX = "evidence_"


class ApproveForm(forms.Form):
    """Approve, with an optional remark kept in the review record."""

    comment = forms.CharField(
        label="审核意见（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    """Return to the filer: a comment is required; indicator comments come as indicator_<id>."""

    comment = forms.CharField(
        label="退回意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "退回时必须填写退回意见。"},
    )

    def indicator_comments(self, data) -> dict[int, str]:
        """The per-indicator comments posted beside the table (empty ones dropped)."""
        comments = {}
        for key, value in data.items():
            suffix = key[len(INDICATOR_PREFIX) :]
            if key.startswith(INDICATOR_PREFIX) and suffix.isdigit() and value.strip():
                comments[int(suffix)] = value.strip()
        return comments

    def evidence_requests(self, data) -> set[int]:
        """The indicators ticked 需补充佐证材料 (evidence_<id>)."""
        return {
            int(key[len(EVIDENCE_PREFIX) :])
            for key in data
            if key.startswith(EVIDENCE_PREFIX) and key[len(EVIDENCE_PREFIX) :].isdigit()
        }


class ReopenForm(forms.Form):
    """Reopen an approved filing: only with a recorded reason."""

    reason = forms.CharField(
        label="重新开启原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "重新开启必须说明原因。"},
    )


class TargetCorrectForm(forms.Form):
    """The finance bureau corrects a target approved with the budget, with its reason."""

    target = forms.CharField(label="年度指标值", max_length=300)
    reason = forms.CharField(
        label="调整原因（如预算调整批复文号）",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "调整指标值必须说明原因。"},
    )


class TaskIssueForm(forms.Form):
    """Issue (or re-issue with a new deadline) the year's task for the whole region."""

    year = forms.IntegerField(label="评价年度", min_value=2000, max_value=2100)
    deadline = forms.DateField(label="截止日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_deadline(self):
        """A deadline in the past would mark everything overdue at once."""
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError("截止日期不能早于今天。")
        return deadline


class DeadlineExtendForm(forms.Form):
    """A later deadline for one department of the task's region."""

    department = forms.ModelChoiceField(label="主管部门", queryset=None, empty_label=None)
    deadline = forms.DateField(label="延期至", widget=DATE)
    reason = forms.CharField(label="延期原因", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        field.queryset = departments
        if not self.is_bound:
            # A blank form is only drawn: read the departments once, not once per rendering
            # pass over the choices. A posted one still validates against the queryset.
            field.choices = [(d.pk, field.label_from_instance(d)) for d in departments]


class SpotCheckDrawForm(forms.Form):
    """Draw parameters; the share is typed in percent as the bureau's documents state it."""

    field_order = ["year", "scope", "history", "share_percent", "min_count", "threshold", "seed"]

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    share_percent = forms.DecimalField(
        label="抽取比例（%）",
        initial=Decimal("20"),
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
    )
    min_count = forms.IntegerField(label="最少抽取数", initial=1, min_value=0)
    threshold = forms.DecimalField(
        label="差异阈值（分）", initial=DEFAULT_THRESHOLD, min_value=Decimal("0"), decimal_places=2
    )
    scope = forms.ChoiceField(
        label="抽取方式",
        choices=[
            (SpotCheck.Scope.EVALUATIONS, "按项目（从审核通过的自评中分层抽取）"),
            (SpotCheck.Scope.DEPARTMENTS, "按部门（整部门抽取，抽中部门审核通过的自评全部复核）"),
        ],
        initial=SpotCheck.Scope.EVALUATIONS,
        required=False,
        widget=forms.RadioSelect,
        help_text="按部门抽取时，比例按启用的主管部门总数计算（如55个部门抽20%即11个部门）。",
    )
    history = forms.ChoiceField(
        label="往年抽查",
        choices=[
            (SpotCheck.History.IGNORE, "不考虑（往年抽过的部门也可能再抽到）"),
            (SpotCheck.History.EXCLUDE, "排除往年已抽查部门（逐年扩大覆盖面）"),
            (SpotCheck.History.FAVOUR, "优先抽取往年未抽查部门，不足时从其余部门补足"),
        ],
        initial=SpotCheck.History.EXCLUDE,
        required=False,
        widget=forms.RadioSelect,
        help_text="仅按部门抽取时适用；排除后剩余部门不足时，剩余部门全部抽取并予以提示。",
    )
    seed = forms.IntegerField(
        label="随机种子（留空自动生成）",
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text="填写以往抽查的种子，可按相同条件复现抽取结果。",
    )

    def clean_scope(self) -> str:
        """Not chosen: by filing, as before department draws existed."""
        return self.cleaned_data.get("scope") or SpotCheck.Scope.EVALUATIONS

    def clean_history(self) -> str:
        """Not chosen: earlier years are not considered."""
        return self.cleaned_data.get("history") or SpotCheck.History.IGNORE

    @property
    def share(self) -> Decimal:
        """The share as a fraction (20 → 0.2)."""
        return self.cleaned_data["share_percent"] / 100


class SpotCheckScoreForm(forms.Form):
    """A review score (and remark) for each weighted indicator of a sampled filing."""

    def __init__(self, *args, results, existing: dict, prefill: bool = False, **kwargs):
        """`prefill` offers the computed score in every box without a saved review score:
        the reviewer starts from the rule's figure and changes the rows that need it."""
        super().__init__(*args, **kwargs)
        self.results = results
        for result in results:
            score = existing.get(result.pk)
            saved = score.review_score if score else None
            if saved is None and prefill:
                saved = result.computed_score
            self.fields[f"score_{result.pk}"] = forms.DecimalField(
                label=result.indicator.name,
                required=False,
                min_value=Decimal("0"),
                max_value=result.indicator.weight,
                decimal_places=2,
                initial=saved,
            )
            self.fields[f"comment_{result.pk}"] = forms.CharField(
                label="复核意见",
                required=False,
                initial=score.comment if score else "",
            )

    def scores(self) -> dict[int, Decimal | None]:
        """{result id: review score or None}."""
        return {r.pk: self.cleaned_data.get(f"score_{r.pk}") for r in self.results}

    def comments(self) -> dict[int, str]:
        """{result id: remark}."""
        return {r.pk: self.cleaned_data.get(f"comment_{r.pk}", "") for r in self.results}


def default_year() -> int:
    """Self-evaluation is done in the first half of the year on last year's projects."""
    return timezone.localdate().year - 1


def in_days(days: int) -> datetime.date:
    """A date `days` from today, for form defaults."""
    return timezone.localdate() + datetime.timedelta(days=days)


# A 整改 item raised at review is due in a month unless the reviewer says otherwise.
RECTIFY_DAYS = 30


class ReturnRectifyForm(forms.Form):
    """The return form's option 同时列为整改事项, with its deadline."""

    rectify = forms.BooleanField(label="同时列为整改事项", required=False)
    rectify_deadline = forms.DateField(
        label="整改期限",
        required=False,
        widget=DATE,
        error_messages={"invalid": "整改期限不是有效日期。"},
    )

    def clean(self):
        """A deadline is required only when the option is ticked."""
        data = super().clean()
        if data.get("rectify") and not data.get("rectify_deadline") and not self.errors:
            self.add_error("rectify_deadline", "列为整改事项时须填写整改期限。")
        return data


def default_deadline():
    """Thirty days from today, the raise page's default."""
    return in_days(RECTIFY_DAYS)
