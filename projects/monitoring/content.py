"""A monitoring report's filer fields as flat {key: text}, as the self-evaluation's are.

Keys: ``explanation``, ``funds.<source>.executed`` / ``.forecast`` (元), and
``entries.<indicator id>.<field>``. The form, the JSON upload and the merge of a stale save all
speak this shape; values are normalised text (`projects.filing.content.norm`), so "900" and
"900.00" are the same amount.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from projects.filing.content import SOURCES, norm, shown_fund_lines
from projects.labels import SOURCE_LABELS
from projects.models import Achievement, DeviationCategory, Likelihood

FUND_FIELDS = ("executed", "forecast")
ENTRY_FIELDS = (
    "value",
    "achievement",
    "forecast",
    "likelihood",
    "deviation_category",
    "reason",
    "measures",
)
FUND_LABELS = {"executed": "截至监控时点执行数", "forecast": "全年预计执行数"}
ENTRY_LABELS = {
    "value": "截至监控时点完成值",
    "achievement": "完成程度",
    "forecast": "全年预计完成值",
    "likelihood": "完成目标可能性",
    "deviation_category": "偏差原因类型",
    "reason": "偏差原因",
    "measures": "拟采取的措施",
}
CHOICES = {
    "achievement": dict(Achievement.choices),
    "likelihood": dict(Likelihood.choices),
    "deviation_category": dict(DeviationCategory.choices),
}
TEXT_LIMITS = {"value": 300, "forecast": 300, "reason": 1000, "measures": 1000}
EXPLANATION_LIMIT = 2000
# The largest amount a 元 column holds (18 digits, 2 of them decimals).
AMOUNT_MAX = Decimal("9999999999999999.99")


def fund_sources(project) -> list[str]:
    """The source rows the report asks for: those the approved budget shows."""
    lines = shown_fund_lines(project)
    return [s for s in SOURCES if lines.get(s) is not None] or [SOURCES[0]]


def stored_content(report) -> dict[str, str]:
    """The filer's side of a stored report (funds, entries and indicators prefetched)."""
    content = {"explanation": norm(report.explanation)}
    funds = {f.source: f for f in report.funds.all()}
    for source in fund_sources(report.project):
        row = funds.get(source)
        for name in FUND_FIELDS:
            content[f"funds.{source}.{name}"] = norm(getattr(row, name) if row else None)
    entries = {e.indicator_id: e for e in report.entries.all()}
    for indicator in report.project.indicators.all():
        entry = entries.get(indicator.pk)
        for name in ENTRY_FIELDS:
            content[f"entries.{indicator.pk}.{name}"] = norm(getattr(entry, name) if entry else "")
    return content


def field_label(key: str, report) -> str:
    """Where a flat key sits on the 监控表, in the words of the page."""
    head, _, rest = key.partition(".")
    if key == "explanation":
        return "执行情况说明"
    if head == "funds":
        source, name = rest.split(".")
        return f"项目资金 · {SOURCE_LABELS.get(source, source)} · {FUND_LABELS.get(name, name)}"
    if head == "entries":
        indicator_id, name = rest.split(".")
        names = {i.pk: i.name for i in report.project.indicators.all()}
        return f"绩效指标 · {names.get(int(indicator_id), '')} · {ENTRY_LABELS.get(name, name)}"
    return key


def clean_content(report, content: dict) -> dict[str, str]:
    """The filer's fields of `content`, normalised and checked; other keys are not the filer's.

    Raises ValidationError naming each bad field in words (an amount that is not a number, a
    choice that does not exist, a text too long); nothing is written when any is bad.
    """
    allowed = set(stored_content_keys(report))
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, raw in content.items():
        if key not in allowed:
            continue
        text = norm(raw)
        name = key.rsplit(".", 1)[-1]
        if key.startswith("funds.") and text:
            text, problem = _amount(text)
        elif name in CHOICES and text:
            text, problem = _choice(text, CHOICES[name])
        else:
            limit = EXPLANATION_LIMIT if key == "explanation" else TEXT_LIMITS.get(name)
            problem = f"不能超过 {limit} 字。" if limit and len(text) > limit else ""
        if problem:
            errors[key] = f"{field_label(key, report)}：{problem}"
        else:
            cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def stored_content_keys(report) -> list[str]:
    """Every filer key the report has (without reading the stored values)."""
    keys = ["explanation"]
    keys += [f"funds.{s}.{n}" for s in fund_sources(report.project) for n in FUND_FIELDS]
    keys += [f"entries.{i.pk}.{n}" for i in report.project.indicators.all() for n in ENTRY_FIELDS]
    return keys


def _amount(text: str) -> tuple[str, str]:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return text, "请填写金额（元），如 1200000.00。"
    if not value.is_finite() or value < 0:
        return text, "金额不能为负数。"
    if value > AMOUNT_MAX or value != value.quantize(Decimal("0.01")):
        return text, "金额最多两位小数，且不超过 9999999999999999.99 元。"
    return norm(value), ""


def _choice(text: str, choices: dict[str, str]) -> tuple[str, str]:
    if text in choices:
        return text, ""
    by_label = {label: code for code, label in choices.items()}
    if text in by_label:
        return by_label[text], ""
    return text, f"请选择：{'、'.join(choices.values())}。"
