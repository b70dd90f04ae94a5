"""Last year's actuals for relative targets (较上年提高5%), read from the ORM for the engine.

The engine scores a relative target against the same indicator's 实际完成值 of the year before
(IndicatorInput.previous_actual). That figure lives in the previous year's filing of the same
subject: the project of the same unit and code one year earlier, its indicator of the same
三级指标 name. Only rows whose target is relative are given one, and an evaluation with no such
row costs no query, so the inputs (and their digests) of every other filing stay as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from projects.models import Evaluation, IndicatorResult
from scoring.engine.model import EvaluationInput
from scoring.engine.targets import RELATIVE, parse_target

Subject = tuple[int, str, int]  # (unit id, project code, year)


def _relative_rows(inp: EvaluationInput) -> list[int]:
    return [i for i, row in enumerate(inp.indicators) if parse_target(row.target).kind == RELATIVE]


def name_key(name: str) -> str:
    """A 三级指标 name as rows of different years are matched: spaces ignored."""
    return "".join(name.split())


def earlier_actuals(
    subjects: Iterable[Subject], years: int = 1, alias: str = "default"
) -> dict[Subject, dict[int, dict[str, tuple[str, str]]]]:
    """The actuals of the `years` years before each (unit, code, year) asked about, by year and
    三级指标 name, each with the target it was measured against; one query for all."""
    wanted = set(subjects)
    if not wanted or years < 1:
        return {}
    found: dict[Subject, dict[int, dict[str, tuple[str, str]]]] = {}
    rows = (
        IndicatorResult.objects.using(alias)
        .filter(
            evaluation__project__unit_id__in={unit for unit, _, _ in wanted},
            evaluation__project__code__in={code for _, code, _ in wanted},
            evaluation__year__in={year - k for _, _, year in wanted for k in range(1, years + 1)},
        )
        .exclude(actual="")
        .order_by("indicator__order", "indicator_id")
        .values_list(
            "evaluation__project__unit_id",
            "evaluation__project__code",
            "evaluation__year",
            "indicator__name",
            "actual",
            "indicator__target",
        )
    )
    for unit, code, year, name, actual, target in rows:
        if not actual or not actual.strip():
            continue
        for k in range(1, years + 1):
            subject = (unit, code, year + k)
            if subject in wanted:
                by_name = found.setdefault(subject, {}).setdefault(year, {})
                by_name.setdefault(name_key(name), (actual, target))
    return found


def _actuals(subjects: Iterable[Subject], alias: str = "default") -> dict[Subject, dict[str, str]]:
    """Last year's actuals by 三级指标 name, for each (unit, code, year) asked about; one query."""
    return {
        subject: {name: actual for name, (actual, _) in by_year.get(subject[2] - 1, {}).items()}
        for subject, by_year in earlier_actuals(subjects, 1, alias).items()
    }


def _with(inp: EvaluationInput, rows: list[int], actuals: dict[str, str]) -> EvaluationInput:
    indicators = list(inp.indicators)
    for i in rows:
        previous = actuals.get(name_key(indicators[i].name))
        if previous is not None:
            indicators[i] = dataclasses.replace(indicators[i], previous_actual=previous)
    return dataclasses.replace(inp, indicators=tuple(indicators))


def with_previous_actuals(evaluation: Evaluation, inp: EvaluationInput) -> EvaluationInput:
    """The input with last year's actual on each relative row that has one in the system."""
    rows = _relative_rows(inp)
    if not rows:
        return inp
    project = evaluation.project
    subject = (project.unit_id, project.code, evaluation.year)
    actuals = _actuals([subject], evaluation._state.db or "default").get(subject)
    return _with(inp, rows, actuals) if actuals else inp


def with_previous_actuals_many(
    inputs: dict[int, EvaluationInput], *, alias: str = "default"
) -> dict[int, EvaluationInput]:
    """with_previous_actuals for many evaluations (by id) in at most two queries."""
    relative = {pk: rows for pk, inp in inputs.items() if (rows := _relative_rows(inp))}
    if not relative:
        return inputs
    subjects = {
        pk: (unit, code, year)
        for pk, unit, code, year in Evaluation.objects.using(alias)
        .filter(pk__in=list(relative))
        .order_by()
        .values_list("pk", "project__unit_id", "project__code", "year")
    }
    actuals = _actuals(subjects.values(), alias)
    out = dict(inputs)
    for pk, rows in relative.items():
        found = actuals.get(subjects.get(pk))
        if found:
            out[pk] = _with(inputs[pk], rows, found)
    return out
