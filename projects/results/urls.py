"""结果应用 pages: decisions, 整改 and the scorecard."""

from projects.results import decision_views, rectification_views, scorecard_views

app_name = "results"

urlpatterns = [
    *decision_views.urlpatterns,
    *rectification_views.urlpatterns,
    *scorecard_views.urlpatterns,
]
