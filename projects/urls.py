"""Filing URLs: the filer's workspace, the evaluation form and its live parts, and uploads."""

from django.urls import path

from projects.evidence import views as evidence_views
from projects.filing import views
from projects.upload import views as upload_views

app_name = "projects"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("bulk-submit/", views.bulk_submit, name="bulk_submit"),
    path(
        "projects/<int:project_pk>/start/",
        views.evaluation_start_view,
        name="evaluation_start",
    ),
    path("evaluations/<int:pk>/", views.evaluation_edit, name="evaluation_edit"),
    path(
        "evaluations/<int:pk>/recompute/",
        views.evaluation_recompute,
        name="evaluation_recompute",
    ),
    path("evaluations/<int:pk>/submit/", views.evaluation_submit_view, name="evaluation_submit"),
    path(
        "evaluations/<int:pk>/narrative/",
        views.evaluation_narrative,
        name="evaluation_narrative",
    ),
    path("upload/", upload_views.upload, name="upload"),
    path("upload/template.xlsx", upload_views.upload_template, name="upload_template"),
    *evidence_views.urlpatterns,
]
