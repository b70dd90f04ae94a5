"""抽查复核: a reproducible, stratified draw of approved filings and their re-scoring.

The sample size is the share of the approved filings, rounded up, and never below the minimum
count (nor above the population). It is allocated to departments in proportion to their approved
filings by the largest-remainder method, so every department is represented as its size deserves;
then `random.Random(seed)` picks inside each department, departments in a fixed order, from ids in
a fixed order. The population is the filings approved at the time of the draw, so the recorded
seed repeats the draw exactly however many filings are approved later.

A department draw (seed 004: "选取11个部门开展抽查复核，抽查比例20%") draws whole departments
instead: the population is the region's active departments (by code, then id), all of them, so
the share drawn is the share of 部门总数 the coverage table reports; the items are every filing of
the drawn departments approved at the time of the draw (a drawn department with none yet has no
items; it still counts as checked for coverage). Earlier years' department draws can be ignored,
excluded (so coverage grows year by year) or favoured (never-checked departments first).
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from projects.access import FINANCE_REVIEW, get_for_user
from projects.models import (
    Department,
    Evaluation,
    EvaluationStatus,
    Region,
    SpotCheck,
    SpotCheckDepartment,
    SpotCheckItem,
    SpotCheckScore,
)
from projects.review.services.tasks import require_finance_reviewer

DEFAULT_SHARE = Decimal("0.2")
DEFAULT_THRESHOLD = Decimal("5")
APPROVED_STATUSES = (EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED)
CENT = Decimal("0.01")


def sample_size(population: int, share: Decimal, min_count: int) -> int:
    """The share of the population rounded up, at least `min_count`, at most the population."""
    wanted = (Decimal(population) * share).to_integral_value(rounding=ROUND_CEILING)
    return min(population, max(int(wanted), min_count))


def allocate(strata: Mapping[object, int], total: int) -> dict[object, int]:
    """Split `total` over the strata in proportion to their sizes (largest remainder, Hamilton).

    Ties in the remainder go to the stratum listed first, so the allocation depends on nothing
    random; the seed only decides which filings inside each stratum are drawn.
    """
    population = sum(strata.values())
    if not population:
        return {key: 0 for key in strata}
    quotas = {key: Decimal(total) * size / population for key, size in strata.items()}
    counts = {key: int(q.to_integral_value(rounding=ROUND_FLOOR)) for key, q in quotas.items()}
    order = list(strata)
    by_remainder = sorted(order, key=lambda k: (-(quotas[k] - counts[k]), order.index(k)))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def draw_sample(
    strata: Mapping[object, Sequence[int]], *, share: Decimal, min_count: int, seed: int
) -> list[int]:
    """Draw ids from ordered strata with `random.Random(seed)`; the same input gives the same ids."""
    ordered = {key: sorted(ids) for key, ids in strata.items()}
    total = sample_size(sum(len(ids) for ids in ordered.values()), share, min_count)
    counts = allocate({key: len(ids) for key, ids in ordered.items()}, total)
    rng = random.Random(seed)
    drawn: list[int] = []
    for key, ids in ordered.items():
        drawn.extend(sorted(rng.sample(ids, counts[key])))
    return drawn


def approved_strata(
    *, region: Region, year: int, at: datetime.datetime | None = None
) -> dict[int, list[int]]:
    """Approved filings of the region and year by department id (departments by code, then id)."""
    rows = Evaluation.objects.filter(
        project__unit__department__region=region,
        year=year,
        status__in=APPROVED_STATUSES,
        approved_at__isnull=False,
    )
    if at is not None:
        rows = rows.filter(approved_at__lte=at)
    strata: dict[int, list[int]] = {}
    ordered = rows.order_by(
        "project__unit__department__code", "project__unit__department_id", "pk"
    ).values_list("project__unit__department_id", "pk")
    for department_id, pk in ordered:
        strata.setdefault(department_id, []).append(pk)
    return strata


@dataclass(frozen=True)
class DepartmentSample:
    """The departments a department draw picks, and how many it wanted.

    `wanted` exceeds the departments drawn only when `exclude` leaves too few never-checked
    departments: then every one left is drawn and `shortfall` says how many are missing.
    """

    department_ids: list[int]
    wanted: int
    population: int
    fresh: int

    @property
    def shortfall(self) -> int:
        """How many fewer departments were drawn than the share asked for."""
        return self.wanted - len(self.department_ids)


def checked_before(*, region: Region, year: int, at: datetime.datetime | None = None) -> set[int]:
    """Departments drawn by the region's department draws of years before `year` (made before
    `at`, so that a redraw reads the history its draw read)."""
    rows = SpotCheckDepartment.objects.filter(
        spot_check__region=region,
        spot_check__scope=SpotCheck.Scope.DEPARTMENTS,
        spot_check__year__lt=year,
    )
    if at is not None:
        rows = rows.filter(spot_check__drawn_at__lt=at)
    return set(rows.order_by().values_list("department_id", flat=True))


def draw_departments(
    population: Sequence[int],
    *,
    share: Decimal,
    min_count: int,
    seed: int,
    history: str,
    checked: set[int],
) -> DepartmentSample:
    """Draw department ids from the ordered population with `random.Random(seed)`.

    `ignore` samples the whole population; `exclude` only departments never checked (all of them
    when fewer remain than wanted); `favour` the never-checked ones first and tops up from the rest.
    The result keeps the population's order, so the same input gives the same list.
    """
    wanted = sample_size(len(population), share, min_count)
    fresh = [pk for pk in population if pk not in checked]
    rest = [pk for pk in population if pk in checked]
    rng = random.Random(seed)
    if history == SpotCheck.History.EXCLUDE:
        drawn = set(rng.sample(fresh, min(wanted, len(fresh))))
    elif history == SpotCheck.History.FAVOUR:
        drawn = set(rng.sample(fresh, min(wanted, len(fresh))))
        drawn |= set(rng.sample(rest, wanted - len(drawn)))
    else:
        drawn = set(rng.sample(list(population), wanted))
    return DepartmentSample(
        [pk for pk in population if pk in drawn], wanted, len(population), len(fresh)
    )


def department_population(region: Region) -> list[int]:
    """The region's active departments, by code then id (the order the seed draws from)."""
    return list(
        Department.objects.filter(region=region, is_active=True)
        .order_by("code", "pk")
        .values_list("pk", flat=True)
    )


def department_items(
    *, region: Region, year: int, at: datetime.datetime, department_ids: Sequence[int]
) -> list[int]:
    """Every filing of the drawn departments approved by `at`, departments in draw order."""
    strata = approved_strata(region=region, year=year, at=at)
    return [pk for department_id in department_ids for pk in strata.get(department_id, [])]


def _validate(share: Decimal, min_count: int, threshold: Decimal, scope: str, history: str):
    errors = {}
    if not Decimal("0") < share <= Decimal("1"):
        errors["share"] = "抽取比例须大于 0 且不超过 100%。"
    if min_count < 0:
        errors["min_count"] = "最少抽取数不能为负数。"
    if Decimal(threshold) < 0:
        errors["threshold"] = "差异阈值不能为负数。"
    if scope not in SpotCheck.Scope.values:
        errors["scope"] = "请选择按项目或按部门抽取。"
    if history not in SpotCheck.History.values:
        errors["history"] = "请选择往年已抽查部门的处理方式。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def spot_check_draw(
    *,
    region: Region,
    year: int,
    user,
    share: Decimal = DEFAULT_SHARE,
    min_count: int = 1,
    seed: int | None = None,
    threshold: Decimal = DEFAULT_THRESHOLD,
    scope: str = SpotCheck.Scope.EVALUATIONS,
    history: str = SpotCheck.History.IGNORE,
) -> SpotCheck:
    """Draw the spot-check sample (filings, or whole departments), recording the seed.

    A department draw sets `sample` (a DepartmentSample, not stored) on the returned draw, so
    the caller can say when `exclude` found fewer never-checked departments than wanted.
    """
    require_finance_reviewer(user, region)
    share = Decimal(share)
    _validate(share, min_count, threshold, scope, history)
    if scope == SpotCheck.Scope.EVALUATIONS:
        history = SpotCheck.History.IGNORE  # earlier years weigh only in department draws
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    drawn_at = timezone.now()
    sample = None
    if scope == SpotCheck.Scope.DEPARTMENTS:
        population = department_population(region)
        if not population:
            raise ValidationError("本地区尚无启用的主管部门，无法按部门抽查。")
        sample = draw_departments(
            population,
            share=share,
            min_count=min_count,
            seed=seed,
            history=history,
            checked=checked_before(region=region, year=year, at=drawn_at),
        )
        if not sample.department_ids:
            raise ValidationError(
                "往年已抽查全部部门，排除后没有可抽取的部门；请改选“不考虑往年”或“优先抽取往年未抽查部门”。"
            )
        ids = department_items(
            region=region, year=year, at=drawn_at, department_ids=sample.department_ids
        )
    else:
        strata = approved_strata(region=region, year=year, at=drawn_at)
        if not strata:
            raise ValidationError(f"{year}年度尚无审核通过的自评，无法抽查。")
        ids = draw_sample(strata, share=share, min_count=min_count, seed=seed)
    spot_check = SpotCheck.objects.create(
        region=region,
        year=year,
        share=share,
        min_count=min_count,
        seed=seed,
        threshold=Decimal(threshold),
        scope=scope,
        history=history,
        drawn_by=user,
    )
    # auto_now_add stamps a moment after the population was read; keep the moment that defines it.
    SpotCheck.objects.filter(pk=spot_check.pk).update(drawn_at=drawn_at)
    spot_check.drawn_at = drawn_at
    if sample is not None:
        SpotCheckDepartment.objects.bulk_create(
            [
                SpotCheckDepartment(spot_check=spot_check, department_id=pk)
                for pk in sample.department_ids
            ]
        )
    SpotCheckItem.objects.bulk_create(
        [SpotCheckItem(spot_check=spot_check, evaluation_id=pk) for pk in ids]
    )
    spot_check.sample = sample
    return spot_check


def department_redraw(spot_check: SpotCheck) -> DepartmentSample:
    """Repeat a department draw from its seed, parameters and the history it read."""
    return draw_departments(
        department_population(spot_check.region),
        share=spot_check.share,
        min_count=spot_check.min_count,
        seed=spot_check.seed,
        history=spot_check.history,
        checked=checked_before(
            region=spot_check.region, year=spot_check.year, at=spot_check.drawn_at
        ),
    )


def spot_check_redraw(spot_check: SpotCheck) -> list[int]:
    """Repeat a recorded draw from its seed and parameters; equal to its items when untampered.

    For a department draw: the filings of the departments the seed draws again.
    """
    if spot_check.scope == SpotCheck.Scope.DEPARTMENTS:
        return department_items(
            region=spot_check.region,
            year=spot_check.year,
            at=spot_check.drawn_at,
            department_ids=department_redraw(spot_check).department_ids,
        )
    strata = approved_strata(region=spot_check.region, year=spot_check.year, at=spot_check.drawn_at)
    return draw_sample(
        strata, share=spot_check.share, min_count=spot_check.min_count, seed=spot_check.seed
    )


@dataclass(frozen=True)
class ItemTotals:
    """The self total, the review total and their difference for one sampled filing."""

    self_total: Decimal | None
    review_total: Decimal | None
    difference: Decimal | None
    flagged: bool


def item_totals(item: SpotCheckItem, threshold: Decimal) -> ItemTotals:
    """Self total (the filer's claimed total, else the computed one) against the review total."""
    evaluation = item.evaluation
    self_total = evaluation.claimed_total
    if self_total is None:
        self_total = evaluation.computed_total
    if self_total is None or item.review_total is None:
        return ItemTotals(self_total, item.review_total, None, False)
    difference = self_total - item.review_total
    return ItemTotals(self_total, item.review_total, difference, abs(difference) > threshold)


@transaction.atomic
def spot_check_score(
    *,
    item: SpotCheckItem,
    user,
    scores: Mapping[int, Decimal | None],
    comments: Mapping[int, str] | None = None,
) -> SpotCheckItem:
    """Record review scores per indicator; the review total is set once every one is scored.

    The review total is the execution score computed by the rules (objective, from the figures)
    plus the reviewer's indicator scores; each score lies between 0 and the indicator's weight.
    """
    item = get_for_user(
        SpotCheckItem.objects.select_related("spot_check__region", "evaluation"),
        user,
        FINANCE_REVIEW,
        pk=item.pk,
    )
    require_finance_reviewer(user, item.spot_check.region)
    comments = comments or {}
    results = {
        r.pk: r
        for r in item.evaluation.results.select_related("indicator").filter(
            indicator__weight__isnull=False
        )
    }
    errors = {}
    for result_id, score in scores.items():
        result = results.get(int(result_id))
        if result is None:
            raise ValidationError("复核得分所属指标不属于该自评。")
        if score is not None and not Decimal("0") <= score <= result.indicator.weight:
            errors[f"score_{result.pk}"] = (
                f"“{result.indicator.name}”的复核得分须在 0 至 {result.indicator.weight} 之间。"
            )
    if errors:
        raise ValidationError(errors)
    for result_id, score in scores.items():
        result_id = int(result_id)
        if score is None:
            SpotCheckScore.objects.filter(item=item, result_id=result_id).delete()
            continue
        SpotCheckScore.objects.update_or_create(
            item=item,
            result_id=result_id,
            defaults={
                "review_score": score.quantize(CENT),
                "comment": (comments.get(result_id) or "").strip(),
            },
        )
    scored = dict(item.scores.values_list("result_id", "review_score"))
    if results and set(results) <= set(scored):
        execution = item.evaluation.computed_execution_score or Decimal("0")
        item.review_total = execution + sum(scored[pk] for pk in results)
        item.reviewed_at = timezone.now()
        item.reviewer = user
    else:
        item.review_total = None
        item.reviewed_at = None
    item.save(update_fields=["review_total", "reviewed_at", "reviewer"])
    return item
