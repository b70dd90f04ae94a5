"""The one reader of selfeval/1 documents and the one writer of selfeval-result/1 objects."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from .model import EvaluationInput, EvaluationResult, Finding, FundLine, IndicatorInput
from .monitoring import MonitoringIndicatorInput, MonitoringInput
from .numbers import is_blank, parse_printed_number, two_places
from .targets import achievement_from_text

FORMAT = "selfeval/1"
RESULT_FORMAT = "selfeval-result/1"
_TOP_KEYS = (
    "format", "kind", "year", "region", "department", "unit", "project", "money_unit",
    "funds", "goal", "indicators", "claimed", "notes", "monitoring",
)  # fmt: skip
_TOP_REQUIRED = ("format", "kind", "year", "department", "money_unit", "funds", "indicators")
_FUND_KEYS = (
    "source",
    "initial",
    "adjusted",
    "executed",
    "weight",
    "claimed_rate",
    "claimed_score",
    "forecast",
)
_ROW_KEYS = (
    "level1", "level2", "name", "target", "actual", "weight", "claimed_score", "deviation",
    "midyear_actual", "item_score", "achievement", "likelihood", "likelihood_reason", "measures",
    "forecast", "deviation_category",
)  # fmt: skip
_ROW_REQUIRED = ("level1", "level2", "name", "target", "weight")
_CLAIMED_KEYS = ("execution_score", "indicator_total", "total", "grade")
_SOURCES = ("total", "current_year", "carryover", "other")
_PERCENT_ALLOWED = frozenset({"claimed_rate", "weight"})
# The words of the forms and the codes, for 完成程度 and 完成目标可能性 (domain.md §4, §7).
_ACHIEVEMENT_WORDS = {
    "达成": "met", "部分达成": "partial", "未达成": "missed",
    "met": "met", "partial": "partial", "missed": "missed",
}  # fmt: skip
_LIKELIHOOD_WORDS = {
    "确定能": "certain", "有可能": "possible", "不可能": "unlikely",
    "certain": "certain", "possible": "possible", "unlikely": "unlikely",
}  # fmt: skip
# 偏差原因类型 of the published monitoring tables (domain.md §7), as words or codes.
_DEVIATION_WORDS = {
    "经费保障": "funding", "制度保障": "rules", "人员保障": "staff", "硬件保障": "equipment",
    "其他": "other", "funding": "funding", "rules": "rules", "staff": "staff",
    "equipment": "equipment", "other": "other",
}  # fmt: skip
# The monitoring block: as_of is required; the rest identify the report a file was made from.
_MONITORING_KEYS = ("as_of", "round", "report", "version", "explanation")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DocumentError(ValueError):
    """A selfeval/1 document that cannot be read; path names the key, message says why."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '（文档）'}：{message}")
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class Num:
    """A number as printed ("1,947,970", "84.25%") and its Decimal value."""

    text: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Named:
    """A department, unit or project: its name and optional code."""

    name: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class FundRow:
    """One 项目资金 row as printed."""

    source: str
    initial: Num | None = None
    adjusted: Num | None = None
    executed: Num | None = None
    weight: Num | None = None
    claimed_rate: Num | None = None
    claimed_score: Num | None = None
    forecast: Num | None = None  # 全年预计执行数 (monitoring)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One 绩效指标 row as printed."""

    level1: str
    level2: str | None
    name: str
    target: str | None
    weight: Num | None
    actual: str | None = None
    claimed_score: Num | None = None
    deviation: str | None = None
    midyear_actual: str | None = None
    # 单项得分 of the weighted form: the row's score out of 100, before × 权重占比.
    item_score: Num | None = None
    achievement: str | None = None  # met / partial / missed, where the document states it
    likelihood: str | None = None  # certain / possible / unlikely (完成目标可能性)
    likelihood_reason: str | None = None
    measures: str | None = None
    forecast: str | None = None  # 全年预计完成值 (monitoring)
    deviation_category: str | None = None  # 偏差原因类型 code (monitoring)


@dataclass(frozen=True, slots=True)
class Monitoring:
    """The monitoring block: the date the figures run to (截至日期), and, in a file downloaded
    from a report, the round's name, the report and the version it was made from."""

    as_of: datetime.date
    round: str | None = None
    report: int | None = None
    version: int | None = None
    explanation: str | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    """年度总体目标: 预期目标 and 实际完成情况."""

    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    """The filer's own figures: execution score, indicator total, total and grade."""

    execution_score: Num | None = None
    indicator_total: Num | None = None
    total: Num | None = None
    grade: str | None = None


@dataclass(frozen=True)
class Document:
    """One selfeval/1 document, validated and with its amounts parsed."""

    kind: str
    year: int
    department: Named
    money_unit: str
    funds: tuple[FundRow, ...]
    indicators: tuple[IndicatorRow, ...]
    region: str | None = None
    unit: Named | None = None
    project: Named | None = None
    goal: Goal | None = None
    claimed: Claimed | None = None
    notes: Mapping[str, str] | None = None
    monitoring: Monitoring | None = None
    format: str = FORMAT


# --- validation helpers: each names the JSON path of the offending value.


def _object(value: object, path: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise DocumentError(path, f"应为对象，实为 {_kind(value)}")
    for key in value:
        if key not in keys:
            raise DocumentError(_join(path, str(key)), "未知的键（selfeval/1 中没有此键）")
    for key in required:
        if key not in value:
            raise DocumentError(_join(path, key), "缺少必填的键")
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    names = {"dict": "对象", "list": "数组", "str": "字符串", "bool": "布尔值", "int": "整数"}
    kind = type(value).__name__
    return "null" if value is None else names.get(kind, "数值" if kind == "float" else kind)


def _text(
    value: object, path: str, *, nullable: bool = True, non_empty: bool = False
) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        expected = "字符串或 null" if nullable else "字符串"
        raise DocumentError(path, f"应为{expected}，实为 {_kind(value)}")
    if non_empty and not value:
        raise DocumentError(path, "不能为空字符串")
    return value


def _num(value: object, path: str, key: str) -> Num | None:
    text = _text(value, path)
    if text is None or is_blank(text):
        return None
    parsed = parse_printed_number(text)
    if parsed is None or (parsed[1] and key not in _PERCENT_ALLOWED):
        raise DocumentError(path, f"「{text}」不是数字")
    return Num(text, parsed[0])


def _enum(value: object, path: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise DocumentError(path, f"应为 {' / '.join(options)} 之一，实为 {value!r}")
    return value


def _named(value: object, path: str, *, nullable: bool) -> Named | None:
    if value is None and nullable:
        return None
    data = _object(value, path, ("name", "code"), ("name",))
    name = _text(data["name"], _join(path, "name"), nullable=False, non_empty=True)
    return Named(name, _text(data.get("code"), _join(path, "code")))


def _fund(value: object, path: str) -> FundRow:
    data = _object(value, path, _FUND_KEYS, ("source",))
    source = _enum(data["source"], _join(path, "source"), _SOURCES)
    amounts = {k: _num(data.get(k), _join(path, k), k) for k in _FUND_KEYS[1:]}
    return FundRow(source, **amounts)


def _word(value: object, path: str, words: dict[str, str]) -> str | None:
    """A choice written as the form's word or as its code; None when absent or blank."""
    text = _text(value, path)
    if text is None or is_blank(text):
        return None
    code = words.get(text.strip())
    if code is None:
        options = " / ".join(w for w in words if not w.isascii())
        raise DocumentError(path, f"应为 {options} 之一，实为「{text}」")
    return code


def _row(value: object, path: str) -> IndicatorRow:
    data = _object(value, path, _ROW_KEYS, _ROW_REQUIRED)
    texts = {
        k: _text(data.get(k), _join(path, k))
        for k in (
            "level2", "target", "actual", "deviation", "midyear_actual", "likelihood_reason",
            "measures", "forecast",
        )
    }  # fmt: skip
    texts["deviation_category"] = _word(
        data.get("deviation_category"), _join(path, "deviation_category"), _DEVIATION_WORDS
    )
    texts["achievement"] = _word(
        data.get("achievement"), _join(path, "achievement"), _ACHIEVEMENT_WORDS
    )
    texts["likelihood"] = _word(
        data.get("likelihood"), _join(path, "likelihood"), _LIKELIHOOD_WORDS
    )
    return IndicatorRow(
        level1=_text(data["level1"], _join(path, "level1"), nullable=False, non_empty=True),
        name=_text(data["name"], _join(path, "name"), nullable=False, non_empty=True),
        weight=_num(data["weight"], _join(path, "weight"), "weight"),
        claimed_score=_num(data.get("claimed_score"), _join(path, "claimed_score"), "score"),
        item_score=_num(data.get("item_score"), _join(path, "item_score"), "score"),
        **texts,
    )


def _array(value: object, path: str) -> list:
    if not isinstance(value, list):
        raise DocumentError(path, f"应为数组，实为 {_kind(value)}")
    return value


def read_document(data: object) -> Document:
    """Validate a parsed JSON value against selfeval/1 and return it typed; DocumentError if not."""
    top = _object(data, "", _TOP_KEYS, _TOP_REQUIRED)
    if top["format"] != FORMAT:
        raise DocumentError("format", f'应为 "{FORMAT}"，实为 {top["format"]!r}')
    kind = _enum(top["kind"], "kind", ("project", "department"))
    year = top["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DocumentError("year", f"应为 2000 到 2100 之间的整数，实为 {year!r}")
    funds_data = _array(top["funds"], "funds")
    if not funds_data:
        raise DocumentError("funds", "至少需要一行资金（年度资金总额）")
    funds = tuple(_fund(item, f"funds[{i}]") for i, item in enumerate(funds_data))
    seen: set[str] = set()
    for i, fund in enumerate(funds):
        if fund.source in seen:
            raise DocumentError(f"funds[{i}].source", f"资金来源「{fund.source}」重复")
        seen.add(fund.source)
    if "total" not in seen:
        raise DocumentError("funds", '缺少 source 为 "total" 的年度资金总额行')
    rows = _array(top["indicators"], "indicators")
    goal = None
    if top.get("goal") is not None:
        goal_data = _object(top["goal"], "goal", ("expected", "actual"), ())
        goal = Goal(*(_text(goal_data.get(k), f"goal.{k}") for k in ("expected", "actual")))
    claimed = None
    if top.get("claimed") is not None:
        c = _object(top["claimed"], "claimed", _CLAIMED_KEYS, ())
        claimed = Claimed(
            *(_num(c.get(k), f"claimed.{k}", k) for k in _CLAIMED_KEYS[:3]),
            grade=_text(c.get("grade"), "claimed.grade"),
        )
    notes = None
    if top.get("notes") is not None:
        if not isinstance(top["notes"], dict):
            raise DocumentError("notes", f"应为对象或 null，实为 {_kind(top['notes'])}")
        for key, text in top["notes"].items():
            _text(text, f"notes.{key}", nullable=False)
        notes = MappingProxyType(dict(top["notes"]))
    monitoring = None
    if top.get("monitoring") is not None:
        monitoring = _monitoring(top["monitoring"], year)
    return Document(
        kind=kind,
        year=year,
        department=_named(top["department"], "department", nullable=False),
        money_unit=_enum(top["money_unit"], "money_unit", ("元", "万元")),
        funds=funds,
        indicators=tuple(_row(item, f"indicators[{i}]") for i, item in enumerate(rows)),
        region=_text(top.get("region"), "region"),
        unit=_named(top.get("unit"), "unit", nullable=True),
        project=_named(top.get("project"), "project", nullable=True),
        goal=goal,
        claimed=claimed,
        notes=notes,
        monitoring=monitoring,
    )


def _monitoring(value: object, year: int) -> Monitoring:
    data = _object(value, "monitoring", _MONITORING_KEYS, ("as_of",))
    text = _text(data["as_of"], "monitoring.as_of", nullable=False)
    try:
        if not _DATE.match(text):
            raise ValueError
        as_of = datetime.date.fromisoformat(text)
    except ValueError:
        raise DocumentError("monitoring.as_of", f"「{text}」不是 YYYY-MM-DD 格式的日期") from None
    if as_of.year != year:
        raise DocumentError("monitoring.as_of", f"截至日期 {text} 不在 {year} 年度内")
    numbers = {}
    for key in ("report", "version"):
        number = data.get(key)
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            raise DocumentError(f"monitoring.{key}", f"应为整数或 null，实为 {_kind(number)}")
        numbers[key] = number
    return Monitoring(
        as_of,
        round=_text(data.get("round"), "monitoring.round"),
        explanation=_text(data.get("explanation"), "monitoring.explanation"),
        **numbers,
    )


def _value(num: Num | None) -> Decimal | None:
    return num.value if num is not None else None


# Rule sets of the templates the reader recognises (docs/rulesets.md, "Templates").
LEGACY_20_80 = "legacy-20-80"
TRANSFER_PAYMENT = "transfer-payment"
WEIGHTED_SHARE = "weighted-share"
_HUNDRED = Decimal(100)


def detect_ruleset(doc: Document) -> str | None:
    """The rule set of the template a document shows, where the table itself says; else None,
    and the region's setting applies (the national layout and its variants look alike).

    - a 单项得分 column (item_score): the weighted form, 单项得分 × 权重占比 = 折算得分;
    - 分值 20 on 年度资金总额: the old 20/80 form;
    - no execution points and weights printed as percentages adding up to 100: a
      transfer-payment table.
    """
    if any(row.item_score is not None for row in doc.indicators):
        return WEIGHTED_SHARE
    total = next(f for f in doc.funds if f.source == "total")
    execution_weight = _value(total.weight)
    if execution_weight == 20:
        return LEGACY_20_80
    weights = [row.weight for row in doc.indicators if row.weight is not None]
    if (
        not execution_weight
        and weights
        and all(w.text.strip().endswith(("%", "％")) for w in weights)
        and sum(w.value for w in weights) == _HUNDRED
    ):
        return TRANSFER_PAYMENT
    return None


def _share(weight: Num) -> Decimal:
    """A 权重占比 as a fraction: `20%` and `0.2` are both 0.2; a bare 20 is 20 of 100 points."""
    if weight.text.strip().endswith(("%", "％")) or weight.value > 1:
        return weight.value / _HUNDRED
    return weight.value


def _claimed_score(row: IndicatorRow) -> str | None:
    """The row's claimed 得分: as printed, or 单项得分 × 权重占比 (the weighted form's 折算得分)."""
    if row.claimed_score is not None:
        return row.claimed_score.text
    if row.item_score is not None and row.weight is not None:
        return str(row.item_score.value * _share(row.weight))
    return None


def document_to_input(doc: Document) -> EvaluationInput:
    """Turn a document into engine input; amounts stay in the document's money unit."""
    total = next(f for f in doc.funds if f.source == "total")
    weight = _value(total.weight)
    claimed = doc.claimed or Claimed()
    claimed_execution = _value(claimed.execution_score)
    claimed_total = _value(claimed.total)
    row_score = _value(total.claimed_score)
    # The 得分 cell of the total row holds the execution score in the national layout, but many
    # tables print the evaluation's total there (seed 001): a figure above the weight is a total.
    if row_score is not None:
        limit = weight if weight is not None else Decimal(10)
        if row_score <= limit and claimed_execution is None:
            claimed_execution = row_score
        elif row_score > limit and claimed_total is None:
            claimed_total = row_score
    notes = doc.notes or {}
    return EvaluationInput(
        funds=tuple(
            FundLine(f.source, _value(f.initial), _value(f.adjusted), _value(f.executed))
            for f in doc.funds
        ),
        indicators=tuple(
            IndicatorInput(
                level1=r.level1,
                level2=r.level2,
                name=r.name,
                target=r.target,
                actual=r.actual,
                weight=r.weight.text if r.weight is not None else None,
                claimed_score=_claimed_score(r),
                deviation=r.deviation,
                # The achievement the document states, else read from the actual's words.
                achievement=r.achievement or achievement_from_text(r.actual, r.target),
            )
            for r in doc.indicators
        ),
        execution_weight=weight,
        claimed_rate=_value(total.claimed_rate),
        claimed_execution_score=claimed_execution,
        claimed_indicator_total=_value(claimed.indicator_total),
        claimed_total=claimed_total,
        claimed_grade=claimed.grade,
        execution_reason=notes.get("execution_reason"),
        goal_expected=doc.goal.expected if doc.goal else None,
        goal_actual=doc.goal.actual if doc.goal else None,
        money_unit=doc.money_unit,
    )


def document_to_monitoring_input(doc: Document) -> MonitoringInput:
    """Turn a document with a monitoring block into the monitoring rules' input.

    The value to date is `midyear_actual` where given, else `actual`; fund rows' `executed`
    is the amount executed to date. DocumentError when the block (its as_of) is missing.
    """
    if doc.monitoring is None:
        raise DocumentError("monitoring", '缺少 "monitoring": {"as_of": "YYYY-MM-DD"}（截至日期）')
    return MonitoringInput(
        as_of=doc.monitoring.as_of,
        funds=tuple(
            FundLine(f.source, _value(f.initial), _value(f.adjusted), _value(f.executed))
            for f in doc.funds
        ),
        indicators=tuple(
            MonitoringIndicatorInput(
                level1=r.level1,
                level2=r.level2,
                name=r.name,
                target=r.target,
                value=r.midyear_actual if r.midyear_actual is not None else r.actual,
                achievement=r.achievement,
                likelihood=r.likelihood,
                likelihood_reason=r.likelihood_reason,
                measures=r.measures,
                weight=r.weight.text if r.weight is not None else None,
            )
            for r in doc.indicators
        ),
        money_unit=doc.money_unit,
    )


def _finding_json(f: Finding) -> dict:
    return {"code": f.code, "severity": f.severity, "message": f.message, "indicator": f.indicator}


def result_to_json(result: EvaluationResult) -> dict:
    """Render a result as selfeval-result/1: figures as two-decimal strings, findings in full."""
    rate = result.execution_rate
    return {
        "format": RESULT_FORMAT,
        "rules": result.rules,
        "execution_rate": two_places(rate) if rate is not None else None,
        "execution_score": two_places(result.execution_score),
        "indicators": [
            {
                "score": two_places(r.score),
                "status": r.status,
                "findings": [_finding_json(f) for f in r.findings],
            }
            for r in result.indicators
        ],
        "indicator_total": two_places(result.indicator_total),
        "total": two_places(result.total),
        "grade": result.grade,
        "findings": [_finding_json(f) for f in result.findings],
    }
