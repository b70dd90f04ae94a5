"""The declarer's forms: a new subject for a coming year, and the 绩效目标申报表 as flat content.

The declaration form posts one input per field (``goal_expected``, ``fund-<source>-initial``,
``ind-<indicator id>-<field>``); `DeclarationForm` turns them into the flat {key: text} content
`declaration_save_draft` speaks, amounts converted from the project's money unit to 元.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.filing.content import SOURCES
from projects.filing.forms import MoneyField
from projects.models import Project
from projects.money import to_yuan
from projects.targets.content import INDICATOR_FIELDS, clean_content

CONTROL = {"class": "form-control"}


class DeclareForm(forms.Form):
    """申报新项目: which unit, which year, and what the subject is called."""

    unit = forms.TypedChoiceField(
        label="实施单位", coerce=int, error_messages={"required": "请选择实施单位。"}
    )
    year = forms.IntegerField(
        label="申报年度",
        widget=forms.NumberInput(attrs=CONTROL),
        error_messages={"required": "请填写申报年度。", "invalid": "请填写年度，如 2027。"},
    )
    code = forms.CharField(
        label="项目编码",
        max_length=100,
        widget=forms.TextInput(attrs=CONTROL),
        error_messages={"required": "请填写项目编码。", "max_length": "项目编码不能超过 100 字。"},
    )
    name = forms.CharField(
        label="项目名称",
        max_length=300,
        widget=forms.TextInput(attrs=CONTROL),
        error_messages={"required": "请填写项目名称。", "max_length": "项目名称不能超过 300 字。"},
    )
    kind = forms.ChoiceField(
        label="评价对象", choices=Project.Kind.choices, initial=Project.Kind.PROJECT
    )
    money_unit = forms.ChoiceField(
        label="金额单位", choices=Project.MoneyUnit.choices, initial=Project.MoneyUnit.WAN_YUAN
    )
    end_year = forms.IntegerField(
        label="项目截止年度",
        required=False,
        help_text="留空表示持续性项目。",
        widget=forms.NumberInput(attrs=CONTROL),
        error_messages={"invalid": "请填写年度，如 2029，或留空。"},
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["unit"].initial = next(iter(self.units), None)
        self.fields["year"].initial = timezone.localdate().year + 1
        for name in ("unit", "kind", "money_unit"):
            self.fields[name].widget.attrs.update({"class": "form-select"})

    def clean_year(self):
        """Only this year or a coming one (as the service says; here at the field)."""
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if year < this_year:
            raise ValidationError(f"只能申报 {this_year} 年度及以后的项目。")
        if year > 2100:
            raise ValidationError("申报年度不正确。")
        return year

    def clean(self):
        """A code is used once per unit and year; the end year is not before the year."""
        data = super().clean()
        unit, year, code = data.get("unit"), data.get("year"), (data.get("code") or "").strip()
        taken = Project.objects.filter(unit_id=unit, year=year, code=code)
        if unit and year and code and taken.exists():
            self.add_error("code", f"本单位 {year} 年度已有编码为“{code}”的项目，请换一个编码。")
        overall = Project.Kind.DEPARTMENT_OVERALL
        overalls = Project.objects.filter(unit_id=unit, year=year, kind=overall)
        if unit and year and data.get("kind") == overall and overalls.exists():
            self.add_error("kind", f"本单位 {year} 年度已有部门整体支出，每年只能申报一个。")
        end_year = data.get("end_year")
        if year and end_year is not None and end_year < year:
            self.add_error("end_year", "项目截止年度不能早于申报年度。")
        return data


def field_name(key: str) -> str:
    """The input name of a flat key: funds.x.initial → fund-x-initial, indicators.7.name → ind-7-name."""
    head, _, rest = key.partition(".")
    if head == "funds":
        return "fund-" + rest.replace(".", "-")
    if head == "indicators":
        return "ind-" + rest.replace(".", "-")
    return key


def field_id(key: str) -> str:
    """The HTML id of the input of a flat key (the target of a finding's link)."""
    return f"id_{field_name(key)}"


class DeclarationForm:
    """The posted 绩效目标申报表 as flat content in 元, with a message per bad field."""

    def __init__(self, declaration, data):
        self.declaration = declaration
        self.data = data
        self.money_unit = declaration.project.money_unit or "元"
        self.content: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._read()

    def _keys(self):
        yield "goal_expected"
        for source in SOURCES:
            yield f"funds.{source}.initial"
        for indicator in self.declaration.project.indicators.all():
            for name in INDICATOR_FIELDS:
                yield f"indicators.{indicator.pk}.{name}"

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
            self.content = clean_content(self.declaration, self.content)
        except ValidationError as bad:
            for key, messages in bad.message_dict.items():
                self.errors[key] = "；".join(messages)
                self.content.pop(key, None)
            self.content = clean_content(self.declaration, self.content)

    @property
    def is_valid(self) -> bool:
        """No field has a message."""
        return not self.errors

    def raw(self, key: str) -> str | None:
        """What the declarer typed into a field (None if the field was not posted)."""
        name = field_name(key)
        return self.data.get(name) if name in self.data else None
