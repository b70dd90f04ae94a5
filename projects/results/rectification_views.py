"""整改: items raised from reviews, reported by units, closed by reviewers.

Thin views: every read starts from the row-level gate (404 outside the scope), every write is a
service call that checks the role again (403) and speaks Chinese at the field it refuses.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from projects.access import VIEW, get_for_user, scope_for
from projects.models import Evaluation, MonitoringReport, Unit
from projects.models.results import Rectification, RectificationSource
from projects.rectifications import selectors, services
from projects.results.rectification_forms import (
    CloseForm,
    RaiseForm,
    RectificationFilter,
    ReopenForm,
    ReportForm,
)
from projects.review.forms import default_deadline
from projects.review.views.common import can_act, reviewer_required

PER_PAGE = 25


def _require_scope(user) -> None:
    if scope_for(user).is_empty:
        raise PermissionDenied("您没有查看整改事项的权限。")


def _errors_into(form, exc: ValidationError) -> None:
    """A service's refusal shown at the form's field, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
@require_safe
def rectification_list(request):
    """Every item of the user's scope with filters; overdue ones first, each with its badge."""
    _require_scope(request.user)
    data = request.GET.copy()
    data.pop("page", None)
    filterset = RectificationFilter(
        data, queryset=selectors.rectification_list(request.user), request=request
    )
    items = filterset.qs if filterset.is_valid() else Rectification.objects.none()
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "query": data.urlencode(),
        "can_act": can_act(request.user),
    }
    return render(request, "results/rectification_list.html", context)


def _item(request, pk: int) -> Rectification:
    return get_for_user(
        selectors.with_overdue(
            Rectification.objects.select_related(
                "unit__department__region",
                "evaluation",
                "monitoring_report__round",
                "raised_by",
                "closed_by",
            )
        ),
        request.user,
        VIEW,
        pk=pk,
    )


def _render_detail(request, item, *, report=None, close=None, reopen=None, status=200):
    page = selectors.item_page(item, request.user)
    context = {
        "page": page,
        "item": item,
        "report_form": report or ReportForm(initial={"measures": item.measures}),
        "close_form": close or CloseForm(),
        "reopen_form": reopen or ReopenForm(),
    }
    return render(request, "results/rectification_detail.html", context, status=status)


@login_required
@require_safe
def rectification_detail(request, pk: int):
    """The item, its steps, the unit's report form and the reviewer's close / reopen forms."""
    return _render_detail(request, _item(request, pk))


def _act(request, pk, form_class, slot, call, success, *, filer=False):
    """Shared shape of a posted move: gate (404), the role (403, before the form is read, so
    an observer's post is refused whatever it holds), validate, call the service."""
    item = _item(request, pk)
    scope = scope_for(request.user)
    allowed = (
        (scope.superuser or item.unit_id in scope.unit_ids)
        if filer
        else selectors.reviews_unit(request.user, item.unit)
    )
    if not allowed:
        raise PermissionDenied(
            "只有责任单位的填报人可以报告整改情况。" if filer else services.NOT_REVIEWER
        )
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(item, form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, success)
            return redirect("results:rectification_detail", pk)
    return _render_detail(request, item, status=422, **{slot: form})


@login_required
@require_POST
def rectification_report_view(request, pk: int):
    """The unit's filer reports the measures taken: the item waits for 销号."""
    return _act(
        request,
        pk,
        ReportForm,
        "report",
        lambda item, data: services.rectification_report(item=item, user=request.user, **data),
        "已报告整改情况，等待审核销号。",
        filer=True,
    )


@login_required
@require_POST
def rectification_close_view(request, pk: int):
    """The reviewer closes (销号) the item."""
    return _act(
        request,
        pk,
        CloseForm,
        "close",
        lambda item, data: services.rectification_close(item=item, user=request.user, **data),
        "整改事项已销号。",
    )


@login_required
@require_POST
def rectification_reopen_view(request, pk: int):
    """The reviewer sends the item back to 整改中."""
    return _act(
        request,
        pk,
        ReopenForm,
        "reopen",
        lambda item, data: services.rectification_reopen(item=item, user=request.user, **data),
        "整改事项已重新开启。",
    )


def _pk(value):
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise Http404("未找到该记录。")
    return int(value)


def _raise_target(request) -> dict:
    """What the raise page is about, from ?evaluation= / ?monitoring_report= / ?unit=."""
    params = request.GET if request.method == "GET" else request.POST
    evaluation_pk = _pk(params.get("evaluation"))
    report_pk = _pk(params.get("monitoring_report"))
    unit_pk = _pk(params.get("unit"))
    if evaluation_pk:
        evaluation = get_for_user(
            Evaluation.objects.select_related("project__unit__department"),
            request.user,
            VIEW,
            pk=evaluation_pk,
        )
        return {
            "evaluation": evaluation,
            "unit": evaluation.project.unit,
            "project": evaluation.project,
            "year": evaluation.year,
        }
    if report_pk:
        report = get_for_user(
            MonitoringReport.objects.select_related("project__unit__department", "round"),
            request.user,
            VIEW,
            pk=report_pk,
        )
        return {
            "monitoring_report": report,
            "unit": report.project.unit,
            "project": report.project,
            "year": report.project.year,
        }
    if unit_pk:
        unit = get_for_user(
            Unit.objects.select_related("department"), request.user, VIEW, pk=unit_pk
        )
        return {"unit": unit, "project": None, "year": timezone.localdate().year}
    raise Http404("请从自评、监控表或抽查页面进入，以确定整改事项的责任单位。")


def _problem(params) -> str:
    """The prefilled problem: a finding's message, after the indicator it is about if any."""
    problem, about = params.get("problem", "")[:2000], params.get("about", "")[:200]
    return f"“{about}”：{problem}" if about and problem else problem


@reviewer_required
@require_http_methods(["GET", "POST"])
def rectification_new(request):
    """Raise one item, prefilled from the link (source, ref, problem) that led here."""
    target = _raise_target(request)
    if not selectors.reviews_unit(request.user, target["unit"]):
        raise PermissionDenied(services.NOT_REVIEWER)
    if request.method == "POST":
        form = RaiseForm(request.POST)
        if form.is_valid():
            try:
                item = services.rectification_raise(
                    user=request.user, **target, **form.cleaned_data
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, "已列为整改事项，责任单位将收到通知。")
                return redirect("results:rectification_detail", item.pk)
    else:
        source = request.GET.get("source")
        form = RaiseForm(
            initial={
                "source": source if source in RectificationSource.values else "other",
                "problem": _problem(request.GET),
                "source_ref": request.GET.get("ref", "")[:100],
                "deadline": default_deadline(),
            }
        )
    hidden = {
        key: request.GET.get(key) or request.POST.get(key) or ""
        for key in ("evaluation", "monitoring_report", "unit")
    }
    context = {"form": form, "target": target, "hidden": hidden}
    status = 422 if request.method == "POST" else 200
    return render(request, "results/rectification_new.html", context, status=status)


# --- raise points on other pages ------------------------------------------------------------------


urlpatterns: list = [
    path("rectifications/", rectification_list, name="rectification_list"),
    path("rectifications/new/", rectification_new, name="rectification_new"),
    path("rectifications/<int:pk>/", rectification_detail, name="rectification_detail"),
    path(
        "rectifications/<int:pk>/report/",
        rectification_report_view,
        name="rectification_report",
    ),
    path("rectifications/<int:pk>/close/", rectification_close_view, name="rectification_close"),
    path("rectifications/<int:pk>/reopen/", rectification_reopen_view, name="rectification_reopen"),
]
