"""The common indicator library (共性指标库): everyone in a region reads it; its finance bureau
adds, edits, disables and imports indicators. Another region's library is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe

from projects.models import LibraryIndicator
from projects.targets import library_import
from projects.targets.library_forms import (
    LibraryFilterForm,
    LibraryImportForm,
    LibraryIndicatorForm,
)
from projects.targets.library_selectors import (
    can_keep,
    functions_of,
    library_queryset,
    library_rows,
    readable_regions,
)
from projects.targets.library_services import (
    library_import_workbook,
    library_indicator_create,
    library_indicator_set_active,
    library_indicator_update,
)

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _region(request, *, keeping: bool = False):
    """?region= among the regions the user reads (404 outside), else their first; with
    `keeping`, only the region's finance bureau passes (403 for the rest of the region)."""
    regions = readable_regions(request.user)
    wanted = request.GET.get("region") or request.POST.get("region")
    if wanted:
        if not str(wanted).isdigit():
            raise Http404("未找到该地区。")
        region = regions.filter(pk=int(wanted)).first()
        if region is None:
            raise Http404("未找到该地区。")
    else:
        region = regions.first()
        if region is None:
            raise PermissionDenied("您不属于任何地区，不能查看共性指标库。")
    if keeping and not can_keep(request.user, region):
        raise PermissionDenied("只有本地区财政局可以维护共性指标库。")
    return region


def _indicator(request, pk, *, keeping: bool = True) -> LibraryIndicator:
    """One library indicator of a region the user reads (404 outside), kept by its bureau."""
    indicator = (
        LibraryIndicator.objects.filter(region__in=readable_regions(request.user).values("pk"))
        .select_related("region")
        .filter(pk=pk)
        .first()
    )
    if indicator is None:
        raise Http404("未找到该共性指标。")
    if keeping and not can_keep(request.user, indicator.region):
        raise PermissionDenied("只有本地区财政局可以维护共性指标库。")
    return indicator


def _list_url(region) -> str:
    return f"{reverse('targets:library_list')}?region={region.pk}"


@login_required
@require_safe
def library_list(request):
    """The region's library with filters and how often each indicator is used."""
    region = _region(request)
    data = request.GET.copy()
    data.pop("page", None)
    form = LibraryFilterForm(data, functions=functions_of(region))
    indicators = library_queryset(region, **form.filters())
    page = Paginator(indicators, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "region": region,
        "regions": list(readable_regions(request.user)),
        "form": form,
        "page": page,
        "rows": library_rows(page.object_list),
        "query": data.urlencode(),
        "can_keep": can_keep(request.user, region),
    }
    return render(request, "targets/library_list.html", context)


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def library_create(request):
    """The finance bureau adds a standard indicator."""
    region = _region(request, keeping=True)
    form = LibraryIndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = library_indicator_create(
                region=region, user=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"已新增共性指标“{created.name}”。")
            return redirect(_list_url(region))
    context = {"form": form, "region": region, "indicator": None}
    return render(request, "targets/library_form.html", context)


@login_required
def library_edit(request, pk):
    """The finance bureau edits a standard indicator."""
    indicator = _indicator(request, pk)
    initial = {key: getattr(indicator, key) for key in LibraryIndicatorForm.base_fields}
    form = LibraryIndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            library_indicator_update(indicator=indicator, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"已修改共性指标“{form.cleaned_data['name']}”。")
            return redirect(_list_url(indicator.region))
    history = indicator.history.select_related("history_user").order_by("-history_date")[:20]
    context = {"form": form, "region": indicator.region, "indicator": indicator, "history": history}
    return render(request, "targets/library_form.html", context)


def _set_active(request, pk, active: bool):
    indicator = _indicator(request, pk)
    library_indicator_set_active(indicator=indicator, user=request.user, active=active)
    word = "启用" if active else "停用"
    messages.success(request, f"已{word}共性指标“{indicator.name}”。")
    return redirect(_list_url(indicator.region))


@login_required
@require_POST
def library_deactivate(request, pk):
    """Disable: the declaration form stops suggesting it; uses keep their rows."""
    return _set_active(request, pk, False)


@login_required
@require_POST
def library_activate(request, pk):
    """Enable a disabled indicator again."""
    return _set_active(request, pk, True)


@login_required
def library_import_view(request):
    """Import a workbook of indicators: every row, or nothing and each wrong cell listed."""
    region = _region(request, keeping=True)
    form = LibraryImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        outcome = library_import_workbook(
            region=region, user=request.user, data=form.cleaned_data["file"].read()
        )
        if not outcome.errors:
            messages.success(
                request, f"导入完成：新增 {outcome.created} 项，更新 {outcome.updated} 项。"
            )
            return redirect(_list_url(region))
        errors = outcome.errors
    context = {
        "form": form,
        "region": region,
        "errors": errors,
        "columns": library_import.COLUMNS,
    }
    return render(request, "targets/library_import.html", context)


@login_required
@require_safe
def library_template(request):
    """The empty library workbook with its column notes."""
    _region(request, keeping=True)
    response = HttpResponse(library_import.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''library-template.xlsx"
    return response


urlpatterns = [
    path("library/", library_list, name="library_list"),
    path("library/new/", library_create, name="library_create"),
    path("library/import/", library_import_view, name="library_import"),
    path("library/template.xlsx", library_template, name="library_template"),
    path("library/<int:pk>/edit/", library_edit, name="library_edit"),
    path("library/<int:pk>/deactivate/", library_deactivate, name="library_deactivate"),
    path("library/<int:pk>/activate/", library_activate, name="library_activate"),
]
