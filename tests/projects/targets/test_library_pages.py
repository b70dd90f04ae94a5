"""The common indicator library: everyone in the region reads it with its usage counts; only the
region's finance bureau keeps it; the workbook import saves every row or none."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from projects.models import LibraryIndicator, Membership
from projects.targets import library_import
from projects.targets.library_seed import INDICATORS, seed_library
from tests import factories as f

LIST = reverse("targets:library_list")


@pytest.fixture
def library(personas):
    """The region's seeded library, one of its rows chosen by two projects and named by one."""
    seed_library(personas.region, personas.frank)
    trainees = LibraryIndicator.objects.get(region=personas.region, name="培训人次")
    for unit in (personas.unit_a, personas.unit_b):
        project = f.ProjectFactory(unit=unit, year=2027)
        f.IndicatorFactory(project=project, name="培训人次", library=trainees)
    f.IndicatorFactory(project=f.ProjectFactory(unit=personas.unit_a), name="培训人次")
    return trainees


def _row(response, name):
    return next(r for r in response.context["rows"] if r.name == name)


def test_the_seed_adds_the_starter_library_once(personas):
    assert seed_library(personas.region) == len(INDICATORS)
    assert seed_library(personas.region) == 0
    survey = LibraryIndicator.objects.get(region=personas.region, name="服务对象满意度")
    assert "问卷" in survey.policy_source and survey.suggested_target == "≥90%"
    assert all(i.policy_source for i in LibraryIndicator.objects.all())


def test_a_filer_reads_the_library_with_both_usage_counts_but_no_write_links(
    client, personas, library
):
    client.force_login(personas.alice)
    response = client.get(LIST)
    assert response.status_code == 200
    row = _row(response, "培训人次")
    assert (row.uses_linked, row.uses_named) == (2, 1)
    text = response.content.decode()
    assert "选用次数" in text and "同名指标" in text and 'id="usage-note"' in text
    assert "library-new" not in text and "library_deactivate" not in text
    assert "/deactivate/" not in text


def test_the_list_filters_by_function_level_and_text(client, personas, library):
    client.force_login(personas.frank)
    names = lambda **q: {r.name for r in client.get(LIST, q).context["rows"]}  # noqa: E731
    assert names(function="教育") == {"资助学生人数"}
    assert names(level1="成本指标") == {"人均培训成本", "单位面积建设成本", "项目总成本控制数"}
    assert names(level2="时效", text="资金") == {"资金拨付及时率"}


def test_the_list_reads_in_a_fixed_number_of_queries(
    client, personas, library, django_assert_max_num_queries
):
    client.force_login(personas.frank)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["rows"]) == len(INDICATORS)


def test_the_finance_bureau_adds_edits_and_deactivates_an_indicator(client, personas):
    client.force_login(personas.frank)
    data = {
        "function": "卫生健康", "level1": "产出指标", "level2": "数量指标", "name": "义诊人次",
        "unit_of_measure": "人次", "direction": "higher", "suggested_target": "≥300人次",
        "policy_source": "本系统示例",
    }  # fmt: skip
    response = client.post(f"{reverse('targets:library_create')}?region={personas.region.pk}", data)
    assert response.status_code == 302
    created = LibraryIndicator.objects.get(name="义诊人次")
    assert created.region == personas.region and created.created_by == personas.frank
    data["suggested_target"] = "≥400人次"
    client.post(reverse("targets:library_edit", args=[created.pk]), data)
    client.post(reverse("targets:library_deactivate", args=[created.pk]))
    created.refresh_from_db()
    assert created.suggested_target == "≥400人次" and not created.is_active
    reasons = [h.history_change_reason for h in created.history.order_by("history_date")]
    assert reasons == ["新增共性指标", "修改共性指标", "停用共性指标"]
    page = client.get(reverse("targets:library_edit", args=[created.pk])).content.decode()
    assert "停用共性指标" in page


def test_a_duplicate_or_blank_indicator_is_refused_at_its_field(client, personas, library):
    client.force_login(personas.frank)
    create = f"{reverse('targets:library_create')}?region={personas.region.pk}"
    response = client.post(
        create,
        {"function": "通用", "level1": "产出指标", "level2": "数量指标", "name": "培训人次",
         "direction": "higher"},
    )  # fmt: skip
    assert "本地区指标库中已有同一适用领域、二级指标下的同名指标。" in response.content.decode()
    response = client.post(create, {"direction": "higher"})
    assert "请填写三级指标。" in response.content.decode()
    assert LibraryIndicator.objects.filter(name="培训人次").count() == 1


def test_a_filer_and_a_department_reviewer_may_not_write(client, personas, library):
    for user in (personas.alice, personas.dora):
        client.force_login(user)
        create = f"{reverse('targets:library_create')}?region={personas.region.pk}"
        assert client.post(create, {"name": "x"}).status_code == 403
        edit = reverse("targets:library_edit", args=[library.pk])
        assert client.post(edit, {"name": "改名"}).status_code == 403
        off = reverse("targets:library_deactivate", args=[library.pk])
        assert client.post(off).status_code == 403
        assert client.get(reverse("targets:library_import")).status_code == 403
    library.refresh_from_db()
    assert library.name == "培训人次" and library.is_active


def test_another_regions_bureau_gets_404_and_nothing_changes(client, personas, library):
    client.force_login(personas.other_region_finance)
    assert client.get(f"{LIST}?region={personas.region.pk}").status_code == 404
    edit = reverse("targets:library_edit", args=[library.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "改名", "level1": "产出指标"}).status_code == 404
    assert client.post(reverse("targets:library_deactivate", args=[library.pk])).status_code == 404
    create = f"{reverse('targets:library_create')}?region={personas.region.pk}"
    assert client.post(create, {"name": "x"}).status_code == 404
    library.refresh_from_db()
    assert library.name == "培训人次" and library.is_active
    assert client.get(LIST).context["rows"] == []  # its own region's library is empty


def test_a_region_observer_reads_the_library(client, personas, library):
    watcher = f.UserFactory(username="watcher")
    f.membership(watcher, Membership.Role.OBSERVER, region=personas.region)
    client.force_login(watcher)
    assert client.get(LIST).status_code == 200
    assert client.post(reverse("targets:library_deactivate", args=[library.pk])).status_code == 403


# --- the workbook import --------------------------------------------------------------------------


def _workbook(*rows, header=library_import.HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, region, data: bytes, name="library.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"{reverse('targets:library_import')}?region={region.pk}",
        {"file": SimpleUploadedFile(name, data)},
    )


GOOD = ("教育", "产出指标", "数量指标", "资助学生人数", "人", "越高越好", "≥250人", "本系统示例")


def test_the_template_downloads_with_the_headings(client, personas):
    client.force_login(personas.frank)
    response = client.get(reverse("targets:library_template"))
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content))
    assert tuple(c.value for c in book.active[1]) == library_import.HEADERS


def test_an_import_adds_and_updates_rows(client, personas, library):
    client.force_login(personas.frank)
    new = ("通用", "效益指标", "社会效益指标", "受益群众人数", "人", "≥", "≥2000人", "本系统示例")
    response = _upload(client, personas.region, _workbook(GOOD, new))
    assert response.status_code == 302
    assert LibraryIndicator.objects.get(name="资助学生人数").suggested_target == "≥250人"
    assert LibraryIndicator.objects.get(name="受益群众人数").direction == "higher"
    assert LibraryIndicator.objects.filter(region=personas.region).count() == len(INDICATORS) + 1


def test_an_import_with_a_wrong_row_saves_nothing_and_names_each_cell(client, personas, library):
    client.force_login(personas.frank)
    bad_level = ("通用", "产出", "数量指标", "新指标甲", "", "越高越好", "", "")
    no_name = ("通用", "产出指标", "数量指标", "", "", "往上", "", "")
    response = _upload(client, personas.region, _workbook(GOOD, bad_level, no_name, GOOD))
    assert response.status_code == 200
    errors = [str(e) for e in response.context["errors"]]
    assert any(e.startswith("第 3 行「一级指标」") for e in errors)
    assert "第 4 行「三级指标」：请填写三级指标。" in errors
    assert any(e.startswith("第 4 行「指标方向」：无法识别的指标方向“往上”") for e in errors)
    assert "第 5 行「三级指标」：与第 2 行的指标重复。" in errors
    assert "未保存任何内容" in response.content.decode()
    assert LibraryIndicator.objects.get(name="资助学生人数").suggested_target == "≥200人"
    assert not LibraryIndicator.objects.filter(name="新指标甲").exists()


def test_an_import_refuses_a_wrong_heading_or_a_file_that_is_not_a_workbook(client, personas):
    client.force_login(personas.frank)
    response = _upload(client, personas.region, _workbook(GOOD, header=("名称",)))
    assert "表头应为" in str(response.context["errors"][0])
    response = _upload(client, personas.region, b"not a workbook")
    assert "无法读取该文件" in str(response.context["errors"][0])
    response = _upload(client, personas.region, b"x", name="library.csv")
    assert "请上传 .xlsx 格式的工作簿。" in response.content.decode()
    assert not LibraryIndicator.objects.exists()


def test_nonsense_filters_or_region_are_a_message_or_a_404(client, personas, library):
    client.force_login(personas.alice)
    response = client.get(LIST, {"level1": "x", "function": "不存在", "page": "abc"})
    assert response.status_code == 200
    assert client.get(LIST, {"region": "abc"}).status_code == 404
    assert client.get(LIST, {"region": "999999"}).status_code == 404
