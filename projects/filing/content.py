"""What each role may write in a filing, named once, and a filing's content as flat fields.

A filing's content is a flat {key: text} dict, e.g. ``goal_actual``,
``funds.current_year.executed``, ``results.17.actual``, ``notes.problems``. The form, the
workbook and the selfeval/1 file all turn into this shape, so one set of rules decides what a
filer may change, what an upload would change (the preview), and what two versions disagree on
(the field-level merge). Values are compared as normalised text: the same amount typed as
"900" or "900.00" and the same words with other line ends are not differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from projects.labels import FUND_COLUMN_LABELS, MIDYEAR_LABEL, RESULT_LABELS, SOURCE_LABELS
from projects.models import FundSource
from projects.money import format_amount


class _Auto:
    """The claimed score follows the computed one (the filer has not typed another)."""

    def __repr__(self) -> str:
        return "AUTO"


AUTO = _Auto()


@dataclass
class DraftChanges:
    """What a form (or an upload) changes; a key left out keeps its stored value.

    funds: {source: {column: Decimal | None}} in 元 for the source rows (the total is derived);
    results: {indicator_id: {"actual", "achievement", "claimed_score" (Decimal | None | AUTO),
    "deviation_reason", "midyear_actual"}}; notes: {key: text, or AUTO to redraft the section
    from the saved figures}, merged into the stored notes.
    """

    funds: dict | None = None
    goal_actual: str | None = None
    results: dict | None = None
    notes: dict | None = None
    claimed_execution_score: object = None  # Decimal, AUTO, or None (untouched)


SOURCES = (FundSource.CURRENT_YEAR, FundSource.CARRYOVER, FundSource.OTHER)
COLUMNS = ("initial", "adjusted", "executed")
AUTO_TEXT = "auto"

# What the filer (单位填报人) may change: the form, the workbook and the JSON upload all obey it.
FILER_FUND_COLUMNS = ("executed",)
FILER_RESULT_FIELDS = (
    "actual",
    "achievement",
    "deviation_reason",
    "claimed_score",
    "midyear_actual",
)
FILER_FIELDS = (
    "goal_actual",
    "claimed_execution_score",
    *(f"funds.<来源>.{c}" for c in FILER_FUND_COLUMNS),
    *(f"results.<指标>.{name}" for name in FILER_RESULT_FIELDS),
    "notes.<部分>",
)
# What only the finance bureau (财政局) changes, each change recorded with its reason.
FINANCE_FUND_COLUMNS = ("initial", "adjusted")
FINANCE_INDICATOR_FIELDS = ("level1", "level2", "name", "target", "weight")
FINANCE_FIELDS = (
    "goal_expected",
    "execution_weight",
    *(f"funds.<来源>.{c}" for c in FINANCE_FUND_COLUMNS),
    *(f"indicators.<指标>.{name}" for name in FINANCE_INDICATOR_FIELDS),
)

COLUMN_LABELS = FUND_COLUMN_LABELS
RESULT_LABELS = {**RESULT_LABELS, "midyear_actual": MIDYEAR_LABEL}


def is_qualitative(indicator) -> bool:
    """A target read as qualitative (or blank): the filer picks the achievement and the score."""
    from scoring.engine.targets import EMPTY, QUALITATIVE, parse_indicator_target

    kind = (
        indicator.target_kind
        or parse_indicator_target(indicator.target or None, indicator.name).kind
    )
    return kind in (QUALITATIVE, EMPTY)


def claim_follows(row, indicator) -> bool:
    """Does a stored claim follow the computed score? Set to follow, never given, or equal to
    the computed score on a row the rules score (a qualitative row's score is the filer's own
    pick inside the band, so there an equal figure is still theirs)."""
    if row is None or row.claimed_follows or row.claimed_score is None:
        return True
    return row.claimed_score == row.computed_score and not is_qualitative(indicator)


# Control characters a paste can carry: no field means them, and no workbook can hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def norm(value) -> str:
    """A field's value as comparable text (None and "" alike; amounts and scores to the 分)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01')):f}"
    if not isinstance(value, str):
        if value is AUTO:
            return AUTO_TEXT
        return str(value)
    value = _CONTROL.sub("", value.replace("\r\n", "\n"))
    return "\n".join(line.rstrip() for line in value.split("\n")).strip()


def same(a, b) -> bool:
    """Do two values say the same thing once normalised?"""
    return norm(a) == norm(b)


def shown_fund_lines(project) -> dict:
    """The project's fund lines by source as the form, the template and the uploads show them.

    Where only a total was printed it stands as 当年财政拨款, so the total stays a sum of its
    sources; a file read back compares with that, not with an empty row.
    """
    lines = {line.source: line for line in project.fund_lines.all()}
    if not any(getattr(lines.get(s), c, None) is not None for s in SOURCES for c in COLUMNS):
        lines[FundSource.CURRENT_YEAR] = lines.get(FundSource.TOTAL)
    return lines


def stored_content(evaluation, *, project=None) -> dict[str, str]:
    """The filer's side of a stored filing (fund_lines, indicators and results prefetched).

    evaluation None: a subject not opened yet, read as blank. Keys starting with "@" are not
    fields: they keep the number a following claim showed, so a file that carries that number
    back is read as "still following", not as a typed claim.
    """
    project = project or evaluation.project
    follows_exec = evaluation is None or (
        evaluation.claimed_execution_follows
        or evaluation.claimed_execution_score is None
        or evaluation.claimed_execution_score == evaluation.computed_execution_score
    )
    content = {
        "goal_actual": norm(evaluation.goal_actual if evaluation else ""),
        "claimed_execution_score": AUTO_TEXT
        if follows_exec
        else norm(evaluation.claimed_execution_score),
    }
    if evaluation is not None and follows_exec:
        content["@claimed_execution_score"] = norm(evaluation.claimed_execution_score)
    lines = shown_fund_lines(project)
    for source in SOURCES:
        line = lines.get(source)
        for column in FILER_FUND_COLUMNS:
            content[f"funds.{source}.{column}"] = norm(getattr(line, column) if line else None)
    results = {r.indicator_id: r for r in evaluation.results.all()} if evaluation else {}
    for indicator in project.indicators.all():
        row = results.get(indicator.pk)
        for name in FILER_RESULT_FIELDS:
            key = f"results.{indicator.pk}.{name}"
            if name == "claimed_score":
                if indicator.weight is None:
                    continue
                follows = claim_follows(row, indicator)
                content[key] = AUTO_TEXT if follows else norm(row.claimed_score)
                if follows and row is not None:
                    content[f"@{key}"] = norm(row.claimed_score)
            else:
                content[key] = norm(getattr(row, name) if row else "")
    for key, text in ((evaluation.notes if evaluation else None) or {}).items():
        if isinstance(text, str):
            content[f"notes.{key}"] = norm(text)
    return content


def fields_only(content: dict[str, str]) -> dict[str, str]:
    """The content without its "@" echoes: what a person changed, nothing derived."""
    return {k: v for k, v in content.items() if not k.startswith("@")}


def following_echoes(mine: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    """A file's claims that are a following claim's number carried back, read as following.

    A template or export shows a following claim as its number (or leaves it blank); bringing
    that number back unchanged must not turn it into a typed claim, or the claim would stop
    following when the amounts change.
    """
    settled = dict(mine)
    for key, value in mine.items():
        is_claim = key == "claimed_execution_score" or key.endswith(".claimed_score")
        echo = base.get(key) == AUTO_TEXT and value == base.get(f"@{key}")
        if is_claim and (value == "" or echo):
            settled[key] = AUTO_TEXT
    return settled


def changes_content(changes) -> dict[str, str]:
    """A DraftChanges as flat fields: only the keys it sets (AUTO notes are left out: they are
    redrafted from the figures, never merged as text)."""
    content: dict[str, str] = {}
    if changes.goal_actual is not None:
        content["goal_actual"] = norm(changes.goal_actual)
    if changes.claimed_execution_score is not None:
        content["claimed_execution_score"] = norm(changes.claimed_execution_score)
    for source, values in (changes.funds or {}).items():
        for column, value in values.items():
            content[f"funds.{source}.{column}"] = norm(value)
    for indicator_id, values in (changes.results or {}).items():
        for name, value in values.items():
            content[f"results.{indicator_id}.{name}"] = norm(value)
    for key, text in (changes.notes or {}).items():
        if text is not AUTO:
            content[f"notes.{key}"] = norm(text)
    return content


def content_changes(content: dict[str, str], *, redraft=()):
    """Flat fields back to a DraftChanges for the write service; `redraft`: note keys to draft."""
    changes = DraftChanges()
    for key, text in content.items():
        head, _, rest = key.partition(".")
        if key == "goal_actual":
            changes.goal_actual = text
        elif key == "claimed_execution_score":
            changes.claimed_execution_score = _claim(text)
        elif head == "funds":
            source, column = rest.split(".")
            changes.funds = changes.funds or {}
            changes.funds.setdefault(source, {})[column] = Decimal(text) if text else None
        elif head == "results":
            indicator_id, name = rest.split(".")
            changes.results = changes.results or {}
            value = _claim(text) if name == "claimed_score" else text
            changes.results.setdefault(int(indicator_id), {})[name] = value
        elif head == "notes":
            changes.notes = changes.notes or {}
            changes.notes[rest] = text
    for key in redraft:
        changes.notes = changes.notes or {}
        changes.notes.setdefault(key, AUTO)
    return changes


def _claim(text: str):
    if text == AUTO_TEXT:
        return AUTO
    return Decimal(text) if text else None


@dataclass(frozen=True)
class FieldLabel:
    """Where a field sits on the 自评表, in the words of the page."""

    section: str
    label: str


def field_label(key: str, evaluation) -> FieldLabel:
    """The section and label a person reads for a flat key."""
    from projects.narrative import section_label

    head, _, rest = key.partition(".")
    if key == "goal_actual":
        return FieldLabel("年度总体目标", "实际完成情况")
    if key == "claimed_execution_score":
        return FieldLabel("项目资金", "预算执行率得分（自评）")
    if head == "funds":
        source, column = rest.split(".")
        return FieldLabel(
            "项目资金", f"{SOURCE_LABELS.get(source, source)} · {COLUMN_LABELS[column]}"
        )
    if head == "results":
        indicator_id, name = rest.split(".")
        names = {i.pk: i.name for i in evaluation.project.indicators.all()}
        return FieldLabel(
            f"绩效指标 · {names.get(int(indicator_id), '')}", RESULT_LABELS.get(name, name)
        )
    if head == "notes":
        return FieldLabel("自评报告", section_label(evaluation.project.kind, rest))
    return FieldLabel("", key)


def shown(key: str, text: str, money_unit: str = "元") -> str:
    """A flat value as the page shows it (amounts in the page's unit, choices in words)."""
    from projects.models import Achievement

    if text == AUTO_TEXT:
        return "（跟随计算得分）"
    if key.startswith("funds.") and text:
        return f"{format_amount(Decimal(text), money_unit)} {money_unit}"
    if key.endswith(".achievement"):
        return dict(Achievement.choices).get(text, text)
    return text
