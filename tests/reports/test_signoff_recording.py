"""Sign-off at approval and publication: the stored 自评表 / 自评报告 carries a verification code
in its footer, and the record holds the SHA-256 of exactly the bytes stored (issue 17)."""

from __future__ import annotations

import hashlib
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from projects.models import EvaluationStatus
from projects.review.services.workflow import (
    evaluation_finance_approve,
    evaluation_publish,
    evaluation_reopen,
)
from reports.models import SignOff, StoredDocument
from reports.stored import documents
from reports.stored.signoff import new_code, normalize_code
from tests.reports import pdftools

CODE = re.compile(r"验证码：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


@pytest.fixture
def no_report_checks(monkeypatch):
    """The seed's report text is checked elsewhere; here only the documents matter."""
    monkeypatch.setattr("projects.review.services.workflow.report_findings", lambda *a, **k: [])


def _stored_bytes(stored: StoredDocument) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()


def test_codes_are_twelve_crockford_characters_and_read_back_as_typed():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(
            r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code
        )
        assert normalize_code(code.lower().replace("-", " ")) == code
    assert normalize_code("o1il-0000-abcd") == "0111-0000-ABCD"
    for bad in (
        "",
        "ABCD-EFGH-JKM",
        "ABCD-EFGH-JKMNP",
        "ABCD-EFGH-JKMU",
        "验证码验证码验证码验证码",
    ):
        assert normalize_code(bad) is None


def test_approval_signs_each_of_the_filings_own_documents(personas, kfq_department):
    militia = kfq_department["militia"]  # approved, not published
    documents.refresh([militia.pk])
    signoffs = {s.slot: s for s in SignOff.objects.filter(evaluation=militia)}
    assert set(signoffs) == {
        f"evaluation/{militia.pk}/table-万元.pdf",
        f"evaluation/{militia.pk}/table-万元.xlsx",
        f"evaluation/{militia.pk}/report-万元.pdf",
    }
    for signoff in signoffs.values():
        stored = StoredDocument.objects.get(slot=signoff.slot)
        content = _stored_bytes(stored)
        assert signoff.document == stored
        assert signoff.sha256 == stored.sha256 == hashlib.sha256(content).hexdigest()
        assert signoff.step == SignOff.Step.APPROVAL
        assert signoff.approved_at == militia.approved_at and signoff.published_at is None
        assert signoff.superseded_by is None
    # the code is printed on every page of the PDFs and in the workbook's status line
    for slot in (
        f"evaluation/{militia.pk}/table-万元.pdf",
        f"evaluation/{militia.pk}/report-万元.pdf",
    ):
        pages = pdftools.pages_text(_stored_bytes(StoredDocument.objects.get(slot=slot)))
        code = signoffs[slot].code
        assert all(f"验证码：{code}" in page for page in pages), slot
    workbook = openpyxl.load_workbook(
        io.BytesIO(_stored_bytes(StoredDocument.objects.get(slot__endswith="table-万元.xlsx")))
    )
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]
    xlsx_code = signoffs[f"evaluation/{militia.pk}/table-万元.xlsx"].code
    assert any(f"验证码：{xlsx_code}" in c for c in cells)
    assert len({s.code for s in signoffs.values()}) == 3


def test_publishing_signs_the_published_pdf_and_its_code_is_printed(
    client, personas, kfq_department, django_capture_on_commit_callbacks, no_report_checks
):
    militia = kfq_department["militia"]
    documents.refresh([militia.pk])
    approval = SignOff.objects.get(slot=f"evaluation/{militia.pk}/table-万元.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_publish(evaluation=militia, user=personas.frank)
    militia.refresh_from_db()
    response = client.get(reverse("publication_evaluation_pdf", args=[militia.pk]))
    assert response.status_code == 200
    text = pdftools.text(response.content)
    printed = CODE.findall(text)
    published = SignOff.objects.get(
        slot=f"evaluation/{militia.pk}/table-万元.pdf", step=SignOff.Step.PUBLICATION
    )
    assert set(printed) == {published.code}
    assert published.sha256 == hashlib.sha256(response.content).hexdigest()
    assert published.published_at == militia.published_at
    # the copy signed at approval is still a true copy of the same approval
    approval.refresh_from_db()
    assert approval.superseded_by is None and approval.code != published.code


def test_a_draft_carries_no_code_and_is_never_signed(client, personas, kfq_department):
    union = kfq_department["union"]  # a draft
    client.force_login(personas.bob)
    for name in ("reports:evaluation_table_pdf", "reports:evaluation_report_pdf"):
        response = client.get(reverse(name, args=[union.pk]))
        assert response.status_code == 200
        text = pdftools.text(response.content)
        assert "草稿" in text and "验证码" not in text
    documents.refresh([union.pk])
    assert not SignOff.objects.filter(evaluation=union).exists()


def test_a_render_that_is_not_stored_prints_no_code(personas, kfq_department):
    militia = kfq_department["militia"]
    rendered = documents.render(documents.DocumentKey("table", "pdf", evaluation_id=militia.pk))
    assert "验证码" not in pdftools.text(rendered.content)
    assert not SignOff.objects.exists()


def test_department_documents_are_not_signed_on_their_own(personas, kfq_department):
    documents.refresh([e.pk for e in kfq_department.values()])
    assert not SignOff.objects.filter(slot__startswith="department/").exists()
    package = StoredDocument.objects.get(slot__endswith="/public/package-万元.pdf")
    assert not SignOff.objects.filter(document=package).exists()


def test_reopening_and_approving_again_supersedes_the_old_code(
    personas, kfq_department, django_capture_on_commit_callbacks, no_report_checks
):
    car = kfq_department["car"]  # published
    documents.refresh([car.pk])
    slot = f"evaluation/{car.pk}/table-万元.pdf"
    old = SignOff.objects.get(slot=slot)
    assert old.step == SignOff.Step.PUBLICATION

    with django_capture_on_commit_callbacks(execute=True):
        evaluation_reopen(evaluation=car, user=personas.frank, reason="数据有误")
    # the stored document is gone (no longer final); its sign-off stays on record
    assert not StoredDocument.objects.filter(slot=slot).exists()
    old.refresh_from_db()
    assert old.document is None and old.superseded_by is None

    car.refresh_from_db()
    car.status = EvaluationStatus.DEPARTMENT_APPROVED  # resubmitted and through the department
    car.save()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_finance_approve(evaluation=car, user=personas.frank)
    new = SignOff.objects.get(slot=slot, superseded_by=None)
    old.refresh_from_db()
    assert new.code != old.code and new.step == SignOff.Step.APPROVAL
    assert old.superseded_by == new and old.superseded_at is not None
    stored = StoredDocument.objects.get(slot=slot)
    assert set(CODE.findall(pdftools.text(_stored_bytes(stored)))) == {new.code}
