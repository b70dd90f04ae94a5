"""The demo's department spot checks: a few years of whole-department draws (seed 004's way),
so the coverage table has a history, and one sampled filing re-scored so its review page shows
the result. Everything goes through the services, with the finance bureau's demo account.

Idempotent: a year that already has a department draw is left as it is.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from projects.models import Region, SpotCheck, SpotCheckItem
from projects.review.services.spot_checks import spot_check_draw, spot_check_score

REGION = "淮北市相山区"
ACCOUNT = "xs_finance"
# (year, how earlier years weigh, seed): fixed seeds, so every load draws the same departments
# (departments are drawn in code order); 2024's brings 开发区, whose approved filings are sampled.
YEARS = (
    (2022, SpotCheck.History.EXCLUDE, 20220601),
    (2023, SpotCheck.History.EXCLUDE, 20230601),
    (2024, SpotCheck.History.FAVOUR, 20240602),
)
SHARE = Decimal("0.2")
DEDUCTION = Decimal("6")
COMMENT = "示例：佐证材料只能证实部分完成量，按可核实的数量扣分。"


def stage(*, region: Region | None = None, user=None, years=YEARS) -> list[SpotCheck]:
    """Draw the demo's department spot checks year by year; re-score one sampled filing."""
    region = region or Region.objects.get(name=REGION)
    user = user or get_user_model().objects.get(username=ACCOUNT)
    drawn = []
    for year, history, seed in years:
        existing = region.spot_checks.filter(year=year, scope=SpotCheck.Scope.DEPARTMENTS).first()
        if existing is not None:
            drawn.append(existing)
            continue
        try:
            check = _draw(region, user, year, history, seed)
        except ValidationError:
            # Every department checked already: favour re-draws from them instead.
            check = _draw(region, user, year, SpotCheck.History.FAVOUR, seed)
        drawn.append(check)
    _rescore_one(drawn, user)
    return drawn


def _draw(region, user, year, history, seed) -> SpotCheck:
    return spot_check_draw(
        region=region,
        year=year,
        user=user,
        share=SHARE,
        seed=seed,
        scope=SpotCheck.Scope.DEPARTMENTS,
        history=history,
    )


def _rescore_one(checks, user) -> None:
    """The newest draw's first filing, re-scored 6 points below its self score on its first
    indicator: beyond the draw's threshold of 5, so its review page shows a flagged result."""
    items = SpotCheckItem.objects.filter(spot_check__in=checks)
    if items.filter(reviewed_at__isnull=False).exists():
        return  # re-scored by an earlier load
    item = items.select_related("evaluation").order_by("-spot_check__year", "pk").first()
    if item is None:
        return
    results = list(
        item.evaluation.results.select_related("indicator")
        .filter(indicator__weight__isnull=False)
        .order_by("indicator__order", "indicator__pk")
    )
    if not results:
        return
    scores, comments = {}, {}
    for position, result in enumerate(results):
        weight = result.indicator.weight
        own = result.claimed_score
        if own is None:
            own = result.computed_score if result.computed_score is not None else weight
        own = min(max(own, Decimal("0")), weight)
        if position == 0:
            scores[result.pk] = max(own - DEDUCTION, Decimal("0"))
            comments[result.pk] = COMMENT
        else:
            scores[result.pk] = own
    spot_check_score(item=item, user=user, scores=scores, comments=comments)
