"""Forms of the monitoring review: the follow-up decision on a red light.

Approving and returning a report take the review's own forms (projects.review.forms), as the
transitions are the one workflow's.
"""

from __future__ import annotations

from django import forms

from projects.models import FollowUpDecision
from projects.review.forms import ApproveForm, ReturnForm

__all__ = ["ApproveForm", "FollowUpForm", "ReturnForm"]


class FollowUpForm(forms.Form):
    """What is to be done about one red light; `indicator` blank means the execution light."""

    decision = forms.ChoiceField(
        label="处理决定",
        choices=[("", "请选择"), *FollowUpDecision.choices],
        error_messages={"required": "请选择处理决定。", "invalid_choice": "请选择处理决定。"},
    )
    comment = forms.CharField(
        label="说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "说明不能超过 1000 字。"},
    )
    indicator = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "请选择亮红灯的指标。"},
    )
