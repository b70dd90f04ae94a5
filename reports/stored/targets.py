"""The 绩效目标申报表's stored documents: kept like the 监控表's, by the same rules and files.

An approved declaration has its PDF and workbook rendered by a task after the step that approved
it, kept as a StoredDocument under `target/<id>/table-<unit>.<fmt>` and served from storage; a
declaration not yet approved is rendered on demand for the signed-in reader (within the per-user
render limit) with its 草稿 / 未审核 mark, and never kept. What is declared lives on the project,
and the finance bureau may still adjust a target after approval, so the digest covers the
project's indicators and fund plan as well as the declaration's id, version and state.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django_tasks import task

from projects.formatting import MONEY_UNITS, WAN_YUAN
from projects.models import FundLine, Indicator, TargetDeclaration
from reports import renderers
from reports.models import StoredDocument
from reports.selectors.stamp import FINAL
from reports.selectors.targets import NOT_FOUND, target_table
from reports.stored import documents
from reports.stored.serve import (
    QUEUED_FOR,
    TooManyRenders,
    render_slot,
    respond,
    serve_stored,
    too_many,
    waiting,
)

TARGET_TABLE = "target_table"
KEPT_FORMATS = (renderers.PDF, renderers.XLSX)


@dataclass(frozen=True)
class TargetKey:
    """One 绩效目标申报表 document: which declaration, in which format and money unit."""

    fmt: str
    declaration_id: int
    money_unit: str = WAN_YUAN

    # What reports.stored.documents reads of a key when it keeps a file: this one belongs to no
    # evaluation and no department-year, and only signed-in readers ask for it.
    kind = TARGET_TABLE
    evaluation_id = None
    department_id = None
    year = None
    audience = documents.INTERNAL

    @property
    def slot(self) -> str:
        """The stored document's unique place: `target/12/table-万元.pdf`."""
        return f"target/{self.declaration_id}/table-{self.money_unit}.{self.fmt}"

    def as_task_argument(self) -> dict:
        """The key as the task queue carries it (JSON)."""
        return asdict(self)

    def members(self, base: QuerySet | None = None) -> QuerySet:
        """The declaration this document prints, out of `base` (a gated queryset) or ungated."""
        rows = base if base is not None else TargetDeclaration.objects.all()
        return rows.filter(pk=self.declaration_id)


def member_state(key: TargetKey, members: QuerySet | None = None) -> documents.MemberState:
    """Three queries: the declaration's id, version and state, and what its project declares."""
    rows = list(
        (members if members is not None else key.members())
        .order_by("pk")
        .values_list("pk", "version", "status", "updated_at", "project_id")
    )
    projects = [row[4] for row in rows]
    indicators = list(
        Indicator.objects.filter(project_id__in=projects)
        .order_by("pk")
        .values_list("pk", "order", "level1", "level2", "name", "target", "weight", "method")
    )
    funds = list(
        FundLine.objects.filter(project_id__in=projects)
        .order_by("pk")
        .values_list("pk", "source", "initial")
    )
    payload = [key.slot, [[str(v) for v in row] for row in rows + indicators + funds]]
    return documents.MemberState(
        ids=[row[0] for row in rows],
        source=hashlib.sha256(json.dumps(payload).encode()).hexdigest(),
        final=bool(rows) and all(row[2] in FINAL for row in rows),
    )


def render(key: TargetKey, base: QuerySet | None = None) -> renderers.Rendered:
    """Render the document from its declaration (out of the caller's gated queryset, if given)."""
    table = target_table(key.members(base), pk=key.declaration_id, money_unit=key.money_unit)
    return renderers.render_target_table(table, key.fmt)


def store(key: TargetKey) -> StoredDocument | None:
    """Render and keep a final document unless it is already current; drafts are not kept."""
    state = member_state(key)
    if not state.final:
        return None
    return documents.fresh(key, state) or documents._keep(key, state, render(key))


def keys_of(declaration_id: int, money_unit: str = WAN_YUAN) -> list[TargetKey]:
    """The documents a declaration's pages offer for download, in its money unit."""
    return [TargetKey(fmt, declaration_id, money_unit) for fmt in KEPT_FORMATS]


def refresh(declaration_ids) -> int:
    """Bring these declarations' documents up to date; return how many were rendered.

    A declaration no longer approved (returned or reopened) loses its kept files in every unit,
    so a stale file is never served as the document.
    """
    rendered = 0
    rows = TargetDeclaration.objects.filter(pk__in=list(declaration_ids)).values_list(
        "pk", "project__money_unit"
    )
    for declaration_id, unit in rows:
        for money_unit in MONEY_UNITS:
            for key in keys_of(declaration_id, money_unit):
                state = member_state(key)
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
def store_target_documents(keys: list[dict]) -> int:
    """Render the 申报表 documents a download asked for and found missing."""
    stored = [store(TargetKey(**key)) for key in keys]
    return sum(1 for s in stored if s is not None)


@task()
def refresh_target_documents(declaration_ids: list[int]) -> int:
    """Render what these declarations' steps made out of date."""
    return refresh(declaration_ids)


def on_target_step(sender, instance, created, **kwargs) -> None:
    """A recorded step into or out of approval: refresh that declaration's documents on commit."""
    if not created or (instance.from_status not in FINAL and instance.to_status not in FINAL):
        return
    transaction.on_commit(lambda pk=instance.declaration_id: refresh_target_documents.enqueue([pk]))


def serve_signed_in(request, key: TargetKey, gated: QuerySet) -> HttpResponse:
    """A signed-in download, as the 监控表's: the kept file when final, else rendered now."""
    visible = member_state(key, key.members(gated))
    if not visible.ids:
        raise Http404(NOT_FOUND)
    if visible.final:
        stored = documents.fresh(key, visible)
        if stored is None:
            if cache.add(f"document-queued:{key.slot}:{visible.source}", 1, QUEUED_FOR):
                store_target_documents.enqueue([key.as_task_argument()])
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
