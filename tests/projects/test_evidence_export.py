"""The region's export holds every 佐证材料 file of its filings, with a manifest of SHA-256s."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage

from reports.models import ExportJob
from reports.services import export_job_run
from tests.projects.evidence_support import PDF, PNG, make_world
from tests.projects.test_review_support import fast_password_hashing  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def test_the_region_export_contains_the_files_and_their_sha256(world_export):
    world, archive = world_export
    names = archive.namelist()
    department = world.personas.department_a.name
    folder = f"{department}/佐证材料/区政务服务中心运行经费"
    assert f"{folder}/验收报告.pdf" in names and f"{folder}/现场照片.png" in names
    assert archive.read(f"{folder}/验收报告.pdf") == PDF
    assert archive.read(f"{folder}/现场照片.png") == PNG

    manifest = archive.read("佐证材料清单.csv").decode("utf-8-sig")
    rows = {r["文件"]: r for r in csv.DictReader(io.StringIO(manifest))}
    assert set(rows) == {f"{folder}/验收报告.pdf", f"{folder}/现场照片.png"}
    for path, row in rows.items():
        assert row["SHA-256"] == hashlib.sha256(archive.read(path)).hexdigest()
    assert rows[f"{folder}/现场照片.png"]["所附"] == "指标：走访企业数量"
    assert rows[f"{folder}/验收报告.pdf"]["所附"] == "自评整体"
    assert rows[f"{folder}/验收报告.pdf"]["上传人"] == "carol"

    # the export's own list names them too, with the hash
    listing = archive.read("清单.csv").decode("utf-8-sig")
    lines = [r for r in csv.DictReader(io.StringIO(listing)) if r["文件类型"] == "佐证材料"]
    assert {r["文件"] for r in lines} == set(rows)
    assert all(f"SHA-256：{rows[r['文件']]['SHA-256']}" in r["说明"] for r in lines)


@pytest.fixture
def world_export(personas):
    world = make_world(personas)
    world.attach(name="验收报告.pdf")
    world.attach(name="现场照片.png", content=PNG, indicator=world.indicator)
    job = ExportJob.objects.create(region=personas.region, year=2023, requested_by=personas.frank)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.message
    with default_storage.open(job.file_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return world, archive
