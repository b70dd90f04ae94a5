"""Upload page and template download: filers fill actuals, finance reviewers set targets."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from projects.access import FILE, FINANCE_REVIEW, scope_for
from projects.models import Department, Evaluation, Project
from projects.models.targets import targets_settled
from projects.upload import pending
from projects.upload.checks import JSON, MAX_BYTES, UploadRefused, file_kind
from projects.upload.forms import UploadForm
from projects.upload.jsonload import limits_text
from projects.upload.services import choices_from, upload_json, upload_workbook
from projects.upload.template import build_workbook
from projects.upload.workbook import ACTUALS, TARGETS

PURPOSE_LABELS = {
    ACTUALS: "填报实际完成值（本单位的自评）",
    TARGETS: "下达绩效目标和预算（本地区各单位，财政部门）",
}


def _purposes(user) -> list[tuple[str, str]]:
    """What this user may upload: filers their actuals, finance reviewers their region's targets."""
    scope = scope_for(user)
    purposes = []
    if scope.unit_ids or scope.superuser:
        purposes.append((ACTUALS, PURPOSE_LABELS[ACTUALS]))
    if scope.region_ids or scope.superuser:
        purposes.append((TARGETS, PURPOSE_LABELS[TARGETS]))
    if not purposes:
        raise PermissionDenied("您没有上传自评表的权限。")
    return purposes


def _action(purpose: str) -> str:
    return FILE if purpose == ACTUALS else FINANCE_REVIEW


def _subjects(user, purpose: str):
    """The subjects a purpose's workbook holds: for actuals, only those whose targets stand (a
    subject still declaring its targets has nothing to self-evaluate yet)."""
    subjects = Project.objects.for_user(user, _action(purpose))
    return subjects.filter(targets_settled()) if purpose == ACTUALS else subjects


def _years(user, purposes) -> list[int]:
    years = set()
    for purpose, _ in purposes:
        years |= set(_subjects(user, purpose).values_list("year", flat=True))
    return sorted(years, reverse=True) or [timezone.localdate().year - 1]


class _SizeLimit(FileUploadHandler):
    """Stops reading an upload at 5 MB, before the rest of it reaches memory or disk."""

    exceeded = False

    def receive_data_chunk(self, raw_data, start):
        """Pass the chunk on until the limit is passed."""
        if start + len(raw_data) > MAX_BYTES:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        """The next handler builds the file."""
        return None


@csrf_exempt  # the token is checked below, after the size limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """Upload a filled workbook or a selfeval/1 file; every row error is listed, nothing saved."""
    limit = _SizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _upload(request, limit)


@csrf_protect
def _upload(request, limit: _SizeLimit):
    """The upload page itself, behind the CSRF check once the size limit is in place.

    A file is checked and previewed first (nothing written); the preview's confirm button
    applies exactly that file, with the uploader's choice for each conflicting field.
    """
    purposes = _purposes(request.user)
    outcome = refused = token = None
    form = UploadForm(purposes=purposes)
    if request.method == "POST" and request.POST.get("confirm"):
        token = request.POST.get("token", "")
        kept = pending.load(request, token)
        if kept is None:
            refused = "预览已过期或不属于您，请重新上传文件。"
        else:
            meta, data = kept
            if meta["purpose"] not in dict(purposes):
                raise PermissionDenied("您没有该用途的上传权限。")
            outcome = _run(
                request,
                meta,
                data,
                confirm=True,
                choices=choices_from(request.POST),
                reason=request.POST.get("reason", ""),
            )
            if outcome.saved or not outcome.to_change or outcome.errors:
                pending.discard(request, token)
                token = None
            else:  # someone saved since the preview: preview again against the new figures
                notice = outcome.notice
                outcome = _run(request, meta, data, confirm=False, choices={})
                outcome.notice = notice
    elif request.method == "POST":
        if request.POST.get("purpose", purposes[0][0]) not in dict(purposes):
            raise PermissionDenied("您没有该用途的上传权限。")
        form = UploadForm(request.POST, request.FILES, purposes=purposes)
        if limit.exceeded:
            refused = "文件超过 5 MB 的上限，请拆分后分别上传。"
        elif form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                if uploaded.size > MAX_BYTES:
                    size = uploaded.size / 1024 / 1024
                    raise UploadRefused(
                        f"文件大小为 {size:.1f} MB，超过 5 MB 的上限，请拆分后分别上传。"
                    )
                data = uploaded.read(MAX_BYTES + 1)
                meta = {
                    "name": uploaded.name,
                    "purpose": form.cleaned_data["purpose"],
                    "kind": file_kind(uploaded.name, data),
                }
                outcome = _run(request, meta, data, confirm=False, choices={})
                if outcome.ok and outcome.to_change:
                    token = pending.keep(request, data=data, **meta)
            except UploadRefused as exc:
                refused = str(exc)
    departments = []
    if any(p == TARGETS for p, _ in purposes):
        departments = list(Department.objects.for_user(request.user).order_by("region", "code"))
    context = {
        "form": form,
        "purposes": purposes,
        "outcome": outcome,
        "refused": refused,
        "token": token,
        "years": _years(request.user, purposes),
        "departments": departments,
        "limits": limits_text(),
    }
    status = 200
    if refused or (outcome and outcome.errors):
        status = 422
    return render(request, "projects/upload.html", context, status=status)


def _run(request, meta: dict, data: bytes, *, confirm: bool, choices: dict, reason: str = ""):
    """Preview (confirm False) or write one uploaded file."""
    common = {"user": request.user, "data": data, "confirm": confirm, "choices": choices}
    if meta["kind"] == JSON:
        return upload_json(name=meta["name"], reason=reason, **common)
    return upload_workbook(purpose=meta["purpose"], reason=reason, **common)


@login_required
@require_GET
def upload_template(request):
    """The 自评表 workbook pre-filled with the subjects (and targets) the user may fill."""
    purposes = dict(_purposes(request.user))
    purpose = request.GET.get("purpose") or next(iter(purposes))
    if purpose not in purposes:
        raise PermissionDenied("您没有该用途的权限。")
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = _years(request.user, purposes.items())[0]
    projects = (
        _subjects(request.user, purpose)
        .filter(year=year)
        .select_related("unit__department")
        .prefetch_related(
            "fund_lines",
            "indicators",
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.filter(year=year).prefetch_related("results"),
            ),
        )
        .order_by("unit__department__code", "unit__code", "-kind", "code", "pk")
    )
    department = request.GET.get("department")
    if department and department.isdigit():
        projects = projects.filter(unit__department_id=int(department))
    subjects = []
    for project in projects:
        evaluations = list(project.evaluations.all())
        subjects.append((project, evaluations[0] if evaluations else None))
    content = build_workbook(subjects, purpose=purpose)
    label = "自评表填报模板" if purpose == ACTUALS else "绩效目标下达模板"
    filename = f"{year}年度{label}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"selfeval-{year}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
