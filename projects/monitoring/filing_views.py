"""The filer's 绩效监控表: the form with live lights, drafts, conflicts, submit, JSON in and out.

Views are thin: reads start from the row-level gate (VIEW to read, FILE to write), every write
is `monitoring_save_draft` or the one workflow's `filing_submit`.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.access import FILE, VIEW, get_for_user
from projects.filing.merge import MINE, THEIRS
from projects.filing.services import StaleVersion
from projects.formatting import editable_amount
from projects.models import MonitoringReport
from projects.monitoring import selectors
from projects.monitoring.content import CHOICES, field_label
from projects.monitoring.forms import ReportForm, field_id
from projects.monitoring.services import (
    ensure_report_editable,
    monitoring_save_draft,
    plan_save,
    report_queryset,
)
from projects.monitoring.upload import Upload, read_document, report_document
from projects.review.services.workflow import SubmissionBlocked, filing_submit
from projects.upload.checks import UploadRefused

PAGE = "monitoring/filing_form.html"
RESOLVE = "resolve:"
MERGED = "在您编辑期间，他人保存了其他内容；双方的修改已逐项合并，均已保留。"


def _report(request, pk: int, action: str = FILE) -> MonitoringReport:
    return get_for_user(report_queryset(), request.user, action, pk=pk)


def _result(report, overrides=None) -> dict:
    from scoring.monitoring import monitor_report

    if overrides is None and report.result and "indicators" in report.result:
        return report.result
    return monitor_report(report, overrides=overrides, store=False)


def _render(request, report, *, posted=None, errors=None, status=200, **extra):
    overrides = posted.content if posted is not None else None
    result = _result(report, overrides)
    context = selectors.report_page(report, result, posted=posted, errors=errors)
    context["editable"] = report.is_editable and _may_file(request.user, report)
    context.update(extra)
    return render(request, PAGE, context, status=status)


def _may_file(user, report) -> bool:
    """Reviewers and observers read the form; only the unit's filers get its inputs."""
    return MonitoringReport.objects.filter(pk=report.pk).for_user(user, FILE).exists()


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    """The 绩效监控表: GET shows it (read-only when not editable), POST saves the draft."""
    if request.method == "POST":
        return _save(request, _report(request, pk))
    return _render(request, _report(request, pk, VIEW))


def _posted_version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _resolutions(request) -> dict[str, str]:
    return {
        key.removeprefix(RESOLVE): value
        for key, value in request.POST.items()
        if key.startswith(RESOLVE) and value in (MINE, THEIRS)
    }


def _save(request, report, *, then_submit: bool = False):
    """Save the page: nothing is written while a field is wrong; a stale save is merged."""
    if not report.is_editable:
        if request.htmx:
            return render(request, "monitoring/_filing_locked.html", {"report": report})
        ensure_report_editable(report)
    version = _posted_version(request)
    if version is None:
        return HttpResponseBadRequest("缺少版本号，请刷新页面后重试。")
    form = ReportForm(report, request.POST)
    errors = dict(form.errors)
    saved = None
    if not errors:
        try:
            saved = monitoring_save_draft(
                report=report,
                user=request.user,
                version=version,
                content=form.content,
                resolutions=_resolutions(request),
            )
        except StaleVersion as conflict:
            return _conflict(
                request, conflict, action=reverse("monitoring:report_edit", args=[report.pk])
            )
        except ValidationError as bad:
            found = bad.message_dict if hasattr(bad, "error_dict") else {"__all__": bad.messages}
            errors = {k: "；".join(v) for k, v in found.items()}
    if errors:
        if request.htmx:
            return _refresh(request, report, form, errors)
        messages.error(request, "标红的字段有误，本次没有保存任何内容，请修改后再保存。")
        return _render(request, report, posted=form, errors=errors)
    merged = version != report.version
    if request.htmx:
        if merged:
            messages.info(request, MERGED)
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return _refresh(request, saved, form, {}, saved_now=True)
    if merged:
        messages.info(request, MERGED)
    if then_submit:
        return saved
    messages.success(request, f"已保存（版本 {saved.version}）。")
    return redirect("monitoring:report_edit", pk=saved.pk)


def _refresh(request, report, form, errors, *, saved_now=False):
    """The htmx partial: lights, rates, findings, field messages (and the new version)."""
    result = _result(report, None if saved_now else form.content)
    context = selectors.report_page(report, result, posted=form, errors=errors)
    context.update(
        {
            "error_slots": [(field_id(k), v) for k, v in errors.items()],
            "saved_now": saved_now,
            "saved_at": timezone.localtime(),
        }
    )
    return render(request, "monitoring/_filing_refresh.html", context)


@login_required
@require_POST
def report_preview(request, pk: int):
    """Live lights while the filer types: the engine over the typed figures, nothing written."""
    report = _report(request, pk)
    form = ReportForm(report, request.POST)
    return _refresh(request, report, form, form.errors)


def _shown(key: str, text: str, money_unit: str) -> str:
    if not text:
        return ""
    if key.startswith("funds."):
        try:
            return f"{editable_amount(Decimal(text), money_unit)} {money_unit}"
        except ArithmeticError:
            return text
    name = key.rsplit(".", 1)[-1]
    return CHOICES.get(name, {}).get(text, text)


def _conflict(request, conflict: StaleVersion, *, action: str, posted=None):
    """Only the fields both sides changed, each with a choice; the save wrote nothing."""
    current = report_queryset().get(pk=conflict.current.pk)
    if request.htmx:
        response = render(
            request,
            "monitoring/_filing_conflict_banner.html",
            {"report": current, "conflict": conflict},
        )
        response.status_code = 409
        return response
    money_unit = current.project.money_unit or "元"
    rows = []
    for key, (mine, theirs) in conflict.plan.conflicts.items():
        section, _, label = field_label(key, current).partition(" · ")
        rows.append(
            {
                "key": key,
                "name": f"{RESOLVE}{key}",
                "section": section,
                "label": label or section,
                "yours": _shown(key, mine, money_unit),
                "theirs": _shown(key, theirs, money_unit),
            }
        )
    if posted is None:
        posted = [
            (key, value)
            for key, values in request.POST.lists()
            if key != "csrfmiddlewaretoken" and not key.startswith(RESOLVE)
            for value in values
        ]
    context = {
        "report": current,
        "project": current.project,
        "conflict": conflict,
        "rows": rows,
        "action": action,
        "merged_count": len(conflict.plan.apply),
        "kept_count": len(conflict.plan.kept),
        "last_change": current.history.select_related("history_user").first(),
        "posted": posted,
    }
    return render(request, "monitoring/filing_conflict.html", context, status=409)


@login_required
@require_POST
def report_submit(request, pk: int):
    """Save the page, then submit: refused while error findings remain, each linked to its field."""
    report = _report(request, pk)
    ensure_report_editable(report)
    saved = _save(request, report, then_submit=True)
    if not isinstance(saved, MonitoringReport):
        return saved
    try:
        filing_submit(filing=saved, user=request.user)
    except SubmissionBlocked as blocked:
        fresh = report_queryset().get(pk=saved.pk)
        first = selectors.report_page(fresh, _result(fresh))["funds"]
        first_key = f"funds.{first[0]['source']}.executed" if first else "explanation"
        return _render(
            request,
            fresh,
            blocked=selectors.finding_views({"findings": blocked.findings}, first_key),
            blocked_message=blocked.messages[0],
            status=422,
        )
    except ValidationError as refused:
        messages.error(request, "；".join(refused.messages))
        return redirect("monitoring:report_edit", pk=saved.pk)
    messages.success(request, "已提交，等待审核。提交后不能再修改；如需修改，请联系审核人退回。")
    return redirect("monitoring:report_edit", pk=saved.pk)


# --- JSON out and in ---------------------------------------------------------------------------


@login_required
@require_GET
def report_download(request, pk: int):
    """The report as a selfeval/1 document with its version, to fill offline and upload back."""
    report = _report(request, pk, VIEW)
    body = json.dumps(report_document(report), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"monitoring-{report.round.as_of:%Y%m%d}-{report.project.code or report.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pending(request) -> Upload | None:
    """The upload carried by the preview page's form (re-read: it is the filer's own input)."""
    try:
        data = json.loads(request.POST.get("upload", ""))
        version, content = data["version"], data["content"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(version, int) or not isinstance(content, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in content.items()):
        return None
    return Upload(version, content)


@login_required
@require_http_methods(["GET", "POST"])
def report_upload(request, pk: int):
    """Upload a filled file: first what it changes (and what it would conflict with), then save."""
    report = _report(request, pk)
    ensure_report_editable(report)
    context = {"report": report, "project": report.project, "round": report.round}
    if request.method == "GET":
        return render(request, "monitoring/filing_upload.html", context)
    if request.POST.get("step") == "apply":
        upload = _pending(request)
        if upload is None:
            context["refusal"] = "上传内容已失效，请重新选择文件。"
            return render(request, "monitoring/filing_upload.html", context, status=422)
        try:
            saved = monitoring_save_draft(
                report=report,
                user=request.user,
                version=upload.version,
                content=upload.content,
                resolutions=_resolutions(request),
            )
        except StaleVersion as conflict:
            posted = [("step", "apply"), ("upload", request.POST.get("upload", ""))]
            return _conflict(
                request,
                conflict,
                action=reverse("monitoring:report_upload", args=[report.pk]),
                posted=posted,
            )
        except ValidationError as bad:
            context["refusal"] = "；".join(bad.messages)
            return render(request, "monitoring/filing_upload.html", context, status=422)
        if upload.version != report.version:
            messages.info(request, MERGED)
        messages.success(request, f"已按上传文件保存（版本 {saved.version}）。")
        return redirect("monitoring:report_edit", pk=saved.pk)
    sent = request.FILES.get("file")
    if sent is None:
        context["refusal"] = "请选择要上传的 JSON 文件。"
        return render(request, "monitoring/filing_upload.html", context, status=422)
    try:
        upload = read_document(report, sent.read(), sent.name)
    except UploadRefused as refused:
        context["refusal"] = str(refused)
        return render(request, "monitoring/filing_upload.html", context, status=422)
    context.update(_upload_preview(report, upload))
    return render(request, "monitoring/filing_upload.html", context)


def _upload_preview(report, upload: Upload) -> dict:
    """What applying the file would write, keep and ask about (nothing is written here)."""
    plan, theirs = plan_save(report, upload.version, upload.content)
    money_unit = report.project.money_unit or "元"

    def rows(keys, values):
        return [
            {
                "label": field_label(key, report),
                "now": _shown(key, theirs.get(key, ""), money_unit),
                "file": _shown(key, values(key), money_unit),
            }
            for key in keys
        ]

    return {
        "changes": rows(plan.apply, lambda k: plan.apply[k]),
        "kept": rows(plan.kept, lambda k: upload.content.get(k, "")),
        "conflicts": rows(plan.conflicts, lambda k: plan.conflicts[k][0]),
        "stale": upload.version != report.version,
        "file_version": upload.version,
        "upload_json": json.dumps(
            {"version": upload.version, "content": upload.content}, ensure_ascii=False
        ),
        "unchanged": not (plan.apply or plan.conflicts),
    }


urlpatterns = [
    path("report/<int:pk>/", report_edit, name="report_edit"),
    path("report/<int:pk>/preview/", report_preview, name="report_preview"),
    path("report/<int:pk>/submit/", report_submit, name="report_submit"),
    path("report/<int:pk>/download.json", report_download, name="report_download"),
    path("report/<int:pk>/upload/", report_upload, name="report_upload"),
]
