"""Report URLs for signed-in users: every document as a page, a PDF and a workbook; the export."""

from django.urls import path

from reports import monitoring_views, targets_views, views

app_name = "reports"

PDF = {"fmt": "pdf"}
XLSX = {"fmt": "xlsx"}

urlpatterns = [
    path("", views.index, name="index"),
    path("evaluation/<int:pk>/table/", views.evaluation_table, name="evaluation_table"),
    path("evaluation/<int:pk>/table.pdf", views.evaluation_table, PDF, name="evaluation_table_pdf"),
    path(
        "evaluation/<int:pk>/table.xlsx", views.evaluation_table, XLSX, name="evaluation_table_xlsx"
    ),
    path("evaluation/<int:pk>/report/", views.evaluation_report, name="evaluation_report"),
    path(
        "evaluation/<int:pk>/report.pdf", views.evaluation_report, PDF, name="evaluation_report_pdf"
    ),
    path(
        "evaluation/<int:pk>/report.xlsx",
        views.evaluation_report,
        XLSX,
        name="evaluation_report_xlsx",
    ),
    path("monitoring/<int:pk>/table/", monitoring_views.table, name="monitoring_table"),
    path("monitoring/<int:pk>/table.pdf", monitoring_views.table, PDF, name="monitoring_table_pdf"),
    path(
        "monitoring/<int:pk>/table.xlsx", monitoring_views.table, XLSX, name="monitoring_table_xlsx"
    ),
    path("target/<int:pk>/table/", targets_views.table, name="target_table"),
    path("target/<int:pk>/table.pdf", targets_views.table, PDF, name="target_table_pdf"),
    path("target/<int:pk>/table.xlsx", targets_views.table, XLSX, name="target_table_xlsx"),
    path("department/<int:pk>/<int:year>/", views.department_detail, name="department_detail"),
    path(
        "department/<int:pk>/<int:year>/summary/",
        views.department_summary,
        name="department_summary",
    ),
    path(
        "department/<int:pk>/<int:year>/summary.pdf",
        views.department_summary,
        PDF,
        name="department_summary_pdf",
    ),
    path(
        "department/<int:pk>/<int:year>/summary.xlsx",
        views.department_summary,
        XLSX,
        name="department_summary_xlsx",
    ),
    path(
        "department/<int:pk>/<int:year>/report/", views.department_report, name="department_report"
    ),
    path(
        "department/<int:pk>/<int:year>/report.pdf",
        views.department_report,
        PDF,
        name="department_report_pdf",
    ),
    path(
        "department/<int:pk>/<int:year>/report.xlsx",
        views.department_report,
        XLSX,
        name="department_report_xlsx",
    ),
    path(
        "department/<int:pk>/<int:year>/package.pdf",
        views.department_package,
        PDF,
        name="department_package",
    ),
    path(
        "department/<int:pk>/<int:year>/package.xlsx",
        views.department_package,
        XLSX,
        name="department_package_xlsx",
    ),
    path("export/", views.region_export, name="region_export"),
    path("export/<int:pk>/", views.export_job, name="export_job"),
    path("export/<int:pk>/resume/", views.export_job_resume_view, name="export_job_resume"),
    path("export/<int:pk>/download/", views.export_job_download, name="export_job_download"),
]
