"""Background tasks (django-tasks): a region's recompute runs in a db_worker, not in a request."""

from django_tasks import task


@task()
def recompute_region_year(region_id: int, year: int) -> int:
    """Re-score a region's open filings of one year (queued when its rule set changes)."""
    from projects.models import Region
    from scoring.services import recompute_region

    return recompute_region(region=Region.objects.get(pk=region_id), year=year)
