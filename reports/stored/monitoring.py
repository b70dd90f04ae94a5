"""The 绩效监控表's stored documents: kept like the 自评表's, by the same rules and files.

A final report (approved) has its PDF and workbook rendered by a task after the step that made
it final, kept as a StoredDocument under `monitoring/<id>/table-<unit>.<fmt>` and served from
storage; a report not yet approved is rendered on demand for the signed-in reader (within the
per-user render limit) with its 草稿 / 未审核 mark, and never kept. The digest of the report's id,
version, state and last change tells a download whether the kept file is still the document.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django_tasks import task

from projects.formatting import MONEY_UNITS, WAN_YUAN
from projects.models import MonitoringReport
from reports import renderers
from reports.models import StoredDocument
from reports.selectors.monitoring import monitoring_table
from reports.selectors.stamp import FINAL
from reports.stored import documents
from reports.stored.serve import (
    TooManyRenders,
    render_slot,
    respond,
    serve_stored,
    too_many,
    waiting,
)

MONITORING_TABLE = "monitoring_table"
KEPT_FORMATS = (renderers.PDF, renderers.XLSX)


@dataclass(frozen=True)
class MonitoringKey:
    """One 绩效监控表 document: which report, in which format and money unit."""

    fmt: str
    report_id: int
    money_unit: str = WAN_YUAN

    # What reports.stored.documents reads of a key when it keeps a file: this one belongs to no
    # evaluation and no department-year, and only signed-in readers ask for it.
    kind = MONITORING_TABLE
    evaluation_id = None
    department_id = None
    year = None
    audience = documents.INTERNAL

    @property
    def slot(self) -> str:
        """The stored document's unique place: `monitoring/12/table-万元.pdf`."""
        return f"monitoring/{self.report_id}/table-{self.money_unit}.{self.fmt}"

    def as_task_argument(self) -> dict:
        """The key as the task queue carries it (JSON)."""
        return asdict(self)

    def members(self, base: QuerySet | None = None) -> QuerySet:
        """The report this document prints, out of `base` (a user's gated queryset) or ungated."""
        rows = base if base is not None else MonitoringReport.objects.all()
        return rows.filter(pk=self.report_id)


def render(key: MonitoringKey, base: QuerySet | None = None) -> renderers.Rendered:
    """Render the document from its report (out of the caller's gated queryset, if given)."""
    table = monitoring_table(key.members(base), pk=key.report_id, money_unit=key.money_unit)
    return renderers.render_monitoring_table(table, key.fmt)


def store(key: MonitoringKey) -> StoredDocument | None:
    """Render and keep a final document unless it is already current; drafts are not kept."""
    state = documents.member_state(key)
    if not state.final:
        return None
    return documents.fresh(key, state) or documents._keep(key, state, render(key))


def keys_of(report_id: int, money_unit: str = WAN_YUAN) -> list[MonitoringKey]:
    """The documents a report's own pages offer for download, in its money unit."""
    return [MonitoringKey(fmt, report_id, money_unit) for fmt in KEPT_FORMATS]


def refresh(report_ids) -> int:
    """Bring the documents of these reports up to date; return how many were rendered.

    A report no longer final (reopened or returned) loses its kept files in every unit, so a
    stale file is never served as the document.
    """
    rendered = 0
    reports = MonitoringReport.objects.filter(pk__in=list(report_ids)).values_list(
        "pk", "project__money_unit"
    )
    for report_id, unit in reports:
        for money_unit in MONEY_UNITS:
            for key in keys_of(report_id, money_unit):
                state = documents.member_state(key)
                if not state.final:
                    StoredDocument.objects.filter(slot=key.slot).delete()
                    continue
                if money_unit != (unit or WAN_YUAN):
                    continue  # the other unit is kept when someone asks for it
                if documents.fresh(key, state) is None:
                    documents._keep(key, state, render(key))
                    rendered += 1
    return rendered


@task()
def store_monitoring_documents(keys: list[dict]) -> int:
    """Render the 监控表 documents a download asked for and found missing."""
    stored = [store(MonitoringKey(**key)) for key in keys]
    return sum(1 for s in stored if s is not None)


@task()
def refresh_monitoring_documents(report_ids: list[int]) -> int:
    """Render what these reports' steps made out of date."""
    return refresh(report_ids)


def on_monitoring_step(sender, instance, created, **kwargs) -> None:
    """A recorded step into or out of approval: refresh that report's documents after commit."""
    if not created or (instance.from_status not in FINAL and instance.to_status not in FINAL):
        return
    transaction.on_commit(lambda pk=instance.report_id: refresh_monitoring_documents.enqueue([pk]))


def _queue(key: MonitoringKey, state) -> None:
    from django.core.cache import cache

    from reports.stored.serve import QUEUED_FOR

    if cache.add(f"document-queued:{key.slot}:{state.source}", 1, QUEUED_FOR):
        store_monitoring_documents.enqueue([key.as_task_argument()])


def serve_signed_in(request, key: MonitoringKey, gated: QuerySet) -> HttpResponse:
    """A signed-in download, as the 自评表's: the kept file when final, else rendered now."""
    visible = documents.member_state(key, key.members(gated))
    if not visible.ids:
        raise Http404("未找到该监控表，或您无权查看。")
    if visible.final:
        stored = documents.fresh(key, visible)
        if stored is None:
            _queue(key, visible)
            # An immediate task backend (the tests) has rendered it by now; a worker has not.
            stored = documents.fresh(key, visible)
        if stored is None:
            return waiting(request, key)
        return serve_stored(request, stored, public=False)
    try:
        with render_slot(request.user):
            rendered = render(key, gated)
    except TooManyRenders:
        return too_many(request)
    response = respond(request, rendered)
    patch_cache_control(response, private=True, no_store=True)
    return response
