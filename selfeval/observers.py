"""Observers (人大, 审计) read and never write: every request of theirs that could change something
is refused here, before any view sees it.

The pages check their own roles too (projects.rules, projects.access), and the observer's pages
show no form that posts; this is the one place that makes "an observer changes nothing" true of
every URL, including the read pages that would answer a POST like a GET and the report downloads
that store what they render. Signing in and out stay open: they change no filing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from projects.access import scope_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Signing in (as someone else) and out touch the session only.
OPEN_VIEWS = frozenset({"login", "logout", "admin:login", "admin:logout"})


class ObserverReadOnlyMiddleware:
    """403 for any unsafe method from a user whose only memberships are observers'."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Refuse before the view; the scope is read only for unsafe methods (no extra query on
        the pages' GETs) and is cached on the user for the view."""
        if request.method in SAFE_METHODS:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if scope_for(user).is_observer_only:
            raise PermissionDenied("监督查看人员只能查看，不能修改任何内容。")
        return None
