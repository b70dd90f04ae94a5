"""Review URLs (queues, review pages, tasks, spot checks, overview)."""

from django.urls import path

from projects import review_views

app_name = "review"

urlpatterns = [
    path("", review_views.queue, name="queue"),
]
