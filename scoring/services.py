"""The only bridge between the pure scoring engine and the ORM.

Scoring reads an evaluation's funds, indicators and the filer's figures, runs the engine under the
region's rule set, and stores the selfeval-result/1 object, the input snapshot and the rule set's
id and version. Computed fields are written with queryset updates so recomputation does not fill
the change history, which records what people changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.models import Evaluation, FundSource, IndicatorResult
from projects.money import plain
from scoring.engine.document import result_to_json
from scoring.engine.model import EvaluationInput, FundLine, IndicatorInput
from scoring.engine.rules import RuleSet, load_ruleset
from scoring.engine.score import score_evaluation as engine_score
from scoring.engine.targets import parse_indicator_target

_FUND_ORDER = [s.value for s in FundSource]
_CHUNK = 500


def rule_set_for(evaluation: Evaluation, rule_set_id: str | None = None) -> RuleSet:
    """The rule set that applies: an explicit id, else the region's, else the site default."""
    region = evaluation.project.unit.department.region
    return _ruleset(rule_set_id or region.rule_set_id or settings.SELFEVAL_DEFAULT_RULESET)


_RULESETS: dict[str, RuleSet] = {}


def _ruleset(rule_set_id: str) -> RuleSet:
    # Published rule sets never change, so one load per process is enough.
    if rule_set_id not in _RULESETS:
        _RULESETS[rule_set_id] = load_ruleset(rule_set_id)
    return _RULESETS[rule_set_id]


def build_input(
    evaluation: Evaluation,
    *,
    funds: dict | None = None,
    results: dict | None = None,
    goal_actual: str | None = None,
) -> tuple[EvaluationInput, list[int]]:
    """The engine's input from stored rows, optionally overlaid with unsaved form data.

    Returns the input and the indicator ids in table order (the engine speaks in row indices).
    """
    project = evaluation.project
    lines = {line.source: line for line in project.fund_lines.all()}
    fund_rows = []
    for source in _FUND_ORDER:
        line = lines.get(source)
        values = {
            "initial": line.initial if line else None,
            "adjusted": line.adjusted if line else None,
            "executed": line.executed if line else None,
        }
        values.update((funds or {}).get(source, {}))
        if line is None and not any(v is not None for v in values.values()):
            continue
        fund_rows.append(FundLine(source=source, **values))
    total_line = lines.get(FundSource.TOTAL)
    stored = {r.indicator_id: r for r in evaluation.results.all()}
    indicators = list(project.indicators.all())
    rows = []
    for indicator in indicators:
        result = stored.get(indicator.pk)
        figures = {
            "actual": result.actual if result else "",
            "achievement": result.achievement if result else "",
            "claimed_score": result.claimed_score if result else None,
            "deviation_reason": result.deviation_reason if result else "",
        }
        figures.update((results or {}).get(indicator.pk, {}))
        claimed = figures["claimed_score"]
        rows.append(
            IndicatorInput(
                level1=indicator.level1,
                level2=indicator.level2 or None,
                name=indicator.name,
                target=indicator.target or None,
                actual=figures["actual"] or None,
                weight=plain(indicator.weight),
                claimed_score=plain(claimed) if isinstance(claimed, Decimal) else (claimed or None),
                deviation=figures["deviation_reason"] or None,
                achievement=figures["achievement"] or None,
            )
        )
    inp = EvaluationInput(
        funds=tuple(fund_rows),
        indicators=tuple(rows),
        execution_weight=total_line.weight if total_line else None,
        claimed_rate=total_line.claimed_rate if total_line else None,
        claimed_execution_score=evaluation.claimed_execution_score,
        claimed_indicator_total=evaluation.claimed_indicator_total,
        claimed_total=evaluation.claimed_total,
        claimed_grade=evaluation.claimed_grade or None,
        goal_expected=project.goal_expected or None,
        goal_actual=(goal_actual if goal_actual is not None else evaluation.goal_actual) or None,
        money_unit="元",
    )
    return inp, [indicator.pk for indicator in indicators]


def result_dict(result, indicator_ids: list[int]) -> dict:
    """The selfeval-result/1 object plus the trace and each row's indicator id, for the pages."""
    data = result_to_json(result)
    data["trace"] = list(result.trace)
    for row, indicator_id in zip(data["indicators"], indicator_ids, strict=True):
        row["indicator_id"] = indicator_id
    for finding in data["findings"]:
        index = finding.get("indicator")
        finding["indicator_id"] = indicator_ids[index] if index is not None else None
    return data


def snapshot(inp: EvaluationInput) -> dict:
    """The engine input as JSON, so a frozen evaluation re-scores identically years later."""
    return _jsonable(asdict(inp))


def _jsonable(value):
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


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
    inp, ids = build_input(evaluation)
    result = engine_score(inp, rules)
    data = result_dict(result, ids)
    if save:
        with transaction.atomic():
            _store(evaluation, rules, inp, result, data)
    return data


def _store(evaluation, rules, inp, result, data) -> None:
    fields = _computed_fields(rules, inp, result, data)
    Evaluation.objects.filter(pk=evaluation.pk).update(**fields)
    for name, value in fields.items():
        setattr(evaluation, name, value)
    IndicatorResult.objects.bulk_update(
        _result_rows(evaluation, result, data), ["computed_score", "status"]
    )


def _computed_fields(rules, inp, result, data) -> dict:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in result.findings:
        counts[finding.severity] += 1
    return {
        "result": data,
        "input_snapshot": snapshot(inp),
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
    }


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


def _prefetched(queryset):
    return queryset.select_related("project__unit__department__region").prefetch_related(
        "project__fund_lines", "project__indicators", "results"
    )


def recompute(evaluations: Iterable[Evaluation] | None = None, *, queryset=None) -> int:
    """Re-score many evaluations in chunks; queries grow per chunk, not per evaluation."""
    qs = _prefetched(queryset.exclude(status__in=["approved", "published"]).order_by("pk"))
    count = 0
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), _CHUNK):
        chunk = list(qs.filter(pk__in=ids[start : start + _CHUNK]))
        updated, result_rows = [], []
        for evaluation in chunk:
            rules = rule_set_for(evaluation)
            inp, indicator_ids = build_input(evaluation)
            result = engine_score(inp, rules)
            data = result_dict(result, indicator_ids)
            for name, value in _computed_fields(rules, inp, result, data).items():
                setattr(evaluation, name, value)
            updated.append(evaluation)
            result_rows.extend(_result_rows(evaluation, result, data))
        with transaction.atomic():
            Evaluation.objects.bulk_update(updated, list(_COMPUTED), batch_size=_CHUNK)
            IndicatorResult.objects.bulk_update(
                result_rows, ["computed_score", "status"], batch_size=2000
            )
        count += len(chunk)
    return count


_COMPUTED = (
    "result",
    "input_snapshot",
    "rule_set_id",
    "rule_set_version",
    "scored_at",
    "execution_rate",
    "computed_execution_score",
    "computed_total",
    "computed_grade",
    "error_count",
    "warning_count",
    "info_count",
)


def recompute_region(*, region, year: int) -> int:
    """Re-score every open evaluation of a region and year (after a rule-set change, say)."""
    return recompute(
        queryset=Evaluation.objects.filter(year=year, project__unit__department__region=region)
    )


def indicator_parsed_fields(indicator) -> dict:
    """The parsed comparator, value, unit and kind of an indicator's target, for storage."""
    target = parse_indicator_target(indicator.target or None, indicator.name)
    value = target.value if target.value is not None else target.low
    return {
        "comparator": target.comparator or ("range" if target.kind == "range" else ""),
        "target_value": value,
        "unit_of_measure": target.unit_of_measure or "",
        "target_kind": target.kind,
    }
