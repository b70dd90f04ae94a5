"""The bridge from a target declaration to the pure quality checks on targets, and back.

Reads the declaration's indicator rows (with any unsaved fields the form previews), finds in the
database what the engine cannot know — the same indicator's actuals and targets of earlier years,
and another unit's project of the same year declaring a word-for-word identical row — and runs
`scoring.engine.target_checks.check_targets` under the rule set in force for the year. A fixed
number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.utils import timezone

from projects.models import Indicator, TargetDeclaration
from scoring.engine.target_checks import (
    TargetRowInput,
    TargetsInput,
    check_targets,
    targets_to_json,
)
from scoring.previous import earlier_actuals, name_key
from scoring.services import rule_set_for

FIELDS = ("level1", "level2", "name", "target", "weight", "method")
# Earlier years read for the ambition checks, beyond the rule set's beaten_years: enough to
# name a longer run of beaten targets in the message.
_EXTRA_YEARS = 1


def _rows(indicators: list[Indicator], overrides: dict) -> list[dict]:
    """Each indicator's declared fields as text, unsaved form values laid over the stored ones."""
    rows = []
    for indicator in indicators:
        row = {}
        for name in FIELDS:
            key = f"indicators.{indicator.pk}.{name}"
            if key in overrides:
                value = overrides[key]
                row[name] = "" if value is None else str(value).strip()
            else:
                value = getattr(indicator, name)
                row[name] = "" if value is None else str(value)
        row["library"] = indicator.library_id
        rows.append(row)
    return rows


def _copies(project, rows: list[dict]) -> dict[tuple[str, str, str], str]:
    """(name, target, level2) -> the other unit's project declaring that row; one query.

    Generic library indicators (共性指标) are meant to be shared and are never counted.
    """
    names = {r["name"] for r in rows if r["name"] and r["target"].strip() and not r["library"]}
    if not names:
        return {}
    found: dict[tuple[str, str, str], str] = {}
    others = (
        Indicator.objects.filter(project__year=project.year, name__in=names, library__isnull=True)
        .exclude(project__unit_id=project.unit_id)
        .exclude(target="")
        .order_by("project__unit__name", "project__code", "order")
        .values_list("name", "target", "level2", "project__unit__name", "project__name")
    )
    for name, target, level2, unit_name, project_name in others:
        found.setdefault(
            (name, target.strip(), level2 or ""), f"{unit_name}的项目「{project_name}」"
        )
    return found


def targets_input(
    declaration: TargetDeclaration, rules, overrides: dict | None = None
) -> tuple[TargetsInput, list[int]]:
    """The engine's input for a declaration, and each row's indicator id in the same order."""
    project = declaration.project
    indicators = list(project.indicators.all())
    rows = _rows(indicators, overrides or {})
    years = max(rules.targets.beaten_years, 1) + _EXTRA_YEARS
    subject = (project.unit_id, project.code, project.year)
    earlier = earlier_actuals([subject], years, declaration._state.db or "default").get(subject, {})
    copies = _copies(project, rows)
    inputs = []
    for row in rows:
        key = name_key(row["name"])
        actuals, targets = [], []
        for year in range(project.year - 1, project.year - years - 1, -1):
            pair = earlier.get(year, {}).get(key)
            if pair is None:
                break  # consecutive years only
            actuals.append(pair[0])
            targets.append(pair[1])
        copied = None
        if not row["library"] and row["target"].strip():
            copied = copies.get((row["name"], row["target"].strip(), row["level2"]))
        inputs.append(
            TargetRowInput(
                level1=row["level1"],
                level2=row["level2"] or None,
                name=row["name"],
                target=row["target"] or None,
                weight=row["weight"] or None,
                method=row["method"] or None,
                previous_actuals=tuple(actuals),
                previous_targets=tuple(targets),
                copied_from=copied,
            )
        )
    return TargetsInput(rows=tuple(inputs)), [i.pk for i in indicators]


def check_declaration(
    declaration: TargetDeclaration, *, overrides: dict | None = None, store: bool = True
) -> dict:
    """The declaration's quality checks as plain data (selfeval-targets/1 with each finding's
    indicator id); stored on the declaration unless `store` is False (a form preview)."""
    rules = rule_set_for(declaration)
    inp, indicator_ids = targets_input(declaration, rules, overrides)
    data = targets_to_json(check_targets(inp, rules))
    for finding in data["findings"]:
        index = finding.get("indicator")
        finding["indicator_id"] = None if index is None else indicator_ids[index]
    if store:
        errors = sum(f["severity"] == "error" for f in data["findings"])
        warnings = sum(f["severity"] == "warning" for f in data["findings"])
        now = timezone.now()
        TargetDeclaration.objects.filter(pk=declaration.pk).update(
            result=data, checked_at=now, error_count=errors, warning_count=warnings
        )  # one statement: atomic by itself
        declaration.result = data
        declaration.checked_at = now
        declaration.error_count = errors
        declaration.warning_count = warnings
    return data
