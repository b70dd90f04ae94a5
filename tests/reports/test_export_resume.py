"""The region export copies stored documents, fails a job whose worker died, and resumes it."""

from __future__ import annotations

import datetime
import io
import zipfile

from django.urls import reverse
from django.utils import timezone

from reports import pdf
from reports.models import ExportJob, StoredDocument
from reports.services import export_job_run
from reports.stored import documents


def _start(client, user, region, year=2024):
    client.force_login(user)
    return client.post(reverse("reports:region_export"), {"region": region.pk, "year": year})


def _names(client, job) -> list[str]:
    download = client.get(reverse("reports:export_job_download", args=[job.pk]))
    assert download.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()


def test_export_copies_stored_final_documents_and_renders_only_drafts(
    client, personas, kfq_department, monkeypatch
):
    documents.refresh([e.pk for e in kfq_department.values()])  # what the worker did at approval
    stored_car = StoredDocument.objects.get(
        slot=f"evaluation/{kfq_department['car'].pk}/table-万元.pdf"
    )
    laid_out = []
    real = pdf.html_to_document
    monkeypatch.setattr(pdf, "html_to_document", lambda html: laid_out.append(html) or real(html))

    _start(client, personas.frank, personas.region)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.message
    # the draft's 自评表 is rendered here; no final project's 自评表 is rendered again
    titles = [html.split("<title>")[1].split("</title>")[0] for html in laid_out]
    assert "项目支出绩效自评表 工会活动经费" in titles
    for final in ("公车采购项目", "审计、评估等相关费用", "武装工作经费"):
        assert f"项目支出绩效自评表 {final}" not in titles

    download = client.get(reverse("reports:export_job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    car = next(n for n in archive.namelist() if "公车采购项目" in n and n.endswith(".pdf"))
    with stored_car.file.open("rb") as handle:
        assert archive.read(car) == handle.read()  # the very file that was published


def test_a_job_whose_worker_died_is_failed_and_can_be_resumed(client, personas, kfq_department):
    job = ExportJob.objects.create(
        region=personas.region,
        year=2024,
        requested_by=personas.frank,
        status=ExportJob.Status.RUNNING,
        total=10,
        done=3,
    )
    ExportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - ExportJob.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    client.force_login(personas.frank)
    page = client.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "后台任务进程已中断" in page and "继续导出" in page

    # another region's finance reviewer can neither see nor resume it
    client.force_login(personas.other_region_finance)
    response = client.post(reverse("reports:export_job_resume", args=[job.pk]))
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED

    client.force_login(personas.frank)
    response = client.post(reverse("reports:export_job_resume", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    # the test settings run the task at once: the resumed job finished
    assert job.status == ExportJob.Status.DONE and job.attempts == 1 and job.done == job.total
    assert any(n.endswith(".pdf") for n in _names(client, job))


def test_a_live_job_is_not_failed(client, personas, kfq_department):
    job = ExportJob.objects.create(
        region=personas.region,
        year=2024,
        requested_by=personas.frank,
        status=ExportJob.Status.RUNNING,
        heartbeat_at=timezone.now(),
    )
    client.force_login(personas.frank)
    client.get(reverse("reports:export_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING


def test_a_finished_job_cannot_be_resumed(client, personas, kfq_department):
    _start(client, personas.frank, personas.region)
    job = ExportJob.objects.get()
    response = client.post(reverse("reports:export_job_resume", args=[job.pk]), follow=True)
    assert "只有失败的导出可以继续" in response.content.decode()
    export_job_run(job_id=job.pk)  # running it again (as a resume does) writes a fresh zip
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2
