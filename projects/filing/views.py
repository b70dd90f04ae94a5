"""The filer's pages: workspace, evaluation form with live scoring, drafts, conflicts, submit.

Views are thin: every read starts from the row-level gate, every write is a service call. htmx
requests get partials of the same templates the full page is built from.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from projects.access import FILE, get_for_user, scope_for
from projects.filing import bulk, selectors
from projects.filing.content import field_label, shown
from projects.filing.forms import FilingForms, NarrativeForm
from projects.filing.merge import MINE, THEIRS
from projects.filing.services import (
    DraftChanges,
    StaleVersion,
    draft_narrative,
    evaluation_queryset,
    evaluation_save_draft,
    evaluation_start,
    preview,
)
from projects.filters import WorkspaceFilter
from projects.models import Project
from projects.monitoring.selectors import filer_open_reports
from projects.narrative import sections_for
from projects.rectifications.selectors import unit_open_items
from projects.review.selectors import notifications_for
from projects.review.services.workflow import SubmissionBlocked, ensure_editable, evaluation_submit
from projects.tables import WorkspaceTable
from projects.targets.selectors import filer_declarations

PAGE = "projects/evaluation_form.html"


def _require_filer(user) -> None:
    """Only filers (and superusers) have a workspace; reviewers work from their queues."""
    scope = scope_for(user)
    if not (scope.unit_ids or scope.superuser):
        raise PermissionDenied("您没有填报权限。")


def _year(request) -> int | None:
    try:
        return int(request.GET["year"])
    except (KeyError, ValueError):
        return None


@login_required
@require_GET
def workspace(request):
    """The filer's year at a glance: every subject, its status, deadline, score and findings,
    searchable, filterable and sortable by GET parameters (so a link keeps them)."""
    _require_filer(request.user)
    year, years = selectors.workspace_year(request.user, _year(request))
    filterset = WorkspaceFilter(
        request.GET, queryset=selectors.workspace_projects(request.user, year), request=request
    )
    table = WorkspaceTable(filterset.qs)
    # The 开始填报 button in each unopened row is a small POST form of its own.
    table.csrf_token = get_token(request)
    RequestConfig(request, paginate=False).configure(table)
    # The table ordered its queryset; evaluate it once here and give each row its deadline.
    projects = selectors.attach_workspace_rows(table.data.data, year)
    filtered = any(request.GET.get(name) for name in filterset.filters)
    context = {
        "year": year,
        "years": years,
        "filter": filterset,
        "table": table,
        "totals": selectors.workspace_totals(projects),
        "filtered": filtered,
        "notifications": notifications_for(request.user),
        "monitoring_reports": filer_open_reports(request.user),
        "declarations": filer_declarations(request.user),
        "rectifications": unit_open_items(request.user),
    }
    return render(request, "projects/workspace.html", context)


@login_required
@require_POST
def evaluation_start_view(request, project_pk: int):
    """Open the year's evaluation of a subject that has none yet, then go to its form."""
    project = get_for_user(Project.objects, request.user, FILE, pk=project_pk)
    evaluation = evaluation_start(project=project, user=request.user)
    return redirect("projects:evaluation_edit", pk=evaluation.pk)


def _evaluation(request, pk: int):
    # The stored result and snapshot are large JSON read only for a submitted filing: load them
    # on demand, not on every keystroke's recompute.
    queryset = evaluation_queryset().defer("result", "input_snapshot")
    return get_for_user(queryset, request.user, FILE, pk=pk)


def _shown_result(evaluation) -> dict:
    """A frozen or submitted filing shows its stored result; an open one is scored afresh."""
    if not evaluation.is_editable and evaluation.result:
        return evaluation.result
    return preview(evaluation, DraftChanges())


def _render_page(request, evaluation, forms, result, *, changes=None, status=200, **extra):
    context = selectors.page_context(evaluation, forms, result, changes=changes)
    context.update(extra)
    return render(request, PAGE, context, status=status)


@login_required
def evaluation_edit(request, pk: int):
    """The 自评表 form: GET shows it, POST saves the draft (autosave posts here through htmx)."""
    evaluation = _evaluation(request, pk)
    if request.method == "POST":
        return _save(request, evaluation)
    if request.method != "GET":
        return HttpResponse(status=405)
    result = _shown_result(evaluation)
    drafts = draft_narrative(evaluation, result) if evaluation.is_editable else None
    forms = FilingForms(
        evaluation, initial_unit=request.GET.get("unit"), result=result, drafts=drafts
    )
    if not evaluation.is_editable:
        forms.disable()
    return _render_page(request, evaluation, forms, result)


def _posted_version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _save(request, evaluation, *, then_submit: bool = False):
    """Save what is valid, keep what was typed, refuse a stale version with the conflict page."""
    if not evaluation.is_editable:
        if request.htmx:
            return render(request, "projects/partials/_locked.html", {"evaluation": evaluation})
        ensure_editable(evaluation)
    version = _posted_version(request)
    if version is None:
        return HttpResponseBadRequest("缺少版本号，请刷新页面后重试。")
    forms = FilingForms(evaluation, data=request.POST)
    changes = forms.changes()
    errors = forms.field_errors()
    try:
        saved = evaluation_save_draft(
            evaluation=evaluation,
            user=request.user,
            version=version,
            changes=changes,
            resolutions=_resolutions(request),
        )
    except StaleVersion as conflict:
        return _conflict(request, evaluation, conflict)
    merged = version != evaluation.version
    result = saved.result or preview(saved, DraftChanges())
    if request.htmx:
        if merged:
            # Others saved other fields meanwhile: show the merged filing, nothing is lost.
            messages.info(request, MERGED)
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return _refresh(request, saved, forms, result, errors, saved_now=True)
    if then_submit:
        return saved, forms, errors
    if errors:
        messages.warning(request, "其余内容已保存；标红的字段有误，尚未保存，请修改后再保存。")
        forms = FilingForms(saved, data=request.POST)
        forms.validate()
        return _render_page(request, saved, forms, result, changes=changes)
    if merged:
        messages.info(request, MERGED)
    messages.success(request, f"已保存（版本 {saved.version}）。")
    return redirect("projects:evaluation_edit", pk=saved.pk)


MERGED = "在您编辑期间，他人保存了其他内容；双方的修改已逐项合并，均已保留。"


def _resolutions(request) -> dict[str, str]:
    """The conflict page's choices: {field key: "mine" | "theirs"}."""
    return {
        key.removeprefix(RESOLVE): value
        for key, value in request.POST.items()
        if key.startswith(RESOLVE) and value in (MINE, THEIRS)
    }


RESOLVE = "resolve:"


def _refresh(request, evaluation, forms, result, errors, *, saved_now=False):
    """The htmx partial: scores, totals, findings, field errors (and the new version), and the
    report sections that follow the figures, redrafted."""
    changes = forms.changes()
    auto = [key for key in forms.narrative.keys if forms.narrative.is_auto(key)]
    redrafted = []
    if auto:
        texts = evaluation.notes if saved_now else draft_narrative(evaluation, result, changes)
        for key in auto:
            name = forms.narrative.add_prefix(f"note_{key}")
            # Browsers post textareas with CRLF line ends; the draft has LF.
            if request.POST.get(name, "").replace("\r\n", "\n") != texts.get(key, ""):
                redrafted.append(key)
        if redrafted:
            data = request.POST.copy()
            for key in redrafted:
                data[forms.narrative.add_prefix(f"note_{key}")] = texts.get(key, "")
            forms.narrative = NarrativeForm(
                data, prefix="nr", kind=evaluation.project.kind, keys=forms.narrative.keys
            )
            forms.narrative.is_valid()
    context = selectors.page_context(evaluation, forms, result, changes=changes, partial=True)
    context.update(
        {
            # Only fields with a message: the page clears every slot before applying these.
            "error_slots": sorted(errors.items()),
            "redrafted": redrafted,
            "live_rows": [
                row
                for row in context["rows"]
                if request.POST.get(f"sig-{row.indicator.pk}") != row.sig
            ],
            "saved_now": saved_now,
            "saved_at": timezone.localtime(),
        }
    )
    return render(request, "projects/partials/_refresh.html", context)


@login_required
@require_POST
def evaluation_recompute(request, pk: int):
    """Live scoring while the filer types: nothing is written."""
    evaluation = _evaluation(request, pk)
    forms = FilingForms(evaluation, data=request.POST)
    changes = forms.changes()
    result = preview(evaluation, changes)
    return _refresh(request, evaluation, forms, result, forms.field_errors())


def _conflict(request, evaluation, conflict: StaleVersion):
    """Only the fields both sides changed, each with a choice; the save wrote nothing."""
    current = evaluation_queryset().get(pk=conflict.current.pk)
    if request.htmx:
        response = render(
            request,
            "projects/partials/_conflict_banner.html",
            {"evaluation": current, "conflict": conflict},
        )
        response.status_code = 409
        return response
    money_unit = request.POST.get("ev-money_unit") or current.project.money_unit
    rows = []
    for key, (mine, theirs) in conflict.plan.conflicts.items():
        where = field_label(key, current)
        rows.append(
            {
                "key": key,
                "name": f"{RESOLVE}{key}",
                "section": where.section,
                "label": where.label,
                "yours": shown(key, mine, money_unit),
                "theirs": shown(key, theirs, money_unit),
            }
        )
    context = {
        "evaluation": current,
        "project": current.project,
        "conflict": conflict,
        "rows": rows,
        "merged_count": len(conflict.plan.apply),
        "kept_count": len(conflict.plan.kept),
        "last_change": current.history.select_related("history_user").first(),
        "posted": [
            (key, value)
            for key, values in request.POST.lists()
            if key not in ("csrfmiddlewaretoken",) and not key.startswith(RESOLVE)
            for value in values
        ],
    }
    return render(request, "projects/conflict.html", context, status=409)


@login_required
@require_POST
def evaluation_submit_view(request, pk: int):
    """Save the page, then submit: refused while error findings remain, each linked to its field."""
    evaluation = _evaluation(request, pk)
    ensure_editable(evaluation)
    outcome = _save(request, evaluation, then_submit=True)
    if not isinstance(outcome, tuple):
        return outcome
    saved, forms, errors = outcome
    result = saved.result or preview(saved, DraftChanges())
    if errors:
        forms = FilingForms(saved, data=request.POST)
        forms.validate()
        messages.error(request, "有字段填写有误，请修改后再提交。")
        return _render_page(request, saved, forms, result, changes=forms.changes())
    try:
        evaluation_submit(evaluation=saved, user=request.user)
    except SubmissionBlocked as blocked:
        forms = FilingForms(saved, result=result, drafts=draft_narrative(saved, result))
        context_blocked = selectors.finding_views({"findings": blocked.findings}, _prefixes(forms))
        return _render_page(
            request,
            saved,
            forms,
            result,
            blocked=context_blocked,
            blocked_message=blocked.messages[0],
        )
    except ValidationError as refused:
        messages.error(request, "；".join(refused.messages))
        return redirect("projects:evaluation_edit", pk=saved.pk)
    messages.success(request, "已提交，等待审核。提交后不能再修改；如需修改，请联系审核人退回。")
    return redirect("projects:evaluation_edit", pk=saved.pk)


def _prefixes(forms) -> dict[int, str]:
    return {i.pk: f.prefix for i, f in forms.row_forms() if f is not None}


@login_required
@require_POST
def evaluation_narrative(request, pk: int):
    """Draft the report from the figures on the page; only the requested sections change."""
    evaluation = _evaluation(request, pk)
    ensure_editable(evaluation)
    forms = FilingForms(evaluation, data=request.POST)
    changes = forms.changes()
    result = preview(evaluation, changes)
    drafted = draft_narrative(evaluation, result, changes)
    wanted = request.POST.get("section", "empty")
    keys = [key for key, _ in sections_for(evaluation.project.kind)]
    data = request.POST.copy()
    for key in keys:
        name = forms.narrative.add_prefix(f"note_{key}")
        blank = not (data.get(name) or "").strip()
        if key == wanted or wanted == "all" or (wanted == "empty" and blank):
            data[name] = drafted.get(key, "")
            data[forms.narrative.add_prefix(f"auto_{key}")] = "True"
    forms = FilingForms(evaluation, data=data)
    forms.validate()
    context = selectors.page_context(evaluation, forms, result, changes=forms.changes())
    context["drafted"] = wanted
    return render(request, "projects/partials/_narrative.html", context)


def _ticked(request, source) -> list:
    """The ticked filings; an id outside the user's units is a 404 for the whole request."""
    ids = {int(v) for v in source.getlist("ids") if v.isdigit()}
    evaluations = bulk.selected_for_submit(user=request.user, ids=ids)
    if len(evaluations) != len(ids):
        raise Http404("所选自评中有不存在或您无权填报的记录。")
    return evaluations


@login_required
@require_http_methods(["GET", "POST"])
def bulk_submit(request):
    """GET lists what a bulk submit of the ticked filings will do; POST (the confirmation) does it."""
    _require_filer(request.user)
    source = request.POST if request.method == "POST" else request.GET
    evaluations = _ticked(request, source)
    back_url = _workspace_url(source)
    if not evaluations:
        messages.warning(request, "请先勾选要提交的自评。")
        return redirect(back_url)
    if request.method == "POST":
        outcome = bulk.evaluations_bulk_submit(evaluations=evaluations, user=request.user)
        if outcome.submitted:
            messages.success(
                request, f"已提交 {len(outcome.submitted)} 项，等待审核；提交后不能再修改。"
            )
        for evaluation, reason in outcome.refused:
            messages.warning(request, f"未提交“{evaluation.project.name}”：{reason}")
        return redirect(back_url)
    outcome = bulk.bulk_submit_preview(evaluations=evaluations, user=request.user)
    return render(
        request,
        "projects/bulk_submit.html",
        {"outcome": outcome, "back_url": back_url, "year": source.get("year", "")},
    )


def _workspace_url(source) -> str:
    """Back to the workspace of the year the filer came from."""
    url = reverse("projects:workspace")
    year = source.get("year", "")
    return f"{url}?year={year}" if year.isdigit() else url
