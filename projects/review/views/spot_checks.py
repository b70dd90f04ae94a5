"""抽查复核: draw a reproducible sample, re-score it, and see the self-vs-review differences."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from projects.access import FINANCE_REVIEW, get_for_user
from projects.models import Region, SpotCheck, SpotCheckItem
from projects.review.forms import SpotCheckDrawForm, SpotCheckScoreForm
from projects.review.selectors import money
from projects.review.selectors.spot_checks import spot_check_page, spot_check_years
from projects.review.services.spot_checks import (
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


@region_reader_required
def spot_check_list(request):
    """The region's draws with their parameters and seeds, and (for the bureau) the draw form."""
    region = finance_region(request, reading=True)
    years = spot_check_years(region)
    year = chosen_year(request, years[0] if years else None, latest_year(region))
    page = spot_check_page(region, year=year, page_number=request.GET.get("page"))
    rows = [
        {
            "check": check,
            "share_percent": share_percent(check),
            "count": check.item_count,
            "reviewed": check.reviewed_count,
            "flagged": check.flagged_count,
        }
        for check in page.object_list
    ]
    form = SpotCheckDrawForm(initial={"year": year})
    context = {
        "region": region,
        "regions": finance_regions(request.user, reading=True),
        "rows": rows,
        "page": page,
        "page_query": f"region={region.pk}&year={year}",
        "year": year,
        "years": sorted(set(years) | {year}, reverse=True),
        "form": form,
        "can_act": can_act(request.user),
    }
    return render(request, "review/spot_checks.html", context)


@finance_required
@require_POST
def spot_check_draw_view(request):
    """Draw a sample with the given share, minimum, threshold and (optional) seed."""
    region = finance_region(request)
    form = SpotCheckDrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{reverse('review:spot_check_list')}?region={region.pk}")
    try:
        check = spot_check_draw(
            region=region,
            year=form.cleaned_data["year"],
            share=form.share,
            min_count=form.cleaned_data["min_count"],
            seed=form.cleaned_data["seed"],
            threshold=form.cleaned_data["threshold"],
            user=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{reverse('review:spot_check_list')}?region={region.pk}")
    messages.success(request, f"已抽取 {check.items.count()} 项自评（随机种子 {check.seed}）。")
    return redirect("review:spot_check_detail", check.pk)


@region_reader_required
def spot_check_detail(request, pk):
    """The sample by department: self total, review total, difference, flagged above threshold."""
    check = _spot_check(request, pk)
    items = list(
        check.items.select_related("evaluation__project__unit__department", "reviewer").order_by(
            "evaluation__project__unit__department__code", "evaluation__pk"
        )
    )
    rows = [{"item": item, "totals": item_totals(item, check.threshold)} for item in items]
    redrawn = spot_check_redraw(check)
    context = {
        "check": check,
        "rows": rows,
        "share_percent": share_percent(check),
        "reproducible": sorted(redrawn) == sorted(i.evaluation_id for i in items),
        "flagged": sum(1 for r in rows if r["totals"].flagged),
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
