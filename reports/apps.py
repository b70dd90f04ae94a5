"""App configuration for the reports app."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Renders what leaves the system: HTML, PDF and Excel reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "报告"

    def ready(self) -> None:
        from projects.signals import workflow_step
        from reports.stored.triggers import on_workflow_step

        workflow_step.connect(on_workflow_step, dispatch_uid="reports.stored.refresh")
