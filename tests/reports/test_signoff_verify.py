"""The public verification page: a printed code, or an uploaded copy, against the sign-offs.
Anonymous, in Chinese, throttled, and never a 500 whatever is sent (issue 17)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import EvaluationStatus
from projects.review.services.workflow import evaluation_publish, evaluation_reopen
from reports.models import SignOff
from reports.stored import documents
from tests.reports import pdftools

URL = "/public/verify/"
CODE = re.compile(r"验证码：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the lookup allowance is counted in the cache
    yield
    cache.clear()


@pytest.fixture
def published_pdf(
    client, personas, kfq_department, django_capture_on_commit_callbacks, monkeypatch
):
    """The approved 民兵 filing, published through the workflow; its public PDF as downloaded."""
    monkeypatch.setattr("projects.review.services.workflow.report_findings", lambda *a, **k: [])
    militia = kfq_department["militia"]
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_publish(evaluation=militia, user=personas.frank)
    response = client.get(reverse("publication_evaluation_pdf", args=[militia.pk]))
    assert response.status_code == 200
    return response.content


def _page(response) -> str:
    return response.content.decode()


def test_the_url_is_public_verify():
    assert reverse("publication_verify") == URL


def test_the_page_opens_anonymously_in_chinese(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    page = _page(response)
    assert "文件核验" in page and "验证码" in page and "上传文件核验" in page
    assert 'id="verify-result"' not in page


def test_a_published_pdfs_code_verifies_on_the_public_page(
    client, personas, kfq_department, published_pdf, django_assert_max_num_queries
):
    (code,) = set(CODE.findall(pdftools.text(published_pdf)))
    militia = kfq_department["militia"]
    with django_assert_max_num_queries(2):
        response = client.get(URL, {"code": code.lower()})
    assert response.status_code == 200
    page = _page(response)
    assert "验证码有效" in page and "已公开" in page
    signoff = SignOff.objects.get(code=code)
    assert signoff.sha256 in page
    assert militia.project.name in page and personas.unit_b.name in page and "2024" in page
    assert reverse("publication_evaluation_pdf", args=[militia.pk]) in page
    assert "绩效自评表（PDF）" in page and "签发环节" in page


def test_uploading_the_same_pdf_verifies_and_one_changed_byte_does_not(
    client, kfq_department, published_pdf
):
    response = client.post(
        URL, {"document": SimpleUploadedFile("自评表.pdf", published_pdf, "application/pdf")}
    )
    assert response.status_code == 200
    page = _page(response)
    assert "核验通过：该文件与签发记录完全一致" in page
    assert kfq_department["militia"].project.name in page

    changed = bytearray(published_pdf)
    middle = len(changed) // 2
    changed[middle] = (changed[middle] + 1) % 256
    response = client.post(
        URL, {"document": SimpleUploadedFile("自评表.pdf", bytes(changed), "application/pdf")}
    )
    assert response.status_code == 200
    page = _page(response)
    assert "核验未通过" in page and "核验通过：" not in page
    assert kfq_department["militia"].project.name not in page


def test_an_unpublished_documents_code_says_only_that_it_was_approved(
    client, personas, kfq_department
):
    militia = kfq_department["militia"]  # approved, not published
    documents.refresh([militia.pk])
    signoff = SignOff.objects.get(slot=f"evaluation/{militia.pk}/table-万元.pdf")
    page = _page(client.get(URL, {"code": signoff.code}))
    assert "验证码有效" in page and "审核通过，尚未公开" in page
    assert "本页不显示文件内容" in page
    assert militia.project.name not in page and personas.unit_b.name not in page
    assert reverse("publication_evaluation_pdf", args=[militia.pk]) not in page


def test_the_old_code_of_a_reopened_and_reapproved_filing_reports_it_was_superseded(
    client, personas, kfq_department, django_capture_on_commit_callbacks
):
    car = kfq_department["car"]  # published
    documents.refresh([car.pk])
    old = SignOff.objects.get(slot=f"evaluation/{car.pk}/table-万元.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_reopen(evaluation=car, user=personas.frank, reason="数据有误")
    page = _page(client.get(URL, {"code": old.code}))
    assert "已失效" in page and car.project.name not in page

    car.refresh_from_db()
    car.status = EvaluationStatus.PUBLISHED  # approved and published again
    car.approved_at = car.published_at = car.updated_at
    car.save()
    documents.refresh([car.pk])
    page = _page(client.get(URL, {"code": old.code}))
    assert "已被新版本取代" in page
    assert "下载当前公开的版本" in page  # the new copy is public: point at it
    new = SignOff.objects.get(slot=old.slot, superseded_by=None)
    assert "验证码有效" in _page(client.get(URL, {"code": new.code}))


def test_an_unknown_code_gets_a_clear_message(client, db):
    response = client.get(URL, {"code": "7Q4M-K2ZD-9XHC"})
    assert response.status_code == 200
    assert "未找到验证码 7Q4M-K2ZD-9XHC 对应的文件" in _page(response)


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "请输入验证码"),
        ("12345", "验证码格式不正确"),
        ("UUUU-UUUU-UUUU", "验证码格式不正确"),
        ("验证码", "验证码格式不正确"),
        ("x" * 500, "验证码过长"),
        ("ABCD\x00EFGH-JKMN", "空字符"),
        ("'; DROP TABLE reports_signoff; --", "验证码格式不正确"),
    ],
)
def test_garbage_codes_get_a_message_at_the_field(client, db, code, message):
    response = client.get(URL, {"code": code})
    assert response.status_code == 200
    page = _page(response)
    assert message in page and "is-invalid" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"document": "不是文件"},
        {"document": SimpleUploadedFile("empty.pdf", b"", "application/pdf")},
        {"document": SimpleUploadedFile("junk.bin", b"\x00\xff" * 1000, "application/pdf")},
        {"document": SimpleUploadedFile("垃圾.pdf", "%PDF-1.7 中文".encode(), "text/plain")},
    ],
)
def test_garbage_uploads_never_give_a_500(client, db, data):
    response = client.post(URL, data)
    assert response.status_code == 200
    page = _page(response)
    assert ("请选择要核验的文件" in page) or ("为空" in page) or ("核验未通过" in page)


def test_an_upload_over_the_size_limit_is_refused_at_the_field(client, db, settings):
    settings.SIGNOFF_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (1024 * 1024), "application/pdf")
    page = _page(client.post(URL, {"document": big}))
    assert "文件过大" in page and "核验结果" not in page


def test_other_methods_are_refused_not_crashed(client, db):
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_guessing_is_throttled_per_address(client, db, settings):
    settings.SIGNOFF_VERIFY_LIMIT = 3
    for _ in range(3):
        assert client.get(URL, {"code": "7Q4M-K2ZD-9XHC"}).status_code == 200
    throttled = client.get(URL, {"code": "7Q4M-K2ZD-9XHD"})
    assert throttled.status_code == 429
    assert "查询过于频繁" in _page(throttled) and "未找到验证码" not in _page(throttled)
    assert client.post(URL, {}).status_code == 429
    # another address is not held up, and the bare page still opens
    assert client.get(URL, {"code": "7Q4M-K2ZD-9XHC"}, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get(URL).status_code == 200


def test_behind_the_proxy_the_address_it_appended_is_counted(client, db, settings):
    settings.SIGNOFF_VERIFY_LIMIT = 1
    settings.BEHIND_PROXY = True
    first = {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.5"}
    assert client.get(URL, {"code": "7Q4M-K2ZD-9XHC"}, **first).status_code == 200
    assert client.get(URL, {"code": "7Q4M-K2ZD-9XHC"}, **first).status_code == 429
    # a client cannot dodge the count by claiming another address in front of the proxy's
    spoofed = {"HTTP_X_FORWARDED_FOR": "9.9.9.9, 203.0.113.5"}
    assert client.get(URL, {"code": "7Q4M-K2ZD-9XHC"}, **spoofed).status_code == 429
    other = {"HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    assert client.get(URL, {"code": "7Q4M-K2ZD-9XHC"}, **other).status_code == 200


def test_a_signed_in_user_of_another_department_learns_no_more_than_the_public(
    client, personas, kfq_department
):
    militia = kfq_department["militia"]  # department B, approved, not published
    documents.refresh([militia.pk])
    signoff = SignOff.objects.get(slot=f"evaluation/{militia.pk}/table-万元.pdf")
    before = SignOff.objects.values_list("pk", "code", "superseded_by", "document").order_by("pk")
    before = list(before)
    client.force_login(personas.dora)  # reviewer of department A
    page = _page(client.get(URL, {"code": signoff.code}))
    assert "审核通过，尚未公开" in page and militia.project.name not in page
    # a look-up changes nothing
    after = SignOff.objects.values_list("pk", "code", "superseded_by", "document").order_by("pk")
    assert list(after) == before


def test_an_observer_checks_by_code_and_is_offered_no_upload_form(client, personas, kfq_department):
    from projects.models import Membership
    from tests import factories as f

    rita = f.UserFactory(username="rita")
    f.membership(rita, Membership.Role.OBSERVER, region=personas.region)
    client.force_login(rita)
    page = _page(client.get(URL))
    assert 'enctype="multipart/form-data"' not in page and "监督查看账号只能查看" in page
    response = client.get(URL, {"code": "7Q4M-K2ZD-9XHC"})
    assert response.status_code == 200 and "未找到验证码" in _page(response)
