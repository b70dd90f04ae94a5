"""The region export says per file what state it is in (issue: "The region export zip mixes
待财政审核 and unpublished filings with published ones"): every member's name carries its state,
清单.csv lists each file with its project, unit, state, approving body and dates, and the package
that may go to the public holds published filings only."""

import csv
import datetime
import io
import zipfile
import zoneinfo

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus
from reports.models import ExportJob
from tests.reports import pdftools

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
APPROVED_AT = datetime.datetime(2024, 5, 20, 10, 0, tzinfo=SHANGHAI)
PUBLISHED_AT = datetime.datetime(2024, 6, 1, 9, 30, tzinfo=SHANGHAI)
LABELS = ("已公开", "审核通过", "未审核", "草稿")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _set(evaluation, status, approved_at=None, published_at=None):
    evaluation.status, evaluation.approved_at, evaluation.published_at = (
        status,
        approved_at,
        published_at,
    )
    evaluation.save()


@pytest.fixture
def mixed_region(personas, business_env, work_funds, urumqi_overall):
    """Department A: one filing published, one 待财政审核; department B: its 部门整体 approved."""
    _set(business_env, EvaluationStatus.PUBLISHED, APPROVED_AT, PUBLISHED_AT)
    _set(work_funds, EvaluationStatus.DEPARTMENT_APPROVED)
    _set(urumqi_overall, EvaluationStatus.APPROVED, APPROVED_AT)


def _export(client, personas) -> zipfile.ZipFile:
    client.force_login(personas.frank)
    client.post(reverse("reports:region_export"), {"region": personas.region.pk, "year": 2023})
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.message
    download = client.get(reverse("reports:export_job_download", args=[job.pk]))
    return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def test_every_member_of_the_export_says_its_state(client, personas, mixed_region):
    archive = _export(client, personas)
    names = archive.namelist()
    a, b = personas.department_a.name, personas.department_b.name
    table = "项目支出绩效自评表"
    for ext in ("pdf", "xlsx"):
        assert f"{a}/自评表/2023_区创优营商环境服务中心工作经费_{table}_已公开.{ext}" in names
        assert f"{a}/自评表/2023_区政府工作经费_{table}_未审核.{ext}" in names
        assert (
            f"{b}/自评表/2023_{personas.unit_b.name}_部门整体支出绩效自评表_审核通过.{ext}" in names
        )
    for name in names:
        if name != "清单.csv":
            assert any(name.rsplit(".", 1)[0].endswith(f"_{label}") for label in LABELS), name

    # The printed file agrees with its name.
    pending = pdftools.text(archive.read(f"{a}/自评表/2023_区政府工作经费_{table}_未审核.pdf"))
    assert "未审核（待财政审核），不作为正式文件" in pending


def test_the_public_package_holds_published_filings_only(client, personas, mixed_region):
    archive = _export(client, personas)
    names = archive.namelist()
    a, b = personas.department_a.name, personas.department_b.name
    public = pdftools.text(archive.read(f"{a}/{a}_2023年度预算绩效自评资料_已公开.pdf"))
    assert "区创优营商环境服务中心工作经费" in public and "98.43" in public
    assert "区政府工作经费" not in public and "96.12" not in public
    assert "未审核" not in public and "草稿" not in public
    assert "公开日期：2024年6月1日" in public

    # The bureau's complete copy is there too, named and watermarked by its weakest filing.
    complete = pdftools.pages_text(archive.read(f"{a}/{a}_2023年度预算绩效自评资料_未审核.pdf"))
    assert "区政府工作经费" in "".join(complete)
    assert all("未审核" in page for page in complete)
    assert "未审核（待财政审核），不作为正式文件" in complete[0]  # the cover's footer
    # each part's footer names its own state: the published table's page says so
    header = "项目支出绩效自评表（2023年度）项目名称"
    published_page = next(p for p in complete if p.startswith(f"{header}区创优营商环境"))
    assert "已公开·审核机关：淮北市相山区财政局" in published_page
    pending_page = next(p for p in complete if p.startswith(f"{header}区政府工作经费"))
    assert "未审核（待财政审核），不作为正式文件" in pending_page
    # Department B has nothing published: no package for the public at all.
    assert not any(n.startswith(f"{b}/") and n.endswith("资料_已公开.pdf") for n in names)
    assert f"{b}/{b}_2023年度预算绩效自评资料_审核通过.pdf" in names


def test_the_manifest_lists_each_file_with_its_state_body_and_dates(client, personas, mixed_region):
    archive = _export(client, personas)
    rows = list(csv.DictReader(io.StringIO(archive.read("清单.csv").decode("utf-8-sig"))))
    listed = [row["文件"] for row in rows]
    assert sorted(listed) == sorted(n for n in archive.namelist() if n != "清单.csv")
    by_name = {row["文件"]: row for row in rows}
    a = personas.department_a.name

    published = by_name[
        f"{a}/自评表/2023_区创优营商环境服务中心工作经费_项目支出绩效自评表_已公开.pdf"
    ]
    assert published["项目名称"] == "区创优营商环境服务中心工作经费"
    assert published["预算单位"] == personas.unit_a.name and published["主管部门"] == a
    assert published["状态"] == "已公开" and published["流程状态"] == "已公开"
    assert published["审核机关"] == "淮北市相山区财政局"
    assert published["审核通过日期"] == "2024-05-20" and published["公开日期"] == "2024-06-01"

    pending = by_name[f"{a}/自评表/2023_区政府工作经费_项目支出绩效自评表_未审核.pdf"]
    assert pending["状态"] == "未审核" and pending["流程状态"] == "待财政审核"
    assert pending["审核机关"] == pending["审核通过日期"] == pending["公开日期"] == ""

    package = by_name[f"{a}/{a}_2023年度预算绩效自评资料_未审核.pdf"]
    assert package["说明"] == "共 2 份：已公开 1 份，未审核 1 份"
    public = by_name[f"{a}/{a}_2023年度预算绩效自评资料_已公开.pdf"]
    assert public["说明"] == "共 1 份：已公开 1 份" and "可对外公开" in public["文件类型"]
