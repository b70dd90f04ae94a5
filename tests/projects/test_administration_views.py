"""The administration pages as the bureau uses them: forms save through the services, bad input
is a Chinese message at its field (never a 500), irreversible buttons ask first."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Department, Membership, Project, Unit

Role = Membership.Role
User = get_user_model()
GOOD = "Caizheng-Guanli-2026"


def url(name, region, **kwargs):
    return reverse(f"administration:{name}", kwargs={"region_pk": region.pk, **kwargs})


@pytest.fixture
def bureau(client, personas):
    client.force_login(personas.frank)
    return client


def field_error(html: str, name: str) -> str:
    """The invalid-feedback text crispy renders under the field `name`."""
    match = re.search(rf'id="error_\d+_id_{name}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    return match.group(1) if match else ""


def test_department_and_unit_created_from_the_tree_page(bureau, personas):
    p = personas
    response = bureau.post(url("org", p.region), {"code": "E", "name": "区教育局"})
    assert response.status_code == 302
    department = Department.objects.get(region=p.region, code="E")
    bureau.post(
        url("unit_create", p.region, pk=department.pk),
        {"code": "E0", "name": "区教育局本级", "is_department": "on"},
    )
    page = bureau.get(url("org", p.region)).content.decode()
    assert Unit.objects.get(department=department, code="E0").is_department
    assert "区教育局本级" in page and "本级" in page


def test_a_duplicate_department_name_is_shown_at_the_field(bureau, personas):
    response = bureau.post(
        url("org", personas.region), {"code": "Z", "name": "相山区人民政府办公室"}
    )
    assert response.status_code == 200
    assert Department.objects.filter(region=personas.region).count() == 2
    assert field_error(response.content.decode(), "name") == "本地区已有同名主管部门。"


def test_a_weak_password_is_refused_in_chinese_at_the_password_field(bureau, personas):
    response = bureau.post(
        url("account_create", personas.region),
        {
            "username": "new_filer",
            "full_name": "王五",
            "password": "2024123456",
            "role": "filer",
            "unit": personas.unit_a.pk,
        },
    )
    assert response.status_code == 200
    message = field_error(response.content.decode(), "password")
    assert message and re.search(r"[\u4e00-\u9fff]", message), message
    assert not User.objects.filter(username="new_filer").exists()


def test_a_filer_without_a_unit_is_refused_at_the_unit_field(bureau, personas):
    response = bureau.post(
        url("account_create", personas.region),
        {"username": "new_filer", "full_name": "王五", "password": GOOD, "role": "filer"},
    )
    assert field_error(response.content.decode(), "unit") == "单位填报人须选择单位。"


def test_a_user_is_created_with_a_role_and_listed(bureau, personas):
    bureau.post(
        url("account_create", personas.region),
        {
            "username": "jy_reviewer",
            "full_name": "王五",
            "password": GOOD,
            "role": "department_reviewer",
            "department": personas.department_b.pk,
        },
    )
    account = User.objects.get(username="jy_reviewer")
    assert account.memberships.get().department == personas.department_b
    page = bureau.get(url("account_list", personas.region)).content.decode()
    assert "jy_reviewer" in page and "主管部门审核人 · 相山经济开发区管理委员会" in page
    assert "zed" not in page  # another region's bureau is nobody's business here


def test_locked_accounts_are_listed_and_unlocked(bureau, personas):
    AccessAttempt.objects.create(
        username="alice",
        ip_address="10.0.0.1",
        user_agent="x",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
        failures_since_start=10,
    )
    page = bureau.get(url("account_list", personas.region)).content.decode()
    assert 'id="locked-accounts"' in page and "alice" in page.split('id="locked-accounts"')[1]

    bureau.post(url("account_unlock", personas.region, pk=personas.alice.pk), {"back": "list"})

    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert (
        'id="locked-accounts"'
        not in bureau.get(url("account_list", personas.region)).content.decode()
    )


def test_password_reset_and_deactivation_through_the_user_page(bureau, personas):
    p = personas
    bad = bureau.post(url("account_password", p.region, pk=p.alice.pk), {"password": "1234567890"})
    assert bad.status_code == 200 and field_error(bad.content.decode(), "password")
    bureau.post(url("account_password", p.region, pk=p.alice.pk), {"password": GOOD})
    bureau.post(url("account_active", p.region, pk=p.alice.pk), {"active": "0"})
    p.alice.refresh_from_db()
    assert p.alice.check_password(GOOD) and not p.alice.is_active


def test_roles_change_through_the_user_page(bureau, personas):
    p = personas
    bureau.post(
        url("membership_add", p.region, pk=p.alice.pk),
        {"role": "observer", "department": p.department_b.pk},
    )
    added = p.alice.memberships.get(role=Role.OBSERVER)
    assert added.department == p.department_b
    filer = p.alice.memberships.get(role=Role.FILER)
    bureau.post(url("membership_remove", p.region, pk=p.alice.pk, membership_pk=filer.pk))
    assert list(p.alice.memberships.values_list("role", flat=True)) == [Role.OBSERVER]


def test_a_project_is_created_and_edited(bureau, personas):
    p = personas
    data = {
        "unit": p.unit_b.pk,
        "year": 2025,
        "kind": "project",
        "code": "B-001",
        "name": "园区道路养护",
        "fund_type": "general",
        "transfer_level": "none",
        "money_unit": "万元",
        "goal_expected": "养护道路 10 公里",
    }
    assert bureau.post(url("project_create", p.region), data).status_code == 302
    project = Project.objects.get(code="B-001")
    assert bureau.post(url("project_create", p.region), data).status_code == 200  # same code
    bureau.post(url("project_edit", p.region, pk=project.pk), {**data, "name": "园区道路维修"})
    project.refresh_from_db()
    assert project.name == "园区道路维修"
    page = bureau.get(url("project_list", p.region) + "?year=2025").content.decode()
    assert "园区道路维修" in page


def test_a_year_out_of_range_is_a_chinese_message_not_a_500(bureau, personas):
    response = bureau.post(
        url("project_create", personas.region),
        {
            "unit": personas.unit_b.pk,
            "year": 1900,
            "kind": "project",
            "code": "X",
            "name": "X",
            "fund_type": "general",
            "transfer_level": "none",
            "money_unit": "万元",
        },
    )
    assert response.status_code == 200
    assert not Project.objects.filter(code="X").exists()


def test_irreversible_buttons_ask_first(bureau, personas):
    p = personas
    tree = bureau.get(url("org", p.region)).content.decode()
    assert tree.count("data-confirm=") >= 4  # two departments and two units to deactivate
    account = bureau.get(url("account_detail", p.region, pk=p.alice.pk)).content.decode()
    assert 'id="password-reset" data-confirm=' in account
    assert "停用后该用户不能登录" in account


def test_the_user_list_and_the_history_cost_the_same_with_more_users(
    bureau, personas, django_assert_max_num_queries
):
    from projects.administration import services

    for n in range(6):
        services.account_create(
            region=personas.region,
            username=f"filer{n}",
            full_name=f"填报人{n}",
            password=GOOD,
            role=Role.FILER,
            unit=personas.unit_a,
            user=personas.frank,
        )
    with django_assert_max_num_queries(12):
        assert bureau.get(url("account_list", personas.region)).status_code == 200
    with django_assert_max_num_queries(25):
        assert bureau.get(url("history", personas.region)).status_code == 200
