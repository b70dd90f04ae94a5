"""The target review: the declarations of a scope, one declaration's review page, its approval or
return (the one workflow), and the finance bureau's 调整 of a target after approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from projects.access import DEPARTMENT_REVIEW, FINANCE_REVIEW, VIEW, get_for_user
from projects.models import EvaluationStatus, TargetDeclaration
from projects.rectifications.selectors import declaration_open_items
from projects.review.services import workflow
from projects.review.views.common import can_act, reader_required
from projects.targets.review_forms import (
    ApproveForm,
    DeclarationFilter,
    ReturnForm,
    TargetCorrectForm,
)
from projects.targets.review_selectors import declaration_rows, list_queryset, review_page
from projects.targets.services import declaration_queryset

PER_PAGE = 25


@reader_required
@require_safe
def declaration_list(request):
    """Every declaration of the user's scope, filtered, with the counts of its findings."""
    data = request.GET.copy()
    data.pop("page", None)
    filterset = DeclarationFilter(
        data, queryset=TargetDeclaration.objects.for_user(request.user, VIEW), request=request
    )
    declarations = list_queryset(filterset.qs if filterset.is_valid() else filterset.queryset)
    page = Paginator(declarations, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "rows": declaration_rows(page.object_list),
        "query": data.urlencode(),
        "can_act": can_act(request.user),
    }
    return render(request, "targets/review_list.html", context)


def _load(request, pk):
    return get_for_user(declaration_queryset(), request.user, VIEW, pk=pk)


def _render(request, declaration, *, approve=None, return_=None, correct=None, correcting=None):
    """The review page; a refused form is passed back bound, its messages at its fields."""
    context = {
        "page": review_page(declaration, request.user),
        "declaration": declaration,
        "approve_form": approve or ApproveForm(),
        "return_form": return_ or ReturnForm(),
        "posted_comments": return_.indicator_comments(request.POST) if return_ else {},
        "correct_form": correct or TargetCorrectForm(),
        "correcting": correcting,
        "rectifications": declaration_open_items(declaration),
    }
    return render(request, "targets/review_page.html", context)


@reader_required
@require_safe
def declaration_review(request, pk):
    """The whole declaration read-only, its findings and history, and the user's decisions."""
    return _render(request, _load(request, pk))


def _errors_into(form, exc: ValidationError) -> None:
    """A service's refusal shown at the form's field, or above the form."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _decide(request, pk, role, service, form_class, success, *, returning=False):
    """A posted approval or return: gate (404/403), validate, call the one workflow."""
    get_for_user(TargetDeclaration.objects, request.user, role, pk=pk)
    form = form_class(request.POST)
    extra = {}
    if form.is_valid():
        if returning:
            extra["indicator_comments"] = form.indicator_comments(request.POST)
        try:
            declaration = service(
                filing=_load(request, pk), user=request.user, **form.cleaned_data, **extra
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"{success}：{declaration.project.name}")
            return redirect("targets:declaration_review", pk)
    slot = {"return_": form} if returning else {"approve": form}
    return _render(request, _load(request, pk), **slot)


@reader_required
@require_POST
def department_approve(request, pk):
    """主管部门审核通过: the declaration goes on to the finance bureau."""
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
    """财政审核通过: the targets become the year's indicators."""
    return _decide(
        request,
        pk,
        FINANCE_REVIEW,
        workflow.filing_finance_approve,
        ApproveForm,
        "财政审核通过，绩效目标已批复",
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
def target_correct(request, pk, indicator_pk):
    """The finance bureau's 调整 of an approved target, with its reason (kept in the history)."""
    get_for_user(TargetDeclaration.objects, request.user, FINANCE_REVIEW, pk=pk)
    declaration = _load(request, pk)
    if declaration.status not in (EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED):
        raise PermissionDenied("绩效目标批复后才能由财政局调整指标值。")
    indicator = next(
        (i for i in declaration.project.indicators.all() if i.pk == indicator_pk), None
    )
    if indicator is None:
        raise PermissionDenied("该指标不属于本申报。")
    form = TargetCorrectForm(request.POST)
    if form.is_valid():
        try:
            workflow.indicator_target_correct(
                indicator=indicator,
                user=request.user,
                target=form.cleaned_data["target"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"已调整“{indicator.name}”的指标值，调整已记录。")
            return redirect("targets:declaration_review", pk)
    return _render(request, _load(request, pk), correct=form, correcting=indicator.pk)


urlpatterns = [
    path("review/", declaration_list, name="declaration_list"),
    path("review/<int:pk>/", declaration_review, name="declaration_review"),
    path(
        "review/<int:pk>/department-approve/",
        department_approve,
        name="declaration_department_approve",
    ),
    path(
        "review/<int:pk>/department-return/",
        department_return,
        name="declaration_department_return",
    ),
    path("review/<int:pk>/finance-approve/", finance_approve, name="declaration_finance_approve"),
    path("review/<int:pk>/finance-return/", finance_return, name="declaration_finance_return"),
    path(
        "review/<int:pk>/indicators/<int:indicator_pk>/correct/",
        target_correct,
        name="declaration_target_correct",
    ),
]
