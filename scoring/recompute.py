"""Re-scoring many evaluations at once: a whole region and year after a rule-set change, say.

The single-evaluation path (`scoring.services.score_evaluation`) reads model instances; this one
reads plain rows for a chunk of 1,000 evaluations in four queries, scores them with the same input
builder, and writes the computed columns back in a few bulk statements (`selfeval.bulk`), so the
query count grows per chunk, never per evaluation. The chunks are read, scored and written in
turn on the caller's connection, each written in one transaction.

Reading ahead and writing behind on two more connections in background threads was tried and
measured against this (`bench/bench_recompute_region.py` at commit 0f3e1bf, PostgreSQL, 10,000
filings × 20 indicators, best of 3, two shared cores): 5.80 s against 6.15 s for a first scoring
at load 1.5-2.8, 8.13 s against 8.38 s at load 4.8, less than the spread between repeats, and a
nightly recompute no faster. It cost two connections, threads and a failure raised chunks later,
so it went.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Sum, Value, When
from django.utils import timezone

from projects.models import Evaluation, FundLine, Indicator, IndicatorResult
from projects.models.evaluation import EDITABLE_STATUSES, FROZEN_STATUSES
from scoring.engine.score import score_evaluation as engine_score
from scoring.previous import with_previous_actuals_many
from scoring.rows import (
    StoredFiling,
    cached_ruleset,
    computed_fields,
    engine_claims,
    input_digest,
    input_from_filing,
    result_dict,
    snapshot,
)
from selfeval.bulk import bulk_set

_CHUNK = 1000


def recompute_region(*, region, year: int) -> int:
    """Re-score every open evaluation of a region and year (after a rule-set change, say)."""
    return recompute(
        queryset=Evaluation.objects.filter(year=year, project__unit__department__region=region)
    )


def recompute(*, queryset) -> int:
    """Re-score many evaluations in chunks and store them; returns how many were scored.

    Frozen (approved, published) evaluations are left as they were approved. A failed chunk is
    raised at once; the chunks written before it stay stored (outside a caller's transaction),
    and running the recompute again finishes the rest.
    """
    alias = queryset.db
    ids = list(
        queryset.exclude(status__in=FROZEN_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    chunks = [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]
    now = timezone.now()
    for chunk in chunks:
        _write(_score(_filings(chunk, alias), now, alias), alias)
    for chunk in chunks:
        settle_following_claims(chunk, alias=alias)
    return len(ids)


def settle_following_claims(evaluation_ids, *, alias: str = "default") -> int:
    """Give claims that follow the computed score their new scores, after any re-scoring.

    A filer's claim that follows (never typed) must keep following when a rule-set change moves
    the computed scores; typed claims and frozen filings are left alone. A few statements per
    chunk, and nothing at all where no claim follows. Returns how many evaluations moved.
    """
    editable = Evaluation.objects.using(alias).filter(
        pk__in=list(evaluation_ids), status__in=EDITABLE_STATUSES
    )
    follow_rows = IndicatorResult.objects.using(alias).filter(
        evaluation__in=editable, claimed_follows=True, indicator__weight__isnull=False
    )
    moved_rows = follow_rows.filter(
        Q(claimed_score__isnull=True) | ~Q(claimed_score=F("computed_score"))
    )
    touched = set(moved_rows.values_list("evaluation_id", flat=True).distinct())
    moved_rows.update(claimed_score=F("computed_score"))
    exec_moved = editable.filter(claimed_execution_follows=True).filter(
        Q(claimed_execution_score__isnull=True)
        | ~Q(claimed_execution_score=F("computed_execution_score"))
    )
    touched |= set(exec_moved.values_list("pk", flat=True))
    exec_moved.update(claimed_execution_score=F("computed_execution_score"))
    if not touched:
        return 0
    sums = dict(
        IndicatorResult.objects.using(alias)
        .filter(evaluation_id__in=touched, indicator__weight__isnull=False)
        .order_by()
        .values_list("evaluation_id")
        .annotate(total=Sum("claimed_score"))
        .values_list("evaluation_id", "total")
    )
    rows = []
    for pk, execution, rule_set in (
        Evaluation.objects.using(alias)
        .filter(pk__in=touched)
        .order_by()
        .values_list(
            "pk", "claimed_execution_score", "project__unit__department__region__rule_set_id"
        )
    ):
        rules = cached_ruleset(rule_set or settings.SELFEVAL_DEFAULT_RULESET)
        indicator_total = sums.get(pk) or Decimal(0)
        total = indicator_total + (execution or Decimal(0))
        rows.append(
            SimpleNamespace(
                pk=pk,
                claimed_indicator_total=indicator_total,
                claimed_total=total,
                claimed_grade=rules.grade_for(total).name,
            )
        )
    bulk_set(Evaluation, rows, ("claimed_indicator_total", "claimed_total", "claimed_grade"))
    return len(touched)


def _score(filings: dict, now, alias: str = "default") -> tuple[list, list]:
    """The computed columns of each evaluation, and the indicator rows whose score moved.

    An evaluation whose input, rule set and engine are those its stored result was computed
    from is skipped: re-scoring it would write the same columns (the nightly recompute).
    """
    updated, moved = [], []
    built = {pk: input_from_filing(filing) for pk, (filing, _, _) in filings.items()}
    inputs = with_previous_actuals_many({pk: b[0] for pk, b in built.items()}, alias=alias)
    for pk, (filing, rule_set_id, stored_digest) in filings.items():
        rules = cached_ruleset(rule_set_id or settings.SELFEVAL_DEFAULT_RULESET)
        inp, indicator_ids = inputs[pk], built[pk][1]
        frozen_input = snapshot(inp)
        digest = input_digest(frozen_input, rules, filing, indicator_ids)
        if digest == stored_digest:
            continue
        result = engine_score(inp, rules)
        data = result_dict(result, indicator_ids)
        fields = computed_fields(
            rules, inp, result, data, filing=filing, stored=frozen_input, digest=digest
        )
        fields["scored_at"] = now
        updated.append(SimpleNamespace(pk=pk, **fields))
        for indicator_id, scored in zip(indicator_ids, result.indicators, strict=True):
            stored = filing.results.get(indicator_id)
            # Only rows whose score or status moved are written: a recompute after a rule-set
            # change touches few of them.
            if stored is not None and stored[5] != (scored.score, scored.status):
                moved.append(
                    SimpleNamespace(pk=stored[0], computed_score=scored.score, status=scored.status)
                )
    return updated, moved


def _write(scored: tuple[list, list], alias: str) -> None:
    updated, moved = scored
    with transaction.atomic(using=alias):
        bulk_set(Evaluation, updated, Evaluation.COMPUTED_FIELDS, batch_size=_CHUNK)
        bulk_set(IndicatorResult, moved, ("computed_score", "status"), batch_size=5000)


def _filings(evaluation_ids: list[int], alias: str) -> dict[int, tuple[StoredFiling, str]]:
    """Stored filings of many evaluations in four queries of plain rows (no model instances)."""
    # Each query drops the models' default ordering: it joins and sorts through the evaluation's
    # project and unit (150 ms a chunk), and the rows are keyed by id here anyway.
    evaluations = (
        Evaluation.objects.using(alias)
        .filter(pk__in=evaluation_ids)
        .order_by()
        # A digest only stands for a result that is there: a cleared result is scored again.
        .annotate(digest=Case(When(result__isnull=True, then=Value("")), default=F("input_digest")))
        .values_list(
            "pk",
            "project_id",
            "claimed_execution_follows",
            "claimed_execution_score",
            "claimed_indicator_total",
            "claimed_total",
            "claimed_grade",
            "goal_actual",
            "project__goal_expected",
            "project__unit__department__region__rule_set_id",
            "digest",
        )
    )
    project_ids = set()
    filings, by_project = {}, {}
    for (
        pk,
        project_id,
        follows,
        *claimed,
        goal_actual,
        goal_expected,
        rule_set,
        digest,
    ) in evaluations:
        # The totals' claims are settled once the rows are read (engine_claims, below).
        filing = StoredFiling({}, [], {}, (follows, *claimed), goal_expected, goal_actual)
        filings[pk] = (filing, rule_set, digest)
        by_project[project_id] = filing
        project_ids.add(project_id)
    for project_id, source, *values in (
        FundLine.objects.using(alias)
        .filter(project_id__in=project_ids)
        .order_by()
        .values_list(
            "project_id", "source", "initial", "adjusted", "executed", "weight", "claimed_rate"
        )
    ):
        by_project[project_id].funds[source] = tuple(values)
    for project_id, *row in (
        Indicator.objects.using(alias)
        .filter(project_id__in=project_ids)
        .order_by("project_id", "order", "pk")
        .values_list("project_id", "pk", "level1", "level2", "name", "target", "weight")
    ):
        by_project[project_id].indicators.append(tuple(row))
    rows_follow: set[int] = set()
    for (
        evaluation_id,
        indicator_id,
        pk,
        actual,
        achievement,
        claimed,
        follows,
        deviation,
        *stored,
    ) in (
        IndicatorResult.objects.using(alias)
        .filter(evaluation_id__in=evaluation_ids)
        .order_by()
        .values_list(
            "evaluation_id",
            "indicator_id",
            "pk",
            "actual",
            "achievement",
            "claimed_score",
            "claimed_follows",
            "deviation_reason",
            "computed_score",
            "status",
        )
    ):
        filings[evaluation_id][0].results[indicator_id] = (
            pk,
            actual,
            achievement,
            None if follows else claimed,
            deviation,
            tuple(stored),
        )
        if follows:
            rows_follow.add(evaluation_id)
    for pk, (filing, _, _) in filings.items():
        execution_follows, *claimed = filing.claimed
        filing.claimed = engine_claims(execution_follows, pk in rows_follow, tuple(claimed))
    return filings
