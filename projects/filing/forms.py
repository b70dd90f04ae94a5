"""Forms of the filing page; messages in Chinese, typed values kept.

The evaluation page is a bundle of small forms (money unit and goal, one form per fund source, a
formset for the indicator rows, the report sections). A draft keeps every valid field and reports
the invalid ones at the field, so a typo in one cell never costs the rest of the page.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from projects import formatting
from projects.filing.content import (
    AUTO,
    COLUMNS,
    FINANCE_FUND_COLUMNS,
    SOURCES,
    DraftChanges,
    claim_follows,
    is_qualitative,
)
from projects.models import Achievement, FundSource
from projects.money import MAX_AMOUNT, TEN_THOUSAND, format_amount
from projects.narrative import section_label, sections_for

MONEY_UNITS = (("万元", "万元"), ("元", "元"))
MAX_TEXT = 300
MAX_REASON = 2000
MAX_NOTE = 20000
TOO_LARGE = "金额过大（须小于 10 万亿元），请核对单位（元/万元）"

# Full-width digits and punctuation as typed by a Chinese input method.
_FOLD = str.maketrans("０１２３４５６７８９，．－＋　", "0123456789,.-+ ")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def parse_number(text: str) -> Decimal:
    """Read a number as people type it ("1,947,970", "３８.７６"); ValidationError otherwise."""
    cleaned = text.translate(_FOLD).strip().replace(" ", "")
    if not _NUMBER.match(cleaned):
        raise ValidationError("请输入数字，例如 38.76 或 1,947,970", code="invalid")
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValidationError("请输入数字", code="invalid") from exc


class MoneyField(forms.CharField):
    """An amount typed in 元 or 万元 with optional thousands separators; cleaned to Decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        """Blank is None; anything else must be a non-negative number."""
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        amount = parse_number(text)
        if amount < 0:
            raise ValidationError("金额不能为负数", code="negative")
        if amount >= MAX_AMOUNT:  # before any conversion or rounding, which a huge one overflows
            raise ValidationError(TOO_LARGE, code="too_large")
        return amount


class ScoreField(forms.CharField):
    """A score typed by the filer: blank, or a number with at most two decimals."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        """Blank is None; scores have at most two decimals and are never negative."""
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        score = parse_number(text)
        if score < 0:
            raise ValidationError("得分不能为负数", code="negative")
        if score >= 1000:  # no 分值 reaches it; checked before rounding, which would overflow
            raise ValidationError("得分过大，请核对", code="too_large")
        if score != score.quantize(Decimal("0.01")):
            raise ValidationError("得分最多保留两位小数", code="decimals")
        return score.quantize(Decimal("0.01"))


def _number_input(**attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={"class": "form-control form-control-sm num", "inputmode": "decimal", **attrs}
    )


class EvaluationForm(forms.Form):
    """The page's own fields: display unit, 实际完成情况 and the claimed execution score."""

    money_unit = forms.ChoiceField(
        label="金额单位", choices=MONEY_UNITS, widget=forms.RadioSelect, required=False
    )
    goal_actual = forms.CharField(
        label="实际完成情况",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    claimed_execution_score = ScoreField(label="预算执行率得分（自评）", widget=_number_input())
    claimed_execution_auto = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, execution_weight: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.execution_weight = execution_weight
        # Its cell sits in the 年度资金总额 row under 自评得分, with no label of its own.
        self.fields["claimed_execution_score"].widget.attrs["aria-label"] = "年度资金总额 自评得分"

    def clean_money_unit(self):
        """Unknown units fall back to 万元, the unit of the printed tables."""
        return self.cleaned_data.get("money_unit") or "万元"

    def clean_claimed_execution_score(self):
        """The filer may deduct, never claim more than the row's 分值."""
        score = self.cleaned_data.get("claimed_execution_score")
        if (
            score is not None
            and self.execution_weight is not None
            and score > self.execution_weight
        ):
            raise ValidationError(f"得分不能超过分值 {formatting.plain(self.execution_weight)} 分")
        return score


class FundRowForm(forms.Form):
    """One source row of 项目资金: 年初预算数, 全年预算数, 全年执行数 in the page's money unit."""

    initial = MoneyField(label="年初预算数", widget=_number_input())
    adjusted = MoneyField(label="全年预算数", widget=_number_input())
    executed = MoneyField(label="全年执行数", widget=_number_input())

    def __init__(self, *args, money_unit: str = "万元", **kwargs):
        super().__init__(*args, **kwargs)
        self.money_unit = money_unit
        # The table has no label beside each input: name the cell (row and column) for screen
        # readers, e.g. "上年结转资金 全年执行数".
        row = dict(FundSource.choices).get((self.prefix or "").removeprefix("fund-"), "")
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{row.removeprefix('其中：')} {field.label}".strip()
        # Budgets were approved with the budget: the finance bureau changes them, not the filer.
        for name in FINANCE_FUND_COLUMNS:
            self.fields[name].disabled = True
            self.fields[name].help_text = "预算批复数，由财政部门下达"

    def _in_yuan(self, name: str):
        amount = self.cleaned_data.get(name)
        if amount is None:
            return None
        yuan = amount * TEN_THOUSAND if self.money_unit == "万元" else amount
        if yuan != yuan.quantize(Decimal("0.01")):
            places = "六" if self.money_unit == "万元" else "两"
            raise ValidationError(f"金额最多精确到分（{self.money_unit}最多{places}位小数）")
        if yuan >= MAX_AMOUNT:
            raise ValidationError(TOO_LARGE)
        return yuan.quantize(Decimal("0.01"))

    def clean_initial(self):
        """Stored in 元, exact to the 分."""
        return self._in_yuan("initial")

    def clean_adjusted(self):
        """Stored in 元, exact to the 分."""
        return self._in_yuan("adjusted")

    def clean_executed(self):
        """Stored in 元, exact to the 分."""
        return self._in_yuan("executed")


class IndicatorResultForm(forms.Form):
    """One indicator row: the actual, the achievement of a qualitative row, score and reason."""

    indicator = forms.IntegerField(widget=forms.HiddenInput)
    actual = forms.CharField(
        label="实际完成值",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm num actual-input"}),
    )
    achievement = forms.ChoiceField(
        label="完成程度",
        required=False,
        choices=[("", "请选择")] + list(Achievement.choices),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    claimed_score = ScoreField(label="自评得分", widget=_number_input())
    claimed_auto = forms.BooleanField(required=False, widget=forms.HiddenInput)
    deviation_reason = forms.CharField(
        label="偏差原因分析及改进措施",
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, indicators: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators or {}
        self.indicator_obj = None
        raw = self.data.get(self.add_prefix("indicator")) if self.is_bound else None
        key = raw if raw is not None else self.initial.get("indicator")
        try:
            self.indicator_obj = self.indicators.get(int(key))
        except (TypeError, ValueError):
            self.indicator_obj = None
        if self.indicator_obj is not None:
            # The table has no label beside each input: name the cell for screen readers.
            name = self.indicator_obj.name
            for field_name in ("actual", "achievement", "claimed_score", "deviation_reason"):
                field = self.fields[field_name]
                field.widget.attrs["aria-label"] = f"{name} {field.label}"

    def has_changed(self) -> bool:
        """Every row of the table is a row of the filing, posted or not: never "empty"."""
        return True

    def clean_indicator(self):
        """Only the project's own indicators can be filled from this page."""
        value = self.cleaned_data["indicator"]
        if value not in self.indicators:
            raise ValidationError("该指标不属于本项目")
        return value

    def clean_claimed_score(self):
        """Lower than computed is allowed; higher than the 分值 is not a score at all."""
        score = self.cleaned_data.get("claimed_score")
        weight = self.indicator_obj.weight if self.indicator_obj else None
        if score is not None and weight is not None and score > weight:
            raise ValidationError(f"得分不能超过分值 {formatting.plain(weight)} 分")
        return score


class _RowFields(dict):
    """The indicator row's fields, copied cheaply for each of the table's rows.

    A form deep-copies its fields on every instantiation; the live recompute builds one form
    per indicator on every keystroke, and a deep copy of choices and validators was a third of
    its time. Each row gets its own field and widget objects (so per-row changes such as
    `disabled` stay per row); only immutable parts (choices, validator objects) are shared.
    """

    def __deepcopy__(self, memo):
        fields = {}
        for name, field in self.items():
            clone = _shallow(field)
            clone.widget = _shallow(field.widget)
            clone.widget.attrs = dict(field.widget.attrs)
            clone.error_messages = dict(field.error_messages)
            clone.validators = list(field.validators)
            fields[name] = clone
        return fields


def _shallow(obj):
    """A new object of the same class sharing the attribute values (fields have no slots)."""
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


IndicatorResultForm.base_fields = _RowFields(IndicatorResultForm.base_fields)


class BaseIndicatorFormSet(forms.BaseFormSet):
    """The indicator rows, each form bound to one of the project's indicators by id."""

    def __init__(self, *args, indicators=(), **kwargs):
        self.indicator_map = {i.pk: i for i in indicators}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        """Every row resolves its indicator from the same map (no query per row)."""
        return {**super().get_form_kwargs(index), "indicators": self.indicator_map}


IndicatorFormSet = forms.formset_factory(
    IndicatorResultForm,
    formset=BaseIndicatorFormSet,
    extra=0,
    max_num=1000,
    absolute_max=1000,
)


class NarrativeForm(forms.Form):
    """The 自评报告 sections: the standard ones for the subject's kind, plus any imported ones.

    A standard section the filer has not edited follows the figures (auto_<key>): it is
    redrafted whenever they change, so its numbers always agree with the table.
    """

    def __init__(self, *args, kind: str, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = [key for key, _ in sections_for(kind)]
        ordered = self.standard + [key for key in keys if key not in self.standard]
        for key in ordered:
            self.fields[f"note_{key}"] = forms.CharField(
                label=section_label(kind, key),
                required=False,
                max_length=MAX_NOTE,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control narrative-input"}),
            )
            if key in self.standard:
                self.fields[f"auto_{key}"] = forms.BooleanField(
                    required=False, widget=forms.HiddenInput
                )
        self.keys = ordered

    def is_auto(self, key: str) -> bool:
        """Does this section still follow the figures (the filer has not edited it)?"""
        name = f"auto_{key}"
        if name not in self.fields:
            return False
        if self.is_bound:
            return self.fields[name].clean(
                self.fields[name].widget.value_from_datadict(self.data, None, self.add_prefix(name))
            )
        return bool(self.initial.get(name))

    def notes(self) -> dict:
        """The valid sections that were posted, keyed by their notes key (AUTO: redraft)."""
        data = getattr(self, "cleaned_data", {})
        notes = {}
        for key in self.keys:
            if self.is_auto(key):
                notes[key] = AUTO
            elif f"note_{key}" in data and self.add_prefix(f"note_{key}") in self.data:
                notes[key] = data[f"note_{key}"]
        return notes


class FilingForms:
    """All forms of one evaluation page, bound or not, with one place to collect changes."""

    def __init__(
        self,
        evaluation,
        *,
        data=None,
        initial_unit: str | None = None,
        result=None,
        drafts: dict | None = None,
    ):
        self.evaluation = evaluation
        project = evaluation.project
        self.indicators = list(project.indicators.all())
        stored = {r.indicator_id: r for r in evaluation.results.all()}
        lines = {line.source: line for line in project.fund_lines.all()}
        total = lines.get(FundSource.TOTAL)
        money_unit = (data or {}).get("ev-money_unit") or initial_unit or project.money_unit
        if money_unit not in ("元", "万元"):
            money_unit = project.money_unit
        self.money_unit = money_unit
        self.sources_prefilled = False
        scores = {}
        if result:
            scores = {row["indicator_id"]: row.get("score") for row in result["indicators"]}
        exec_auto = (
            evaluation.claimed_execution_follows
            or evaluation.claimed_execution_score is None
            or (result and _eq(evaluation.claimed_execution_score, result.get("execution_score")))
        )
        self.main = EvaluationForm(
            data,
            prefix="ev",
            execution_weight=(total.weight if total and total.weight is not None else Decimal(10)),
            initial={
                "money_unit": money_unit,
                "goal_actual": evaluation.goal_actual,
                "claimed_execution_score": _score_text(
                    (result or {}).get("execution_score")
                    if exec_auto
                    else evaluation.claimed_execution_score
                ),
                "claimed_execution_auto": bool(exec_auto),
            },
        )
        source_values = {s: lines.get(s) for s in SOURCES}
        if total and not any(
            getattr(line, c) is not None for line in source_values.values() if line for c in COLUMNS
        ):
            # Only a total was printed: show it as 当年财政拨款 so the total stays derived.
            self.sources_prefilled = any(getattr(total, c) is not None for c in COLUMNS)
            source_values[FundSource.CURRENT_YEAR] = total
        self.funds = {
            source: FundRowForm(
                data,
                prefix=f"fund-{source}",
                money_unit=money_unit,
                initial={
                    c: format_amount(getattr(line, c), money_unit) if line else "" for c in COLUMNS
                },
            )
            for source, line in source_values.items()
        }
        initial_rows = []
        for indicator in self.indicators:
            row = stored.get(indicator.pk)
            claimed = row.claimed_score if row else None
            computed = scores.get(indicator.pk)
            # A qualitative row's score is the filer's pick inside the band: once given, it is
            # theirs, even where it equals what the rules computed from it.
            # One rule for the form, the template and the merge: content.claim_follows (a
            # live result may differ from the stored computed score, so compare with it too).
            auto = claim_follows(row, indicator) or (
                _eq(claimed, computed) and not is_qualitative(indicator)
            )
            initial_rows.append(
                {
                    "indicator": indicator.pk,
                    "actual": row.actual if row else "",
                    "achievement": row.achievement if row else "",
                    "claimed_score": _score_text(computed if auto else claimed)
                    if indicator.weight is not None
                    else "",
                    "claimed_auto": auto,
                    "deviation_reason": row.deviation_reason if row else "",
                }
            )
        self.rows = IndicatorFormSet(
            data, prefix="ind", initial=initial_rows, indicators=self.indicators
        )
        notes = {k: v for k, v in (evaluation.notes or {}).items() if isinstance(v, str)}
        # Standard sections that are empty, or still exactly the system's draft, follow the
        # figures; the rest are the filer's words and are never touched.
        drafts = drafts or {}
        self.drafted_keys = {
            key
            for key, text in drafts.items()
            if text and (not notes.get(key, "").strip() or notes.get(key) == text)
        }
        self.narrative = NarrativeForm(
            data,
            prefix="nr",
            kind=project.kind,
            keys=list(notes),
            initial={
                **{f"note_{k}": v for k, v in notes.items()},
                **{f"note_{k}": drafts[k] for k in self.drafted_keys},
                **{f"auto_{k}": True for k in self.drafted_keys},
            },
        )

    def disable(self) -> None:
        """Read-only after submission: every field shown, none editable."""
        for form in self.all_forms:
            for bound_field in form.fields.values():
                bound_field.disabled = True

    @property
    def all_forms(self):
        """Every form of the page, for validation in one pass."""
        return [self.main, *self.funds.values(), *self.rows.forms, self.narrative]

    def validate(self) -> None:
        """Run every form's validation (the management form included)."""
        self.rows.is_valid()
        for form in self.all_forms:
            form.is_valid()
        self._check_fund_total()

    def _check_fund_total(self) -> None:
        """The 年度资金总额 is the sum of the sources: it must stay below the bound too."""
        if getattr(self, "_total_checked", False):
            return
        self._total_checked = True
        stored = {line.source: line for line in self.evaluation.project.fund_lines.all()}
        for column in COLUMNS:
            total, posted = Decimal(0), []
            for source, form in self.funds.items():
                data = getattr(form, "cleaned_data", {})
                if column in data and form.add_prefix(column) in form.data:
                    value = data[column]
                    posted.append(form)
                else:
                    line = stored.get(source)
                    value = getattr(line, column) if line else None
                total += value or Decimal(0)
            if total >= MAX_AMOUNT:
                for form in posted:
                    form.add_error(column, "各来源合计（年度资金总额）" + TOO_LARGE)

    def changes(self) -> DraftChanges:
        """The valid posted fields as service input; invalid or missing fields stay untouched."""
        if getattr(self, "_changes", None) is None:
            self._changes = self._collect()
        return self._changes

    def _collect(self) -> DraftChanges:
        self.validate()
        main = self.main.cleaned_data
        funds = {}
        for source, form in self.funds.items():
            values = {c: form.cleaned_data[c] for c in COLUMNS if c in form.cleaned_data}
            if values and any(form.add_prefix(c) in form.data for c in values):
                funds[source] = values
        results = {}
        for form in self.rows.forms:
            data = getattr(form, "cleaned_data", {})
            indicator_id = data.get("indicator")
            if indicator_id is None or form.indicator_obj is None:
                continue
            values = {
                name: data[name]
                for name in ("actual", "achievement", "deviation_reason")
                if name in data and form.add_prefix(name) in form.data
            }
            if form.indicator_obj.weight is not None and "claimed_score" in data:
                values["claimed_score"] = (
                    AUTO if data.get("claimed_auto") else data["claimed_score"]
                )
            results[indicator_id] = values
        claimed_exec = None
        if main.get("claimed_execution_auto"):
            claimed_exec = AUTO
        elif "claimed_execution_score" in main:
            claimed_exec = main["claimed_execution_score"]
        return DraftChanges(
            funds=funds or None,
            goal_actual=main.get("goal_actual")
            if self.main.add_prefix("goal_actual") in self.main.data
            else None,
            results=results or None,
            notes=self.narrative.notes() or None,
            claimed_execution_score=claimed_exec,
        )

    def field_errors(self) -> dict[str, list[str]]:
        """{html id: messages} for every invalid field, shown beside that field."""
        errors = {}
        for form in self.all_forms:
            if not form.is_bound:
                continue
            for name, messages in form.errors.items():
                if name == "__all__" or name not in form.fields:
                    continue
                errors[form[name].auto_id] = list(messages)
        return errors

    def row_forms(self):
        """(indicator, form) pairs in table order."""
        by_id = {}
        for form in self.rows.forms:
            if form.indicator_obj is not None:
                by_id[form.indicator_obj.pk] = form
        return [(i, by_id.get(i.pk)) for i in self.indicators]


def _eq(a, b) -> bool:
    if a is None or b in (None, ""):
        return False
    return Decimal(a) == Decimal(str(b))


def _score_text(value) -> str:
    if value in (None, ""):
        return ""
    return formatting.fmt_score(Decimal(str(value)))
