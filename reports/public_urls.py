"""Public (no login) publication pages and open data."""

from django.urls import path

from reports import public_views as views
from reports import verify_views

PDF = {"fmt": "pdf"}
XLSX = {"fmt": "xlsx"}

urlpatterns = [
    path("", views.publication_index, name="publication_index"),
    path("verify/", verify_views.verify, name="publication_verify"),
    path("data/<int:year>.csv", views.publication_year_csv, name="publication_year_csv"),
    # The stable public id: 地区代码/年度/部门编码/单位编码/项目编码.
    path(
        "data/<str:region_code>/<int:year>/<str:department_code>/<str:unit_code>/"
        "<str:project_code>.json",
        views.publication_data_json,
        name="publication_data_json",
    ),
    path("evaluation/<int:pk>/", views.publication_evaluation, name="publication_evaluation"),
    path(
        "evaluation/<int:pk>/table.pdf",
        views.publication_evaluation,
        PDF,
        name="publication_evaluation_pdf",
    ),
    path(
        "evaluation/<int:pk>/table.xlsx",
        views.publication_evaluation,
        XLSX,
        name="publication_evaluation_xlsx",
    ),
    path(
        "evaluation/<int:pk>/selfeval.json",
        views.publication_evaluation_json,
        name="publication_evaluation_json",
    ),
    path(
        "evaluation/<int:pk>/report/",
        views.publication_evaluation_report,
        name="publication_evaluation_report",
    ),
    path(
        "evaluation/<int:pk>/report.pdf",
        views.publication_evaluation_report,
        PDF,
        name="publication_evaluation_report_pdf",
    ),
    path(
        "<str:region_code>/<int:year>/",
        views.publication_region_year,
        name="publication_region_year",
    ),
    path(
        "<str:region_code>/<int:year>/<str:department_code>/",
        views.publication_department,
        name="publication_department",
    ),
    path(
        "<str:region_code>/<int:year>/<str:department_code>/package.pdf",
        views.publication_department_file,
        PDF,
        name="publication_department_pdf",
    ),
    path(
        "<str:region_code>/<int:year>/<str:department_code>/summary.xlsx",
        views.publication_department_file,
        XLSX,
        name="publication_department_xlsx",
    ),
]
