"""绩效目标 pages: declaration (units), review, the common indicator library, the year rollover."""

from projects.targets import filing_views, library_views, review_views, rollover_views

app_name = "targets"

urlpatterns = [
    *filing_views.urlpatterns,
    *review_views.urlpatterns,
    *library_views.urlpatterns,
    *rollover_views.urlpatterns,
]
