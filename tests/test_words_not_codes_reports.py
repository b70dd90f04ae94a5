"""People read words, not codes, on the report, export, upload and public pages too.

The review and filing pages are covered in tests/test_words_not_codes.py; these are the pages a
department head, a journalist or a filer reading an upload preview meets.
"""

from django.urls import reverse

from projects.models import EvaluationStatus
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)
from tests.projects.test_upload import filled, indicator_row, preview, subject_sheet, template
from tests.test_words_not_codes import codes_in

S = EvaluationStatus


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_report_and_export_pages_show_no_codes(client, personas):
    sub = subordinate_of_a(personas)
    evaluation = put_in(
        build_evaluation(sub.unit, actuals={0: "1500家"}, reasons={0: "企业数量减少"}), S.APPROVED
    )
    department = personas.department_a
    client.force_login(personas.frank)
    for url in (
        reverse("reports:index"),
        reverse("reports:department_detail", args=[department.pk, 2023]),
        reverse("reports:department_summary", args=[department.pk, 2023]),
        reverse("reports:department_report", args=[department.pk, 2023]),
        reverse("reports:region_export"),
        reverse("reports:evaluation_table", args=[evaluation.pk]),
    ):
        assert codes_in(_page(client, url)) == [], url


def test_public_pages_show_no_codes(client, personas):
    sub = subordinate_of_a(personas)
    evaluation = put_in(
        build_evaluation(sub.unit, actuals={0: "1500家"}, reasons={0: "企业数量减少"}), S.PUBLISHED
    )
    region, department = personas.region, personas.department_a
    for url in (
        reverse("publication_index"),
        reverse("publication_region_year", args=[region.code, 2023]),
        reverse("publication_department", args=[region.code, 2023, department.code]),
        reverse("publication_evaluation", args=[evaluation.pk]),
        reverse("publication_evaluation_report", args=[evaluation.pk]),
    ):
        assert codes_in(_page(client, url)) == [], url


def test_the_upload_preview_and_its_errors_show_no_codes(client, personas):
    build_evaluation(personas.unit_a)
    client.force_login(personas.alice)

    def good(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        sheet[f"E{indicator_row(sheet, '走访企业数量')}"] = "1500家"

    response = preview(client, filled(template(client), good))
    assert response.status_code == 200
    assert codes_in(response.content.decode()) == []

    def bad(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        row = indicator_row(sheet, "走访企业数量")
        sheet[f"G{row}"] = "二十分"
        sheet[f"I{row}"] = "差不多"

    response = preview(client, filled(template(client), bad))
    assert response.status_code == 422
    assert codes_in(response.content.decode()) == []
