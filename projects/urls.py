"""Filing URLs (the filer's workspace and evaluation form)."""

from django.urls import path

from projects import filing_views

app_name = "projects"

urlpatterns = [
    path("", filing_views.workspace, name="workspace"),
]
