"""Stored filing rows to engine input, and engine results to stored columns.

Shared by the single-evaluation path (`scoring.services`) and the bulk one (`scoring.recompute`),
so the two can never disagree; neither reads nor writes the database here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from operator import attrgetter
from pathlib import Path

import orjson
from django.utils import timezone

from projects.models import FundSource
from projects.money import plain
from scoring.engine.document import result_to_json
from scoring.engine.model import EvaluationInput, IndicatorInput
from scoring.engine.model import FundLine as EngineFundLine
from scoring.engine.rules import RuleSet, load_ruleset

_FUND_ORDER = [s.value for s in FundSource]


_RULESETS: dict[str, RuleSet] = {}


def cached_ruleset(rule_set_id: str) -> RuleSet:
    """A rule set by id, loaded once per process: published rule sets never change."""
    if rule_set_id not in _RULESETS:
        _RULESETS[rule_set_id] = load_ruleset(rule_set_id)
    return _RULESETS[rule_set_id]


@dataclass(slots=True)
class StoredFiling:
    """One filing's stored rows as plain tuples, built from model instances or values() rows.

    Both the single-evaluation path (pages, submit) and the bulk path (a whole region) turn these
    into the engine's input, so the two can never disagree.
    """

    funds: dict  # source -> (initial, adjusted, executed, weight, claimed_rate)
    indicators: list  # (indicator_id, level1, level2, name, target, weight), in table order
    # indicator_id -> (result_id, actual, achievement, claimed_score, deviation[, stored score])
    results: dict
    claimed: tuple  # (execution_score, indicator_total, total, grade)
    goal_expected: str
    goal_actual: str


def engine_claims(execution_follows: bool, rows_follow: bool, claimed: tuple) -> tuple:
    """The claimed (execution score, indicator total, total, grade) the engine compares.

    A following execution claim is no claim; the totals are derived by the application from
    the parts, so where any part follows they are left out too.
    """
    execution_score, indicator_total, total, grade = claimed
    if execution_follows:
        execution_score = None
    if execution_follows or rows_follow:
        indicator_total = total = None
        grade = ""
    return (execution_score, indicator_total, total, grade)


def input_from_filing(
    filing: StoredFiling,
    *,
    funds: dict | None = None,
    results: dict | None = None,
    goal_actual: str | None = None,
) -> tuple[EvaluationInput, list[int]]:
    """The engine's input from stored rows, optionally overlaid with unsaved form data.

    Returns the input and the indicator ids in table order (the engine speaks in row indices).
    """
    fund_rows = []
    for source in _FUND_ORDER:
        line = filing.funds.get(source)
        values = {
            "initial": line[0] if line else None,
            "adjusted": line[1] if line else None,
            "executed": line[2] if line else None,
        }
        if funds and source in funds:
            values.update(funds[source])
        if line is None and all(v is None for v in values.values()):
            continue
        fund_rows.append(
            EngineFundLine(source, values["initial"], values["adjusted"], values["executed"])
        )
    total_line = filing.funds.get(FundSource.TOTAL)
    rows = []
    for indicator_id, level1, level2, name, target, weight in filing.indicators:
        stored = filing.results.get(indicator_id)
        actual, achievement, claimed, deviation = stored[1:5] if stored else ("", "", None, "")
        if results and indicator_id in results:
            override = results[indicator_id]
            actual = override.get("actual", actual)
            achievement = override.get("achievement", achievement)
            claimed = override.get("claimed_score", claimed)
            deviation = override.get("deviation_reason", deviation)
        rows.append(
            IndicatorInput(
                level1=level1,
                level2=level2 or None,
                name=name,
                target=target or None,
                actual=actual or None,
                weight=plain(weight),
                claimed_score=plain(claimed) if isinstance(claimed, Decimal) else (claimed or None),
                deviation=deviation or None,
                achievement=achievement or None,
            )
        )
    execution_score, indicator_total, total, grade = filing.claimed
    inp = EvaluationInput(
        funds=tuple(fund_rows),
        indicators=tuple(rows),
        execution_weight=total_line[3] if total_line else None,
        claimed_rate=total_line[4] if total_line else None,
        claimed_execution_score=execution_score,
        claimed_indicator_total=indicator_total,
        claimed_total=total,
        claimed_grade=grade or None,
        goal_expected=filing.goal_expected or None,
        goal_actual=(goal_actual if goal_actual is not None else filing.goal_actual) or None,
        money_unit="元",
    )
    return inp, [row[0] for row in filing.indicators]


def result_dict(result, indicator_ids: list[int]) -> dict:
    """The selfeval-result/1 object plus each row's indicator id, for the pages.

    The trace is not stored: `explain` renders it again from the input snapshot, which keeps a
    region's stored results a fifth smaller and its recompute faster.
    """
    data = result_to_json(result)
    for row, indicator_id in zip(data["indicators"], indicator_ids, strict=True):
        row["indicator_id"] = indicator_id
    for finding in data["findings"]:
        index = finding.get("indicator")
        finding["indicator_id"] = indicator_ids[index] if index is not None else None
    return data


def snapshot(inp: EvaluationInput) -> dict:
    """The engine input as JSON, so a frozen evaluation re-scores identically years later.

    Built field by field rather than by walking the dataclasses (`dataclasses.asdict` deep-copies
    every value): a region's recompute builds 10,000 of them.
    """
    data = {}
    for name in _INPUT_FIELDS:
        if name == "funds":
            data[name] = [
                {"source": f.source, **{k: plain(getattr(f, k)) for k in _AMOUNTS}}
                for f in inp.funds
            ]
        elif name == "indicators":
            # Indicator rows hold text only (the engine reads figures as printed).
            data[name] = [
                dict(zip(_INDICATOR_FIELDS, _row(r), strict=True)) for r in inp.indicators
            ]
        else:
            value = getattr(inp, name)
            if isinstance(value, tuple):
                value = list(value)  # as JSON stores it, so a stored snapshot compares equal
            data[name] = plain(value) if isinstance(value, Decimal) else value
    return data


def input_from_snapshot(data: dict) -> EvaluationInput:
    """The engine input a snapshot was taken of (the inverse of `snapshot`)."""
    fields = {}
    for name in _INPUT_FIELDS:
        if name not in data:
            continue  # the field's default, as when the snapshot was taken
        value = data[name]
        if name == "funds":
            value = tuple(
                EngineFundLine(f["source"], *(_decimal(f.get(k)) for k in _AMOUNTS)) for f in value
            )
        elif name == "indicators":
            value = tuple(IndicatorInput(**row) for row in value)
        elif name in _DECIMAL_INPUTS:
            value = _decimal(value)
        elif isinstance(value, list):
            value = tuple(value)  # JSON keeps a tuple as a list
        fields[name] = value
    return EvaluationInput(**fields)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


_INPUT_FIELDS = tuple(EvaluationInput.__dataclass_fields__)
_DECIMAL_INPUTS = {
    name
    for name, field in EvaluationInput.__dataclass_fields__.items()
    if "Decimal" in str(field.type)
}
_INDICATOR_FIELDS = tuple(IndicatorInput.__dataclass_fields__)
_AMOUNTS = ("initial", "adjusted", "executed")
_row = attrgetter(*_INDICATOR_FIELDS)


@cache
def _engine_fingerprint() -> bytes:
    """The engine's own source: a change to how scores are computed changes every digest."""
    engine = Path(__file__).resolve().parent / "engine"
    digest = hashlib.sha256()
    for path in sorted(engine.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def input_digest(stored: dict, rules, filing: StoredFiling, indicator_ids: list[int]) -> str:
    """What a stored result was computed from: the input snapshot, the rule set, the engine.

    Also the rows the scores are written to (indicator and result ids), so a row re-created
    under an unchanged input is scored again. Equal digests mean re-scoring would write the
    same columns, so the region recompute skips the evaluation (nothing changed overnight).
    """
    rows = [(i, (filing.results.get(i) or (None,))[0]) for i in indicator_ids]
    digest = hashlib.sha256(_engine_fingerprint())
    digest.update(rules.fingerprint)
    digest.update(orjson.dumps([stored, rows], default=str, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def computed_fields(
    rules, inp, result, data, *, filing: StoredFiling, stored: dict | None = None, digest=None
) -> dict:
    """The evaluation's computed columns (`Evaluation.COMPUTED_FIELDS`), keyed by name.

    `stored` and `digest` are the snapshot and digest when the caller has made them already (the
    region recompute makes both to decide whether to score at all).
    """
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in result.findings:
        counts[finding.severity] += 1
    stored = stored if stored is not None else snapshot(inp)
    if digest is None:
        ids = [row["indicator_id"] for row in data["indicators"]]
        digest = input_digest(stored, rules, filing, ids)
    return {
        "result": data,
        "input_snapshot": stored,
        "rule_set_id": rules.id,
        "rule_set_version": rules.version,
        "scored_at": timezone.now(),
        "execution_rate": result.execution_rate,
        "computed_execution_score": result.execution_score,
        "computed_total": result.total,
        "computed_grade": result.grade,
        "error_count": counts["error"],
        "warning_count": counts["warning"],
        "info_count": counts["info"],
        "input_digest": digest,
    }
