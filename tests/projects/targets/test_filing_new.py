"""申报新项目: a unit's filer names next year's subject and lands on its declaration form."""

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, TargetDeclaration

pytestmark = pytest.mark.django_db
URL = reverse("targets:declaration_new")
NEXT = timezone.localdate().year + 1


def post(client, world, **fields):
    data = {
        "unit": world["unit"].pk, "year": NEXT, "code": "ZW-NEW-01", "name": "政务服务一网通办",
        "kind": "project", "money_unit": "万元", "end_year": "",
    }  # fmt: skip
    data.update(fields)
    return client.post(URL, data)


def test_the_page_offers_the_filers_units_and_next_year(client, declaration_world):
    client.force_login(declaration_world["carol"])
    page = client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert "相山区政务服务中心" in text and f'value="{NEXT}"' in text
    assert "持续性项目" in text


def test_a_filer_declares_a_new_project_and_goes_to_its_form(client, declaration_world):
    client.force_login(declaration_world["carol"])
    response = post(client, declaration_world, end_year=str(NEXT + 2))
    project = Project.objects.get(code="ZW-NEW-01")
    declaration = TargetDeclaration.objects.get(project=project)
    assert response.status_code == 302
    assert response.url == reverse("targets:declaration_edit", args=[declaration.pk])
    assert project.year == NEXT and project.end_year == NEXT + 2
    assert project.unit == declaration_world["unit"] and declaration.status == "draft"
    page = client.get(response.url)
    assert page.status_code == 200 and "政务服务一网通办" in page.content.decode()


def test_a_past_year_is_refused_at_the_field_in_words(client, declaration_world):
    client.force_login(declaration_world["carol"])
    response = post(client, declaration_world, year=str(NEXT - 3))
    text = response.content.decode()
    assert response.status_code == 422
    assert f"只能申报 {NEXT - 1} 年度及以后的项目" in text
    assert not Project.objects.filter(code="ZW-NEW-01").exists()


def test_a_code_already_used_that_year_is_refused_with_a_message(client, declaration_world):
    client.force_login(declaration_world["carol"])
    assert post(client, declaration_world).status_code == 302
    response = post(client, declaration_world, name="另一个项目")
    assert response.status_code == 422
    assert "已有编码为“ZW-NEW-01”的项目" in response.content.decode()
    assert Project.objects.filter(code="ZW-NEW-01").count() == 1


def test_an_end_year_before_the_year_is_refused(client, declaration_world):
    client.force_login(declaration_world["carol"])
    response = post(client, declaration_world, end_year=str(NEXT - 1))
    assert response.status_code == 422
    assert "项目截止年度不能早于申报年度" in response.content.decode()


def test_another_units_id_is_not_found_and_nothing_is_created(client, declaration_world):
    client.force_login(declaration_world["carol"])
    response = post(client, declaration_world, unit=declaration_world["p"].unit_b.pk)
    assert response.status_code == 404
    assert not Project.objects.filter(code="ZW-NEW-01").exists()


def test_a_reviewer_without_a_unit_may_not_declare(client, declaration_world):
    client.force_login(declaration_world["p"].dora)
    assert client.get(URL).status_code == 403


def test_the_workspace_lists_declarations_open_first_with_the_new_project_link(
    client, declaration_world
):
    client.force_login(declaration_world["carol"])
    page = client.get(reverse("projects:workspace"))
    text = page.content.decode()
    assert "绩效目标申报" in text and "申报新项目" in text
    assert reverse("targets:declaration_edit", args=[declaration_world["declaration"].pk]) in text
    assert "开发区运行经费" not in text


def test_a_second_department_overall_of_the_year_is_refused_in_words(client, declaration_world):
    client.force_login(declaration_world["carol"])
    first = post(client, declaration_world, kind="department_overall", code="ZT-1")
    assert first.status_code == 302
    second = post(client, declaration_world, kind="department_overall", code="ZT-2")
    assert second.status_code == 422
    assert "已有部门整体支出" in second.content.decode()
