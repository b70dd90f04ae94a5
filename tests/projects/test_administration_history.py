"""The region's change history: who changed which object, when, and what, in words."""

from django.urls import reverse

from projects.administration import services
from projects.models import Department, Membership

GOOD = "Caizheng-Guanli-2026"


def history_page(client, region) -> str:
    response = client.get(reverse("administration:history", kwargs={"region_pk": region.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_rename_through_the_page_is_recorded_with_the_user_and_the_change_in_words(
    client, personas
):
    p = personas
    p.frank.first_name = "范财政"
    p.frank.save()
    client.force_login(p.frank)
    url = reverse(
        "administration:department_edit",
        kwargs={"region_pk": p.region.pk, "pk": p.department_a.pk},
    )
    client.post(url, {"code": "A", "name": "区政府办公室"})

    record = Department.history.filter(id=p.department_a.pk).latest("history_date")
    assert record.history_user == p.frank
    assert record.history_change_reason == "修改主管部门"
    page = history_page(client, p.region)
    assert "范财政" in page
    assert "主管部门：区政府办公室" in page
    assert "主管部门：相山区人民政府办公室 → 区政府办公室" in page
    assert "name" not in page.split('id="history"')[1]


def test_user_changes_read_as_actions_and_flags_as_words(client, personas):
    p = personas
    services.account_password_reset(account=p.alice, region=p.region, password=GOOD, user=p.frank)
    services.account_set_active(account=p.alice, region=p.region, active=False, user=p.frank)
    services.membership_add(
        account=p.alice, region=p.region, role=Membership.Role.OBSERVER, user=p.frank
    )
    client.force_login(p.frank)
    page = history_page(client, p.region)
    assert "重置密码" in page
    assert "停用用户" in page
    assert "有效：是 → 否" in page
    assert "授予角色" in page and "监督查阅（人大、审计）" in page
    assert "pbkdf2" not in page and "md5$" not in page


def test_another_regions_changes_are_not_listed(client, personas):
    from projects.models import Region

    other = Region.objects.get(code="650100")
    services.department_create(
        region=other, code="W", name="外地部门", user=personas.other_region_finance
    )
    client.force_login(personas.frank)
    assert "外地部门" not in history_page(client, personas.region)
