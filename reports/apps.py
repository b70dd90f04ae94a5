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

        from django.db.models.signals import post_save

        from projects.models import MonitoringStep
        from reports.stored.monitoring import on_monitoring_step

        post_save.connect(
            on_monitoring_step, sender=MonitoringStep, dispatch_uid="reports.stored.monitoring"
        )

        from projects.models import TargetStep
        from reports.stored.targets import on_target_step

        post_save.connect(on_target_step, sender=TargetStep, dispatch_uid="reports.stored.targets")
