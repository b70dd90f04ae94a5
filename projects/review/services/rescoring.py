"""Re-scoring a region after its rule set changes, queued as background tasks."""

from __future__ import annotations

from django.db import transaction

from projects.models import Evaluation
from projects.models.evaluation import FROZEN_STATUSES


def recompute_after_rule_change(region) -> list[int]:
    """Queue a recompute of each year in which the region has open filings; return the years.

    A region of 10,000 filings takes seconds, too long for the request that changed the rule set,
    so a db_worker runs it. The tasks are queued once the change is committed, so the worker reads
    the new rule set. Approved and published filings keep the score they were approved with.
    """
    from scoring.tasks import recompute_region_year

    years = sorted(
        set(
            Evaluation.objects.filter(project__unit__department__region=region)
            .exclude(status__in=FROZEN_STATUSES)
            .values_list("year", flat=True)
        )
    )
    for year in years:
        transaction.on_commit(lambda year=year: recompute_region_year.enqueue(region.pk, year))
    return years
