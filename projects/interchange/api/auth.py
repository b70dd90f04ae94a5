"""Bearer-token authentication and the per-token rate limit of the API.

A request without a token, with an unknown one or a revoked one is a 401 before any endpoint
runs. A valid token makes its client's service account the request's user, so that the gate,
the write services and simple_history's middleware (which reads `request.user` at each save)
all see the client.
"""

from __future__ import annotations

from django.conf import settings
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

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


class ClientRateThrottle(AuthRateThrottle):
    """At most settings.API_RATE_LIMIT requests per token, counted in Django's cache."""

    scope = "api-client"

    def __init__(self):
        super().__init__(rate="1/s")  # replaced per request from the setting (tests change it)

    def allow_request(self, request) -> bool:
        """Read the rate from the settings at each request, then count."""
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        """One counter per client (the token's row), not per process or address."""
        client = getattr(request, "auth", None)
        ident = f"client-{client.pk}" if client is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
