"""The spot-check result on a filing's review page: self against review, indicator by indicator.

The bureau re-scores a sampled filing on the spot-check pages; its reviewers (the finance bureau
and the filing's 主管部门) see the outcome where they decide on the filing, since a difference
beyond the threshold feeds the 结果应用 decision and 整改. Filers and observers do not see it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from projects.access import scope_for
from projects.models import Evaluation, SpotCheckItem, SpotCheckScore
from projects.review.services.spot_checks import ItemTotals, item_totals


@dataclass(frozen=True)
class ScoreRow:
    """One indicator: the filer's score, the reviewer's, and the reviewer's comment."""

    name: str
    weight: Decimal | None
    self_score: Decimal | None
    review_score: Decimal | None
    comment: str

    @property
    def difference(self) -> Decimal | None:
        """Self minus review (positive: the filer scored higher)."""
        if self.self_score is None or self.review_score is None:
            return None
        return self.self_score - self.review_score


@dataclass(frozen=True)
class SpotCheckResult:
    """One draw that sampled the filing, its totals and its indicator rows."""

    item: SpotCheckItem
    totals: ItemTotals
    rows: list[ScoreRow]

    @property
    def check(self):
        """The draw (year, seed, threshold)."""
        return self.item.spot_check


def may_see_spot_check(evaluation: Evaluation, user) -> bool:
    """The region's finance bureau and the filing's 主管部门 reviewers (and superusers)."""
    scope = scope_for(user)
    department = evaluation.project.unit.department
    return (
        scope.superuser
        or department.region_id in scope.region_ids
        or department.pk in scope.department_ids
    )


def spot_check_results(evaluation: Evaluation, user) -> list[SpotCheckResult]:
    """Every draw that sampled the filing, newest first; empty for anyone but its reviewers.

    One query for the items with their draws and reviewers, one for their scores (only when the
    filing was sampled); indicators and results come from the filing's prefetched ones.
    """
    if not may_see_spot_check(evaluation, user):
        return []
    items = list(
        SpotCheckItem.objects.filter(evaluation=evaluation)
        .select_related("spot_check", "reviewer")
        .prefetch_related(Prefetch("scores", queryset=SpotCheckScore.objects.order_by("result_id")))
        .order_by("-spot_check__drawn_at", "-pk")
    )
    if not items:
        return []
    indicators = {i.pk: i for i in evaluation.project.indicators.all()}
    results = sorted(
        (
            (indicators[r.indicator_id], r)
            for r in evaluation.results.all()
            if r.indicator_id in indicators and indicators[r.indicator_id].weight is not None
        ),
        key=lambda pair: (pair[0].order, pair[0].pk),
    )
    outcome = []
    for item in items:
        item.evaluation = evaluation
        scores = {s.result_id: s for s in item.scores.all()}
        rows = [
            ScoreRow(
                name=indicator.name,
                weight=indicator.weight,
                self_score=r.claimed_score,
                review_score=scores[r.pk].review_score if r.pk in scores else None,
                comment=scores[r.pk].comment if r.pk in scores else "",
            )
            for indicator, r in results
        ]
        outcome.append(SpotCheckResult(item, item_totals(item, item.spot_check.threshold), rows))
    return outcome
