"""Who may open the region administration: its finance bureau only. A filer, a department
reviewer and an observer of the region get 403 on every URL, another region's bureau 404, and
none of their GETs or POSTs changes anything."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Department, Membership, Project, Unit
from tests import factories as f

Role = Membership.Role
User = get_user_model()


@pytest.fixture
def world(personas):
    """Region A's objects every administration URL can name."""
    project = f.ProjectFactory(unit=personas.unit_a, year=2025)
    observer = f.UserFactory(username="olga")
    f.membership(observer, Role.OBSERVER, region=personas.region)
    membership = personas.alice.memberships.get()
    return personas, project, observer, membership


def urls(p, project, membership):
    """Every administration URL of region A, with the POST body a real form would send."""
    r = p.region.pk
    kw = {"region_pk": r}
    dept = {**kw, "pk": p.department_a.pk}
    unit = {**kw, "pk": p.unit_a.pk}
    user = {**kw, "pk": p.alice.pk}
    good = "Caizheng-Guanli-2026"
    return [
        ("org", kw, {"code": "Z", "name": "新部门"}),
        ("department_edit", dept, {"code": "A", "name": "改名"}),
        ("department_active", dept, {"active": "0"}),
        ("unit_create", dept, {"code": "Z1", "name": "新单位"}),
        ("unit_edit", unit, {"code": "A0", "name": "改名"}),
        ("unit_active", unit, {"active": "0"}),
        ("account_list", kw, {}),
        (
            "account_create",
            kw,
            {
                "username": "intruder",
                "full_name": "某",
                "password": good,
                "role": "filer",
                "unit": p.unit_a.pk,
            },
        ),
        ("account_detail", user, {"full_name": "改名"}),
        ("account_active", user, {"active": "0"}),
        ("account_password", user, {"password": good}),
        ("account_unlock", user, {}),
        ("membership_add", user, {"role": "observer"}),
        ("membership_remove", {**user, "membership_pk": membership.pk}, {}),
        ("project_list", kw, {}),
        (
            "project_create",
            kw,
            {
                "unit": p.unit_a.pk,
                "year": 2025,
                "kind": "project",
                "code": "Z9",
                "name": "新项目",
                "fund_type": "general",
                "transfer_level": "none",
                "money_unit": "万元",
            },
        ),
        ("project_edit", {**kw, "pk": project.pk}, {"name": "改名"}),
        ("import_preview", kw, {}),
        ("import_confirm", kw, {"token": "x"}),
        ("import_template", kw, {}),
        ("history", kw, {}),
    ]


def snapshot(p):
    """What an administration request could change."""
    return (
        list(Department.objects.values_list("pk", "code", "name", "is_active").order_by("pk")),
        list(Unit.objects.values_list("pk", "code", "name", "is_active").order_by("pk")),
        list(
            User.objects.values_list(
                "pk", "username", "first_name", "is_active", "password"
            ).order_by("pk")
        ),
        list(Membership.objects.values_list("pk", "role").order_by("pk")),
        list(Project.objects.values_list("pk", "code", "name").order_by("pk")),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 403), ("dora", 403), ("olga", 403), ("other_region_finance", 404)],
)
def test_only_the_regions_bureau_reaches_any_administration_url(client, world, who, status):
    p, project, observer, membership = world
    actor = observer if who == "olga" else getattr(p, who)
    client.force_login(actor)
    before = snapshot(p)
    for name, kwargs, data in urls(p, project, membership):
        url = reverse(f"administration:{name}", kwargs=kwargs)
        assert client.get(url).status_code in (status, 405), f"GET {name}"
        assert client.post(url, data).status_code == status, f"POST {name}"
    assert snapshot(p) == before


def test_the_index_refuses_anyone_without_a_bureau(client, personas):
    client.force_login(personas.alice)
    assert client.get(reverse("administration:index")).status_code == 403


def test_signed_out_visitors_are_sent_to_the_login_page(client, world):
    p, project, _, membership = world
    for name, kwargs, data in urls(p, project, membership):
        url = reverse(f"administration:{name}", kwargs=kwargs)
        response = client.post(url, data)
        assert response.status_code == 302 and "/login/" in response["Location"], name


def test_the_bureau_opens_every_page_of_its_region(client, world):
    p, project, _, membership = world
    client.force_login(p.frank)
    assert client.get(reverse("administration:index")).url == reverse(
        "administration:org", kwargs={"region_pk": p.region.pk}
    )
    for name, kwargs, _ in urls(p, project, membership):
        response = client.get(reverse(f"administration:{name}", kwargs=kwargs))
        assert response.status_code in (200, 405), name


def test_another_regions_objects_are_404_through_the_bureaus_own_region(client, personas):
    p = personas
    other_unit = f.UnitFactory()
    other_project = f.ProjectFactory(unit=other_unit)
    stranger = f.UserFactory(username="stranger")
    f.membership(stranger, Role.FILER, unit=other_unit)
    straddler = f.UserFactory(username="straddler")
    f.membership(straddler, Role.FILER, unit=p.unit_a)
    f.membership(straddler, Role.FILER, unit=other_unit)
    client.force_login(p.frank)
    r = p.region.pk
    before = snapshot(p)
    for name, kwargs, data in [
        ("department_edit", {"pk": other_unit.department.pk}, {"code": "X", "name": "改"}),
        ("department_active", {"pk": other_unit.department.pk}, {"active": "0"}),
        ("unit_create", {"pk": other_unit.department.pk}, {"code": "X", "name": "改"}),
        ("unit_edit", {"pk": other_unit.pk}, {"code": "X", "name": "改"}),
        ("unit_active", {"pk": other_unit.pk}, {"active": "0"}),
        ("account_detail", {"pk": stranger.pk}, {"full_name": "改"}),
        ("account_active", {"pk": straddler.pk}, {"active": "0"}),
        ("account_password", {"pk": straddler.pk}, {"password": "Caizheng-Guanli-2026"}),
        ("account_unlock", {"pk": stranger.pk}, {}),
        ("membership_add", {"pk": straddler.pk}, {"role": "observer"}),
        ("project_edit", {"pk": other_project.pk}, {"name": "改"}),
    ]:
        url = reverse(f"administration:{name}", kwargs={"region_pk": r, **kwargs})
        assert client.post(url, data).status_code == 404, name
    assert snapshot(p) == before


def test_a_region_the_user_never_reaches_is_404(client, personas):
    client.force_login(personas.frank)
    url = reverse("administration:org", kwargs={"region_pk": 999999})
    assert client.get(url).status_code == 404


def test_the_nav_link_shows_for_the_bureau_only(client, personas):
    client.force_login(personas.frank)
    assert "地区管理" in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(personas.alice)
    assert "地区管理" not in client.get(reverse("home"), follow=True).content.decode()
