"""Keeping stored documents current: a workflow step into or out of approval queues a refresh."""

from __future__ import annotations

from django.db import transaction

from reports.selectors.stamp import FINAL


def on_workflow_step(sender, evaluation, from_status, to_status, **kwargs) -> None:
    """Approve, publish or reopen changes what is final: refresh that filing's documents and its
    department's after the step commits (a worker on another connection then sees it)."""
    if from_status not in FINAL and to_status not in FINAL:
        return
    from reports.tasks import refresh_documents

    transaction.on_commit(lambda pk=evaluation.pk: refresh_documents.enqueue([pk]))
