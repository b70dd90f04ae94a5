"""The year's monitoring, read from the ORM for the engine's year-end findings.

Each indicator row is given the value to date of the subject's latest filed monitoring round
(IndicatorInput.midyear_value) and the evaluation the red lights of that round left without a
follow-up decision (EvaluationInput.red_lights_undecided). A subject with no filed round costs
one query and leaves the input as it was, so the digests of every other filing stay unchanged.
"""

from __future__ import annotations

import dataclasses

from projects.models import Evaluation
from projects.monitoring.yearend import MonitoringFacts, monitoring_facts
from scoring.engine.model import EvaluationInput


def _with(inp: EvaluationInput, ids: list[int], facts: MonitoringFacts | None) -> EvaluationInput:
    if facts is None:
        return inp
    rows = tuple(
        dataclasses.replace(row, midyear_value=facts.values[pk].value)
        if pk in facts.values
        else row
        for row, pk in zip(inp.indicators, ids, strict=True)
    )
    return dataclasses.replace(inp, indicators=rows, red_lights_undecided=facts.undecided)


def with_monitoring(evaluation: Evaluation, inp: EvaluationInput, ids: list[int]):
    """The input with the year's latest filed monitoring values and undecided red lights."""
    facts = monitoring_facts([evaluation.project_id]).get(evaluation.project_id)
    return _with(inp, ids, facts)


def with_monitoring_many(
    inputs: dict[int, EvaluationInput], ids: dict[int, list[int]], *, alias: str = "default"
) -> dict[int, EvaluationInput]:
    """with_monitoring for many evaluations (by id) in at most three queries."""
    projects = dict(
        Evaluation.objects.using(alias)
        .filter(pk__in=list(inputs))
        .order_by()
        .values_list("pk", "project_id")
    )
    facts = monitoring_facts(set(projects.values()))
    if not facts:
        return inputs
    return {pk: _with(inp, ids[pk], facts.get(projects.get(pk))) for pk, inp in inputs.items()}
