"""The only bridge between the pure scoring engine and the ORM.

One evaluation is scored here; many at once (a region's year) by `recompute` and
`recompute_region`, which live in `scoring.recompute` and are exported from here too. Both build
the engine's input and the stored columns with `scoring.rows`.

Scoring reads an evaluation's funds, indicators and the filer's figures, runs the engine under the
region's rule set, and stores the selfeval-result/1 object, the input snapshot and the rule set's
id and version. Computed fields are written with queryset updates so recomputation does not fill
the change history, which records what people changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import prefetch_related_objects

from projects.models import Evaluation, IndicatorResult
from scoring.engine.model import EvaluationInput
from scoring.engine.rules import RuleSet, RuleSetError, ruleset_in_force
from scoring.engine.score import score_evaluation as engine_score
from scoring.engine.targets import parse_indicator_target
from scoring.midyear import with_monitoring
from scoring.previous import with_previous_actuals
from scoring.recompute import (
    queue_changed_years,
    queue_stale_recomputes,
    recompute,
    recompute_region,
    rule_set_key,
    settle_following_claims,
)
from scoring.rows import (
    StoredFiling,
    cached_ruleset,
    computed_fields,
    engine_claims,
    input_from_filing,
    input_from_snapshot,
    result_dict,
    snapshot,
)

__all__ = [
    "Explanation",
    "build_input",
    "cached_ruleset",
    "explain",
    "indicator_parsed_fields",
    "input_from_filing",
    "input_from_snapshot",
    "queue_changed_years",
    "queue_stale_recomputes",
    "recompute",
    "recompute_region",
    "region_rule_set_key",
    "result_dict",
    "rule_set_for",
    "score_evaluation",
    "rule_set_title",
    "score_preview",
    "snapshot",
    "stored_filing",
]


def region_rule_set_key(region, year: int) -> str:
    """The rule set a region names for an evaluation year (its year entries, else its own
    setting, else the site default).

    The entries are prefetched onto the region instance on first use, so a page that scores,
    previews and checks the same filing reads them once (Django's usual prefetch semantics: a
    fresh instance sees later changes).
    """
    prefetch_related_objects([region], "rule_set_years")
    entries = [(e.effective_from_year, e.rule_set_id) for e in region.rule_set_years.all()]
    return rule_set_key(entries, region.rule_set_id, year)


def rule_set_for(evaluation: Evaluation, rule_set_id: str | None = None) -> RuleSet:
    """The rule set and version in force for the evaluation's year, as OpenFisca resolves a
    parameter by period: an explicit id, else the region's for that year, else the site default;
    then the latest version in force for the year (a version dated 2025 never scores 2024).
    """
    region = evaluation.project.unit.department.region
    key = rule_set_id or region_rule_set_key(region, evaluation.year)
    return ruleset_in_force(key, evaluation.year)


def rule_set_title(rule_set_id: str | None, version: int | str | None = None) -> str:
    """A rule set named in words for people ("全国通用（2020年）第1版"), never its internal id.

    Accepts an id and version, or the stored "id@version" key alone. An id this installation does
    not ship (an old or foreign result) is named generically rather than printed.
    """
    if not rule_set_id:
        return ""
    key = str(rule_set_id)
    if version and "@" not in key:
        key = f"{key}@{version}"
    try:
        return cached_ruleset(key).public_title
    except RuleSetError:
        return "评分规则（版本未登记）"


def stored_filing(evaluation: Evaluation) -> StoredFiling:
    """Read one evaluation's rows (uses prefetched relations when present).

    A claim that follows the computed score is given to the engine as no claim at all: it is
    derived from the score, so comparing the two would only find its own echo.
    """
    project = evaluation.project
    results = list(evaluation.results.all())
    return StoredFiling(
        funds={
            line.source: (
                line.initial,
                line.adjusted,
                line.executed,
                line.weight,
                line.claimed_rate,
            )
            for line in project.fund_lines.all()
        },
        indicators=[
            (i.pk, i.level1, i.level2, i.name, i.target, i.weight) for i in project.indicators.all()
        ],
        results={
            r.indicator_id: (
                r.pk,
                r.actual,
                r.achievement,
                None if r.claimed_follows else r.claimed_score,
                r.deviation_reason,
            )
            for r in results
        },
        claimed=engine_claims(
            evaluation.claimed_execution_follows,
            any(r.claimed_follows for r in results),
            (
                evaluation.claimed_execution_score,
                evaluation.claimed_indicator_total,
                evaluation.claimed_total,
                evaluation.claimed_grade,
            ),
        ),
        goal_expected=project.goal_expected,
        goal_actual=evaluation.goal_actual,
    )


def build_input(evaluation: Evaluation, **overrides) -> tuple[EvaluationInput, list[int]]:
    """The engine's input for one evaluation, with optional unsaved overrides."""
    inp, ids = input_from_filing(stored_filing(evaluation), **overrides)
    return with_monitoring(evaluation, with_previous_actuals(evaluation, inp), ids), ids


@dataclass(frozen=True, slots=True)
class Explanation:
    """How a stored score was reached: the engine's trace, overall and per indicator row."""

    rules: str  # id@version
    lines: tuple[str, ...]
    by_indicator: dict  # indicator id -> the row's lines


def explain(evaluation: Evaluation) -> Explanation | None:
    """Re-run the engine on the stored snapshot under the stored rule-set version.

    The same input under the same published version gives the same result, so the explanation
    always matches the stored scores, however old; None for an evaluation never scored.
    """
    if not evaluation.input_snapshot or not evaluation.rule_set_id:
        return None
    rules = cached_ruleset(f"{evaluation.rule_set_id}@{evaluation.rule_set_version}")
    result = engine_score(input_from_snapshot(evaluation.input_snapshot), rules)
    stored_rows = (evaluation.result or {}).get("indicators", [])
    by_indicator = {
        row.get("indicator_id"): scored.trace
        for row, scored in zip(stored_rows, result.indicators, strict=False)
    }
    return Explanation(f"{rules.id}@{rules.version}", result.trace, by_indicator)


def score_preview(
    evaluation: Evaluation,
    *,
    funds: dict | None = None,
    results: dict | None = None,
    goal_actual: str | None = None,
) -> dict:
    """Score unsaved form data without writing anything (live recomputation while typing)."""
    inp, ids = build_input(evaluation, funds=funds, results=results, goal_actual=goal_actual)
    return result_dict(engine_score(inp, rule_set_for(evaluation)), ids)


def score_evaluation(
    evaluation: Evaluation, *, rule_set_id: str | None = None, save: bool = True
) -> dict:
    """Score the stored filing; with save, store the result, snapshot and computed fields.

    A frozen (approved or published) evaluation keeps its stored result: it is returned as is.
    """
    if evaluation.is_frozen and evaluation.result:
        return evaluation.result
    rules = rule_set_for(evaluation, rule_set_id)
    filing = stored_filing(evaluation)
    inp, ids = input_from_filing(filing)
    inp = with_monitoring(evaluation, with_previous_actuals(evaluation, inp), ids)
    result = engine_score(inp, rules)
    data = result_dict(result, ids)
    if save:
        with transaction.atomic():
            _store(evaluation, rules, inp, result, data, filing)
            if settle_following_claims([evaluation.pk], alias=evaluation._state.db or "default"):
                evaluation.refresh_from_db(
                    fields=["claimed_execution_score", "claimed_indicator_total", "claimed_total"]
                )
    return data


def _store(evaluation, rules, inp, result, data, filing) -> None:
    fields = computed_fields(rules, inp, result, data, filing=filing)
    Evaluation.objects.filter(pk=evaluation.pk).update(**fields)
    for name, value in fields.items():
        setattr(evaluation, name, value)
    IndicatorResult.objects.bulk_update(
        _result_rows(evaluation, result, data), ["computed_score", "status"]
    )


def _result_rows(evaluation, result, data) -> list[IndicatorResult]:
    """IndicatorResult rows updated in memory with their computed score and status."""
    by_indicator = {r.indicator_id: r for r in evaluation.results.all()}
    rows = []
    for row, scored in zip(data["indicators"], result.indicators, strict=True):
        stored = by_indicator.get(row["indicator_id"])
        if stored is None:
            continue
        stored.computed_score = scored.score
        stored.status = scored.status
        rows.append(stored)
    return rows


def indicator_parsed_fields(indicator) -> dict:
    """The parsed comparator, value, unit and kind of an indicator's target, for storage.

    Each is stored only when it fits its column (a target value of 10^15 or more, a unit longer
    than its field): an out-of-range number would fail the save on PostgreSQL and, on SQLite,
    every later read of the row. These columns are copies for
    filtering; scoring always parses the target text itself, so nothing is lost.
    """
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    target = parse_indicator_target(indicator.target or None, indicator.name)
    value = target.value if target.value is not None else target.low
    fields = {
        "comparator": target.comparator or ("range" if target.kind == "range" else ""),
        "target_value": None,
        "unit_of_measure": target.unit_of_measure or "",
        "target_kind": target.kind,
    }
    meta = indicator._meta
    for name in ("comparator", "unit_of_measure", "target_kind"):
        if len(fields[name]) > meta.get_field(name).max_length:
            fields[name] = ""
    if value is not None and value.is_finite():
        column = meta.get_field("target_value")
        with localcontext(prec=column.max_digits + 40):  # room to round any parsed number
            rounded = value.quantize(Decimal(1).scaleb(-column.decimal_places), ROUND_HALF_UP)
        # SQLite keeps a decimal as a double (15 significant digits): just below 10^16 it reads
        # back as 10^16, one digit too many. Below 10^15 every value reads back inside.
        digits = min(column.max_digits - column.decimal_places, 15)
        if abs(rounded) < Decimal(10) ** digits:
            fields["target_value"] = rounded
    return fields
