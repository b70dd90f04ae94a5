"""The review page of one filing and the transitions posted from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from projects.access import DEPARTMENT_REVIEW, FINANCE_REVIEW, VIEW, get_for_user
from projects.models import Evaluation, Indicator
from projects.review.forms import (
    ApproveForm,
    ReopenForm,
    ReturnForm,
    TargetCorrectForm,
    default_deadline,
)
from projects.review.selectors import evaluation_history, review_page
from projects.review.selectors.spot_check_result import spot_check_results
from projects.review.services import workflow
from projects.review.views.common import back, reviewer_required
from projects.review.views.rectify import raise_url, with_rectification


def _evaluations():
    return Evaluation.objects.select_related(
        "project__unit__department__region", "task"
    ).prefetch_related("project__indicators", "project__fund_lines", "results", "task__extensions")


@login_required
@require_safe
def evaluation_detail(request, pk):
    """The 自评表 with claimed and computed scores, findings, comments, diff and actions.

    Filers may read their own filing's review record (what was returned and why); only reviewers
    get the decision forms, and every decision is re-checked by its service.
    """
    evaluation = get_for_user(_evaluations(), request.user, VIEW, pk=pk)
    page = review_page(evaluation, request.user)
    context = {
        "page": page,
        "evaluation": evaluation,
        "spot_check_results": spot_check_results(evaluation, request.user),
        "rectify_url": raise_url(request.user, evaluation),
        "rectify_default_deadline": default_deadline(),
        "approve_form": ApproveForm(),
        "return_form": ReturnForm(),
        "reopen_form": ReopenForm(),
    }
    return render(request, "review/evaluation_detail.html", context)


@login_required
@require_safe
def evaluation_history_view(request, pk):
    """Every change to the filing, its indicators and targets: who, when, before and after."""
    evaluation = get_for_user(_evaluations(), request.user, VIEW, pk=pk)
    context = {"evaluation": evaluation, "entries": evaluation_history(evaluation)}
    return render(request, "review/evaluation_history.html", context)


def _decide(request, pk, action, service, form_class, success, **extra):
    """Shared shape of a posted decision: gate (404/403), validate, call the service, report."""
    evaluation = get_for_user(Evaluation.objects, request.user, action, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("review:evaluation_detail", pk)
    kwargs = dict(form.cleaned_data, **{k: v(form) for k, v in extra.items()})
    try:
        evaluation = service(evaluation=evaluation, user=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("review:evaluation_detail", pk)
    messages.success(request, f"{success}：{evaluation.project.name}")
    return back(request, "review:queue")


@login_required
@require_POST
def department_approve(request, pk):
    """主管部门审核通过."""
    return _decide(
        request,
        pk,
        DEPARTMENT_REVIEW,
        workflow.evaluation_department_approve,
        ApproveForm,
        "主管部门审核通过，已报送财政审核",
    )


@login_required
@require_POST
def department_return(request, pk):
    """主管部门退回, with indicator comments."""
    return _decide(
        request,
        pk,
        DEPARTMENT_REVIEW,
        with_rectification(request, workflow.evaluation_department_return),
        ReturnForm,
        "已退回填报单位",
        indicator_comments=lambda form: form.indicator_comments(request.POST),
        evidence_requests=lambda form: form.evidence_requests(request.POST),
    )


@login_required
@require_POST
def finance_approve(request, pk):
    """财政审核通过: the filing is frozen."""
    return _decide(
        request,
        pk,
        FINANCE_REVIEW,
        workflow.evaluation_finance_approve,
        ApproveForm,
        "财政审核通过",
    )


@login_required
@require_POST
def finance_return(request, pk):
    """财政退回, with indicator comments."""
    return _decide(
        request,
        pk,
        FINANCE_REVIEW,
        with_rectification(request, workflow.evaluation_finance_return),
        ReturnForm,
        "已退回填报单位",
        indicator_comments=lambda form: form.indicator_comments(request.POST),
        evidence_requests=lambda form: form.evidence_requests(request.POST),
    )


@login_required
@require_POST
def reopen(request, pk):
    """The finance bureau reopens an approved filing with a recorded reason."""
    return _decide(
        request, pk, FINANCE_REVIEW, workflow.evaluation_reopen, ReopenForm, "已重新开启"
    )


class _NoFields(ApproveForm):
    """Publishing takes no input."""

    def clean(self):
        """Drop the optional comment: publish records none."""
        self.cleaned_data.pop("comment", None)
        return self.cleaned_data


@login_required
@require_POST
def publish(request, pk):
    """The finance bureau (or the 主管部门 where the region allows it) publishes an approved filing;
    the service decides who may (404 outside the scope, 403 without the right)."""
    return _decide(request, pk, VIEW, workflow.evaluation_publish, _NoFields, "已公开")


@reviewer_required
def indicator_target_edit(request, pk):
    """The finance bureau corrects a target after approval of the budget, giving the reason."""
    indicator = get_for_user(
        Indicator.objects.select_related("project__unit__department"),
        request.user,
        FINANCE_REVIEW,
        pk=pk,
    )
    form = TargetCorrectForm(request.POST or None, initial={"target": indicator.target})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.indicator_target_correct(
                indicator=indicator,
                user=request.user,
                target=form.cleaned_data["target"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已调整“{indicator.name}”的指标值，变更已记录。")
            return back(request, "review:queue")
    evaluation = indicator.project.evaluations.first()
    context = {"indicator": indicator, "form": form, "evaluation": evaluation}
    return render(request, "review/indicator_target_edit.html", context)
