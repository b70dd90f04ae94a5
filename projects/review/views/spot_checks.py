"""抽查复核: draw a reproducible sample, re-score it, and see the self-vs-review differences."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from projects.access import FINANCE_REVIEW, get_for_user
from projects.models import Region, SpotCheck, SpotCheckItem
from projects.review.forms import SpotCheckDrawForm, SpotCheckScoreForm, default_year
from projects.review.selectors import money
from projects.review.selectors.spot_checks import (
    department_coverage,
    spot_check_page,
    spot_check_years,
)
from projects.review.services.spot_checks import (
    department_redraw,
    item_totals,
    spot_check_draw,
    spot_check_redraw,
    spot_check_score,
)
from projects.review.services.tasks import require_finance_reviewer
from projects.review.views.common import (
    can_act,
    chosen_year,
    finance_region,
    finance_regions,
    finance_required,
    latest_year,
    region_reader_required,
    require_region_reader,
)


def share_percent(check: SpotCheck) -> str:
    """The share as the bureau writes it: 0.2 → "20"."""
    value = (check.share * 100).normalize()
    return f"{value:f}"


def _spot_check(request, pk) -> SpotCheck:
    """A draw of a region the user reaches (else 404), for its finance bureau or its observers
    (else 403)."""
    try:
        spot_check = SpotCheck.objects.select_related("region", "drawn_by").get(
            pk=pk, region__in=Region.objects.for_user(request.user)
        )
    except SpotCheck.DoesNotExist:
        raise Http404("未找到该抽查。") from None
    require_region_reader(request.user, spot_check.region)
    return spot_check


def _list_context(request, region, year, form, years=None) -> dict:
    years = spot_check_years(region) if years is None else years
    page = spot_check_page(region, year=year, page_number=request.GET.get("page"))
    rows = [
        {
            "check": check,
            "share_percent": share_percent(check),
            "count": check.item_count,
            "reviewed": check.reviewed_count,
            "flagged": check.flagged_count,
            "departments": [row.department for row in check.departments.all()],
        }
        for check in page.object_list
    ]
    return {
        "region": region,
        "regions": finance_regions(request.user, reading=True),
        "rows": rows,
        "page": page,
        "page_query": f"region={region.pk}&year={year}",
        "year": year,
        "years": sorted(set(years) | {year}, reverse=True),
        "coverage": department_coverage(region),
        "form": form,
        "can_act": can_act(request.user),
    }


@region_reader_required
def spot_check_list(request):
    """The region's draws with their parameters and seeds, the department coverage by year, and
    (for the bureau) the draw form."""
    region = finance_region(request, reading=True)
    years = spot_check_years(region)
    year = chosen_year(request, years[0] if years else None, latest_year(region))
    form = SpotCheckDrawForm(initial={"year": year})
    return render(
        request, "review/spot_checks.html", _list_context(request, region, year, form, years)
    )


# The service names the share as a fraction; the form asks for it in percent.
_FORM_FIELD = {"share": "share_percent"}


@finance_required
@require_POST
def spot_check_draw_view(request):
    """Draw a sample with the given way, share, minimum, threshold and (optional) seed.

    Bad input shows the list again with the message at its field (400), nothing drawn.
    """
    region = finance_region(request)
    form = SpotCheckDrawForm(request.POST)
    if form.is_valid():
        try:
            check = spot_check_draw(
                region=region,
                year=form.cleaned_data["year"],
                share=form.share,
                min_count=form.cleaned_data["min_count"],
                seed=form.cleaned_data["seed"],
                threshold=form.cleaned_data["threshold"],
                scope=form.cleaned_data["scope"],
                history=form.cleaned_data["history"],
                user=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    name = _FORM_FIELD.get(field, field)
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, drawn_message(check))
            return redirect("review:spot_check_detail", check.pk)
    year = form.cleaned_data.get("year") if hasattr(form, "cleaned_data") else None
    context = _list_context(request, region, year or latest_year(region) or default_year(), form)
    return render(request, "review/spot_checks.html", context, status=400)


def drawn_message(check: SpotCheck) -> str:
    """What the bureau is told after a draw (and, for `exclude`, when too few were left)."""
    count = check.items.count()
    sample = getattr(check, "sample", None)
    if sample is None:
        return f"已抽取 {count} 项自评（随机种子 {check.seed}）。"
    text = (
        f"已抽取 {len(sample.department_ids)} 个部门（共 {sample.population} 个部门），"
        f"含审核通过的自评 {count} 项（随机种子 {check.seed}）。"
    )
    if sample.shortfall:
        text += (
            f"往年未抽查的部门仅剩 {sample.fresh} 个，已全部抽取，"
            f"比按比例应抽的 {sample.wanted} 个少 {sample.shortfall} 个。"
        )
    return text


@region_reader_required
def spot_check_detail(request, pk):
    """The sample by department: self total, review total, difference, flagged above threshold;
    for a department draw, the departments drawn and how many filings each brought."""
    check = _spot_check(request, pk)
    items = list(
        check.items.select_related("evaluation__project__unit__department", "reviewer").order_by(
            "evaluation__project__unit__department__code", "evaluation__pk"
        )
    )
    rows = [{"item": item, "totals": item_totals(item, check.threshold)} for item in items]
    redrawn = spot_check_redraw(check)
    reproducible = sorted(redrawn) == sorted(i.evaluation_id for i in items)
    departments, sample = [], None
    if check.scope == SpotCheck.Scope.DEPARTMENTS:
        sample = department_redraw(check)
        drawn = list(
            check.departments.select_related("department").order_by(
                "department__code", "department__pk"
            )
        )
        reproducible = reproducible and sample.department_ids == [d.department_id for d in drawn]
        for row in drawn:
            mine = [
                r
                for r in rows
                if r["item"].evaluation.project.unit.department_id == row.department_id
            ]
            departments.append(
                {
                    "department": row.department,
                    "count": len(mine),
                    "reviewed": sum(1 for r in mine if r["totals"].review_total is not None),
                    "flagged": sum(1 for r in mine if r["totals"].flagged),
                }
            )
    context = {
        "check": check,
        "rows": rows,
        "share_percent": share_percent(check),
        "reproducible": reproducible,
        "flagged": sum(1 for r in rows if r["totals"].flagged),
        "departments": departments,
        "sample": sample,
        "can_act": can_act(request.user),
    }
    return render(request, "review/spot_check_detail.html", context)


# ?prefill=computed renders the boxes filled with the computed scores; nothing is saved until the
# reviewer presses 保存, so the prefill is a GET and needs no script.
PREFILL_COMPUTED = "computed"


@finance_required
def spot_check_item(request, pk):
    """Record a review score per indicator beside the filer's and the computed score."""
    item = get_for_user(
        SpotCheckItem.objects.select_related(
            "spot_check__region", "evaluation__project__unit__department"
        ),
        request.user,
        FINANCE_REVIEW,
        pk=pk,
    )
    require_finance_reviewer(request.user, item.spot_check.region)
    evaluation = item.evaluation
    results = list(
        evaluation.results.select_related("indicator")
        .filter(indicator__weight__isnull=False)
        .order_by("indicator__order", "indicator__pk")
    )
    existing = {s.result_id: s for s in item.scores.all()}
    prefill = request.method == "GET" and request.GET.get("prefill") == PREFILL_COMPUTED
    form = SpotCheckScoreForm(
        request.POST or None, results=results, existing=existing, prefill=prefill
    )
    if request.method == "POST" and form.is_valid():
        try:
            spot_check_score(
                item=item, user=request.user, scores=form.scores(), comments=form.comments()
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已保存“{evaluation.project.name}”的复核得分。")
            return redirect("review:spot_check_detail", item.spot_check_id)
    rows = [
        {
            "result": r,
            "score_field": form[f"score_{r.pk}"],
            "comment_field": form[f"comment_{r.pk}"],
        }
        for r in results
    ]
    context = {
        "item": item,
        "check": item.spot_check,
        "evaluation": evaluation,
        "rows": rows,
        "form": form,
        "prefilled": prefill,
        "totals": item_totals(item, item.spot_check.threshold),
        "money_unit": evaluation.project.money_unit,
        "money": money,
    }
    return render(request, "review/spot_check_item.html", context)
