"""Root URLs: each app brings its own URL module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from selfeval import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("filing/", include("projects.urls")),
    path("review/", include("projects.review_urls")),
    path("reports/", include("reports.urls")),
    path("public/", include("reports.public_urls")),
    path("admin/", admin.site.urls),
]
