"""The filer's write service: open an evaluation, save a draft, draft the report.

`evaluation_save_draft` is the one way a filer's figures reach the database, from the form, the
workbook and the selfeval/1 upload alike. It keeps only the fields a filer may change
(content.FILER_*), merges a save made at an older version field by field with what was saved
since, writes in one transaction under a row lock, bumps the version only when something
changed, records the new version's content and re-scores. A field both sides changed raises
StaleVersion and writes nothing: nothing is ever overwritten silently.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch

from projects.access import FILE, get_for_user
from projects.filing.content import (
    AUTO,
    COLUMNS,
    FILER_FUND_COLUMNS,
    FILER_RESULT_FIELDS,
    SOURCES,
    DraftChanges,
    changes_content,
    claim_follows,
    content_changes,
    fields_only,
    following_echoes,
    stored_content,
)
from projects.filing.merge import merge
from projects.models import (
    Evaluation,
    EvaluationRevision,
    EvaluationTask,
    FundLine,
    FundSource,
    Indicator,
    IndicatorResult,
    Project,
)
from projects.models.targets import targets_settled
from projects.narrative import NarrativeData, draft_sections
from projects.report_check import stored_narrative_data
from projects.review.services.workflow import ensure_editable
from scoring.engine.funds import fund_total

TEXT_FIELDS = ("actual", "achievement", "deviation_reason", "midyear_actual")


class StaleVersion(Exception):
    """Fields both this save and a newer one changed; carries the stored filing (an evaluation
    or a monitoring report) and the merge plan (its conflicts: key -> (mine, theirs))."""

    def __init__(self, current, submitted_version: int, plan=None):
        from projects.review.services.workflow import kind_of

        self.current = current
        self.submitted_version = submitted_version
        self.plan = plan
        super().__init__(
            f"该{kind_of(current).noun}已被他人修改（当前版本 {current.version}，您编辑的是版本 {submitted_version}）"
        )


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
    if not Project.objects.filter(targets_settled(), pk=project.pk).exists():
        raise PermissionDenied("该项目的绩效目标尚未审核通过，不能开始自评。")
    task = EvaluationTask.objects.filter(
        region_id=project.unit.department.region_id, year=project.year
    ).first()
    evaluation, created = Evaluation.objects.get_or_create(
        project=project, year=project.year, defaults={"task": task}
    )
    existing = set(evaluation.results.values_list("indicator_id", flat=True))
    IndicatorResult.objects.bulk_create(
        IndicatorResult(evaluation=evaluation, indicator=indicator, claimed_follows=True)
        for indicator in project.indicators.all()
        if indicator.pk not in existing
    )
    if created:
        score_evaluation(evaluation)
    return evaluation


def derived_total(lines: dict[str, dict]) -> dict | None:
    """The 年度资金总额 row by the one rule (`scoring.engine.funds.fund_total`): each column the
    sum of the sources carrying it, else the total's printed figure; None when no source
    carries a figure (the printed total then stands as it is)."""
    if not any(lines.get(s, {}).get(c) is not None for s in SOURCES for c in COLUMNS):
        return None
    return fund_total(lines.get(FundSource.TOTAL), (lines.get(s) for s in SOURCES))


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


def filer_changes(changes: DraftChanges) -> DraftChanges:
    """Only what the filer may change (content.FILER_*): budgets, targets and weights are the
    finance bureau's, so a page or file that carries them never writes them here."""
    funds = None
    if changes.funds:
        funds = {
            source: {c: v for c, v in values.items() if c in FILER_FUND_COLUMNS}
            for source, values in changes.funds.items()
            if source in SOURCES
        }
        funds = {s: v for s, v in funds.items() if v} or None
    results = None
    if changes.results:
        results = {
            indicator_id: {k: v for k, v in values.items() if k in FILER_RESULT_FIELDS}
            for indicator_id, values in changes.results.items()
        }
    return DraftChanges(
        funds=funds,
        goal_actual=changes.goal_actual,
        results=results,
        notes=changes.notes,
        claimed_execution_score=changes.claimed_execution_score,
    )


def record_revision(evaluation: Evaluation, content: dict | None = None) -> None:
    """Keep the filer's content at the evaluation's current version: the base that a page or
    file made at this version is merged from later (kept once per version)."""
    if content is None:
        content = stored_content(evaluation_queryset().get(pk=evaluation.pk))
    EvaluationRevision.objects.get_or_create(
        evaluation_id=evaluation.pk, version=evaluation.version, defaults={"content": content}
    )


def revision_content(evaluation: Evaluation, version: int) -> dict | None:
    """The content recorded at `version`, or None when that version was never recorded."""
    revision = EvaluationRevision.objects.filter(
        evaluation_id=evaluation.pk, version=version
    ).first()
    return revision.content if revision else None


def plan_save(fresh: Evaluation, version: int | None, changes: DraftChanges, resolutions=None):
    """What a save would write: (merge result, the filer's changes as flat fields).

    A save at the stored version has no one to merge with; an older one is merged from the
    content recorded at its version, so only fields both sides changed are conflicts.
    """
    theirs = stored_content(fresh)
    if version is None or version == fresh.version:
        base = theirs
    elif version > fresh.version:
        base = None
    else:
        base = revision_content(fresh, version)
    mine = following_echoes(changes_content(filer_changes(changes)), base or theirs)
    return merge(base, mine, fields_only(theirs), resolutions), theirs


@transaction.atomic
def evaluation_save_draft(
    *,
    evaluation: Evaluation,
    user,
    version: int | None,
    changes: DraftChanges,
    resolutions: dict | None = None,
) -> Evaluation:
    """The filer's one write: keep only filer fields, merge with newer saves, write, re-score.

    The form, the workbook and the selfeval/1 upload all come here. A save made at an older
    version is merged field by field with what was saved since (content.py, merge.py); a field
    both sides changed differently raises StaleVersion with the conflicts and writes nothing
    until `resolutions` ({key: "mine" | "theirs"}) settles each. A save that changes nothing
    keeps the version and adds no history. version None: against whatever is stored now.
    """
    from scoring.services import rule_set_for, score_evaluation

    fresh = get_for_user(
        evaluation_queryset().select_for_update(of=("self",)), user, FILE, pk=evaluation.pk
    )
    ensure_editable(fresh)
    plan, theirs = plan_save(fresh, version, changes, resolutions)
    if plan.conflicts:
        raise StaleVersion(fresh, version or fresh.version, plan=plan)
    record_revision(fresh, theirs)
    redraft = [key for key, text in (changes.notes or {}).items() if text is AUTO]
    apply = content_changes(plan.apply, redraft=redraft)
    changed = _write_funds(fresh.project, apply.funds)
    claims, rows_changed = _write_results(fresh, apply.results)
    changed = changed or rows_changed
    # Re-read the rows just written: scoring must see the saved figures, not the old prefetch.
    fresh = evaluation_queryset().get(pk=fresh.pk)
    if apply.goal_actual is not None and fresh.goal_actual != apply.goal_actual:
        fresh.goal_actual = apply.goal_actual
        changed = True
    notes = apply.notes or {}
    before_notes = dict(fresh.notes or {})
    fresh.notes = {**before_notes, **{k: t for k, t in notes.items() if t is not AUTO}}
    if apply.claimed_execution_score is AUTO:
        fresh.claimed_execution_follows = True
    elif apply.claimed_execution_score is not None:
        fresh.claimed_execution_follows = False
        fresh.claimed_execution_score = apply.claimed_execution_score
    indicators = {i.pk: i for i in fresh.project.indicators.all()}
    auto = {
        r.indicator_id: {"claimed_score": AUTO}
        for r in fresh.results.all()
        if r.indicator_id in indicators
        and _following(r, indicators[r.indicator_id], claims.get(r.indicator_id, _UNTOUCHED))
    }
    typed_exec = apply.claimed_execution_score
    follows_exec = typed_exec is AUTO or (
        typed_exec is None
        and (
            fresh.claimed_execution_follows
            or fresh.claimed_execution_score is None
            or fresh.claimed_execution_score == fresh.computed_execution_score
        )
    )
    computed = preview(
        fresh,
        DraftChanges(results=auto, claimed_execution_score=AUTO if follows_exec else None),
    )
    _settle_claims(fresh, computed, rule_set_for(fresh), follows_exec, claims)
    redraft = [key for key, text in notes.items() if text is AUTO]
    if redraft:
        # Sections the filer has not edited follow the figures just saved.
        drafted = draft_sections(computed, narrative_data(fresh))
        fresh.notes.update({key: drafted[key] for key in redraft if key in drafted})
    changed = (
        changed
        or fresh.notes != before_notes
        or fields_only(stored_content(fresh)) != fields_only(theirs)
    )
    if changed:
        fresh.version += 1
        fresh.save()
        record_revision(fresh, stored_content(fresh))
    else:
        # Nothing the filer sees moved: derived claims are stored, without a version or history.
        Evaluation.objects.filter(pk=fresh.pk).update(
            **{name: getattr(fresh, name) for name in DERIVED_CLAIMS}
        )
    score_evaluation(fresh)
    return fresh


# Columns the application derives from the filer's claims; written without a history row.
DERIVED_CLAIMS = (
    "claimed_execution_score",
    "claimed_execution_follows",
    "claimed_indicator_total",
    "claimed_total",
    "claimed_grade",
)


def _write_funds(project: Project, funds: dict | None) -> bool:
    """Write the filer's 全年执行数 per source and derive the total; True when anything moved."""
    if not funds:
        return False
    lines = {line.source: line for line in project.fund_lines.all()}
    total_line = lines.get(FundSource.TOTAL)
    changed = False
    if total_line is not None and not any(
        getattr(lines[s], c) is not None for s in SOURCES if s in lines for c in COLUMNS
    ):
        # Only a total was printed: it becomes 当年财政拨款, so the total stays a sum of sources
        # and the approved budgets move with it unchanged.
        seeded = lines.get(FundSource.CURRENT_YEAR) or FundLine(
            project=project, source=FundSource.CURRENT_YEAR
        )
        for column in COLUMNS:
            setattr(seeded, column, getattr(total_line, column))
        lines[FundSource.CURRENT_YEAR] = seeded
        seeded.save()
        changed = True
    for source in SOURCES:
        values = funds.get(source)
        if not values:
            continue
        line = lines.get(source) or FundLine(project=project, source=source)
        line_changed = line.pk is None
        for column, value in values.items():
            if column in COLUMNS and getattr(line, column) != value:
                setattr(line, column, value)
                line_changed = True
        if line_changed:
            line.save()
            changed = True
        lines[source] = line
    rows = {s: {c: getattr(line, c) for c in COLUMNS} for s, line in lines.items()}
    total = derived_total(rows)
    if total is None:
        return changed
    line = lines.get(FundSource.TOTAL) or FundLine(project=project, source=FundSource.TOTAL)
    if line.pk is None or any(getattr(line, c) != total[c] for c in COLUMNS):
        for column in COLUMNS:
            setattr(line, column, total[column])
        line.save()
        changed = True
    return changed


def _write_results(evaluation: Evaluation, changes: dict | None) -> tuple[dict, bool]:
    """Write actuals, reasons and claims; return ({indicator_id: claim}, anything changed)."""
    claims: dict[int, object] = {}
    if not changes:
        return claims, False
    indicators = {i.pk: i for i in evaluation.project.indicators.all()}
    stored = {r.indicator_id: r for r in evaluation.results.all()}
    any_changed = False
    for indicator_id, values in changes.items():
        if indicator_id not in indicators:
            continue  # another project's indicator id: never written
        row = stored.get(indicator_id) or IndicatorResult(
            evaluation=evaluation, indicator=indicators[indicator_id], claimed_follows=True
        )
        changed = row.pk is None
        for name in TEXT_FIELDS:
            if name in values and getattr(row, name) != (values[name] or ""):
                setattr(row, name, values[name] or "")
                changed = True
        if "claimed_score" in values and indicators[indicator_id].weight is not None:
            claim = values["claimed_score"]
            claims[indicator_id] = claim
            if claim is AUTO or claim is None:
                if not row.claimed_follows:
                    row.claimed_follows = True
                    changed = True
            elif row.claimed_follows or row.claimed_score != claim:
                row.claimed_follows = False
                row.claimed_score = claim
                changed = True
        if changed:
            row.save()
            any_changed = True
    return claims, any_changed


_UNTOUCHED = object()


def _following(row, indicator, claim) -> bool:
    """Does this row's claim follow? A claim given in this save says so itself (typed: no);
    otherwise the stored row decides (content.claim_follows)."""
    if claim is not _UNTOUCHED:
        return claim is AUTO or claim is None
    return claim_follows(row, indicator)


def _settle_claims(evaluation, computed, rules, follows_exec: bool, claims: dict) -> bool:
    """Give following claims the computed score, then derive the claimed totals and grade.

    Runs on every save, so a claim that follows keeps following when an upload changes the
    amounts or the actuals (the claimed 执行率得分 included); a typed claim stays as typed.
    """
    scores = {row["indicator_id"]: row for row in computed["indicators"]}
    indicators = {i.pk: i for i in evaluation.project.indicators.all()}
    weighted = {pk for pk, i in indicators.items() if i.weight is not None}
    changed = False
    for row in evaluation.results.all():
        claim = claims.get(row.indicator_id, _UNTOUCHED)
        if row.indicator_id in weighted and _following(row, indicators[row.indicator_id], claim):
            score = Decimal(scores[row.indicator_id]["score"])
            if row.claimed_score != score or not row.claimed_follows:
                row.claimed_score = score
                row.claimed_follows = True
                # Derived, like the computed score: no history row of its own.
                IndicatorResult.objects.filter(pk=row.pk).update(
                    claimed_score=score, claimed_follows=True
                )
                changed = True
    if follows_exec:
        evaluation.claimed_execution_follows = True
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
            FundLine.objects.filter(pk=total_line.pk).update(
                claimed_rate=new[0], claimed_score=new[1]
            )
    return changed


def narrative_data(evaluation: Evaluation, changes: DraftChanges | None = None) -> NarrativeData:
    """The table's figures (stored, overlaid with unsaved form data) for drafting the report."""
    changes = changes or DraftChanges()
    funds = merged_funds(evaluation.project, changes.funds)
    return stored_narrative_data(
        evaluation,
        total=funds.get(FundSource.TOTAL, {}),
        results=changes.results,
        goal_actual=changes.goal_actual,
    )


def draft_narrative(evaluation: Evaluation, result: dict, changes: DraftChanges | None = None):
    """Draft the report's sections from the figures the page shows (nothing is written)."""
    return draft_sections(result, narrative_data(evaluation, changes))
