"""Attaching 佐证材料: the accepted kinds (by extension and by content), the size limit, the
SHA-256 recorded, the filing's state, and a refusal that loses nothing else on the form."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.evidence import checks
from projects.evidence.services import evidence_remove
from projects.models import EvaluationStatus, EvidenceFile
from tests.projects.evidence_support import JPG, PDF, PNG, make_world, office, upload
from tests.projects.test_review_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def world(personas):
    return make_world(personas)


def _attach_url(world):
    return reverse("projects:evaluation_attach", args=[world.evaluation.pk])


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("验收报告.pdf", PDF, "application/pdf"),
        ("现场照片.JPG", JPG, "image/jpeg"),
        ("现场照片.jpeg", JPG, "image/jpeg"),
        ("截图.png", PNG, "image/png"),
        ("情况说明.docx", office("word/document.xml"), checks.KINDS["docx"].content_type),
        ("台账.xlsx", office("xl/workbook.xml"), checks.KINDS["xlsx"].content_type),
        ("电子发票.ofd", office("OFD.xml"), "application/ofd"),
    ],
)
def test_each_accepted_kind_is_stored_with_the_sha256_of_its_bytes(
    world, name, content, content_type
):
    row = world.attach(name=name, content=content, indicator=world.indicator)
    assert row.original_name == name and row.content_type == content_type
    assert row.size == len(content)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    with row.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == row.sha256
    assert row.indicator == world.indicator and row.uploaded_by == world.carol


def test_a_large_file_is_hashed_as_it_streams(world, settings):
    content = PDF + b"0" * (3 * 1024 * 1024)  # above the 2.5 MB Django keeps in memory
    row = world.attach(name="大文件.pdf", content=content)
    assert row.sha256 == hashlib.sha256(content).hexdigest() and row.size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("程序.exe", b"MZ\x90\x00", "不支持文件“程序.exe”的格式"),
        ("网页.html", b"<html></html>", "不支持文件“网页.html”的格式"),
        ("改名的程序.pdf", b"MZ\x90\x00" + b"0" * 20, "内容与扩展名不符"),
        ("图片冒充.pdf", PNG, "内容与扩展名不符"),
        ("压缩包冒充.docx", office("readme.txt"), "不是有效的 Word（docx） 文件"),
        ("表格冒充.docx", office("xl/workbook.xml"), "内容与扩展名不符"),
        ("坏的.xlsx", b"PK\x03\x04not a zip at all", "内容与扩展名不符"),
        ("空文件.pdf", b"", "文件为空"),
    ],
)
def test_a_file_of_another_kind_is_refused_with_a_chinese_message(world, name, content, message):
    with pytest.raises(ValidationError) as refused:
        world.attach(name=name, content=content)
    assert message in refused.value.message_dict["file"][0]
    assert not EvidenceFile.objects.exists()


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.EVIDENCE_MAX_MB = 1
    with pytest.raises(ValidationError) as refused:
        world.attach(name="扫描件.pdf", content=PDF + b"0" * (1024 * 1024))
    assert "大小超过 1 MB" in refused.value.message_dict["file"][0]
    world.attach(name="扫描件.pdf", content=PDF + b"0" * (1024 * 1024 - len(PDF)))


def test_the_limits_follow_the_settings_and_are_stated_on_the_form(client, world, settings):
    settings.EVIDENCE_TYPES = ("pdf", "png")
    settings.EVIDENCE_MAX_MB = 5
    assert checks.limits_text() == "支持 PDF、PNG 格式，单个文件不超过 5 MB。"
    with pytest.raises(ValidationError):
        world.attach(name="情况说明.docx", content=office("word/document.xml"))
    client.force_login(world.carol)
    page = client.get(reverse("projects:evaluation_edit", args=[world.evaluation.pk]))
    html = page.content.decode()
    assert "支持 PDF、PNG 格式，单个文件不超过 5 MB。" in html
    assert 'accept=".pdf,.png"' in html


@pytest.mark.parametrize(
    "status",
    [
        EvaluationStatus.SUBMITTED,
        EvaluationStatus.DEPARTMENT_APPROVED,
        EvaluationStatus.APPROVED,
        EvaluationStatus.PUBLISHED,
    ],
)
def test_no_file_is_attached_or_removed_after_submission(client, world, status):
    row = world.attach()
    put_in(world.evaluation, status)
    with pytest.raises(ValidationError) as refused:
        world.attach(name="补充.pdf")
    assert "不能再添加或删除佐证材料" in refused.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        evidence_remove(evidence=row, user=world.carol)
    client.force_login(world.carol)
    response = client.post(_attach_url(world), {"file": upload("补充.pdf", PDF)}, headers=HX)
    assert response.status_code == 422 and "不能再添加或删除佐证材料" in response.content.decode()
    assert list(EvidenceFile.objects.values_list("pk", flat=True)) == [row.pk]


def test_a_returned_filing_takes_files_again(world):
    put_in(world.evaluation, EvaluationStatus.RETURNED)
    assert world.attach(name="补充.pdf").pk


def test_an_indicator_or_fund_line_of_another_filing_is_refused(client, world, personas):
    from tests.projects.test_review_support import build_evaluation

    other = build_evaluation(world.unit, name="另一个项目")
    with pytest.raises(ValidationError):
        world.attach(indicator=other.project.indicators.first())
    with pytest.raises(ValidationError):
        world.attach(fund_line=other.project.fund_lines.first())
    client.force_login(world.carol)
    indicator = other.project.indicators.first()
    response = client.post(
        _attach_url(world), {"file": upload("a.pdf", PDF), "indicator": str(indicator.pk)}
    )
    assert response.status_code == 404 and not EvidenceFile.objects.exists()


def test_the_page_attaches_through_htmx_and_answers_with_the_rows_block(client, world):
    client.force_login(world.carol)
    indicator = world.indicator
    response = client.post(
        _attach_url(world),
        {"file": upload("走访记录.pdf", PDF), "indicator": str(indicator.pk)},
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="evidence-ind{indicator.pk}"' in html and "走访记录.pdf" in html
    row = EvidenceFile.objects.get()
    assert row.indicator == indicator
    assert reverse("projects:evidence_download", args=[row.pk]) in html
    assert row.sha256[:12] in html


def test_a_refused_upload_says_why_at_the_field_and_nothing_else_changes(client, world):
    evaluation = world.evaluation
    before = (evaluation.version, evaluation.goal_actual, evaluation.updated_at)
    client.force_login(world.carol)
    fund_line = world.fund_line
    response = client.post(
        _attach_url(world),
        {"file": upload("程序.exe", b"MZ"), "fund_line": str(fund_line.pk)},
        headers=HX,
    )
    html = response.content.decode()
    # the block of that fund line only, with the message beside its control: the page's other
    # fields are not in the answer, so nothing the filer typed is replaced
    assert response.status_code == 422
    assert f'id="evidence-fund{fund_line.pk}"' in html and "evidence-error" in html
    assert "不支持文件“程序.exe”的格式" in html and "filing-form" not in html
    evaluation.refresh_from_db()
    assert (evaluation.version, evaluation.goal_actual, evaluation.updated_at) == before
    assert not EvidenceFile.objects.exists()


def test_without_javascript_an_upload_returns_to_the_form_with_a_message(client, world):
    client.force_login(world.carol)
    response = client.post(_attach_url(world), {"file": upload("总结.pdf", PDF)}, follow=True)
    assert response.redirect_chain[-1][0].endswith(
        reverse("projects:evaluation_edit", args=[world.evaluation.pk]) + "#evidence-report"
    )
    html = response.content.decode()
    assert "已上传佐证材料“总结.pdf”" in html and "总结.pdf" in html
    response = client.post(_attach_url(world), {}, follow=True)
    assert "请选择要上传的文件。" in response.content.decode()


def test_the_filer_removes_a_file_and_its_bytes_leave_storage(
    client, world, django_capture_on_commit_callbacks
):
    row = world.attach(indicator=world.indicator)
    storage = row.file.storage
    name = row.file.name
    assert storage.exists(name)
    client.force_login(world.carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:evidence_remove", args=[row.pk]), headers=HX)
    assert response.status_code == 200 and f'id="evidence-ind{world.indicator.pk}"' in (
        response.content.decode()
    )
    assert not EvidenceFile.objects.exists() and not storage.exists(name)


def test_the_form_keeps_upload_controls_out_of_the_filing_form(client, world):
    """The controls post to their own forms (outside #filing-form): saving the filing never
    posts a file, and uploading a file never posts (or loses) the filing's fields."""
    client.force_login(world.carol)
    html = client.get(reverse("projects:evaluation_edit", args=[world.evaluation.pk])).content
    html = html.decode()
    form_end = html.index("</form>", html.index('id="filing-form"'))
    for indicator in world.evaluation.project.indicators.all():
        control = f'form="evf-ind{indicator.pk}"'
        assert control in html[:form_end]
        assert f'<form id="evf-ind{indicator.pk}"' in html[form_end:]
    assert 'id="evidence-panel"' in html[form_end:] and '<form id="evf-report"' in html
    for line in world.evaluation.project.fund_lines.all():
        assert f'<form id="evf-fund{line.pk}"' in html
