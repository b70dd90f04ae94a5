"""The finance bureau's year rollover: preview what a run would carry over, then run it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from projects.models import Project
from projects.review.views.common import finance_region, finance_regions, finance_required
from projects.targets.rollover import Rollover, year_rollover


class RolloverForm(forms.Form):
    """起始年度; the year carried into is always the next one."""

    from_year = forms.IntegerField(
        label="起始年度",
        min_value=2000,
        max_value=2099,
        error_messages={
            "required": "请填写起始年度。",
            "invalid": "起始年度应为四位数字年份。",
            "min_value": "起始年度不能早于2000年。",
            "max_value": "起始年度不能晚于2099年。",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "style": "max-width: 8rem"}),
    )


def _latest_year(region) -> int | None:
    """The region's latest year with subjects: the natural year to carry from."""
    return Project.objects.filter(unit__department__region=region).aggregate(y=Max("year"))["y"]


def _rows(done: Rollover, *, saved: bool) -> dict:
    """The three lists in plain words: unit, subject, indicators or last year; after a run, the
    new declaration to open (a preview's subjects were never saved)."""
    return {
        "created": [
            {
                "unit": new.unit.name,
                "name": new.name,
                "kind": new.get_kind_display(),
                "indicators": len(old.indicators.all()),
                "declaration": new.declaration.pk if saved else None,
            }
            for old, new in done.created
        ],
        "existing": [
            {"unit": new.unit.name, "name": new.name, "kind": new.get_kind_display()}
            for _old, new in done.existing
        ],
        "ended": [
            {
                "unit": old.unit.name,
                "name": old.name,
                "kind": old.get_kind_display(),
                "end_year": old.end_year,
            }
            for old in done.ended
        ],
    }


@finance_required
@require_http_methods(["GET", "POST"])
def rollover(request):
    """GET: the form and, once a year is chosen, the dry run; POST: the rollover and its result."""
    region = finance_region(request)
    data = request.POST if request.method == "POST" else request.GET
    form = RolloverForm(
        data if "from_year" in data else None, initial={"from_year": _latest_year(region)}
    )
    context = {"region": region, "regions": finance_regions(request.user), "form": form}
    status = 200
    if form.is_bound and form.is_valid():
        from_year = form.cleaned_data["from_year"]
        try:
            done = year_rollover(
                region=region,
                from_year=from_year,
                to_year=from_year + 1,
                user=request.user,
                dry_run=request.method != "POST",
            )
        except ValidationError as refused:
            form.add_error("from_year", refused.messages)
            status = 422
        else:
            context.update(
                from_year=from_year,
                to_year=from_year + 1,
                done=request.method == "POST",
                indicators=done.indicators,
                **_rows(done, saved=request.method == "POST"),
            )
    elif form.is_bound:
        status = 422
    return render(request, "targets/rollover.html", context, status=status)


urlpatterns = [path("rollover/", rollover, name="rollover")]
