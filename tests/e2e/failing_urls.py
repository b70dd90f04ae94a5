"""The project's URLs plus one view that fails, so the 500 page can be opened in a browser."""

from django.urls import path

from selfeval.urls import urlpatterns as project_urlpatterns


def fail(request):
    """An unexpected error, as a bug would raise it."""
    raise RuntimeError("a deliberate failure for the 500 page")


urlpatterns = [path("deliberate-failure/", fail), *project_urlpatterns]
