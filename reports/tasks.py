"""Background tasks (django-tasks): the region export runs in a db_worker, not in a request."""

from django_tasks import task

from reports.services import export_job_run


@task()
def export_region(job_id: int) -> None:
    """Render a region's year into a zip; progress is written to the ExportJob row."""
    export_job_run(job_id=job_id)
