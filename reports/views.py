"""Report pages for signed-in users: each document on screen, as PDF and as Excel; the export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from projects.access import VIEW, get_for_user, scope_for
from projects.formatting import MONEY_UNITS, money_unit_or_default
from projects.models import Department, Evaluation, Region
from reports import renderers, selectors
from reports.models import ExportJob
from reports.pdf import FontMissing
from reports.selectors.summary import department_summary_page
from reports.services import (
    can_export,
    export_job_resume,
    export_job_start,
    export_region_for,
    fail_if_stale,
)
from reports.stored.documents import (
    DEPARTMENT_REPORT,
    PACKAGE,
    SUMMARY,
    TABLE,
    DocumentKey,
    report_key,
)
from reports.stored.serve import serve_signed_in


def font_missing(request, exc: FontMissing) -> HttpResponse:
    """Explain, in Chinese, why no PDF can be made on this server."""
    return render(
        request,
        "reports/font_missing.html",
        {"message": str(exc), "hint": "apt-get install fonts-noto-cjk"},
        status=503,
    )


def _money_unit(request) -> str:
    return money_unit_or_default(request.GET.get("money_unit"))


def _department(request, pk: int) -> Department:
    return get_for_user(Department.objects.select_related("region"), request.user, VIEW, pk=pk)


def _download(request, key: DocumentKey) -> HttpResponse:
    """A signed-in download: stored when final, rendered now (within the user's limit) if not."""
    try:
        return serve_signed_in(request, key, selectors.evaluations_for(request.user))
    except FontMissing as exc:
        return font_missing(request, exc)


def _department_key(kind: str, fmt: str, request, department, year: int) -> DocumentKey:
    return DocumentKey(kind, fmt, _money_unit(request), department_id=department.pk, year=year)


INDEX_PAGE_SIZE = 50


@login_required
def index(request):
    """Where a user finds the reports of every department and year they can see.

    One line per department and year, counted by the database and listed a page at a time, so
    the page stays the same size as the years of history pile up.
    """
    groups = (
        selectors.evaluations_for(request.user)
        .values(
            "year",
            "project__unit__department",
            "project__unit__department__name",
            "project__unit__department__region__name",
        )
        .annotate(count=Count("pk"))
        .order_by(
            "-year",
            "project__unit__department__region__name",
            "project__unit__department__code",
            "project__unit__department",
        )
    )
    page = Paginator(groups, INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    return render(
        request,
        "reports/index.html",
        {
            "groups": page.object_list,
            "page": page,
            "can_export": scope.superuser or bool(scope.region_ids),
        },
    )


@login_required
def evaluation_table(request, pk: int, fmt: str = renderers.HTML):
    """The 自评表 of one evaluation: on screen, as PDF or as a workbook."""
    if fmt != renderers.HTML:
        key = DocumentKey(TABLE, fmt, _money_unit(request), evaluation_id=pk)
        return _download(request, key)
    table = selectors.evaluation_table(
        selectors.evaluations_for(request.user), pk=pk, money_unit=_money_unit(request)
    )
    return render(
        request,
        "reports/evaluation_table.html",
        {"t": table, "money_units": MONEY_UNITS},
    )


@login_required
def evaluation_report(request, pk: int, fmt: str = renderers.HTML):
    """The 自评报告 of one evaluation (a department-overall one gives the department's report)."""
    if fmt != renderers.HTML:
        evaluation = get_for_user(
            Evaluation.objects.select_related("project__unit"), request.user, VIEW, pk=pk
        )
        return _download(request, report_key(evaluation, fmt, _money_unit(request)))
    report = selectors.evaluation_report(
        selectors.evaluations_for(request.user), pk=pk, money_unit=_money_unit(request)
    )
    return render(request, "reports/report.html", {"r": report, "money_units": MONEY_UNITS})


@login_required
def department_detail(request, pk: int, year: int):
    """A department's documents of a year: report, summary, package and each 自评表.

    The projects are listed a page at a time (a large department files hundreds); the summary,
    the report and the package still cover all of them.
    """
    department = _department(request, pk)
    summary = department_summary_page(
        selectors.evaluations_for(request.user),
        department=department,
        year=year,
        page_number=request.GET.get("page"),
    )
    overall = (
        selectors.evaluations_for(request.user)
        .filter(project__unit__department=department, year=year, project__kind="department_overall")
        .select_related("project__unit")
        .only("status", "project__unit__name")
        .order_by("project__unit__code", "pk")
    )
    return render(
        request,
        "reports/department.html",
        {"department": department, "year": year, "s": summary, "overall": overall},
    )


@login_required
def department_summary(request, pk: int, year: int, fmt: str = renderers.HTML):
    """The department's project summary and statistics of a year."""
    department = _department(request, pk)
    if fmt != renderers.HTML:
        return _download(request, _department_key(SUMMARY, fmt, request, department, year))
    summary = selectors.department_summary(
        selectors.evaluations_for(request.user),
        department=department,
        year=year,
        money_unit=_money_unit(request),
    )
    return render(
        request,
        "reports/summary.html",
        {"s": summary, "department": department, "year": year, "money_units": MONEY_UNITS},
    )


@login_required
def department_report(request, pk: int, year: int, fmt: str = renderers.HTML):
    """The department's 部门整体支出绩效自评报告 of a year."""
    department = _department(request, pk)
    if fmt != renderers.HTML:
        key = _department_key(DEPARTMENT_REPORT, fmt, request, department, year)
        return _download(request, key)
    report = selectors.department_report(
        selectors.evaluations_for(request.user),
        department=department,
        year=year,
        money_unit=_money_unit(request),
    )
    return render(request, "reports/report.html", {"r": report, "money_units": MONEY_UNITS})


@login_required
def department_package(request, pk: int, year: int, fmt: str = renderers.PDF):
    """Everything the department files for the year in one PDF (or every 自评表 in one workbook)."""
    department = _department(request, pk)
    return _download(request, _department_key(PACKAGE, fmt, request, department, year))


@login_required
@require_http_methods(["GET", "POST"])
def region_export(request):
    """The finance bureau exports a region's year as a zip, built in the background."""
    scope = scope_for(request.user)
    regions = Region.objects.for_user(request.user, VIEW).order_by("name")
    exportable = [r for r in regions if can_export(request.user, r)]
    if request.method == "POST":
        try:
            region_pk = int(request.POST.get("region", ""))
            year = int(request.POST.get("year", ""))
        except ValueError as exc:
            raise Http404("请选择地区和年度。") from exc
        region = export_region_for(request.user, region_pk)
        job = export_job_start(
            region=region,
            year=year,
            user=request.user,
            money_unit=request.POST.get("money_unit", "万元"),
        )
        return redirect("reports:export_job", pk=job.pk)
    if not exportable and not scope.superuser:
        raise PermissionDenied("只有财政部门审核人可以导出整个地区。")
    jobs = ExportJob.objects.for_user(request.user).select_related("region", "requested_by")[:20]
    # The years come from the database as distinct values, not from one row per evaluation.
    years = list(
        selectors.evaluations_for(request.user)
        .filter(project__unit__department__region__in=exportable)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return render(
        request,
        "reports/export.html",
        {"regions": exportable, "years": years, "jobs": jobs, "money_units": MONEY_UNITS},
    )


def _job(request, pk: int) -> ExportJob:
    job = ExportJob.objects.for_user(request.user).select_related("region").filter(pk=pk).first()
    if job is None:
        raise Http404("未找到该导出任务。")
    return fail_if_stale(job)


@login_required
def export_job(request, pk: int):
    """One export's progress; htmx polls the partial until the zip is ready."""
    job = _job(request, pk)
    template = "reports/_export_job.html" if request.htmx else "reports/export_job.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def export_job_resume_view(request, pk: int):
    """Start a failed export again; it goes quickly through what it had already rendered."""
    job = _job(request, pk)
    try:
        export_job_resume(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("reports:export_job", pk=job.pk)


@login_required
def export_job_download(request, pk: int):
    """The finished export's zip, streamed from storage."""
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file_name:
        raise Http404("该导出尚未完成。")
    if not default_storage.exists(job.file_name):
        raise Http404("导出文件已不存在，请重新导出。")
    return FileResponse(
        default_storage.open(job.file_name, "rb"),
        as_attachment=True,
        filename=f"{job.region.name}_{job.year}年度绩效自评资料.zip",
        content_type="application/zip",
    )
