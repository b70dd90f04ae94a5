"""Rendered documents are stored files: public downloads never render, validators answer 304,
a department that did not change is not laid out again, drafts render within a per-user limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_tasks import task_backends

from projects.models import EvaluationStatus
from projects.review.services.workflow import evaluation_publish, evaluation_reopen
from reports import pdf
from reports.models import StoredDocument
from reports.stored import documents
from tests.reports import pdftools

NO_WORKER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def layouts(monkeypatch):
    """Count WeasyPrint layouts (every PDF, and every package part, is one)."""
    calls = []
    real = pdf.html_to_document

    def counting(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_document", counting)
    return calls


def _package_url(personas):
    return reverse(
        "publication_department_pdf", args=[personas.region.code, 2024, personas.department_b.code]
    )


def _worker_runs(evaluations):
    """What the task worker does after a workflow step."""
    return documents.refresh([e.pk for e in evaluations])


def test_public_package_is_never_rendered_in_the_request(
    client, personas, kfq_department, settings, layouts
):
    settings.TASKS = NO_WORKER
    response = client.get(_package_url(personas))
    # no worker has run: the reader is told to wait, and nothing was laid out
    assert response.status_code == 202
    assert response["Retry-After"] == "5"
    assert "文件正在生成" in response.content.decode()
    assert layouts == []
    # the render was queued for the worker, once however often the page is asked
    client.get(_package_url(personas))
    queued = [r.task.name for r in task_backends["default"].results]
    assert queued == ["store_documents"]

    # the worker renders; downloads then serve the stored file and still lay nothing out
    _worker_runs(kfq_department.values())
    layouts.clear()
    response = client.get(_package_url(personas))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert layouts == []
    stored = StoredDocument.objects.get(slot__endswith="/public/package-万元.pdf")
    assert response["ETag"] == f'"{stored.sha256}"'
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    text = "".join(pdftools.pages_text(response.content))
    assert "公车采购项目" in text and "工会活动经费" not in text  # published only


def test_a_repeat_with_the_etag_gets_304_without_a_body(client, personas, kfq_department):
    _worker_runs(kfq_department.values())
    first = client.get(_package_url(personas))
    again = client.get(_package_url(personas), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    other = client.get(_package_url(personas), HTTP_IF_NONE_MATCH='"0000"')
    assert other.status_code == 200 and other.content == first.content


def test_four_anonymous_downloads_read_the_same_stored_file(client, personas, kfq_department):
    _worker_runs(kfq_department.values())
    bodies = {client.get(_package_url(personas)).content for _ in range(4)}
    assert len(bodies) == 1


def test_a_reopened_filing_leaves_the_public_package_at_once(
    client, personas, kfq_department, settings, django_capture_on_commit_callbacks
):
    _worker_runs(kfq_department.values())
    before = client.get(_package_url(personas))
    assert "公车采购项目" in "".join(pdftools.pages_text(before.content))

    settings.TASKS = NO_WORKER
    evaluation_reopen(evaluation=kfq_department["car"], user=personas.frank, reason="数据有误")
    # the stored package prints a filing that is no longer public: it is not served
    waiting = client.get(_package_url(personas))
    assert waiting.status_code == 202

    _worker_runs([kfq_department["car"]])
    after = client.get(_package_url(personas))
    assert after.status_code == 200
    text = "".join(pdftools.pages_text(after.content))
    assert "公车采购项目" not in text and "审计、评估等相关费用" in text


def test_publishing_queues_the_refresh_and_the_worker_stores_the_new_state(
    client, personas, kfq_department, django_capture_on_commit_callbacks, monkeypatch
):
    militia = kfq_department["militia"]
    monkeypatch.setattr(
        "projects.review.services.workflow.report_findings", lambda *a, **k: []
    )  # the seed's report text is checked elsewhere; here only the documents matter
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_publish(evaluation=militia, user=personas.frank)
    # the (immediate) task ran after the commit: the filing's own documents are stored
    slots = set(StoredDocument.objects.filter(evaluation=militia).values_list("slot", flat=True))
    assert slots == {
        f"evaluation/{militia.pk}/table-万元.pdf",
        f"evaluation/{militia.pk}/table-万元.xlsx",
        f"evaluation/{militia.pk}/report-万元.pdf",
    }
    # and the department's public package now holds it
    stored = StoredDocument.objects.get(slot__endswith="/public/package-万元.pdf")
    assert militia.pk in stored.members
    response = client.get(reverse("publication_evaluation_pdf", args=[militia.pk]))
    assert response.status_code == 200
    assert "已公开" in "".join(pdftools.pages_text(response.content))


def test_an_unchanged_department_is_not_laid_out_again(personas, kfq_department, layouts):
    assert _worker_runs(kfq_department.values()) > 0
    layouts.clear()
    assert _worker_runs(kfq_department.values()) == 0
    assert layouts == []


def test_a_changed_department_lays_out_only_the_changed_part(
    personas, kfq_department, layouts, monkeypatch
):
    monkeypatch.setattr("reports.stored.package_pdf.PART_SIZE", 1)  # a part per document
    _worker_runs(kfq_department.values())
    public = StoredDocument.objects.get(slot__endswith="/public/package-万元.pdf")
    car = kfq_department["car"]
    car.status = EvaluationStatus.APPROVED  # left the public set (as a reopen would)
    car.published_at = None
    car.save()
    layouts.clear()
    documents.store(documents.DocumentKey(**_key_of(public)))
    package_layouts = [h for h in layouts if "pkg-doc" in h]
    refreshed = StoredDocument.objects.get(pk=public.pk)
    # what names the project list (the report, the summary) is laid out again; the audit
    # project's own 自评表 is not, it did not change
    documents_now = 4  # department report, 部门整体 table, summary, the audit project's table
    assert 1 <= len(package_layouts) < documents_now
    assert not any(
        "项目支出绩效自评表" in h and "审计、评估等相关费用" in h and "汇总表" not in h
        for h in package_layouts
    )
    assert car.pk not in refreshed.members and refreshed.sha256 != public.sha256


def _key_of(stored: StoredDocument) -> dict:
    return {
        "kind": "package",
        "fmt": "pdf",
        "department_id": stored.department_id,
        "year": stored.year,
        "audience": stored.audience,
    }


def test_signed_in_final_download_is_the_stored_file(client, personas, kfq_department, layouts):
    militia = kfq_department["militia"]  # approved, not published
    _worker_runs([militia])
    client.force_login(personas.frank)
    layouts.clear()
    response = client.get(reverse("reports:evaluation_table_pdf", args=[militia.pk]))
    assert response.status_code == 200 and layouts == []
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    again = client.get(
        reverse("reports:evaluation_table_pdf", args=[militia.pk]),
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304
    # not public until published
    public = client.get(reverse("publication_evaluation_pdf", args=[militia.pk]))
    assert public.status_code == 404


def test_drafts_render_on_demand_within_the_users_limit(client, personas, kfq_department, settings):
    union = kfq_department["union"]  # a draft
    client.force_login(personas.bob)
    url = reverse("reports:evaluation_table_pdf", args=[union.pk])
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "草稿" in "".join(pdftools.pages_text(response.content))
    assert not StoredDocument.objects.filter(evaluation=union).exists()  # never kept

    # two renders of this user's already running: the third waits its turn
    cache.set(f"document-renders:{personas.bob.pk}", settings.DOCUMENT_RENDER_LIMIT, 60)
    busy = client.get(url)
    assert busy.status_code == 429
    assert "正在生成" in busy.content.decode()
    # another user is not held up by bob's renders
    client.force_login(personas.frank)
    assert client.get(url).status_code == 200


def test_another_departments_reviewer_gets_404_and_nothing_is_stored(
    client, personas, kfq_department
):
    militia = kfq_department["militia"]
    client.force_login(personas.dora)  # department A; militia belongs to department B
    for name in ("reports:evaluation_table_pdf", "reports:evaluation_report_pdf"):
        assert client.get(reverse(name, args=[militia.pk])).status_code == 404
    assert not StoredDocument.objects.exists()
    url = reverse("reports:department_package", args=[personas.department_b.pk, 2024])
    assert client.get(url).status_code == 404
    assert not StoredDocument.objects.exists()


def test_public_year_csv_is_built_once_per_state_of_the_publications(
    client, personas, kfq_department, django_assert_max_num_queries
):
    url = reverse("publication_year_csv", args=[2024])
    first = client.get(url)
    assert first.status_code == 200 and "公车采购项目" in first.content.decode("utf-8-sig")
    # a repeat reads the cache: one aggregate query, whatever the number of rows
    with django_assert_max_num_queries(1):
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    car = kfq_department["car"]  # withdrawn from publication
    car.status = EvaluationStatus.APPROVED
    car.save()
    after = client.get(url)
    assert "公车采购项目" not in after.content.decode("utf-8-sig")
    assert after["ETag"] != first["ETag"]


def test_store_documents_command_fills_the_store_for_final_filings_only(
    personas, kfq_department, settings
):
    from django.core.management import call_command

    call_command("store_documents", "--region", personas.region.code, "--year", "2024")
    by_evaluation = set(
        StoredDocument.objects.exclude(evaluation=None).values_list("evaluation", flat=True)
    )
    final = {kfq_department[k].pk for k in ("overall", "car", "audit", "militia")}
    assert by_evaluation == final  # the draft (工会活动经费) has no stored document
    # a second run finds everything current
    before = dict(StoredDocument.objects.values_list("slot", "rendered_at"))
    call_command("store_documents")
    assert dict(StoredDocument.objects.values_list("slot", "rendered_at")) == before

    settings.TASKS = NO_WORKER
    call_command("store_documents", "--queue")
    assert [r.task.name for r in task_backends["default"].results] == ["refresh_documents"]
