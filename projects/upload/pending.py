"""An uploaded file kept between its preview and the uploader's confirmation.

The preview writes nothing; the confirmation must apply exactly the file that was previewed, so
the bytes are kept through Django's storage API under a random token, and the token is bound
to the uploader in their session: another user, or the same user in another session, cannot
confirm it. Files left unconfirmed are removed after a day.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

_FOLDER = "uploads/pending"
_SESSION_KEY = "pending_uploads"
_KEEP = timedelta(days=1)


def keep(request, *, name: str, data: bytes, purpose: str, kind: str) -> str:
    """Store the file for confirmation; returns the token the confirm form posts."""
    _clean_old()
    token = secrets.token_urlsafe(18)
    default_storage.save(f"{_FOLDER}/{token}", ContentFile(data))
    pending = request.session.get(_SESSION_KEY, {})
    pending[token] = {"name": name, "purpose": purpose, "kind": kind, "user": request.user.pk}
    request.session[_SESSION_KEY] = pending
    return token


def load(request, token: str) -> tuple[dict, bytes] | None:
    """The kept file and its details, or None when the token is not this user's."""
    meta = request.session.get(_SESSION_KEY, {}).get(token or "")
    if not meta or meta.get("user") != request.user.pk:
        return None
    path = f"{_FOLDER}/{token}"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return meta, handle.read()


def discard(request, token: str) -> None:
    """Forget a confirmed (or abandoned) file."""
    pending = request.session.get(_SESSION_KEY, {})
    if pending.pop(token, None) is not None:
        request.session[_SESSION_KEY] = pending
    path = f"{_FOLDER}/{token}"
    if default_storage.exists(path):
        default_storage.delete(path)


def _clean_old() -> None:
    """Remove files nobody confirmed within a day."""
    try:
        _, files = default_storage.listdir(_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - _KEEP
    for name in files:
        path = f"{_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue
