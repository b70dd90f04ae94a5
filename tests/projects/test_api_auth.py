"""Tokens: the schema lists every endpoint, and every endpoint refuses a missing, unknown or
revoked token (401) and a client that calls too often (429)."""

from __future__ import annotations

import pytest

from projects.interchange.api.clients import api_client_revoke
from projects.interchange.api.endpoints import api
from projects.models import ApiClient
from tests.projects import conftest_api
from tests.projects.conftest_api import bearer

pytestmark = pytest.mark.django_db

# The topic's fixtures (tests/projects/conftest_api.py).
api_world = conftest_api.api_world

EXPECTED = {
    ("post", "/api/targets/import"),
    ("post", "/api/monitoring/execution"),
    ("post", "/api/evaluations/execution"),
    ("get", "/api/evaluations"),
    ("get", "/api/evaluations/{evaluation_id}"),
    ("get", "/api/monitoring/reports"),
    ("get", "/api/monitoring/reports/{report_id}"),
    ("get", "/api/results/decisions"),
    ("get", "/api/targets"),
}


def endpoints() -> list[tuple[str, str]]:
    """(method, url) of every operation the schema lists, path parameters filled with 1."""
    schema = api.get_openapi_schema(path_prefix="/api")
    found = []
    for path, operations in schema["paths"].items():
        for method in operations:
            url = path.replace("{evaluation_id}", "1").replace("{report_id}", "1")
            found.append((method, url))
    return sorted(found)


def call(client, method: str, url: str, **headers):
    if method == "post":
        return client.post(url, {}, content_type="application/json", **headers)
    return client.get(url + ("?year=2026" if url.endswith("targets") else ""), **headers)


def test_the_schema_is_served_and_lists_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    listed = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    assert listed == EXPECTED
    assert schema["components"]["securitySchemes"]["ClientToken"]["scheme"] == "bearer"


def test_no_docs_page_is_served_since_it_would_load_from_a_cdn(client):
    assert client.get("/api/docs").status_code == 404


@pytest.mark.parametrize(("method", "url"), endpoints())
def test_every_endpoint_refuses_a_call_without_a_valid_token(api_world, client, method, url):
    revoked, revoked_token = api_world["observer"], api_world["observer_token"]
    api_client_revoke(client=revoked, region=revoked.region, user=api_world["p"].frank)
    for headers in (
        {},
        bearer("se_not-a-token"),
        {"HTTP_AUTHORIZATION": api_world["finance_token"]},  # without "Bearer"
        bearer(revoked_token),
    ):
        response = call(client, method, url, **headers)
        assert response.status_code == 401, (headers, response.content)
        assert "令牌" in response.json()["detail"]


def test_a_revoked_clients_account_can_no_longer_act(api_world):
    client = api_world["finance"]
    api_client_revoke(client=client, region=client.region, user=api_world["p"].frank)
    client = ApiClient.objects.get(pk=client.pk)
    assert client.revoked_at is not None and not client.user.is_active
    assert not client.user.has_usable_password()


def test_a_token_is_stored_as_its_digest_only(api_world):
    client = ApiClient.objects.get(pk=api_world["finance"].pk)
    token = api_world["finance_token"]
    assert token not in (client.token_hash, client.token_prefix)
    assert len(client.token_hash) == 64 and token.startswith(client.token_prefix)


def test_last_use_is_recorded(api_world, client):
    assert api_world["observer"].last_used_at is None
    client.get("/api/evaluations", **bearer(api_world["observer_token"]))
    assert ApiClient.objects.get(pk=api_world["observer"].pk).last_used_at is not None


def test_a_client_calling_too_often_is_told_to_wait(api_world, client, settings):
    settings.API_RATE_LIMIT = "3/m"
    token = api_world["observer_token"]
    for _ in range(3):
        assert client.get("/api/evaluations", **bearer(token)).status_code == 200
    response = client.get("/api/evaluations", **bearer(token))
    assert response.status_code == 429
    assert response.json()["detail"] == "请求过于频繁，请稍后再试。"
    assert int(response["Retry-After"]) > 0
    # The limit is the token's: another client is not slowed by it.
    assert client.get("/api/evaluations", **bearer(api_world["finance_token"])).status_code == 200
