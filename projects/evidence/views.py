"""Pages of 佐证材料: attach and remove (the filer, from the self-evaluation form) and download
(anyone who may read the self-evaluation). Files are never served from a public MEDIA URL: the
download view checks the row-level gate (404 outside it) and streams the stored bytes under the
filer's own file name.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST, require_safe

from projects.access import FILE, VIEW, get_for_user
from projects.evidence import selectors
from projects.evidence.services import evidence_attach, evidence_remove
from projects.models import Evaluation, EvidenceFile

BLOCK = "filing/_evidence_block.html"


def _target(evaluation, data):
    """The indicator or fund line named by the posted ids (404 when not this filing's)."""
    indicator = fund_line = None
    indicator_id, fund_id = data.get("indicator", ""), data.get("fund_line", "")
    if indicator_id:
        if not indicator_id.isdigit():
            raise Http404("未找到该指标。")
        indicator = evaluation.project.indicators.filter(pk=int(indicator_id)).first()
        if indicator is None:
            raise Http404("未找到该指标。")
    if fund_id:
        if not fund_id.isdigit():
            raise Http404("未找到该项资金。")
        fund_line = evaluation.project.fund_lines.filter(pk=int(fund_id)).first()
        if fund_line is None:
            raise Http404("未找到该项资金。")
    return indicator, fund_line


def _block(request, evaluation, *, indicator_id=None, fund_line_id=None, error="", status=200):
    """The block of one target (its files and upload control), as htmx swaps it in."""
    selectors.forget(evaluation)
    groups = selectors.evidence_groups(evaluation, request.user)
    if indicator_id:
        files, kind, key = groups.of_indicator(indicator_id), "ind", indicator_id
    elif fund_line_id:
        files = next((g.files for g in groups.fund_lines if g.fund_line.pk == fund_line_id), [])
        kind, key = "fund", fund_line_id
    else:
        files, kind, key = groups.report, "report", ""
    context = {
        "evaluation": evaluation,
        "files": files,
        "kind": kind,
        "key": key,
        "editable": evaluation.is_editable,
        "error": error,
    }
    return render(request, BLOCK, context, status=status)


def _back(evaluation, target: str):
    return redirect(
        f"{reverse('projects:evaluation_edit', args=[evaluation.pk])}#evidence-{target}"
    )


@login_required
@require_POST
def evaluation_attach(request, pk: int):
    """Attach the posted file to the named indicator, fund line or the whole report."""
    evaluation = get_for_user(
        Evaluation.objects.select_related("project"), request.user, FILE, pk=pk
    )
    indicator, fund_line = _target(evaluation, request.POST)
    target = f"ind{indicator.pk}" if indicator else f"fund{fund_line.pk}" if fund_line else "report"
    where = {
        "indicator_id": indicator.pk if indicator else None,
        "fund_line_id": fund_line.pk if fund_line else None,
    }
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": "请选择要上传的文件。"})
        row = evidence_attach(
            evaluation=evaluation,
            user=request.user,
            file=upload,
            indicator=indicator,
            fund_line=fund_line,
        )
    except ValidationError as refused:
        error = "；".join(refused.messages)
        if request.htmx:
            return _block(request, evaluation, error=error, status=422, **where)
        messages.error(request, error)
        return _back(evaluation, target)
    if request.htmx:
        return _block(request, evaluation, **where)
    messages.success(request, f"已上传佐证材料“{row.original_name}”。")
    return _back(evaluation, target)


@login_required
@require_POST
def evidence_remove_view(request, pk: int):
    """Remove one file while the filing is open."""
    row = get_for_user(
        EvidenceFile.objects.select_related("evaluation__project"), request.user, FILE, pk=pk
    )
    evaluation = row.evaluation
    where = {"indicator_id": row.indicator_id, "fund_line_id": row.fund_line_id}
    target = row.slot
    try:
        evidence_remove(evidence=row, user=request.user)
    except ValidationError as refused:
        error = "；".join(refused.messages)
        if request.htmx:
            return _block(request, evaluation, error=error, status=422, **where)
        messages.error(request, error)
        return _back(evaluation, target)
    if request.htmx:
        return _block(request, evaluation, **where)
    messages.success(request, f"已删除佐证材料“{row.original_name}”。")
    return _back(evaluation, target)


@login_required
@require_safe
def evidence_download(request, pk: int):
    """The file itself, for anyone who may read its self-evaluation; 404 for anyone else."""
    row = get_for_user(EvidenceFile.objects, request.user, VIEW, pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404("文件已不在存储中，请联系管理员。") from missing
    response = FileResponse(
        handle, as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["Content-Length"] = str(row.size)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_cache=True)
    return response


urlpatterns = [
    path(
        "evaluations/<int:pk>/evidence/",
        evaluation_attach,
        name="evaluation_attach",
    ),
    path("evidence/<int:pk>/remove/", evidence_remove_view, name="evidence_remove"),
    path("evidence/<int:pk>/", evidence_download, name="evidence_download"),
]
