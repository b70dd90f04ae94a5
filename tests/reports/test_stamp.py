"""Every print says what it is: a draft or a filing under review carries a diagonal watermark and
its status in every page's footer; an approved one names the approving bureau and date, a
published one its 公开日期 (issue: "A draft prints exactly like a final document")."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus
from tests.reports import pdftools

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
APPROVED_AT = datetime.datetime(2024, 5, 20, 10, 0, tzinfo=SHANGHAI)
PUBLISHED_AT = datetime.datetime(2024, 6, 1, 9, 30, tzinfo=SHANGHAI)


def _set_status(evaluation, status, approved_at=None, published_at=None):
    evaluation.status = status
    evaluation.approved_at = approved_at
    evaluation.published_at = published_at
    evaluation.save()


def _pdf(client, user, name, pk) -> bytes:
    client.force_login(user)
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200, response.content[:300]
    return response.content


def test_a_draft_table_pdf_says_draft_and_its_status_on_every_page(client, personas, work_funds):
    # The case: 区政府工作经费 printed as a clean "总分 96.12 自评等级：优" while a draft.
    pages = pdftools.pages_text(
        _pdf(client, personas.alice, "reports:evaluation_table_pdf", work_funds.pk)
    )
    assert "96.12" in "".join(pages)
    for page in pages:
        assert "草稿（填报中），不作为正式文件" in page
        assert page.count("草稿") >= 2  # the diagonal watermark besides the footer
    assert "审核机关" not in "".join(pages)


def test_a_returned_table_is_a_draft_too(client, personas, work_funds):
    _set_status(work_funds, EvaluationStatus.RETURNED)
    text = pdftools.text(
        _pdf(client, personas.alice, "reports:evaluation_table_pdf", work_funds.pk)
    )
    assert "草稿（已退回），不作为正式文件" in text


@pytest.mark.parametrize(
    "status,label",
    [
        (EvaluationStatus.SUBMITTED, "待主管部门审核"),
        (EvaluationStatus.DEPARTMENT_APPROVED, "待财政审核"),
    ],
)
def test_a_table_under_review_is_marked_unreviewed(client, personas, work_funds, status, label):
    _set_status(work_funds, status)
    pages = pdftools.pages_text(
        _pdf(client, personas.frank, "reports:evaluation_table_pdf", work_funds.pk)
    )
    for page in pages:
        assert f"未审核（{label}），不作为正式文件" in page
        assert page.count("未审核") >= 2
    assert "草稿" not in "".join(pages)


def test_an_approved_table_names_the_bureau_and_date_and_has_no_watermark(
    client, personas, work_funds
):
    _set_status(work_funds, EvaluationStatus.APPROVED, approved_at=APPROVED_AT)
    pages = pdftools.pages_text(
        _pdf(client, personas.alice, "reports:evaluation_table_pdf", work_funds.pk)
    )
    for page in pages:
        assert "审核通过·审核机关：淮北市相山区财政局·审核通过日期：2024年5月20日" in page
    text = "".join(pages)
    assert "草稿" not in text and "未审核" not in text and "公开日期" not in text


def test_a_published_table_names_its_publication_date(client, personas, work_funds):
    _set_status(
        work_funds,
        EvaluationStatus.PUBLISHED,
        approved_at=APPROVED_AT,
        published_at=PUBLISHED_AT,
    )
    text = pdftools.text(
        _pdf(client, personas.alice, "reports:evaluation_table_pdf", work_funds.pk)
    )
    assert (
        "已公开·审核机关：淮北市相山区财政局·审核通过日期：2024年5月20日·公开日期：2024年6月1日"
        in text
    )
    assert "草稿" not in text and "未审核" not in text


def test_a_draft_project_report_pdf_is_marked_on_every_page(client, personas, business_env):
    pages = pdftools.pages_text(
        _pdf(client, personas.alice, "reports:evaluation_report_pdf", business_env.pk)
    )
    assert len(pages) >= 2
    for page in pages:
        assert "草稿（填报中），不作为正式文件" in page


def test_a_department_report_takes_the_weakest_stamp_of_what_it_contains(
    client, personas, urumqi_overall, kfq_projects
):
    # bob's unit: the 部门整体 table approved, one project still under review, one published.
    audit, militia = kfq_projects
    _set_status(urumqi_overall, EvaluationStatus.APPROVED, approved_at=APPROVED_AT)
    _set_status(
        audit, EvaluationStatus.PUBLISHED, approved_at=APPROVED_AT, published_at=PUBLISHED_AT
    )
    _set_status(militia, EvaluationStatus.DEPARTMENT_APPROVED)
    department = personas.department_b
    client.force_login(personas.frank)
    for name in ("reports:department_report_pdf", "reports:department_summary_pdf"):
        response = client.get(reverse(name, args=[department.pk, 2024]))
        pages = pdftools.pages_text(response.content)
        assert pages[0].count("未审核") >= 2, name
        assert "未审核（待财政审核），不作为正式文件" in pages[0], name

    # Once everything is approved the report names the bureau instead.
    _set_status(militia, EvaluationStatus.APPROVED, approved_at=APPROVED_AT)
    response = client.get(reverse("reports:department_summary_pdf", args=[department.pk, 2024]))
    text = pdftools.text(response.content)
    assert "未审核" not in text and "审核机关：淮北市相山区财政局" in text


def test_the_screen_pages_show_the_same_state(client, personas, work_funds, kfq_projects):
    client.force_login(personas.alice)
    html = client.get(reverse("reports:evaluation_table", args=[work_funds.pk])).content.decode()
    assert "草稿（填报中），不作为正式文件" in html
    html = client.get(reverse("reports:evaluation_report", args=[work_funds.pk])).content.decode()
    assert "草稿（填报中），不作为正式文件" in html
    _set_status(work_funds, EvaluationStatus.APPROVED, approved_at=APPROVED_AT)
    html = client.get(reverse("reports:evaluation_table", args=[work_funds.pk])).content.decode()
    assert "审核机关：淮北市相山区财政局 · 审核通过日期：2024年5月20日" in html
    assert "不作为正式文件" not in html
    client.force_login(personas.bob)
    department = personas.department_b
    url = reverse("reports:department_summary", args=[department.pk, 2024])
    assert "草稿（填报中），不作为正式文件" in client.get(url).content.decode()
