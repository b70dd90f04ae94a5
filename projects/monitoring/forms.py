"""The finance bureau's round form and the filer's monitoring form, read into flat content.

The monitoring form posts one input per filer field (``fund-<source>-<field>``,
``ind-<indicator id>-<field>``, ``explanation``); `ReportForm` turns them into the flat
{key: text} content the services speak, amounts converted from the project's money unit to 元.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from projects.filing.forms import MoneyField
from projects.money import to_yuan
from projects.monitoring.content import ENTRY_FIELDS, FUND_FIELDS, clean_content, fund_sources


class RoundIssueForm(forms.Form):
    """下发监控任务: the date progress is reported as of, a deadline and a note."""

    as_of = forms.DateField(
        label="监控时点",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
        error_messages={"required": "请填写监控时点。", "invalid": "请填写日期，如 2024-06-30。"},
    )
    deadline = forms.DateField(
        label="截止日期",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
        error_messages={"required": "请填写截止日期。", "invalid": "请填写日期，如 2024-07-20。"},
    )
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def clean(self):
        """The deadline cannot come before the date reported as of."""
        data = super().clean()
        as_of, deadline = data.get("as_of"), data.get("deadline")
        if as_of and deadline and deadline < as_of:
            self.add_error("deadline", "截止日期不能早于监控时点。")
        if as_of and not 2000 <= as_of.year <= 2100:
            self.add_error("as_of", "监控时点的年度不正确。")
        return data


def default_as_of(today: datetime.date) -> datetime.date:
    """The end of the last quarter before today (6-30 in July)."""
    quarter_end_month = (today.month - 1) // 3 * 3
    if quarter_end_month == 0:
        return datetime.date(today.year - 1, 12, 31)
    next_month = datetime.date(today.year, quarter_end_month, 28) + datetime.timedelta(days=4)
    return next_month - datetime.timedelta(days=next_month.day)


def field_name(key: str) -> str:
    """The input name of a flat key: funds.x.executed → fund-x-executed."""
    head, _, rest = key.partition(".")
    if head == "funds":
        return "fund-" + rest.replace(".", "-")
    if head == "entries":
        return "ind-" + rest.replace(".", "-")
    return key


def field_id(key: str) -> str:
    """The HTML id of the input of a flat key (the target of a finding's link)."""
    return f"id_{field_name(key)}"


class ReportForm:
    """The posted monitoring form as flat content in 元, with a message per bad field."""

    def __init__(self, report, data):
        self.report = report
        self.data = data
        self.money_unit = report.project.money_unit or "元"
        self.content: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._read()

    def _keys(self):
        yield "explanation"
        for source in fund_sources(self.report.project):
            for name in FUND_FIELDS:
                yield f"funds.{source}.{name}"
        for indicator in self.report.project.indicators.all():
            for name in ENTRY_FIELDS:
                yield f"entries.{indicator.pk}.{name}"

    def _read(self) -> None:
        money = MoneyField()
        for key in self._keys():
            name = field_name(key)
            if name not in self.data:
                continue
            text = self.data.get(name, "")
            if key.startswith("funds."):
                try:
                    amount = money.clean(text)
                except ValidationError as bad:
                    self.errors[key] = "；".join(bad.messages)
                    continue
                yuan = None if amount is None else to_yuan(amount, self.money_unit)
                if yuan is not None and yuan != yuan.quantize(Decimal("0.01")):
                    self.errors[key] = "金额最多精确到分（以万元填写时最多六位小数）。"
                    continue
                text = "" if yuan is None else f"{yuan:f}"
            self.content[key] = text
        try:
            self.content = clean_content(self.report, self.content)
        except ValidationError as bad:
            for key, messages in bad.message_dict.items():
                self.errors[key] = "；".join(messages)
                self.content.pop(key, None)
            self.content = clean_content(self.report, self.content)

    @property
    def is_valid(self) -> bool:
        """No field has a message."""
        return not self.errors

    def raw(self, key: str) -> str | None:
        """What the filer typed into a field (None if the field was not posted)."""
        name = field_name(key)
        return self.data.get(name) if name in self.data else None
