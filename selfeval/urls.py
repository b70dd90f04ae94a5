"""Root URLs: each app brings its own URL module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from projects.interchange.api.endpoints import api
from selfeval import views


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the static icon."""
    # Not permanent: the static name carries a content hash in production and changes with it.
    return redirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("filing/", include("projects.urls")),
    path("review/", include("projects.review_urls")),
    path("region/", include("projects.administration.urls")),
    path("monitoring/", include("projects.monitoring.urls")),
    path("targets/", include("projects.targets.urls")),
    path("results/", include("projects.results.urls")),
    path("reports/", include("reports.urls")),
    path("public/", include("reports.public_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
