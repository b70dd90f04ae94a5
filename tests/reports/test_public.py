"""Publication without login: what is published is listed with its files; nothing else is."""

import json

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus
from tests.reports import pdftools

EVALUATION_URLS = (
    "publication_evaluation",
    "publication_evaluation_pdf",
    "publication_evaluation_xlsx",
    "publication_evaluation_json",
    "publication_evaluation_report",
    "publication_evaluation_report_pdf",
)


@pytest.fixture
def published(business_env, work_funds, kfq_projects, urumqi_overall):
    """Only 区创优营商环境服务中心工作经费 is published; the others stop short of it."""
    business_env.status = EvaluationStatus.PUBLISHED
    business_env.save()
    work_funds.status = EvaluationStatus.APPROVED
    work_funds.save()
    urumqi_overall.status = EvaluationStatus.DEPARTMENT_APPROVED
    urumqi_overall.save()
    return business_env


def test_index_lists_only_regions_and_years_with_publications(client, personas, published):
    html = client.get(reverse("publication_index")).content.decode()
    assert "淮北市相山区" in html and "2023" in html
    assert "2024" not in html  # seed 000's projects are drafts


def test_region_year_lists_departments_that_published(client, personas, published):
    url = reverse("publication_region_year", args=[personas.region.code, 2023])
    html = client.get(url).content.decode()
    assert personas.department_a.name in html
    assert personas.department_b.name not in html


def test_department_page_lists_the_published_evaluation_with_its_files(
    client, personas, published, work_funds
):
    url = reverse(
        "publication_department", args=[personas.region.code, 2023, personas.department_a.code]
    )
    html = client.get(url).content.decode()
    assert "区创优营商环境服务中心工作经费" in html and "98.43" in html
    assert "区政府工作经费" not in html
    for name in EVALUATION_URLS[1:4]:
        assert reverse(name, args=[published.pk]) in html
    for name in EVALUATION_URLS:
        assert reverse(name, args=[work_funds.pk]) not in html


def test_every_file_of_a_published_evaluation_opens_without_login(client, published):
    for name in EVALUATION_URLS:
        response = client.get(reverse(name, args=[published.pk]))
        assert response.status_code == 200, name
    data = client.get(reverse("publication_evaluation_pdf", args=[published.pk])).content
    text = pdftools.text(data)
    assert "区创优营商环境服务中心工作经费" in text and "98.43" in text


def test_open_data_json_is_the_selfeval_document(client, published):
    from projects.exporter import export_document

    response = client.get(reverse("publication_evaluation_json", args=[published.pk]))
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    assert document["format"] == "selfeval/1"
    assert document["project"]["name"] == "区创优营商环境服务中心工作经费"
    assert document == json.loads(json.dumps(export_document(published), ensure_ascii=False))


def test_csv_of_a_year_has_one_line_per_published_evaluation(client, published):
    response = client.get(reverse("publication_year_csv", args=[2023]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().split("\n")
    assert lines[0] == (
        "年度,地区,主管部门,预算单位,项目名称,项目编码,"
        "全年预算数（元）,全年执行数（元）,预算执行率（%）,得分,等级"
    )
    assert len(lines) == 2
    assert lines[1].endswith(
        "相山区人民政府办公室,区创优营商环境服务中心工作经费,ce-2023-business-env,"
        "460000.00,387600.00,84.26,98.43,优"
    )


@pytest.mark.parametrize("name", EVALUATION_URLS)
def test_unpublished_evaluations_are_not_reachable_by_id(
    client, published, work_funds, kfq_projects, urumqi_overall, name
):
    for evaluation in (work_funds, *kfq_projects, urumqi_overall):
        assert client.get(reverse(name, args=[evaluation.pk])).status_code == 404, evaluation
    assert client.get(reverse(name, args=[999999])).status_code == 404


def test_paths_without_publications_are_404(client, personas, published):
    code_a, code_b = personas.department_a.code, personas.department_b.code
    for path in (
        reverse("publication_region_year", args=[personas.region.code, 2024]),
        reverse("publication_region_year", args=["nowhere", 2023]),
        reverse("publication_department", args=[personas.region.code, 2023, code_b]),
        reverse("publication_department", args=[personas.region.code, 2024, code_b]),
        reverse("publication_department_pdf", args=[personas.region.code, 2023, code_b]),
        reverse("publication_department_xlsx", args=[personas.region.code, 2024, code_b]),
        reverse("publication_department", args=[personas.region.code, 2023, "nope"]),
        reverse("publication_year_csv", args=[2024]),
        reverse("publication_year_csv", args=[2023]) + "?region=nowhere",
    ):
        assert client.get(path).status_code == 404, path
    ok = reverse("publication_department", args=[personas.region.code, 2023, code_a])
    assert client.get(ok).status_code == 200


def test_department_package_holds_only_what_was_published(client, personas, published):
    url = reverse(
        "publication_department_pdf", args=[personas.region.code, 2023, personas.department_a.code]
    )
    text = pdftools.text(client.get(url).content)
    assert "区创优营商环境服务中心工作经费" in text
    assert "区政府工作经费" not in text


def test_reopened_evaluations_disappear_from_the_public_pages(client, personas, published):
    published.status = EvaluationStatus.RETURNED
    published.save()
    assert client.get(reverse("publication_evaluation", args=[published.pk])).status_code == 404
    assert client.get(reverse("publication_year_csv", args=[2023])).status_code == 404
    assert "区创优" not in client.get(reverse("publication_index")).content.decode()


def test_department_page_query_count_is_fixed(
    client, personas, published, django_assert_num_queries
):
    url = reverse(
        "publication_department", args=[personas.region.code, 2023, personas.department_a.code]
    )
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
