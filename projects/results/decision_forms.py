"""The decide page's form: the bureau's decision, its share, next year's amount (元), a note."""

from __future__ import annotations

from django import forms

from projects.models import Decision

AMOUNT_ERRORS = {
    "invalid": "请输入金额（元），如 120000.00。",
    "max_digits": "金额过大。",
    "max_decimal_places": "金额最多保留两位小数（元）。",
    "max_whole_digits": "金额过大。",
}


class DecisionForm(forms.Form):
    """Checked again, by field, in `result_decision_record`."""

    decision = forms.ChoiceField(
        label="处理意见",
        choices=[("", "请选择"), *Decision.choices],
        error_messages={"required": "请选择处理意见。", "invalid_choice": "请选择处理意见。"},
    )
    cut_share = forms.DecimalField(
        label="压减比例（%）",
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text="仅“压减”填写，大于 0、不超过 100；留空时按下年安排数计算。",
        error_messages={
            "invalid": "压减比例应为数字，如 10。",
            "max_digits": "压减比例须大于 0 且不超过 100。",
            "max_decimal_places": "压减比例最多保留两位小数。",
            "max_whole_digits": "压减比例须大于 0 且不超过 100。",
        },
    )
    next_year_amount = forms.DecimalField(
        label="下年安排数（元）",
        required=False,
        max_digits=16,
        decimal_places=2,
        help_text="留空时：保持、优先保障按本年预算数，压减按比例计算，取消、暂停为 0。",
        error_messages=AMOUNT_ERRORS,
    )
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "说明不能超过 1000 字。"},
    )
