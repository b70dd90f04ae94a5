"""结果应用决定: the suggestion beside the bureau's decision, lists and export.

Readers of a scope (department reviewers, the finance bureau, observers) see the list and each
decide page; only the region's finance bureau records a decision, which its service re-checks.
Filers are refused (403); an evaluation outside the user's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe

from projects.access import VIEW, get_for_user, require_finance_bureau
from projects.formatting import MONEY_UNITS, money_unit_or_default
from projects.models import Evaluation
from projects.results.decision_excel import decision_workbook
from projects.results.decision_forms import DecisionForm
from projects.results.decision_selectors import (
    DecisionFilter,
    decidable_evaluations,
    decision_page,
    decision_years,
    filtered_decisions,
)
from projects.results.decision_services import (
    DECIDABLE,
    MESSAGE,
    result_decision_record,
)
from projects.results.tasks import adopt_suggestions
from projects.review.views.common import finance_required, reader_required

# Rows per page; the totals and the department subtotals above them cover every row.
PER_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered(request, data):
    """The bound filter set (the latest year when none is asked for) and its list."""
    data = data.copy()
    data.pop("page", None)
    data.pop("csrfmiddlewaretoken", None)
    if not data.get("year"):
        years = decision_years(request.user)
        data["year"] = str(years[0]) if years else ""
    filterset = DecisionFilter(data, queryset=decidable_evaluations(request.user), request=request)
    if not filterset.is_valid():
        return filterset, None, data
    year = filterset.form.cleaned_data.get("year")
    return filterset, filtered_decisions(filterset, request.user, year), data


@reader_required
@require_safe
def decision_list(request):
    """The region's (or department's) decision list, grouped by department, with totals."""
    filterset, data, query = _filtered(request, request.GET)
    unit = query.pop("money_unit", None)
    page = Paginator(data.rows if data else [], PER_PAGE).get_page(request.GET.get("page"))
    page_query = query.copy()
    if unit:
        page_query["money_unit"] = unit[-1]
    return render(
        request,
        "results/decision_list.html",
        {
            "filter": filterset,
            "data": data,
            "page": page,
            "query": query.urlencode(),
            "page_query": page_query.urlencode(),
            "money_units": MONEY_UNITS,
        },
    )


@reader_required
@require_safe
def decision_export(request):
    """The list as the budget section's workbook (汇总 and 明细), in 万元 unless 元 is asked."""
    filterset, data, _ = _filtered(request, request.GET)
    if data is None:
        return redirect(reverse("results:decision_list") + "?" + request.GET.urlencode())
    unit = money_unit_or_default(request.GET.get("money_unit"))
    heading = f"{data.year or ''}年度绩效评价结果应用（下年预算安排）"
    body = decision_workbook(data, heading=heading, money_unit=unit)
    response = HttpResponse(body, content_type=XLSX)
    filename = f"decisions-{data.year or 'all'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@finance_required
@require_POST
def decision_adopt(request):
    """采纳建议 for every undecided row of the filtered list the user may decide."""
    filterset, data, query = _filtered(request, request.POST)
    back = reverse("results:decision_list") + "?" + query.urlencode()
    if data is None:
        messages.error(request, "筛选条件有误，未采纳任何建议。")
        return redirect(back)
    pks = sorted(data.undecided_pks)
    if not pks:
        messages.info(request, "筛选结果中没有待决定的项目。")
        return redirect(back)
    # Refuse here what the worker would refuse, so the user hears it now, not never.
    rows = _evaluations().for_user(request.user).filter(pk__in=pks)
    for region in {e.project.unit.department.region for e in rows}:
        require_finance_bureau(request.user, region, MESSAGE)
    adopt_suggestions.enqueue(pks, request.user.pk)
    messages.success(
        request,
        f"已提交采纳 {len(pks)} 个项目的规则建议，后台处理完成后刷新本页即可看到处理意见。",
    )
    return redirect(back)


def _evaluations():
    return Evaluation.objects.select_related("project__unit__department__region", "decision")


def _initial(row) -> dict:
    record = row.record
    if record is not None:
        return {
            "decision": record.decision,
            "cut_share": record.cut_share,
            "next_year_amount": record.next_year_amount,
            "note": record.note,
        }
    s = row.suggestion.suggestion
    return {"decision": s.decision, "cut_share": s.cut_share, "next_year_amount": s.amount}


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@reader_required
def decision_edit(request, pk):
    """One evaluation's suggestion and decision; the finance bureau records or adopts it."""
    evaluation = get_for_user(_evaluations(), request.user, VIEW, pk=pk)
    row = decision_page(evaluation, request.user)
    decidable = evaluation.status in DECIDABLE
    form = DecisionForm(initial=_initial(row))
    if request.method == "POST":
        adopt = "adopt" in request.POST
        s = row.suggestion.suggestion
        form = DecisionForm(
            {
                "decision": s.decision,
                "cut_share": s.cut_share if s.cut_share is not None else "",
                "next_year_amount": s.amount,
                "note": "采纳规则建议",
            }
            if adopt
            else request.POST
        )
        if form.is_valid():
            try:
                result_decision_record(
                    evaluation=evaluation,
                    user=request.user,
                    suggestion=row.suggestion,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, f"已记录结果应用决定：{evaluation.project.name}")
                return redirect("results:decision_edit", pk)
    return render(
        request,
        "results/decision_edit.html",
        {
            "evaluation": evaluation,
            "row": row,
            "form": form,
            "decidable": decidable,
            "can_edit": row.can_edit and decidable,
        },
    )


urlpatterns = [
    path("decisions/", decision_list, name="decision_list"),
    path("decisions.xlsx", decision_export, name="decision_export"),
    path("decisions/adopt/", decision_adopt, name="decision_adopt"),
    path("decisions/<int:pk>/", decision_edit, name="decision_edit"),
]
