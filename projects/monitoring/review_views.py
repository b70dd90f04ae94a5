"""The monitoring review: the list of red and yellow lights of a scope, one report's review page,
its approval or return (the one workflow), and the follow-up decision on a red light."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from projects.access import DEPARTMENT_REVIEW, FINANCE_REVIEW, VIEW, get_for_user
from projects.models import MonitoringReport
from projects.monitoring.filters import MonitoringLightFilter
from projects.monitoring.review_forms import ApproveForm, FollowUpForm, ReturnForm
from projects.monitoring.review_selectors import light_rows, review_page, rounds_in_scope
from projects.monitoring.services import monitoring_follow_up_record, report_queryset
from projects.review.services import workflow
from projects.review.views.common import can_act, reader_required

PER_PAGE = 25


@reader_required
@require_safe
def report_list(request):
    """Every red and yellow light of the user's scope in one list, latest round by default."""
    data = request.GET.copy()
    data.pop("page", None)
    if "round" not in data:
        latest = rounds_in_scope(request.user).first()
        data["round"] = str(latest.pk) if latest else ""
    filterset = MonitoringLightFilter(
        data, queryset=MonitoringReport.objects.for_user(request.user, VIEW), request=request
    )
    items = filterset.items() if filterset.is_valid() else []
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "rows": light_rows(page.object_list),
        "query": data.urlencode(),
        "can_act": can_act(request.user),
    }
    return render(request, "monitoring/review_list.html", context)


def _render_review(request, report, *, approve=None, return_=None, follow_up=None):
    """The review page; a refused form is passed back bound, its messages at its fields."""
    page = review_page(report, request.user)
    bound_key = None
    if follow_up is not None:
        bound_key = follow_up.data.get("indicator") or "0"
    placed = False
    if page.can_decide and page.execution_red:
        placed = bound_key == "0"
        page.execution_form = follow_up if placed else FollowUpForm()
    for row in page.indicators:
        if page.can_decide and row.is_red:
            mine = bound_key == str(row.indicator_id)
            placed = placed or mine
            row.form = follow_up if mine else FollowUpForm(initial={"indicator": row.indicator_id})
    context = {
        "page": page,
        "report": report,
        "approve_form": approve or ApproveForm(),
        "return_form": return_ or ReturnForm(),
        "posted_comments": return_.indicator_comments(request.POST) if return_ else {},
        # A refused decision on an item that has no form (not red, report in draft).
        "stray_follow_up": follow_up if follow_up is not None and not placed else None,
    }
    return render(request, "monitoring/review_report.html", context)


def _load(request, pk):
    return get_for_user(report_queryset(), request.user, VIEW, pk=pk)


@reader_required
@require_safe
def report_review(request, pk):
    """The whole report read-only, its history and follow-ups, and the user's decisions."""
    return _render_review(request, _load(request, pk))


def _errors_into(form, exc: ValidationError) -> None:
    """A service's refusal shown at the form's field, or above the form."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _decide(request, pk, role, service, form_class, success, *, returning=False):
    """A posted approval or return: gate (404/403), validate, call the one workflow."""
    get_for_user(MonitoringReport.objects, request.user, role, pk=pk)
    form = form_class(request.POST)
    extra = {}
    if form.is_valid():
        if returning:
            extra["indicator_comments"] = form.indicator_comments(request.POST)
        try:
            report = service(
                filing=_load(request, pk), user=request.user, **form.cleaned_data, **extra
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"{success}：{report.project.name}")
            return redirect("monitoring:report_review", pk)
    slot = {"return_": form} if returning else {"approve": form}
    return _render_review(request, _load(request, pk), **slot)


@reader_required
@require_POST
def department_approve(request, pk):
    """主管部门审核通过: the report goes on to the finance bureau."""
    return _decide(
        request,
        pk,
        DEPARTMENT_REVIEW,
        workflow.filing_department_approve,
        ApproveForm,
        "主管部门审核通过，已报送财政审核",
    )


@reader_required
@require_POST
def department_return(request, pk):
    """主管部门退回, with a required comment and optional indicator comments."""
    return _decide(
        request,
        pk,
        DEPARTMENT_REVIEW,
        workflow.filing_department_return,
        ReturnForm,
        "已退回填报单位",
        returning=True,
    )


@reader_required
@require_POST
def finance_approve(request, pk):
    """财政审核通过."""
    return _decide(
        request, pk, FINANCE_REVIEW, workflow.filing_finance_approve, ApproveForm, "财政审核通过"
    )


@reader_required
@require_POST
def finance_return(request, pk):
    """财政退回, with a required comment and optional indicator comments."""
    return _decide(
        request,
        pk,
        FINANCE_REVIEW,
        workflow.filing_finance_return,
        ReturnForm,
        "已退回填报单位",
        returning=True,
    )


@reader_required
@require_POST
def follow_up_record(request, pk):
    """A reviewer records the decision on a red light; the service checks role, state, light."""
    report = _load(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        indicator_id = form.cleaned_data["indicator"]
        indicator = None
        if indicator_id:
            indicator = next(
                (i for i in report.project.indicators.all() if i.pk == indicator_id), None
            )
            if indicator is None:
                form.add_error(None, "该指标不属于本监控表。")
        if not form.errors:
            try:
                monitoring_follow_up_record(
                    report=report,
                    user=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    indicator=indicator,
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                about = f"指标“{indicator.name}”" if indicator else "预算执行进度"
                messages.success(request, f"已记录{about}红灯的处理决定。")
                return redirect("monitoring:report_review", pk)
    return _render_review(request, _load(request, pk), follow_up=form)


urlpatterns = [
    path("review/", report_list, name="report_list"),
    path("review/<int:pk>/", report_review, name="report_review"),
    path(
        "review/<int:pk>/department-approve/",
        department_approve,
        name="report_department_approve",
    ),
    path("review/<int:pk>/department-return/", department_return, name="report_department_return"),
    path("review/<int:pk>/finance-approve/", finance_approve, name="report_finance_approve"),
    path("review/<int:pk>/finance-return/", finance_return, name="report_finance_return"),
    path("review/<int:pk>/follow-up/", follow_up_record, name="follow_up_record"),
]
