"""Background tasks (django-tasks): exports and stored documents are made in a db_worker."""

from django_tasks import task

from reports.services import export_job_run
from reports.stored import documents


@task()
def export_region(job_id: int) -> None:
    """Render a region's year into a zip; progress is written to the ExportJob row."""
    export_job_run(job_id=job_id)


@task()
def refresh_documents(evaluation_ids: list[int]) -> int:
    """Render what these evaluations' steps made out of date (their own and their department's)."""
    return documents.refresh(evaluation_ids)


@task()
def store_documents(keys: list[dict]) -> int:
    """Render the documents a download asked for and found missing."""
    stored = [documents.store(documents.DocumentKey(**key)) for key in keys]
    return sum(1 for s in stored if s is not None)
