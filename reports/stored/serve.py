"""Answering a download: the stored file with validators, a wait page, or a bounded draft render.

- A final document is served from storage with its ETag (the SHA-256 of its bytes) and
  Cache-Control; a repeat with If-None-Match gets 304 and no body.
- A final document not yet rendered (just approved or published, or asked in the other money
  unit) is queued for the task worker; the reader gets a page that says it is being prepared and
  reloads itself. A public request never renders.
- A draft (or a selection only part of a department) is rendered on demand for the signed-in
  reader, at most DOCUMENT_RENDER_LIMIT at a time per user, and never kept.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render as render_page
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from reports import renderers
from reports.models import StoredDocument
from reports.stored import documents
from reports.stored.documents import DocumentKey, MemberState

PUBLIC_MAX_AGE = 300  # seconds a shared cache may keep a public file before revalidating
RETRY_AFTER = 5  # seconds before the wait page reloads
QUEUED_FOR = 300  # seconds a queued render is not queued again for the same members


class TooManyRenders(Exception):
    """The user already has their share of renders running."""


def _matches(request, stored: StoredDocument) -> bool:
    tags = request.headers.get("If-None-Match", "")
    return tags.strip() == "*" or stored.etag in [t.strip() for t in tags.split(",")]


STREAM_ABOVE = 4 * 1024 * 1024  # bytes: larger files are streamed from storage in chunks


def _file_response(stored: StoredDocument) -> HttpResponse:
    if stored.size > STREAM_ABOVE:
        return FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    with stored.file.open("rb") as handle:
        return HttpResponse(handle.read(), content_type=stored.content_type)


def serve_stored(request, stored: StoredDocument, *, public: bool) -> HttpResponse:
    """The stored file, or 304 when the reader's copy carries the same ETag."""
    if _matches(request, stored):
        response = HttpResponseNotModified()
    else:
        response = _file_response(stored)
        response["Content-Disposition"] = content_disposition_header(
            not _inline(stored.content_type), stored.filename
        )
        response["Content-Length"] = str(stored.size)
    response["ETag"] = stored.etag
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        # A signed-in reader's copy is theirs alone, and is checked with the server every time.
        patch_cache_control(response, private=True, no_cache=True)
    return response


def queue(key: DocumentKey, state: MemberState) -> None:
    """Ask the worker for this document once per state of its members."""
    from reports.tasks import store_documents

    if cache.add(f"document-queued:{key.slot}:{state.source}", 1, QUEUED_FOR):
        store_documents.enqueue([key.as_task_argument()])


def waiting(request, key: DocumentKey) -> HttpResponse:
    """The document is being prepared: say so, and come back shortly."""
    response = render_page(
        request,
        "reports/document_pending.html",
        {"retry_after": RETRY_AFTER},
        status=202,
    )
    response["Retry-After"] = str(RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response


def serve_public(request, key: DocumentKey) -> HttpResponse | None:
    """A public download: the stored file, or the wait page; None when nothing is published."""
    state = documents.member_state(key)
    if not state.ids:
        return None
    stored = documents.fresh(key, state)
    if stored is None:
        queue(key, state)
        # An immediate task backend (the tests) has rendered it by now; a worker has not.
        stored = documents.fresh(key, state)
    if stored is None:
        previous = StoredDocument.objects.filter(slot=key.slot).first()
        # While the worker renders the new one, the previous file still serves if everything it
        # prints is still published (a newer publication is missing from it for a few seconds).
        if previous is not None and set(previous.members) <= set(state.ids):
            return serve_stored(request, previous, public=True)
        return waiting(request, key)
    return serve_stored(request, stored, public=True)


def serve_signed_in(request, key: DocumentKey, gated) -> HttpResponse:
    """A signed-in download. `gated` is what the user may read (the row-level gate).

    Stored when the user sees every member and every member is final; otherwise (a draft, a
    filer who sees only their own unit's projects) rendered now from what they may see.
    """
    visible = documents.member_state(key, key.members(gated))
    if not visible.ids:
        raise Http404("未找到可生成的自评，或您无权查看。")
    everything = documents.member_state(key)
    if visible.ids == everything.ids and everything.final:
        stored = documents.fresh(key, everything)
        if stored is None:
            queue(key, everything)
            stored = documents.fresh(key, everything)
        if stored is None:
            return waiting(request, key)
        return serve_stored(request, stored, public=False)
    try:
        with render_slot(request.user):
            rendered = documents.render(key, gated)
    except TooManyRenders:
        return too_many(request)
    response = respond(request, rendered)
    patch_cache_control(response, private=True, no_store=True)
    return response


def respond(request, rendered: renderers.Rendered) -> HttpResponse:
    """Send a rendered file: PDFs open in the browser, workbooks download."""
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = content_disposition_header(
        not _inline(rendered.content_type), rendered.filename
    )
    return response


def _inline(content_type: str) -> bool:
    return content_type == renderers.CONTENT_TYPES[renderers.PDF]


def too_many(request) -> HttpResponse:
    """The user's renders are all busy: wait for one to finish."""
    limit = settings.DOCUMENT_RENDER_LIMIT
    response = render_page(request, "reports/too_many_renders.html", {"limit": limit}, status=429)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


@contextmanager
def render_slot(user):
    """At most DOCUMENT_RENDER_LIMIT renders at once per user, across every app process sharing
    the cache (Redis in production); a slot left by a killed process expires on its own."""
    key = f"document-renders:{user.pk}"
    cache.add(key, 0, timeout=settings.DOCUMENT_RENDER_TIMEOUT)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.DOCUMENT_RENDER_TIMEOUT)
        count = 1
    if count > settings.DOCUMENT_RENDER_LIMIT:
        _release(key)
        raise TooManyRenders()
    try:
        yield
    finally:
        _release(key)


def _release(key: str) -> None:
    with suppress(ValueError):  # expired meanwhile
        cache.decr(key)
