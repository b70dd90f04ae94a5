"""The organisation workbook: a good one builds the tree and the users in one go and can be
imported again without duplicates; one wrong row is named with its column and nothing is saved."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from projects.administration import importer
from projects.models import Department, Membership, Unit

Role = Membership.Role
User = get_user_model()
PASSWORD = "Jiaoyu-Kaishi-2026"


def workbook(*rows, headers=importer.HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = (
    ("E", "区教育局", "E0", "区教育局本级", "是", "", "", "", ""),
    ("E", "区教育局", "E1", "第一中学", "否", "yz_filer", "张三", "单位填报人", PASSWORD),
    ("E", "区教育局", "E2", "第二中学", "", "ez_filer", "李四", "单位填报人", PASSWORD),
    ("E", "区教育局", "", "", "", "jy_reviewer", "王五", "主管部门审核人", PASSWORD),
    ("", "", "", "", "", "rd_observer", "赵六", "监督查阅", PASSWORD),
)


def upload(client, region, data: bytes, name="组织架构.xlsx"):
    url = reverse("administration:import_preview", kwargs={"region_pk": region.pk})
    file = io.BytesIO(data)
    file.name = name
    return client.post(url, {"workbook": file})


def confirm(client, region, response):
    token = response.context["token"]
    url = reverse("administration:import_confirm", kwargs={"region_pk": region.pk})
    return client.post(url, {"token": token})


def test_a_good_workbook_previews_then_creates_the_tree_and_the_users(client, personas):
    client.force_login(personas.frank)
    preview = upload(client, personas.region, workbook(*GOOD_ROWS))
    assert preview.status_code == 200
    assert preview.context["errors"] == []
    assert not Department.objects.filter(code="E").exists()  # the preview saves nothing

    response = confirm(client, personas.region, preview)

    assert response.status_code == 302
    department = Department.objects.get(region=personas.region, code="E")
    units = {u.code: (u.name, u.is_department) for u in department.units.all()}
    assert units == {
        "E0": ("区教育局本级", True),
        "E1": ("第一中学", False),
        "E2": ("第二中学", False),
    }
    filer = User.objects.get(username="yz_filer")
    assert filer.check_password(PASSWORD) and filer.first_name == "张三"
    assert filer.memberships.get().unit.code == "E1"
    assert User.objects.get(username="jy_reviewer").memberships.get().department == department
    observer = User.objects.get(username="rd_observer").memberships.get()
    assert (observer.role, observer.region) == (Role.OBSERVER, personas.region)


def test_importing_again_updates_names_and_duplicates_nothing(client, personas):
    client.force_login(personas.frank)
    confirm(client, personas.region, upload(client, personas.region, workbook(*GOOD_ROWS)))
    counts = (Department.objects.count(), Unit.objects.count(), Membership.objects.count())
    renamed = [list(r) for r in GOOD_ROWS]
    renamed[1][3] = "相山区第一中学"
    renamed[1][8] = ""  # an existing user needs no password, and keeps theirs

    preview = upload(client, personas.region, workbook(*renamed))
    assert preview.context["errors"] == []
    confirm(client, personas.region, preview)

    assert (Department.objects.count(), Unit.objects.count(), Membership.objects.count()) == counts
    assert Unit.objects.get(code="E1").name == "相山区第一中学"
    assert User.objects.get(username="yz_filer").check_password(PASSWORD)


def test_a_wrong_row_is_named_with_its_column_and_nothing_is_saved(client, personas):
    client.force_login(personas.frank)
    rows = list(GOOD_ROWS) + [
        ("E", "区教育局", "E3", "第三中学", "否", "sz_filer", "孙七", "校长", PASSWORD),
        ("E", "区教育局", "E4", "第四中学", "否", "sz2_filer", "周八", "单位填报人", "12345678901"),
    ]

    preview = upload(client, personas.region, workbook(*rows))

    page = preview.content.decode()
    errors = [str(e) for e in preview.context["errors"]]
    assert any(e.startswith("第 7 行「角色」：无法识别的角色“校长”") for e in errors)
    assert sum(e.startswith("第 7 行") for e in errors) == 1
    assert any(e.startswith("第 8 行「初始密码」") for e in errors)
    assert "第 7 行「角色」" in page and "未保存任何内容" in page
    assert preview.context["token"] == ""
    assert not Department.objects.filter(code="E").exists()
    assert not User.objects.filter(username="yz_filer").exists()


def test_the_service_refuses_a_workbook_with_an_error_as_a_whole(personas):
    from django.core.exceptions import ValidationError

    from projects.administration.services import org_import

    rows, errors = importer.read(
        workbook(
            *GOOD_ROWS,
            ("E", "区教育局", "", "", "", "alice", "爱丽丝", "单位填报人", ""),
        )
    )
    assert errors == []
    with pytest.raises(ValidationError) as exc:
        org_import(region=personas.region, rows=rows, user=personas.frank)
    assert any("第 7 行" in m for m in exc.value.messages)
    assert not Department.objects.filter(code="E").exists()


def test_a_user_of_another_region_cannot_be_taken_over_by_a_workbook(personas):
    rows, _ = importer.read(
        workbook(("E", "区教育局", "E1", "第一中学", "否", "zed", "某", "单位填报人", PASSWORD))
    )
    errors = importer.check(region=personas.region, rows=rows)
    assert [(e.number, e.column) for e in errors] == [(2, "用户名")]


def test_a_sheet_with_other_headings_is_refused(client, personas):
    client.force_login(personas.frank)
    preview = upload(client, personas.region, workbook(("a", "b"), headers=("名称", "代码")))
    assert "表头应为" in str(preview.context["errors"][0])


def test_a_file_that_is_not_a_workbook_is_a_chinese_error_not_a_500(client, personas):
    client.force_login(personas.frank)
    preview = upload(client, personas.region, b"not a workbook")
    assert preview.status_code == 200
    assert "无法读取该文件" in preview.content.decode()


def test_the_template_has_the_columns_and_their_notes(client, personas):
    client.force_login(personas.frank)
    url = reverse("administration:import_template", kwargs={"region_pk": personas.region.pk})
    response = client.get(url)
    book = load_workbook(io.BytesIO(response.content))
    assert tuple(c.value for c in book.worksheets[0][1]) == importer.HEADERS
    assert book["填写说明"]["A2"].value == "部门代码"


def test_a_confirmation_cannot_be_replayed_in_another_region(client, personas):
    from projects.models import Region

    client.force_login(personas.frank)
    preview = upload(client, personas.region, workbook(*GOOD_ROWS))
    second = Region.objects.create(name="第二区", code="R2")
    Membership.objects.create(user=personas.frank, role=Role.FINANCE_REVIEWER, region=second)
    url = reverse("administration:import_confirm", kwargs={"region_pk": second.pk})
    assert client.post(url, {"token": preview.context["token"]}).status_code == 404
    assert not Department.objects.filter(code="E").exists()


def test_a_row_for_a_deactivated_unit_is_named_not_silently_revived(personas):
    from projects.administration.services import unit_set_active

    unit_set_active(unit=personas.unit_b, active=False, user=personas.frank)
    rows, _ = importer.read(
        workbook(
            (
                "B",
                "相山经济开发区管理委员会",
                "B0",
                "相山经济开发区管理委员会",
                "是",
                "kfq_filer",
                "钱九",
                "单位填报人",
                PASSWORD,
            )
        )
    )
    errors = importer.check(region=personas.region, rows=rows)
    assert [(e.number, e.column) for e in errors] == [(2, "单位代码")]
