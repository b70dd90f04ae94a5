"""Public (no login) publication pages."""

from django.urls import path

from reports import public_views

urlpatterns = [
    path("", public_views.publication_index, name="publication_index"),
]
