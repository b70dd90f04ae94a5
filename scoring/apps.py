"""App configuration for the scoring app (the engine itself needs no Django)."""

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    """Holds the ORM bridge of the scoring engine."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"
    verbose_name = "评分"
