"""The finance bureau's API client pages: create (token shown once), revoke, scoped by region."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.interchange.api.clients import api_client_create
from projects.models import ApiClient

pytestmark = pytest.mark.django_db


def url(region, name="api_client_list", *args):
    return reverse(f"administration:{name}", args=[region.pk, *args])


def test_the_bureau_creates_a_client_and_sees_its_token_once(client, personas):
    client.force_login(personas.frank)
    response = client.post(url(personas.region), {"name": "预算管理一体化系统", "role": "finance"})
    assert response.status_code == 200
    token = response.context["token"]
    assert token.startswith("se_") and token in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    created = ApiClient.objects.get()
    assert created.created_by == personas.frank and created.region == personas.region
    again = client.get(url(personas.region)).content.decode()
    assert token not in again and created.token_prefix in again and "预算管理一体化系统" in again
    # The new token works at once.
    assert client.get("/api/evaluations", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_a_department_client_needs_a_department_of_the_region(client, personas):
    client.force_login(personas.frank)
    response = client.post(url(personas.region), {"name": "部门系统", "role": "department"})
    assert response.status_code == 200
    assert "主管部门客户端须指定主管部门。" in response.content.decode()
    assert not ApiClient.objects.exists()


def test_the_bureau_revokes_a_client(client, personas):
    created, token = api_client_create(
        region=personas.region, name="一体化", role="finance", user=personas.frank
    )
    client.force_login(personas.frank)
    response = client.post(url(personas.region, "api_client_revoke", created.pk))
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.revoked_at is not None and created.revoked_by == personas.frank
    assert client.get("/api/evaluations", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_another_region_and_other_roles_reach_no_client(client, personas):
    created, _ = api_client_create(
        region=personas.region, name="一体化", role="finance", user=personas.frank
    )
    client.force_login(personas.other_region_finance)
    assert client.get(url(personas.region)).status_code == 404
    assert client.post(url(personas.region, "api_client_revoke", created.pk)).status_code == 404
    client.force_login(personas.alice)
    assert client.get(url(personas.region)).status_code == 403
    assert client.post(url(personas.region, "api_client_revoke", created.pk)).status_code == 403
    response = client.post(url(personas.region), {"name": "偷偷创建", "role": "finance"})
    assert response.status_code == 403
    created.refresh_from_db()
    assert created.revoked_at is None and ApiClient.objects.count() == 1


def test_service_accounts_stay_off_the_user_list(client, personas):
    created, _ = api_client_create(
        region=personas.region, name="一体化", role="finance", user=personas.frank
    )
    client.force_login(personas.frank)
    page = client.get(reverse("administration:account_list", args=[personas.region.pk]))
    assert created.user.username not in page.content.decode()
    assert "alice" in page.content.decode()


def test_the_client_list_costs_the_same_with_more_clients(
    client, personas, django_assert_max_num_queries
):
    for n in range(6):
        api_client_create(
            region=personas.region, name=f"系统{n}", role="observer", user=personas.frank
        )
    client.force_login(personas.frank)
    with django_assert_max_num_queries(12):
        assert client.get(url(personas.region)).status_code == 200
