"""Which documents are kept rendered, what each is made from, and keeping them current.

A document is named by a DocumentKey: what it is (自评表, 自评报告, a department's package,
summary or report), its format and money unit, and whom it is for. The members are the
evaluations it prints, read without any user's gate (the caller has checked the gate): for the
public, a department's published evaluations only; for everyone else, all of them.

Only final documents are stored (every member approved or published); a draft is rendered on
demand for the people who may read it and never kept. A stored document remembers the digest of
its members' ids, versions and states (`source`), so a download knows at once whether the file is
still the document, and a refresh that finds the same digest does nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from projects.formatting import WAN_YUAN
from projects.models import Department, Evaluation, EvaluationStatus, Project
from reports import renderers, selectors
from reports.models import StoredDocument
from reports.selectors.stamp import FINAL, DocumentStamp
from reports.stored import signoff

TABLE = "table"
REPORT = "report"
PACKAGE = "package"
SUMMARY = "summary"
DEPARTMENT_REPORT = "department_report"
PUBLIC = StoredDocument.Audience.PUBLIC
INTERNAL = StoredDocument.Audience.INTERNAL
FILE_DIR = "documents"

# Per evaluation: what its own pages offer for download.
EVALUATION_DOCUMENTS = ((TABLE, renderers.PDF), (TABLE, renderers.XLSX), (REPORT, renderers.PDF))
# Per department and year: the signed-in department page's downloads, and the public page's.
DEPARTMENT_DOCUMENTS = {
    INTERNAL: (
        (PACKAGE, renderers.PDF),
        (PACKAGE, renderers.XLSX),
        (SUMMARY, renderers.PDF),
        (SUMMARY, renderers.XLSX),
        (DEPARTMENT_REPORT, renderers.PDF),
    ),
    PUBLIC: (
        (PACKAGE, renderers.PDF),
        (SUMMARY, renderers.XLSX),
        (DEPARTMENT_REPORT, renderers.PDF),
    ),
}


@dataclass(frozen=True)
class DocumentKey:
    """One document: what, in which format and unit, of which evaluation or department-year."""

    kind: str
    fmt: str
    money_unit: str = WAN_YUAN
    evaluation_id: int | None = None
    department_id: int | None = None
    year: int | None = None
    audience: str = INTERNAL

    @property
    def slot(self) -> str:
        """The stored document's unique place: `evaluation/12/table-万元.pdf` and the like."""
        if self.evaluation_id is not None:
            where = f"evaluation/{self.evaluation_id}"
        else:
            where = f"department/{self.department_id}/{self.year}/{self.audience}"
        return f"{where}/{self.kind}-{self.money_unit}.{self.fmt}"

    def as_task_argument(self) -> dict:
        """The key as the task queue carries it (JSON)."""
        return asdict(self)

    def members(self, base: QuerySet | None = None) -> QuerySet:
        """The evaluations this document prints: out of `base` (a user's gated queryset), or
        ungated when the caller has applied the gate itself."""
        rows = base if base is not None else Evaluation.objects.all()
        if self.evaluation_id is not None:
            rows = rows.filter(pk=self.evaluation_id)
        else:
            rows = rows.filter(project__unit__department_id=self.department_id, year=self.year)
        if self.audience == PUBLIC:
            rows = rows.filter(status=EvaluationStatus.PUBLISHED)
        return rows


@dataclass
class MemberState:
    """What a document is made from, as the database has it now."""

    ids: list[int]
    source: str
    final: bool


def member_state(key: DocumentKey, members: QuerySet | None = None) -> MemberState:
    """One query: the members' ids, versions, states and last change, digested."""
    rows = list(
        (members if members is not None else key.members())
        .order_by("pk")
        .values_list("pk", "version", "status", "updated_at")
    )
    payload = [key.slot, [[pk, v, s, str(u)] for pk, v, s, u in rows]]
    source = hashlib.sha256(json.dumps(payload).encode()).hexdigest()
    return MemberState(
        ids=[row[0] for row in rows],
        source=source,
        final=bool(rows) and all(row[2] in FINAL for row in rows),
    )


def render(key: DocumentKey, base: QuerySet | None = None, *, code: str = "") -> renderers.Rendered:
    """Render the document from its members (out of the caller's gated queryset, if given);
    `code` is the sign-off code to print in its footer (a stored final document's only)."""
    rows = key.members(base)
    unit = key.money_unit
    if key.kind == TABLE:
        table = selectors.evaluation_table(rows, pk=key.evaluation_id, money_unit=unit)
        table.stamp = _with_code(table.stamp, code)
        return renderers.render_table(table, key.fmt)
    if key.kind == REPORT:
        report = selectors.evaluation_report(rows, pk=key.evaluation_id, money_unit=unit)
        # A project report prints its table's stamp; a 部门整体 one its overall table's.
        table = getattr(report, "table", None) or getattr(report, "overall", None)
        if table is not None:
            table.stamp = _with_code(table.stamp, code)
        return renderers.render_report(report, key.fmt)
    department = Department.objects.select_related("region").get(pk=key.department_id)
    where = {"department": department, "year": key.year, "money_unit": unit}
    if key.kind == PACKAGE:
        return renderers.render_package(selectors.department_package(rows, **where), key.fmt)
    if key.kind == SUMMARY:
        return renderers.render_summary(selectors.department_summary(rows, **where), key.fmt)
    if key.kind == DEPARTMENT_REPORT:
        return renderers.render_report(selectors.department_report(rows, **where), key.fmt)
    raise ValueError(f"未知的文档类型：{key.kind}")


def _with_code(stamp: DocumentStamp | None, code: str) -> DocumentStamp | None:
    if not code or stamp is None:
        return stamp
    return replace(stamp, verification_code=code)


def fresh(key: DocumentKey, state: MemberState) -> StoredDocument | None:
    """The stored document when it was rendered from exactly the members the database has now."""
    return StoredDocument.objects.filter(slot=key.slot, source=state.source).first()


def store(key: DocumentKey) -> StoredDocument | None:
    """Render and keep a final document unless it is already current; drafts are not kept."""
    state = member_state(key)
    if not state.final:
        return None
    current = fresh(key, state)
    if current is not None:
        return current
    return _render_and_keep(key, state)


def obtain(key: DocumentKey, base: QuerySet):
    """The document for someone whose gated queryset is `base`: (file name, content), where the
    content is the stored file (opened) when it is final and they see all of it, else fresh bytes.

    The region export reads every document through here: final ones are copied from storage
    (and stored now if no step has stored them yet), drafts are rendered and not kept.
    """
    visible = member_state(key, key.members(base))
    everything = member_state(key)
    if visible.ids == everything.ids and everything.final:
        stored = fresh(key, everything) or _render_and_keep(key, everything)
        return stored.filename, stored.file.open("rb")
    rendered = render(key, base)
    return rendered.filename, rendered.content


def _render_and_keep(key: DocumentKey, state: MemberState) -> StoredDocument:
    """Render a final document and store it; an evaluation's own documents are signed off: the
    code is chosen first so it prints in the footer, the hash is taken of the bytes kept."""
    signing = signoff.prepare(key)
    rendered = render(key, code=signing.code if signing else "")
    stored = _keep(key, state, rendered)
    if signing is not None:
        signoff.record(key, signing, stored, hashlib.sha256(rendered.content).hexdigest())
    return stored


def _keep(key: DocumentKey, state: MemberState, rendered: renderers.Rendered) -> StoredDocument:
    digest = hashlib.sha256(rendered.content).hexdigest()
    name = f"{FILE_DIR}/{digest[:2]}/{digest}.{key.fmt}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(rendered.content))
    fields = {
        "evaluation_id": key.evaluation_id,
        "department_id": key.department_id,
        "year": key.year,
        "audience": key.audience,
        "members": state.ids,
        "source": state.source,
        "file": name,
        "sha256": digest,
        "size": len(rendered.content),
        "pages": _page_count(rendered) if key.fmt == renderers.PDF else None,
        "content_type": rendered.content_type,
        "filename": rendered.filename,
    }
    try:
        with transaction.atomic():
            stored, _ = StoredDocument.objects.update_or_create(slot=key.slot, defaults=fields)
    except IntegrityError:  # two workers kept the same slot at once: the other one's row stands
        stored = StoredDocument.objects.get(slot=key.slot)
    return stored


def _page_count(rendered: renderers.Rendered) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(rendered.content)) as document:
        return len(document.pages)


def keys_of(evaluation: Evaluation) -> list[DocumentKey]:
    """Every stored document an evaluation is part of, in its own right and in its department."""
    keys = []
    is_overall = evaluation.project.kind == Project.Kind.DEPARTMENT_OVERALL
    for kind, fmt in EVALUATION_DOCUMENTS:
        if kind == REPORT and is_overall:
            continue  # its report is the department's, kept with the department below
        keys.append(DocumentKey(kind, fmt, evaluation_id=evaluation.pk))
    department_id = evaluation.project.unit.department_id
    for audience, documents in DEPARTMENT_DOCUMENTS.items():
        for kind, fmt in documents:
            keys.append(
                DocumentKey(
                    kind, fmt, department_id=department_id, year=evaluation.year, audience=audience
                )
            )
    return keys


def report_key(evaluation: Evaluation, fmt: str, money_unit: str, audience=INTERNAL) -> DocumentKey:
    """The 自评报告 of an evaluation: its own, or for a 部门整体 one its department's report."""
    if evaluation.project.kind == Project.Kind.DEPARTMENT_OVERALL:
        return DocumentKey(
            DEPARTMENT_REPORT,
            fmt,
            money_unit,
            department_id=evaluation.project.unit.department_id,
            year=evaluation.year,
            audience=audience,
        )
    return DocumentKey(REPORT, fmt, money_unit, evaluation_id=evaluation.pk)


def _has_overall(key: DocumentKey) -> bool:
    return key.members().filter(project__kind=Project.Kind.DEPARTMENT_OVERALL).exists()


def refresh(evaluation_ids, *, public_only: bool = False) -> int:
    """Bring every document of these evaluations up to date; return how many were rendered.

    Each key is looked at once however many of its members changed, and a key whose members are
    as they were when it was stored costs one query: a bulk publication of a department renders
    its package once, and a repeated refresh renders nothing.
    """
    seen: set[DocumentKey] = set()
    rendered = 0
    evaluations = Evaluation.objects.filter(pk__in=list(evaluation_ids)).select_related(
        "project__unit"
    )
    for evaluation in evaluations:
        for key in keys_of(evaluation):
            if key in seen or (public_only and key.audience != PUBLIC):
                continue
            seen.add(key)
            if key.kind == DEPARTMENT_REPORT and not _has_overall(key):
                StoredDocument.objects.filter(slot=key.slot).delete()
                continue
            state = member_state(key)
            if not state.final:
                # No longer final (reopened): a stale file must not be served as the document.
                if key.audience == INTERNAL or not state.ids:
                    StoredDocument.objects.filter(slot=key.slot).delete()
                continue
            if fresh(key, state) is None:
                _render_and_keep(key, state)
                rendered += 1
    return rendered
