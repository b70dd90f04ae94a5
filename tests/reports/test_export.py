"""The region export: a background task with visible progress and a zip to download."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from reports import renderers
from reports.models import ExportJob


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def region_2023(business_env, work_funds, urumqi_overall):
    """Two departments of the region with evaluations of 2023."""
    return business_env, work_funds, urumqi_overall


def _start(client, user, region, year=2023):
    client.force_login(user)
    return client.post(reverse("reports:region_export"), {"region": region.pk, "year": year})


def test_finance_reviewer_exports_the_region_into_a_zip(client, personas, region_2023):
    response = _start(client, personas.frank, personas.region)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:export_job", args=[job.pk]
    )
    # the test settings run tasks immediately; a db_worker does it in production
    assert job.status == ExportJob.Status.DONE and job.percent == 100
    assert job.done == job.total == 2 + 3 + 1  # two departments, three evaluations, the region
    assert job.evaluation_count == 3 and job.requested_by == personas.frank

    page = client.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert "已完成" in page and reverse("reports:export_job_download", args=[job.pk]) in page

    download = client.get(reverse("reports:export_job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    a = personas.department_a.name
    # every filing is a draft: each name says so (tests/reports/test_export_states.py)
    assert f"{a}/{a}_2023年度预算绩效自评资料_草稿.pdf" in names
    assert f"{a}/{a}2023年度项目支出绩效自评结果汇总表_草稿.xlsx" in names
    for stem in ("区创优营商环境服务中心工作经费", "区政府工作经费"):
        assert f"{a}/自评表/2023_{stem}_项目支出绩效自评表_草稿.pdf" in names
        assert f"{a}/自评表/2023_{stem}_项目支出绩效自评表_草稿.xlsx" in names
    assert any(n.endswith("部门整体支出绩效自评表_草稿.pdf") for n in names)
    assert "淮北市相山区_2023年度项目自评汇总_草稿.csv" in names
    csv_text = archive.read("淮北市相山区_2023年度项目自评汇总_草稿.csv").decode("utf-8-sig")
    assert "98.43" in csv_text and "96.12" in csv_text
    csv_rows = list(csv.DictReader(io.StringIO(csv_text)))
    # every subject, the 部门整体 one included, each saying what state it is in
    assert len(csv_rows) == 3 and {r["文件状态"] for r in csv_rows} == {"草稿"}
    assert "部门整体支出" in {r["评价对象类型"] for r in csv_rows}
    assert {r["开放数据（JSON）"] for r in csv_rows} == {""}  # nothing published, no public link
    package = archive.read(f"{a}/{a}_2023年度预算绩效自评资料_草稿.pdf")
    assert package.startswith(b"%PDF")


def test_progress_partial_polls_until_finished(client, personas):
    job = ExportJob.objects.create(
        region=personas.region,
        year=2023,
        requested_by=personas.frank,
        status="running",
        total=10,
        done=3,
        message="已生成 相山区人民政府办公室 的自评资料汇编。",
    )
    client.force_login(personas.frank)
    url = reverse("reports:export_job", args=[job.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "30%" in partial
    assert 'hx-trigger="every 1s"' in partial and f'hx-get="{url}"' in partial
    job.status, job.done = ExportJob.Status.DONE, 10
    job.save()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "100%" in partial


def test_a_failing_export_is_marked_failed_and_leaves_no_file(
    client, personas, region_2023, monkeypatch, settings
):
    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(renderers, "render_package", broken)
    _start(client, personas.frank, personas.region)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and "磁盘已满" in job.message
    assert not list((settings.MEDIA_ROOT / "exports").glob("*.zip"))
    assert client.get(reverse("reports:export_job_download", args=[job.pk])).status_code == 404


def test_department_reviewer_may_not_export_the_region(client, personas, region_2023):
    assert _start(client, personas.dora, personas.region).status_code == 403
    assert client.get(reverse("reports:region_export")).status_code == 403
    assert not ExportJob.objects.exists()


def test_filer_may_not_export_the_region(client, personas, region_2023):
    assert _start(client, personas.alice, personas.region).status_code == 403
    assert not ExportJob.objects.exists()


def test_another_regions_finance_reviewer_gets_404(client, personas, region_2023):
    assert _start(client, personas.other_region_finance, personas.region).status_code == 404
    assert not ExportJob.objects.exists()


def test_jobs_are_visible_only_to_their_regions_finance_bureau(client, personas, region_2023):
    _start(client, personas.frank, personas.region)
    job = ExportJob.objects.get()
    for user in (personas.other_region_finance, personas.dora, personas.alice):
        client.force_login(user)
        assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 404
        url = reverse("reports:export_job_download", args=[job.pk])
        assert client.get(url).status_code == 404


def test_export_page_lists_regions_years_and_jobs(client, personas, region_2023):
    _start(client, personas.frank, personas.region)
    html = client.get(reverse("reports:region_export")).content.decode()
    assert "淮北市相山区" in html and '<option value="2023">' in html
    assert reverse("reports:export_job_download", args=[ExportJob.objects.get().pk]) in html


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_the_export_for_a_worker(
    client, personas, region_2023, settings
):
    from django.core.management import call_command

    # production's backend: the request only queues; a db_worker process renders
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _start(client, personas.frank, personas.region)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED and job.task_id
    page = client.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert "排队中" in page and 'hx-trigger="every 1s"' in page
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.percent == 100


@pytest.mark.django_db(transaction=True)
def test_a_job_no_worker_has_picked_up_says_so_plainly(client, personas, region_2023, settings):
    import datetime

    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _start(client, personas.frank, personas.region)
    job = ExportJob.objects.get()
    url = reverse("reports:export_job", args=[job.pk])
    fresh = client.get(url).content.decode()
    assert "没有后台任务进程" not in fresh  # a worker takes a job within a second or two

    ExportJob.objects.filter(pk=job.pk).update(
        created_at=job.created_at - datetime.timedelta(seconds=30)
    )
    stale = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "仍没有后台任务进程接手" in stale and "db_worker" in stale
    assert 'hx-trigger="every 5s"' in stale  # keeps watching, less often

    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    done = client.get(url).content.decode()
    assert "已完成" in done and "没有后台任务进程" not in done
