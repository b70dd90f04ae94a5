"""A declaration's fields as flat {key: text}, as the self-evaluation's are.

Keys: ``goal_expected``; ``funds.<source>.initial`` (年初预算数, 元) for the sources of the fund
plan; ``indicators.<indicator id>.<field>`` for level1, level2, name, target, weight and method.
The form, the upload and the merge of a stale save all speak this shape.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from projects.filing.content import SOURCES, norm
from projects.labels import SOURCE_LABELS

INDICATOR_FIELDS = ("level1", "level2", "name", "target", "weight", "method")
INDICATOR_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "weight": "分值",
    "method": "评价方法（数据来源/调查方式）",
}
LIMITS = {"level1": 50, "level2": 50, "name": 300, "target": 300, "method": 300}
GOAL_LIMIT = 2000
AMOUNT_MAX = Decimal("9999999999999999.99")
WEIGHT_MAX = Decimal("99999.99")


def stored_content(declaration) -> dict[str, str]:
    """The declarer's side of a stored declaration (project, fund lines, indicators prefetched)."""
    project = declaration.project
    content = {"goal_expected": norm(project.goal_expected)}
    lines = {line.source: line for line in project.fund_lines.all()}
    for source in SOURCES:
        content[f"funds.{source}.initial"] = norm(getattr(lines.get(source), "initial", None))
    for indicator in project.indicators.all():
        for name in INDICATOR_FIELDS:
            content[f"indicators.{indicator.pk}.{name}"] = norm(getattr(indicator, name))
    return content


def field_label(key: str, declaration) -> str:
    """Where a flat key sits on the 绩效目标申报表, in the words of the page."""
    head, _, rest = key.partition(".")
    if key == "goal_expected":
        return "年度总体目标"
    if head == "funds":
        source = rest.split(".")[0]
        return f"资金计划 · {SOURCE_LABELS.get(source, source)} · 年初预算数"
    if head == "indicators":
        indicator_id, name = rest.split(".")
        names = {i.pk: i.name for i in declaration.project.indicators.all()}
        shown = names.get(int(indicator_id)) or "（新指标）"
        return f"绩效指标 · {shown} · {INDICATOR_LABELS.get(name, name)}"
    return key


def clean_content(declaration, content: dict) -> dict[str, str]:
    """The declarer's fields of `content`, normalised and checked; other keys are ignored.

    Raises ValidationError naming each bad field in words; nothing is written when any is bad.
    """
    allowed = set(stored_content(declaration))
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, raw in content.items():
        if key not in allowed:
            continue
        text = norm(raw)
        name = key.rsplit(".", 1)[-1]
        problem = ""
        if key.startswith("funds.") and text:
            text, problem = _number(text, AMOUNT_MAX, "金额（元）")
        elif name == "weight" and text:
            text, problem = _number(text, WEIGHT_MAX, "分值")
        elif key == "goal_expected":
            problem = f"不能超过 {GOAL_LIMIT} 字。" if len(text) > GOAL_LIMIT else ""
        elif name in LIMITS and len(text) > LIMITS[name]:
            problem = f"不能超过 {LIMITS[name]} 字。"
        elif name in ("level1", "name") and not text:
            problem = "不能为空。"
        if problem:
            errors[key] = f"{field_label(key, declaration)}：{problem}"
        else:
            cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _number(text: str, maximum: Decimal, what: str) -> tuple[str, str]:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return text, f"请填写{what}，如 1200000.00。"
    if not value.is_finite() or value < 0:
        return text, f"{what}不能为负数。"
    if value > maximum or value != value.quantize(Decimal("0.01")):
        return text, f"{what}最多两位小数，且不超过 {maximum}。"
    return norm(value), ""
