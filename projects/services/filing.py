"""Filing services: open an evaluation, save a draft under the version check, draft the report.

A draft save takes whatever is valid, writes it in one transaction under a row lock, bumps the
version counter and re-scores. A save made against an older version than the stored one is
refused with StaleVersion, which carries the stored evaluation so the page can show both versions:
nothing is ever overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch

from projects.access import FILE, get_for_user
from projects.models import (
    Evaluation,
    EvaluationTask,
    FundLine,
    FundSource,
    Indicator,
    IndicatorResult,
    Project,
)
from projects.narrative import IndicatorFacts, NarrativeData, draft_sections
from projects.services.workflow import ensure_editable

SOURCES = (FundSource.CURRENT_YEAR, FundSource.CARRYOVER, FundSource.OTHER)
COLUMNS = ("initial", "adjusted", "executed")
TEXT_FIELDS = ("actual", "achievement", "deviation_reason", "midyear_actual")


class _Auto:
    """The claimed score follows the computed one (the filer has not typed another)."""

    def __repr__(self) -> str:
        return "AUTO"


AUTO = _Auto()


class StaleVersion(Exception):
    """The draft was edited from an older version; carries the stored evaluation."""

    def __init__(self, current: Evaluation, submitted_version: int):
        self.current = current
        self.submitted_version = submitted_version
        super().__init__(
            f"该自评已被他人修改（当前版本 {current.version}，您编辑的是版本 {submitted_version}）"
        )


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


def evaluation_queryset():
    """Evaluations with everything the form and the scoring bridge read, in a fixed few queries.

    The prefetches order explicitly: the models' default orderings cascade through project,
    unit, department and region, which would join five tables into every one of them.
    """
    return Evaluation.objects.select_related(
        "project__unit__department__region", "task"
    ).prefetch_related(
        Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")),
        Prefetch("project__indicators", queryset=Indicator.objects.order_by("order", "pk")),
        Prefetch("results", queryset=IndicatorResult.objects.order_by("pk")),
    )


@transaction.atomic
def evaluation_start(*, project: Project, user) -> Evaluation:
    """Open the year's evaluation of a project for filing (idempotent): one result per indicator."""
    from scoring.services import score_evaluation

    project = get_for_user(
        Project.objects.select_for_update(of=("self",)), user, FILE, pk=project.pk
    )
    task = EvaluationTask.objects.filter(
        region_id=project.unit.department.region_id, year=project.year
    ).first()
    evaluation, created = Evaluation.objects.get_or_create(
        project=project, year=project.year, defaults={"task": task}
    )
    existing = set(evaluation.results.values_list("indicator_id", flat=True))
    IndicatorResult.objects.bulk_create(
        IndicatorResult(evaluation=evaluation, indicator=indicator)
        for indicator in project.indicators.all()
        if indicator.pk not in existing
    )
    if created:
        score_evaluation(evaluation)
    return evaluation


def is_qualitative(indicator) -> bool:
    """A target read as qualitative (or blank): the filer picks the achievement and the score."""
    from scoring.engine.targets import EMPTY, QUALITATIVE, parse_indicator_target

    kind = (
        indicator.target_kind
        or parse_indicator_target(indicator.target or None, indicator.name).kind
    )
    return kind in (QUALITATIVE, EMPTY)


def derived_total(lines: dict[str, dict]) -> dict | None:
    """The 年度资金总额 row as the sum of its sources; None when no source carries a figure."""
    if not any(lines.get(s, {}).get(c) is not None for s in SOURCES for c in COLUMNS):
        return None
    total = {}
    for column in COLUMNS:
        values = [lines.get(s, {}).get(column) for s in SOURCES]
        present = [v for v in values if v is not None]
        total[column] = sum(present, Decimal(0)) if present else None
    return total


def stored_fund_rows(project: Project) -> dict[str, dict]:
    """The project's fund rows as {source: {column: Decimal | None}} (from the prefetch)."""
    return {
        line.source: {c: getattr(line, c) for c in COLUMNS} for line in project.fund_lines.all()
    }


def merged_funds(project: Project, funds: dict | None) -> dict[str, dict]:
    """Stored rows overlaid with the form's source rows, the total derived from the sources."""
    rows = stored_fund_rows(project)
    for source, values in (funds or {}).items():
        if source in SOURCES:
            rows.setdefault(source, dict.fromkeys(COLUMNS))
            rows[source] = {**rows[source], **values}
    total = derived_total(rows)
    if total is not None:
        rows[FundSource.TOTAL] = total
    return rows


def preview(evaluation: Evaluation, changes: DraftChanges) -> dict:
    """Score the form's data without writing: what the page shows while the filer types.

    Rows whose claimed score follows the computed one are scored as unclaimed, and the claimed
    totals are left out, because on save they are derived from the same computed figures.
    """
    from scoring.services import score_preview

    funds = merged_funds(evaluation.project, changes.funds)
    results = {r.indicator_id: {} for r in evaluation.results.all()}
    for indicator_id, values in (changes.results or {}).items():
        values = dict(values)
        if values.get("claimed_score") is AUTO:
            values["claimed_score"] = None
        results[indicator_id] = values
    saved = (
        evaluation.claimed_execution_score,
        evaluation.claimed_indicator_total,
        evaluation.claimed_total,
        evaluation.claimed_grade,
    )
    claimed_exec = changes.claimed_execution_score
    if claimed_exec is AUTO:
        evaluation.claimed_execution_score = None
    elif claimed_exec is not None:
        evaluation.claimed_execution_score = claimed_exec
    evaluation.claimed_indicator_total = None
    evaluation.claimed_total = None
    evaluation.claimed_grade = ""
    try:
        return score_preview(
            evaluation, funds=funds, results=results, goal_actual=changes.goal_actual
        )
    finally:
        (
            evaluation.claimed_execution_score,
            evaluation.claimed_indicator_total,
            evaluation.claimed_total,
            evaluation.claimed_grade,
        ) = saved


@transaction.atomic
def evaluation_save_draft(
    *, evaluation: Evaluation, user, version: int | None, changes: DraftChanges
) -> Evaluation:
    """Save a draft: refuse a stale version, write the changes, bump the version, re-score.

    version None skips the check (an upload replaces figures deliberately) but still bumps the
    counter, so a form left open on the old figures gets the conflict page instead of winning.
    """
    from scoring.services import rule_set_for, score_evaluation

    fresh = get_for_user(
        evaluation_queryset().select_for_update(of=("self",)), user, FILE, pk=evaluation.pk
    )
    ensure_editable(fresh)
    if version is not None and fresh.version != version:
        raise StaleVersion(fresh, version)
    _write_funds(fresh.project, changes.funds)
    claims = _write_results(fresh, changes.results)
    # Re-read the rows just written: scoring must see the saved figures, not the old prefetch.
    fresh = evaluation_queryset().get(pk=fresh.pk)
    if changes.goal_actual is not None:
        fresh.goal_actual = changes.goal_actual
    notes = changes.notes or {}
    fresh.notes = {
        **(fresh.notes or {}),
        **{key: text for key, text in notes.items() if text is not AUTO},
    }
    auto = {i: {"claimed_score": AUTO} for i, claim in claims.items() if claim is AUTO}
    computed = preview(
        fresh, DraftChanges(results=auto, claimed_execution_score=changes.claimed_execution_score)
    )
    _settle_claims(fresh, claims, computed, changes.claimed_execution_score, rule_set_for(fresh))
    redraft = [key for key, text in notes.items() if text is AUTO]
    if redraft:
        # Sections the filer has not edited follow the figures just saved.
        drafted = draft_sections(computed, narrative_data(fresh))
        fresh.notes.update({key: drafted[key] for key in redraft if key in drafted})
    fresh.version += 1
    fresh.save()
    score_evaluation(fresh)
    return fresh


def _write_funds(project: Project, funds: dict | None) -> None:
    if not funds:
        return
    lines = {line.source: line for line in project.fund_lines.all()}
    for source in SOURCES:
        values = funds.get(source)
        if not values:
            continue
        line = lines.get(source) or FundLine(project=project, source=source)
        changed = line.pk is None
        for column, value in values.items():
            if column in COLUMNS and getattr(line, column) != value:
                setattr(line, column, value)
                changed = True
        if changed:
            line.save()
        lines[source] = line
    rows = {s: {c: getattr(line, c) for c in COLUMNS} for s, line in lines.items()}
    total = derived_total(rows)
    if total is None:
        return
    line = lines.get(FundSource.TOTAL) or FundLine(project=project, source=FundSource.TOTAL)
    if line.pk is None or any(getattr(line, c) != total[c] for c in COLUMNS):
        for column in COLUMNS:
            setattr(line, column, total[column])
        line.save()


def _write_results(evaluation: Evaluation, changes: dict | None) -> dict[int, object]:
    """Write actuals and reasons; return {indicator_id: claimed} for the claims settled later."""
    claims: dict[int, object] = {}
    if not changes:
        return claims
    indicators = {i.pk: i for i in evaluation.project.indicators.all()}
    stored = {r.indicator_id: r for r in evaluation.results.all()}
    for indicator_id, values in changes.items():
        if indicator_id not in indicators:
            continue  # another project's indicator id: never written
        row = stored.get(indicator_id) or IndicatorResult(
            evaluation=evaluation, indicator=indicators[indicator_id]
        )
        changed = row.pk is None
        for name in TEXT_FIELDS:
            if name in values and getattr(row, name) != (values[name] or ""):
                setattr(row, name, values[name] or "")
                changed = True
        if "claimed_score" in values:
            claims[indicator_id] = values["claimed_score"]
            if values["claimed_score"] is not AUTO and row.claimed_score != values["claimed_score"]:
                row.claimed_score = values["claimed_score"]
                changed = True
        if changed:
            row.save()
    return claims


def _settle_claims(evaluation, claims, computed, claimed_exec, rules) -> None:
    """Give AUTO claims the computed score, then derive the claimed totals and grade."""
    scores = {row["indicator_id"]: row for row in computed["indicators"]}
    weighted = {i.pk for i in evaluation.project.indicators.all() if i.weight is not None}
    for row in evaluation.results.all():
        if claims.get(row.indicator_id) is AUTO or (
            row.indicator_id in weighted and row.claimed_score is None
        ):
            score = Decimal(scores[row.indicator_id]["score"])
            if row.claimed_score != score:
                row.claimed_score = score
                row.save(update_fields=["claimed_score"])
    if claimed_exec is not None and claimed_exec is not AUTO:
        evaluation.claimed_execution_score = claimed_exec
    elif claimed_exec is AUTO or evaluation.claimed_execution_score is None:
        evaluation.claimed_execution_score = Decimal(computed["execution_score"])
    indicator_total = sum(
        (
            r.claimed_score or Decimal(0)
            for r in evaluation.results.all()
            if r.indicator_id in weighted
        ),
        Decimal(0),
    )
    evaluation.claimed_indicator_total = indicator_total
    evaluation.claimed_total = indicator_total + evaluation.claimed_execution_score
    evaluation.claimed_grade = rules.grade_for(evaluation.claimed_total).name
    total_line = next(
        (line for line in evaluation.project.fund_lines.all() if line.source == FundSource.TOTAL),
        None,
    )
    if total_line is not None:
        rate = computed.get("execution_rate")
        new = (Decimal(rate) if rate else None, evaluation.claimed_execution_score)
        if (total_line.claimed_rate, total_line.claimed_score) != new:
            total_line.claimed_rate, total_line.claimed_score = new
            total_line.save(update_fields=["claimed_rate", "claimed_score"])


def narrative_data(evaluation: Evaluation, changes: DraftChanges | None = None) -> NarrativeData:
    """The table's figures (stored, overlaid with unsaved form data) for drafting the report."""
    changes = changes or DraftChanges()
    project = evaluation.project
    funds = merged_funds(project, changes.funds)
    total = funds.get(FundSource.TOTAL, {})
    stored = {r.indicator_id: r for r in evaluation.results.all()}
    facts = []
    for indicator in project.indicators.all():
        result = stored.get(indicator.pk)
        values = (changes.results or {}).get(indicator.pk, {})

        def pick(name, result=result, values=values):
            if name in values and values[name] is not None:
                return values[name]
            return getattr(result, name) if result else ""

        facts.append(
            IndicatorFacts(
                indicator_id=indicator.pk,
                level1=indicator.level1,
                level2=indicator.level2,
                name=indicator.name,
                target=indicator.target,
                actual=pick("actual"),
                weight=indicator.weight,
                deviation_reason=pick("deviation_reason"),
                midyear_actual=pick("midyear_actual"),
            )
        )
    unit = project.unit
    return NarrativeData(
        kind=project.kind,
        year=project.year,
        subject_name=project.name,
        unit_name=unit.name,
        department_name=unit.department.name,
        money_unit=project.money_unit,
        initial=total.get("initial"),
        adjusted=total.get("adjusted"),
        executed=total.get("executed"),
        goal_expected=project.goal_expected,
        goal_actual=(
            changes.goal_actual if changes.goal_actual is not None else evaluation.goal_actual
        ),
        indicators=tuple(facts),
    )


def draft_narrative(evaluation: Evaluation, result: dict, changes: DraftChanges | None = None):
    """Draft the report's sections from the figures the page shows (nothing is written)."""
    return draft_sections(result, narrative_data(evaluation, changes))
