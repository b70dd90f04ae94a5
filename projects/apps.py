"""App configuration for the projects app."""

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """Registers the filing and review models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "项目与自评"
