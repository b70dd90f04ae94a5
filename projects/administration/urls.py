"""URLs of the region administration, mounted at /region/ (namespace `administration`)."""

from django.urls import path

from projects.administration import api_client_views, views

app_name = "administration"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:region_pk>/", views.org, name="org"),
    path("<int:region_pk>/departments/<int:pk>/", views.department_edit, name="department_edit"),
    path(
        "<int:region_pk>/departments/<int:pk>/active/",
        views.department_active,
        name="department_active",
    ),
    path("<int:region_pk>/departments/<int:pk>/units/new/", views.unit_create, name="unit_create"),
    path("<int:region_pk>/units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("<int:region_pk>/units/<int:pk>/active/", views.unit_active, name="unit_active"),
    path("<int:region_pk>/users/", views.account_list, name="account_list"),
    path("<int:region_pk>/users/new/", views.account_create, name="account_create"),
    path("<int:region_pk>/users/<int:pk>/", views.account_detail, name="account_detail"),
    path("<int:region_pk>/users/<int:pk>/active/", views.account_active, name="account_active"),
    path(
        "<int:region_pk>/users/<int:pk>/password/",
        views.account_password,
        name="account_password",
    ),
    path("<int:region_pk>/users/<int:pk>/unlock/", views.account_unlock, name="account_unlock"),
    path("<int:region_pk>/users/<int:pk>/roles/", views.membership_add, name="membership_add"),
    path(
        "<int:region_pk>/users/<int:pk>/roles/<int:membership_pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("<int:region_pk>/projects/", views.project_list, name="project_list"),
    path("<int:region_pk>/projects/new/", views.project_edit, name="project_create"),
    path("<int:region_pk>/projects/<int:pk>/", views.project_edit, name="project_edit"),
    path("<int:region_pk>/import/", views.import_preview, name="import_preview"),
    path("<int:region_pk>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("<int:region_pk>/import/template.xlsx", views.import_template, name="import_template"),
    path("<int:region_pk>/history/", views.history, name="history"),
    path(
        "<int:region_pk>/api-clients/",
        api_client_views.api_client_list,
        name="api_client_list",
    ),
    path(
        "<int:region_pk>/api-clients/<int:pk>/revoke/",
        api_client_views.api_client_revoke_view,
        name="api_client_revoke",
    ),
]
