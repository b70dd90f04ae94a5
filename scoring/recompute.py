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
from projects.models.org import RegionRuleSet
from scoring.engine.rules import RuleSet, ruleset_in_force
from scoring.engine.score import score_evaluation as engine_score
from scoring.midyear import with_monitoring_many
from scoring.previous import with_previous_actuals_many
from scoring.rows import (
    StoredFiling,
    computed_fields,
    engine_claims,
    input_digest,
    input_from_filing,
    result_dict,
    snapshot,
)
from selfeval.bulk import bulk_set

_CHUNK = 1000


def rule_set_key(entries, fallback: str | None, year: int) -> str:
    """The rule set a region names for an evaluation year: its latest entry (effective_from_year,
    rule_set_id) not after the year, else the region's own setting, else the site default.

    `entries` are in ascending year order. The key may pin a version ("id@2"); otherwise the
    version in force for the year is resolved by `ruleset_in_force`.
    """
    key = fallback or settings.SELFEVAL_DEFAULT_RULESET
    for from_year, rule_set_id in entries:
        if from_year > year:
            break
        key = rule_set_id
    return key


class RulesByYear:
    """Rule sets in force for many regions and years, read in one query and resolved once each:
    the bulk paths' counterpart of `scoring.services.rule_set_for`."""

    def __init__(self, region_ids, alias: str = "default") -> None:
        self.entries: dict[int, list[tuple[int, str]]] = {}
        for region_id, from_year, rule_set_id in (
            RegionRuleSet.objects.using(alias)
            .filter(region_id__in=set(region_ids))
            .order_by("region_id", "effective_from_year")
            .values_list("region_id", "effective_from_year", "rule_set_id")
        ):
            self.entries.setdefault(region_id, []).append((from_year, rule_set_id))
        self._resolved: dict[tuple[str, int], RuleSet] = {}

    def get(self, region_id: int, fallback: str | None, year: int) -> RuleSet:
        """The rule set and version scoring a filing of this region and year."""
        key = rule_set_key(self.entries.get(region_id, ()), fallback, year)
        found = self._resolved.get((key, year))
        if found is None:
            found = self._resolved[key, year] = ruleset_in_force(key, year)
        return found


def open_years_rules(region) -> dict[int, str]:
    """For each year in which a region has open filings, the rule set and version in force
    (id@version): compared before and after a change to tell which years it moves."""
    years = sorted(
        set(
            Evaluation.objects.filter(project__unit__department__region=region)
            .exclude(status__in=FROZEN_STATUSES)
            .values_list("year", flat=True)
        )
    )
    rules = RulesByYear([region.pk])
    return {year: rules.get(region.pk, region.rule_set_id, year).key for year in years}


def queue_recompute(*, region_id: int, years) -> list[int]:
    """Queue the one recompute path (scoring.tasks.recompute_region_year) for each year, once
    the change is committed, so the worker reads the new rules; returns the years."""
    from scoring.tasks import recompute_region_year

    years = sorted(set(years))
    for year in years:
        transaction.on_commit(lambda year=year: recompute_region_year.enqueue(region_id, year))
    return years


def queue_changed_years(*, region, before: dict[int, str]) -> list[int]:
    """After a change to a region's rules, queue the years whose rules it changed."""
    after = open_years_rules(region)
    changed = [year for year, key in after.items() if before.get(year) != key]
    return queue_recompute(region_id=region.pk, years=changed)


def stale_region_years(*, alias: str = "default") -> dict[int, list[int]]:
    """Regions and years whose open, scored filings were scored under another rule set or
    version than the one now in force (after deploying a new version): region id -> years."""
    rows = set(
        Evaluation.objects.using(alias)
        .exclude(status__in=FROZEN_STATUSES)
        .exclude(rule_set_id="")
        .order_by()
        .values_list(
            "project__unit__department__region_id",
            "project__unit__department__region__rule_set_id",
            "year",
            "rule_set_id",
            "rule_set_version",
        )
        .distinct()
    )
    rules = RulesByYear({row[0] for row in rows}, alias)
    stale: dict[int, set[int]] = {}
    for region_id, fallback, year, rule_set_id, version in rows:
        if rules.get(region_id, fallback, year).key != f"{rule_set_id}@{version}":
            stale.setdefault(region_id, set()).add(year)
    return {region_id: sorted(years) for region_id, years in sorted(stale.items())}


def queue_stale_recomputes(*, alias: str = "default") -> dict[int, list[int]]:
    """Queue a recompute of every region and year scored under rules no longer in force."""
    stale = stale_region_years(alias=alias)
    for region_id, years in stale.items():
        queue_recompute(region_id=region_id, years=years)
    return stale


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
    evaluations = list(
        Evaluation.objects.using(alias)
        .filter(pk__in=touched)
        .order_by()
        .values_list(
            "pk",
            "claimed_execution_score",
            "project__unit__department__region_id",
            "project__unit__department__region__rule_set_id",
            "year",
        )
    )
    by_year = RulesByYear({row[2] for row in evaluations}, alias)
    for pk, execution, region_id, rule_set, year in evaluations:
        rules = by_year.get(region_id, rule_set, year)
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
    inputs = with_monitoring_many(inputs, {pk: b[1] for pk, b in built.items()}, alias=alias)
    for pk, (filing, rules, stored_digest) in filings.items():
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


def _filings(evaluation_ids: list[int], alias: str) -> dict[int, tuple[StoredFiling, RuleSet, str]]:
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
            "project__unit__department__region_id",
            "project__unit__department__region__rule_set_id",
            "year",
            "digest",
        )
    )
    project_ids = set()
    evaluations = list(evaluations)
    by_year = RulesByYear({row[-4] for row in evaluations}, alias)
    filings, by_project = {}, {}
    for (
        pk,
        project_id,
        follows,
        *claimed,
        goal_actual,
        goal_expected,
        region_id,
        rule_set,
        year,
        digest,
    ) in evaluations:
        # The totals' claims are settled once the rows are read (engine_claims, below).
        filing = StoredFiling({}, [], {}, (follows, *claimed), goal_expected, goal_actual)
        filings[pk] = (filing, by_year.get(region_id, rule_set, year), digest)
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
