"""Bearer-token authentication and the per-token rate limit of the API.

A request without a token, with an unknown one or a revoked one is a 401 before any endpoint
runs. A valid token makes its client's service account the request's user, so that the gate,
the write services and simple_history's middleware (which reads `request.user` at each save)
all see the client.
"""

from __future__ import annotations

import threading

from django.conf import settings
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle, BaseThrottle

from projects.interchange.api.clients import client_for_token


class ClientToken(HttpBearer):
    """`Authorization: Bearer se_…`; request.auth is the ApiClient."""

    openapi_description = "财政局在“接口客户端”页面创建的令牌，放在 Authorization: Bearer 之后。"

    def authenticate(self, request, token):
        """Return the client, or None (ninja answers 401)."""
        client = client_for_token(token)
        if client is None:
            return None
        request.user = client.user
        request.api_client = client
        return client


class _Counter(AuthRateThrottle):
    """One request's count against its client's window (ninja's sliding window in the cache)."""

    scope = "api-client"

    def get_cache_key(self, request) -> str:
        """One counter per client (the token's row), not per process or address."""
        client = getattr(request, "auth", None)
        ident = f"client-{client.pk}" if client is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ClientRateThrottle(BaseThrottle):
    """At most settings.API_RATE_LIMIT requests per token (e.g. "120/m"), in Django's cache.

    ninja keeps one throttle object per API and stores a request's window on it; the app
    serves requests on several threads, so each request counts with its own _Counter, kept
    per thread for the Retry-After that follows a refusal. The rate is read at each request,
    so a changed setting applies at once.
    """

    def __init__(self):
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        """Count the request; False once the client's window is full."""
        counter = _Counter(settings.API_RATE_LIMIT)
        self._local.counter = counter
        return counter.allow_request(request)

    def wait(self) -> float | None:
        """Seconds until the refused client may call again."""
        counter = getattr(self._local, "counter", None)
        return counter.wait() if counter is not None else None
