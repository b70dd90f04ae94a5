"""绩效运行监控 pages: rounds (finance bureau), the filer's form, review and oversight."""

from projects.monitoring import filing_views, oversight_views, review_views, round_views

app_name = "monitoring"

urlpatterns = [
    *round_views.urlpatterns,
    *filing_views.urlpatterns,
    *review_views.urlpatterns,
    *oversight_views.urlpatterns,
]
