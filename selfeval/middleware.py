"""Site-wide middleware: a database too busy to write answers 503 with a page to retry, not 500."""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from selfeval.sqlite.base import is_locked_error

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 5


def busy_response() -> HttpResponse:
    """The 503 page "系统繁忙，请稍后重试"; rendered without the request, it reads no table."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def _busy(exception) -> bool:
    return isinstance(exception, OperationalError) and is_locked_error(exception)


class DatabaseBusyMiddleware:
    """Answer SQLite's "database is locked" with the 503 page, wherever in the request it came.

    The error reaches the request only when a write waited longer than the settings allow (the
    process's write queue, then SQLite's busy timeout; see `selfeval.sqlite.base`). The write that
    waited is a transaction's first statement or a single statement, so it wrote nothing; a save
    is one transaction in its write service, so a save that answers 503 saved nothing, and the
    user sends it again (the filing form's autosave does so by itself).

    A view's error is caught in `process_exception`. A write after the view (the session that
    signing in stores) fails inside another middleware, which Django turns into a 500 response
    before any outer middleware sees it; `got_request_exception` marks that request, and this
    middleware, first in MIDDLEWARE, replaces the 500 with the 503 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_busy", False):
            logger.warning("database busy after the view: %s answered 503", request.path)
            return busy_response()
        return response

    def process_exception(self, request, exception):
        if _busy(exception):
            logger.warning("database busy: %s %s answered 503", request.method, request.path)
            return busy_response()
        return None


def _mark_busy(sender, request=None, **kwargs):
    # Sent from inside Django's `except` block, so the exception is the one being handled.
    if request is not None and _busy(sys.exc_info()[1]):
        request.database_busy = True


got_request_exception.connect(_mark_busy, dispatch_uid="selfeval.middleware.mark_busy")
