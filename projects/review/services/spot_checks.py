"""抽查复核: a reproducible, stratified draw of approved filings and their re-scoring.

The sample size is the share of the approved filings, rounded up, and never below the minimum
count (nor above the population). It is allocated to departments in proportion to their approved
filings by the largest-remainder method, so every department is represented as its size deserves;
then `random.Random(seed)` picks inside each department, departments in a fixed order, from ids in
a fixed order. The population is the filings approved at the time of the draw, so the recorded
seed repeats the draw exactly however many filings are approved later.
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
    Evaluation,
    EvaluationStatus,
    Region,
    SpotCheck,
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
) -> SpotCheck:
    """Draw the spot-check sample of the region's approved filings, recording the seed."""
    require_finance_reviewer(user, region)
    share = Decimal(share)
    if not Decimal("0") < share <= Decimal("1"):
        raise ValidationError({"share": "抽取比例须大于 0 且不超过 100%。"})
    if min_count < 0:
        raise ValidationError({"min_count": "最少抽取数不能为负数。"})
    if Decimal(threshold) < 0:
        raise ValidationError({"threshold": "差异阈值不能为负数。"})
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    drawn_at = timezone.now()
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
        drawn_by=user,
    )
    # auto_now_add stamps a moment after the population was read; keep the moment that defines it.
    SpotCheck.objects.filter(pk=spot_check.pk).update(drawn_at=drawn_at)
    spot_check.drawn_at = drawn_at
    SpotCheckItem.objects.bulk_create(
        [SpotCheckItem(spot_check=spot_check, evaluation_id=pk) for pk in ids]
    )
    return spot_check


def spot_check_redraw(spot_check: SpotCheck) -> list[int]:
    """Repeat a recorded draw from its seed and parameters; equal to its items when untampered."""
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
