"""The declarer's 绩效目标 pages: a new subject, the declaration form with live checks, rows, submit.

Views are thin: reads start from the row-level gate (VIEW to read, FILE to write); every write is
one of `projects.targets.services` or the one workflow's `filing_submit`.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.access import FILE, VIEW, get_for_user, scope_for
from projects.filing.merge import MINE, THEIRS
from projects.filing.services import StaleVersion
from projects.formatting import editable_amount
from projects.models import LibraryIndicator, TargetDeclaration, Unit
from projects.rectifications.selectors import declaration_open_items
from projects.review.services.workflow import SubmissionBlocked, filing_submit
from projects.targets import selectors
from projects.targets.content import field_label
from projects.targets.forms import DeclarationForm, DeclareForm, field_id
from projects.targets.services import (
    declaration_add_indicator,
    declaration_queryset,
    declaration_remove_indicator,
    declaration_save_draft,
    ensure_declaration_editable,
    project_declare,
)

PAGE = "targets/filing_form.html"
RESOLVE = "resolve:"
MERGED = "在您编辑期间，他人保存了其他内容；双方的修改已逐项合并，均已保留。"


def _declaration(request, pk: int, action: str = FILE) -> TargetDeclaration:
    return get_for_user(declaration_queryset(), request.user, action, pk=pk)


def _rule_set(declaration):
    from scoring.services import rule_set_for

    return rule_set_for(declaration)


def _result(declaration, overrides=None) -> dict:
    """The stored checks on a plain GET; the checks over the typed content while typing."""
    from scoring.target_checks import check_declaration

    if overrides is None and declaration.result is not None:
        return declaration.result
    return check_declaration(declaration, overrides=overrides, store=False)


def _may_file(user, declaration) -> bool:
    """Reviewers and observers read the form; only the unit's filers get its inputs."""
    return TargetDeclaration.objects.filter(pk=declaration.pk).for_user(user, FILE).exists()


def _render(request, declaration, *, posted=None, errors=None, status=200, **extra):
    result = _result(declaration, posted.content if posted is not None else None)
    context = selectors.declaration_page(
        declaration, result, _rule_set(declaration), posted=posted, errors=errors
    )
    context["editable"] = declaration.is_editable and _may_file(request.user, declaration)
    context["rectifications"] = declaration_open_items(declaration)
    context.update(extra)
    return render(request, PAGE, context, status=status)


# --- a new subject -------------------------------------------------------------------------------


def _filer_units(user):
    units = Unit.objects.filter(is_active=True, department__is_active=True)
    if not user.is_superuser:
        units = units.filter(pk__in=scope_for(user).unit_ids)
    return list(units.order_by("department__code", "code"))


@login_required
@require_http_methods(["GET", "POST"])
def declaration_new(request):
    """申报新项目: the filer names a subject for a coming year; then its declaration form."""
    units = _filer_units(request.user)
    if not units:
        raise PermissionDenied("只有单位填报人可以申报项目。")
    form = DeclareForm(request.POST or None, units=units)
    if request.method == "POST":
        unit_id = request.POST.get("unit", "")
        if unit_id.isdigit() and int(unit_id) not in form.units:
            # Another unit's id: outside the filer's scope, as any other row would be.
            get_for_user(Unit.objects, request.user, FILE, pk=int(unit_id))
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                declaration = project_declare(
                    unit=form.units[data["unit"]],
                    user=request.user,
                    year=data["year"],
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    money_unit=data["money_unit"],
                    end_year=data["end_year"],
                )
            except ValidationError as bad:
                _form_errors(form, bad)
            else:
                messages.success(request, "已创建项目，请填写绩效目标。")
                return redirect("targets:declaration_edit", pk=declaration.pk)
    status = 422 if form.errors else 200
    return render(request, "targets/filing_new.html", {"form": form}, status=status)


def _form_errors(form, bad: ValidationError) -> None:
    """A refusal of the service shown at its field (or above the form)."""
    if not hasattr(bad, "error_dict"):
        form.add_error(None, "；".join(bad.messages))
        return
    for key, found in bad.message_dict.items():
        name = key if key in form.fields else None
        if key == "__all__" and any("code" in m or "编码" in m for m in found):
            name = "code"
        for message in found:
            form.add_error(name, _chinese(message))


def _chinese(message: str) -> str:
    if "already exists" in message or "已存在" in message:
        return "本单位该年度已有相同编码的项目，请换一个编码。"
    return message


# --- the declaration form ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declaration_edit(request, pk: int):
    """The 绩效目标申报表: GET shows it (read-only when not editable), POST saves the draft."""
    if request.method == "POST":
        return _save(request, _declaration(request, pk))
    return _render(request, _declaration(request, pk, VIEW))


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


def _save(request, declaration, *, then: bool = False):
    """Save the page: nothing is written while a field is wrong; a stale save is merged.

    With `then`, the saved declaration is returned for the next step (add, remove, submit)
    instead of a response; any other outcome is the response to send.
    """
    if not declaration.is_editable:
        if request.htmx:
            return render(request, "targets/_filing_locked.html", {"declaration": declaration})
        ensure_declaration_editable(declaration)
    version = _posted_version(request)
    if version is None:
        return HttpResponseBadRequest("缺少版本号，请刷新页面后重试。")
    form = DeclarationForm(declaration, request.POST)
    errors = dict(form.errors)
    saved = None
    if not errors:
        try:
            saved = declaration_save_draft(
                declaration=declaration,
                user=request.user,
                version=version,
                content=form.content,
                resolutions=_resolutions(request),
            )
        except StaleVersion as conflict:
            return _conflict(request, conflict)
        except ValidationError as bad:
            found = bad.message_dict if hasattr(bad, "error_dict") else {"__all__": bad.messages}
            errors = {k: "；".join(v) for k, v in found.items()}
    if errors:
        if request.htmx:
            return _refresh(request, declaration, form, errors)
        messages.error(request, "标红的字段有误，本次没有保存任何内容，请修改后再保存。")
        return _render(request, declaration, posted=form, errors=errors, status=422)
    merged = version != declaration.version
    if request.htmx:
        if merged:
            messages.info(request, MERGED)
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return _refresh(request, saved, form, {}, saved_now=True)
    if merged:
        messages.info(request, MERGED)
    if then:
        return saved
    messages.success(request, f"已保存（版本 {saved.version}）。")
    return redirect("targets:declaration_edit", pk=saved.pk)


def _refresh(request, declaration, form, errors, *, saved_now=False):
    """The htmx partial: findings, weight total, field messages (and the new version)."""
    result = _result(declaration, None if saved_now else form.content)
    context = selectors.declaration_page(
        declaration, result, _rule_set(declaration), posted=form, errors=errors
    )
    context.update(
        {
            "error_slots": [(field_id(k), v) for k, v in errors.items()],
            "saved_now": saved_now,
            "saved_at": timezone.localtime(),
        }
    )
    return render(request, "targets/_filing_refresh.html", context)


@login_required
@require_POST
def declaration_preview(request, pk: int):
    """Live checks while the declarer types: the engine over the typed content, nothing written."""
    declaration = _declaration(request, pk)
    form = DeclarationForm(declaration, request.POST)
    return _refresh(request, declaration, form, form.errors)


def _shown(key: str, text: str, money_unit: str) -> str:
    if text and key.startswith("funds."):
        try:
            return f"{editable_amount(Decimal(text), money_unit)} {money_unit}"
        except ArithmeticError:
            return text
    return text


def _conflict(request, conflict: StaleVersion):
    """Only the fields both sides changed, each with a choice; the save wrote nothing."""
    current = declaration_queryset().get(pk=conflict.current.pk)
    if request.htmx:
        context = {"declaration": current, "conflict": conflict}
        return render(request, "targets/_filing_conflict_banner.html", context, status=409)
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
    posted = [
        (key, value)
        for key, values in request.POST.lists()
        if key != "csrfmiddlewaretoken" and not key.startswith(RESOLVE)
        for value in values
    ]
    context = {
        "declaration": current,
        "project": current.project,
        "conflict": conflict,
        "rows": rows,
        "action": reverse("targets:declaration_edit", args=[current.pk]),
        "merged_count": len(conflict.plan.apply),
        "kept_count": len(conflict.plan.kept),
        "last_change": current.history.select_related("history_user").first(),
        "posted": posted,
    }
    return render(request, "targets/filing_conflict.html", context, status=409)


# --- rows ----------------------------------------------------------------------------------------


def _saved_first(request, pk: int):
    """The page's typing saved before a row is added or removed (or the response to send)."""
    declaration = _declaration(request, pk)
    ensure_declaration_editable(declaration)
    if "version" not in request.POST:  # a bare row action (no page around it)
        return declaration
    return _save(request, declaration, then=True)


@login_required
@require_POST
def declaration_indicator_add(request, pk: int):
    """Add a row: blank under a chosen 一级/二级, from the library, or from the unit's history."""
    saved = _saved_first(request, pk)
    if not isinstance(saved, TargetDeclaration):
        return saved
    library = None
    library_id = request.POST.get("library", "")
    level1, _, level2 = request.POST.get("level", "").partition("|")
    if library_id.isdigit():
        library = LibraryIndicator.objects.filter(pk=int(library_id)).first()
        if library is None:
            raise Http404
    try:
        row = declaration_add_indicator(
            declaration=saved,
            user=request.user,
            level1=request.POST.get("level1", level1),
            level2=request.POST.get("level2", level2),
            name=request.POST.get("name", "")[:300],
            library=library,
        )
        target = request.POST.get("target", "").strip()
        if target and library is None:
            fresh = declaration_queryset().get(pk=saved.pk)
            declaration_save_draft(
                declaration=fresh,
                user=request.user,
                version=fresh.version,
                content={f"indicators.{row.pk}.target": target[:300]},
            )
    except ValidationError as bad:
        messages.error(request, "；".join(bad.messages))
        return redirect("targets:declaration_edit", pk=saved.pk)
    messages.success(request, f"已新增指标“{row.name}”，请填写年度指标值和分值。")
    return redirect(reverse("targets:declaration_edit", args=[saved.pk]) + f"#row-{row.pk}")


@login_required
@require_POST
def declaration_indicator_remove(request, pk: int):
    """Remove a row the declaration no longer wants."""
    saved = _saved_first(request, pk)
    if not isinstance(saved, TargetDeclaration):
        return saved
    raw = request.POST.get("indicator", "")
    row = saved.project.indicators.filter(pk=int(raw)).first() if raw.isdigit() else None
    if row is None:
        raise Http404
    try:
        declaration_remove_indicator(declaration=saved, user=request.user, indicator=row)
    except ValidationError as bad:
        messages.error(request, "；".join(bad.messages))
    else:
        messages.success(request, f"已删除指标“{row.name}”。")
    return redirect("targets:declaration_edit", pk=saved.pk)


@login_required
@require_GET
def declaration_suggest(request, pk: int):
    """Suggested indicators for a row: the region's library and the unit's earlier years."""
    declaration = _declaration(request, pk)
    level2 = request.GET.get("level2") or request.GET.get("level", "").partition("|")[2]
    query = request.GET.get("q") or request.GET.get("name", "")
    found = selectors.suggestions(declaration, q=query, level2=level2)
    row = request.GET.get("row", "")
    context = {
        **found,
        "declaration": declaration,
        "row": int(row) if row.isdigit() else None,
        "editable": declaration.is_editable,
    }
    return render(request, "targets/_filing_suggest.html", context)


@login_required
@require_POST
def declaration_submit(request, pk: int):
    """Save the page, then submit: refused while error findings remain, each linked to its field."""
    declaration = _declaration(request, pk)
    ensure_declaration_editable(declaration)
    saved = _save(request, declaration, then=True)
    if not isinstance(saved, TargetDeclaration):
        return saved
    try:
        filing_submit(filing=saved, user=request.user)
    except SubmissionBlocked as blocked:
        fresh = declaration_queryset().get(pk=saved.pk)
        return _render(
            request,
            fresh,
            blocked=selectors.finding_views({"findings": blocked.findings}),
            blocked_message=blocked.messages[0],
            status=422,
        )
    except ValidationError as refused:
        messages.error(request, "；".join(refused.messages))
        return redirect("targets:declaration_edit", pk=saved.pk)
    messages.success(request, "已提交，等待审核。提交后不能再修改；如需修改，请联系审核人退回。")
    return redirect("targets:declaration_edit", pk=saved.pk)


urlpatterns = [
    path("new/", declaration_new, name="declaration_new"),
    path("declaration/<int:pk>/", declaration_edit, name="declaration_edit"),
    path("declaration/<int:pk>/preview/", declaration_preview, name="declaration_preview"),
    path("declaration/<int:pk>/submit/", declaration_submit, name="declaration_submit"),
    path("declaration/<int:pk>/add/", declaration_indicator_add, name="declaration_indicator_add"),
    path(
        "declaration/<int:pk>/remove/",
        declaration_indicator_remove,
        name="declaration_indicator_remove",
    ),
    path("declaration/<int:pk>/suggest/", declaration_suggest, name="declaration_suggest"),
]
