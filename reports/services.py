"""Writes of the reports app: starting and running the background export of a region's year."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from projects.access import VIEW, scope_for
from projects.formatting import money_unit_or_default
from projects.models import Department, Evaluation, Region
from reports import renderers
from reports.excel.summary import summary_workbook
from reports.models import ExportJob
from reports.selectors import (
    department_package,
    evaluation_tables,
    summary_rows,
)

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


def export_path(job: ExportJob) -> Path:
    """Where a job's zip lives under MEDIA_ROOT."""
    return Path(settings.MEDIA_ROOT) / job.file_name


def _progress(job: ExportJob, done: int, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(done=done, message=message)


def export_job_run(*, job_id: int) -> None:
    """Render every document of the region's year into one zip, reporting progress as it goes."""
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
        evaluation_count=count,
        message="开始生成。",
    )
    job.file_name = f"{EXPORT_DIR}/{job.region.code}-{job.year}-{job.pk}.zip"
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = 0
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for department in departments:
                folder = renderers.safe_name(department.name)
                scoped = evaluations.filter(project__unit__department=department)
                package = department_package(
                    evaluations, department=department, year=job.year, money_unit=job.money_unit
                )
                rendered = renderers.render_package(package)
                archive.writestr(f"{folder}/{rendered.filename}", rendered.content)
                summary = renderers.render_summary(package.report.summary, renderers.XLSX)
                archive.writestr(f"{folder}/{summary.filename}", summary.content)
                done += 1
                _progress(job, done, f"已生成 {department.name} 的自评资料汇编。")
                for table in evaluation_tables(scoped, money_unit=job.money_unit):
                    for fmt in (renderers.PDF, renderers.XLSX):
                        rendered = renderers.render_table(table, fmt)
                        archive.writestr(f"{folder}/自评表/{rendered.filename}", rendered.content)
                    done += 1
                    _progress(job, done, f"已生成 {table.project_name} 的自评表。")
            rows = summary_rows(evaluations, money_unit=job.money_unit)
            archive.writestr(
                f"{renderers.safe_name(job.region.name)}_{job.year}年度项目自评汇总.xlsx",
                summary_workbook(
                    rows,
                    heading=f"{job.region.name}{job.year}年度项目支出绩效自评结果汇总表",
                    subtitle=f"金额单位：{job.money_unit}",
                    money_unit=job.money_unit,
                ),
            )
            archive.writestr(
                f"{renderers.safe_name(job.region.name)}_{job.year}年度项目自评汇总.csv",
                renderers.summary_csv(rows),
            )
            done += 1
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            message=f"导出失败：{exc}",
            finished_at=timezone.now(),
        )
        path.unlink(missing_ok=True)
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        done=done,
        file_name=job.file_name,
        file_size=path.stat().st_size,
        message=f"已完成：{len(departments)} 个部门、{count} 份自评。",
        finished_at=timezone.now(),
    )
