"""The finance bureau's overview of a region and year, with server-rendered SVG charts."""

from __future__ import annotations

from django.shortcuts import render

from projects.review.selectors import finance_overview
from projects.review.views.charts import column_chart, coverage_chart
from projects.review.views.common import (
    chosen_year,
    finance_region,
    finance_regions,
    latest_year,
    region_reader_required,
)


@region_reader_required
def overview(request):
    """Coverage, grades with 评优率, lowest execution rates, findings and claimed-vs-computed gaps."""
    region = finance_region(request, reading=True)
    year = chosen_year(request, latest_year(region))
    data = finance_overview(region=region, year=year)
    context = {
        "overview": data,
        "region": region,
        "regions": finance_regions(request.user, reading=True),
        "year": year,
        "coverage_chart": coverage_chart(data.coverage),
        "grade_chart": column_chart(data.grades, title="等级分布"),
        "rate_chart": column_chart(data.rate_bands, title="预算执行率分布", color="#6f42c1"),
    }
    return render(request, "review/overview.html", context)
