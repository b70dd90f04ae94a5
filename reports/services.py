"""Writes of the reports app: starting and running the background export of a region's year."""

from __future__ import annotations

import csv
import io
import logging
import shutil
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from projects.access import VIEW, scope_for
from projects.formatting import money_unit_or_default
from projects.models import Department, Evaluation, EvaluationStatus, Region
from reports import evidence, renderers
from reports.excel.summary import summary_workbook
from reports.models import ExportJob
from reports.selectors import (
    department_package,
    evaluation_tables,
    publication,
    summary_rows,
)
from reports.selectors.stamp import DocumentStamp, stamp_of, weakest
from reports.stored import documents
from reports.stored.documents import PACKAGE, PUBLIC, SUMMARY, TABLE, DocumentKey

logger = logging.getLogger(__name__)
EXPORT_DIR = "exports"


def can_export(user, region: Region) -> bool:
    """Only the region's finance bureau (or a superuser) exports the whole region."""
    scope = scope_for(user)
    return scope.superuser or region.pk in scope.region_ids


def export_region_for(user, region_pk: int) -> Region:
    """The region to export: 404 outside the user's reach, 403 without the finance role."""
    region = Region.objects.for_user(user, VIEW).filter(pk=region_pk).first()
    if region is None:
        raise Http404("未找到该地区，或您无权查看。")
    if not can_export(user, region):
        raise PermissionDenied("只有财政部门审核人可以导出整个地区。")
    return region


def export_job_start(*, region: Region, year: int, user, money_unit: str = "万元") -> ExportJob:
    """Record an export job and queue it; the page then follows its progress."""
    from reports.tasks import export_region

    if not can_export(user, region):
        raise PermissionDenied("只有财政部门审核人可以导出整个地区。")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "年度应在 2000 至 2100 之间。"})
    with transaction.atomic():
        job = ExportJob.objects.create(
            region=region,
            year=year,
            money_unit=money_unit_or_default(money_unit),
            requested_by=user,
            message="已加入队列，等待后台任务处理。",
        )
    # Queued after the commit so a worker on another connection always finds the row.
    result = export_region.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:100])
    job.refresh_from_db()
    return job


def export_job_resume(*, job: ExportJob, user) -> ExportJob:
    """Start a failed job again. What it had rendered is kept in storage (every final document
    is a stored file), so it goes quickly through the part it had done."""
    from reports.tasks import export_region

    if not can_export(user, job.region):
        raise PermissionDenied("只有财政部门审核人可以导出整个地区。")
    if job.status != ExportJob.Status.FAILED:
        raise ValidationError("只有失败的导出可以继续。")
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.QUEUED,
        message="已重新加入队列，将从中断处继续。",
        finished_at=None,
    )
    result = export_region.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:100])
    job.refresh_from_db()
    return job


def fail_if_stale(job: ExportJob) -> ExportJob:
    """A running job whose worker stopped reporting is failed (and so can be resumed)."""
    if job.is_stale:
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.FAILED,
            message="后台任务进程已中断（长时间没有进展）。可以点击“继续导出”从中断处继续。",
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


MANIFEST_NAME = "清单.csv"
MANIFEST_HEADER = (
    "文件",
    "文件类型",
    "年度",
    "主管部门",
    "预算单位",
    "项目名称",
    "状态",
    "流程状态",
    "审核机关",
    "审核通过日期",
    "公开日期",
    "说明",
)


@dataclass
class ManifestLine:
    """One member of the export zip and what it is: which filing(s), in which state."""

    path: str
    kind: str
    year: int
    department: str
    unit: str
    project: str
    stamp: DocumentStamp | None
    note: str = ""

    def row(self) -> list[str]:
        """The line as 清单.csv prints it (dates ISO, blank when not applicable)."""
        stamp = self.stamp
        return [
            self.path,
            self.kind,
            str(self.year),
            self.department,
            self.unit,
            self.project,
            stamp.file_label if stamp else "",
            stamp.status_label if stamp else "",
            stamp.approving_body if stamp else "",
            stamp.approved_on.isoformat() if stamp and stamp.approved_on else "",
            stamp.published_on.isoformat() if stamp and stamp.published_on else "",
            self.note,
        ]


class ExportArchive:
    """The zip being written: every member named with its state and listed in 清单.csv."""

    def __init__(self, archive: zipfile.ZipFile, year: int):
        self.archive = archive
        self.year = year
        self.lines: list[ManifestLine] = []
        self._names: set[str] = set()

    def add(self, folder: str, filename: str, content: bytes, *, stamp, **line) -> str:
        """Write one member, its file name carrying the stamp's label (草稿, 未审核, 已公开 …)."""
        path = self._unique(_labelled(f"{folder}/{filename}".lstrip("/"), stamp))
        if isinstance(content, bytes):
            self.archive.writestr(path, content)
        else:  # a stored file: copied across in chunks
            with content, self.archive.open(path, "w") as member:
                shutil.copyfileobj(content, member, 1024 * 1024)
        self.lines.append(ManifestLine(path=path, year=self.year, stamp=stamp, **line))
        return path

    def write_manifest(self) -> None:
        """清单.csv: UTF-8 with a BOM so Excel opens it, one line per member."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(MANIFEST_HEADER)
        writer.writerows(line.row() for line in self.lines)
        self.archive.writestr(MANIFEST_NAME, ("\ufeff" + out.getvalue()).encode("utf-8"))

    def _unique(self, path: str) -> str:
        candidate, n = path, 1
        while candidate in self._names:
            n += 1
            pure = PurePosixPath(path)
            candidate = str(pure.with_name(f"{pure.stem}_{n}{pure.suffix}"))
        self._names.add(candidate)
        return candidate


def _labelled(path: str, stamp: DocumentStamp | None) -> str:
    """`a/b.pdf` → `a/b_草稿.pdf`: the state is in the name, so a file cannot lose it."""
    if stamp is None:
        return path
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}_{stamp.file_label}{pure.suffix}"))


def _composition(stamps) -> str:
    """共 3 份：已公开 1 份，草稿 2 份 — what a document made of several filings contains."""
    stamps = [s for s in stamps if s is not None]
    counts = Counter(s.file_label for s in stamps)
    order = ("已公开", "审核通过", "未审核", "草稿")
    parts = "，".join(f"{label} {counts[label]} 份" for label in order if counts[label])
    return f"共 {len(stamps)} 份：{parts}" if stamps else "无自评"


def _progress(job: ExportJob, done: int, message: str) -> None:
    # The heartbeat tells the page the worker is alive; a job without one for long was orphaned.
    ExportJob.objects.filter(pk=job.pk).update(
        done=done, message=message, heartbeat_at=timezone.now()
    )


def export_job_run(*, job_id: int) -> None:
    """Put every document of the region's year into one zip, reporting progress as it goes.

    Final documents come from storage (rendered once, when they were approved or published);
    only drafts are rendered here. The zip is written to a temporary file and then handed to the
    storage in chunks, so neither the worker's memory nor the web server holds it whole.
    """
    job = ExportJob.objects.select_related("region", "requested_by").get(pk=job_id)
    if job.requested_by is None:
        raise PermissionDenied("发起人已不存在。")
    # The gate is applied again at run time, as the person who asked.
    evaluations = Evaluation.objects.for_user(job.requested_by, VIEW).filter(
        project__unit__department__region=job.region, year=job.year
    )
    department_ids = sorted(set(evaluations.values_list("project__unit__department", flat=True)))
    departments = list(Department.objects.filter(pk__in=department_ids).order_by("code", "pk"))
    count = evaluations.count()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        total=len(departments) + count + 1,
        done=0,
        evaluation_count=count,
        attempts=F("attempts") + 1,
        heartbeat_at=timezone.now(),
        message="开始生成。",
    )
    name = f"{EXPORT_DIR}/{job.region.code}-{job.year}-{job.pk}.zip"
    done = 0
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                out = ExportArchive(archive, job.year)
                for department in departments:
                    done = _export_department(job, out, evaluations, department, done)
                _export_region_summary(job, out, evaluations)
                out.write_manifest()
                evidence.write_manifest(out)
                done += 1
            size = spool.tell()
            spool.seek(0)
            if default_storage.exists(name):
                default_storage.delete(name)
            name = default_storage.save(name, File(spool, name=name))
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            message=f"导出失败：{exc}。可以点击“继续导出”重试，已生成的文件不会重新生成。",
            finished_at=timezone.now(),
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        done=done,
        file_name=name,
        file_size=size,
        message=f"已完成：{len(departments)} 个部门、{count} 份自评。",
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def _export_department(job: ExportJob, out: ExportArchive, evaluations, department, done: int):
    """One department's folder: its packages, its summary and every 自评表, each named by state.

    The package that may be handed to the public holds published filings only; the complete one
    (for the bureau's own review) is named and watermarked by the weakest filing it contains.
    """
    folder = renderers.safe_name(department.name)
    scoped = evaluations.filter(project__unit__department=department)
    where = {"department": department.name, "unit": "", "project": ""}
    in_department = {"department_id": department.pk, "year": job.year}
    published = evaluations.filter(status=EvaluationStatus.PUBLISHED)
    public = department_package(
        published, department=department, year=job.year, money_unit=job.money_unit
    )
    if public.tables:
        key = DocumentKey(PACKAGE, renderers.PDF, job.money_unit, audience=PUBLIC, **in_department)
        _add_package(
            out, folder, public, key, published, "资料汇编（仅含已公开自评，可对外公开）", where
        )
    package = department_package(
        evaluations, department=department, year=job.year, money_unit=job.money_unit
    )
    if package.tables and (not public.tables or len(public.tables) != len(package.tables)):
        key = DocumentKey(PACKAGE, renderers.PDF, job.money_unit, **in_department)
        _add_package(
            out, folder, package, key, evaluations, "资料汇编（全部自评，供内部审阅）", where
        )
    summary = package.report.summary
    if summary.rows:  # a department with only its 部门整体 filing has no project summary
        key = DocumentKey(SUMMARY, renderers.XLSX, job.money_unit, **in_department)
        filename, content = documents.obtain(key, evaluations)
        out.add(
            folder,
            filename,
            content,
            stamp=stamp_of(summary),
            kind="项目自评汇总表",
            note=_composition(row.stamp for row in summary.rows),
            **where,
        )
    done += 1
    _progress(job, done, f"已生成 {department.name} 的自评资料汇编。")
    for table in evaluation_tables(scoped, money_unit=job.money_unit):
        for fmt in (renderers.PDF, renderers.XLSX):
            key = DocumentKey(TABLE, fmt, job.money_unit, evaluation_id=table.evaluation_id)
            filename, content = documents.obtain(key, evaluations)
            out.add(
                f"{folder}/自评表",
                filename,
                content,
                stamp=table.stamp,
                kind=table.title,
                department=department.name,
                unit=table.unit_name,
                project=table.project_name,
            )
        done += 1
        _progress(job, done, f"已生成 {table.project_name} 的自评表。")
    evidence.add_evidence(out, scoped, folder, department.name)
    return done


def _add_package(out, folder: str, package, key, gated, kind: str, where: dict) -> None:
    """Put a department package into the archive, named and listed by its weakest part."""
    filename, content = documents.obtain(key, gated)
    out.add(
        folder,
        filename,
        content,
        stamp=stamp_of(package),
        kind=kind,
        note=_composition(t.stamp for t in package.tables),
        **where,
    )


def _export_region_summary(job: ExportJob, out: ExportArchive, evaluations) -> None:
    """The region's summary of every project, as a workbook and as CSV, named by its weakest row."""
    rows = summary_rows(evaluations, money_unit=job.money_unit)
    if not rows:
        return
    stamps = [row.stamp for row in rows]
    stem = f"{renderers.safe_name(job.region.name)}_{job.year}年度项目自评汇总"
    where = {"department": "", "unit": "", "project": "", "note": _composition(stamps)}
    workbook = summary_workbook(
        rows,
        heading=f"{job.region.name}{job.year}年度项目支出绩效自评结果汇总表",
        subtitle=f"金额单位：{job.money_unit}",
        money_unit=job.money_unit,
    )
    stamp = weakest(stamps)
    out.add("", f"{stem}.xlsx", workbook, stamp=stamp, kind="地区项目自评汇总表", **where)
    # The open data's own rows and columns (both kinds of subject), with each row's state.
    open_rows = publication.year_rows(evaluations, absolute=lambda path: path)
    out.add(
        "",
        f"{stem}.csv",
        publication.year_csv(open_rows, columns=publication.EXPORT_CSV_COLUMNS),
        stamp=stamp,
        kind="地区项目自评汇总（CSV）",
        **where,
    )
