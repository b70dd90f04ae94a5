"""The spot-check list: one year's draws, counted in SQL, a page at a time.

The list used to load every draw of every year with every item and its evaluation, and count in
Python, so it slowed with each year of history. Here the counts are aggregates of one query and
the page holds one year's draws, so its cost is flat however many draws and years there are.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

PER_PAGE = 20


def spot_check_page(region, *, year: int, page_number) -> Page:
    """One page of the region's draws of `year`, newest first, with their item counts.

    `flagged` counts the items whose review total differs from the self total (the filer's claimed
    total, else the computed one) by more than the draw's threshold, as `item_totals` decides.
    """
    self_total = Coalesce(
        F("items__evaluation__claimed_total"), F("items__evaluation__computed_total")
    )
    reviewed = Q(items__review_total__isnull=False)
    beyond = Q(items__review_total__lt=self_total - F("threshold")) | Q(
        items__review_total__gt=self_total + F("threshold")
    )
    checks = (
        region.spot_checks.filter(year=year)
        .select_related("drawn_by")
        .annotate(
            item_count=Count("items"),
            reviewed_count=Count("items", filter=reviewed),
            flagged_count=Count("items", filter=reviewed & beyond),
        )
        .order_by("-drawn_at", "-pk")
    )
    return Paginator(checks, PER_PAGE).get_page(page_number)


def spot_check_years(region) -> list[int]:
    """The years the region has draws for, newest first (the list's year tabs)."""
    return list(region.spot_checks.order_by("-year").values_list("year", flat=True).distinct())
