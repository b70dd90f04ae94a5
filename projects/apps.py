"""App configuration for the projects app."""

from django.apps import AppConfig


def _update_last_login_quietly(sender, user, **kwargs) -> None:
    """Stamp the sign-in time without adding a line to the account's change history."""
    from django.contrib.auth.models import update_last_login

    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving


class ProjectsConfig(AppConfig):
    """Registers the filing and review models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "项目与自评"

    def ready(self) -> None:
        """A sign-in is not a change of the account: keep it out of the user history."""
        from django.contrib.auth.signals import user_logged_in

        if user_logged_in.disconnect(dispatch_uid="update_last_login"):
            user_logged_in.connect(
                _update_last_login_quietly, dispatch_uid="update_last_login_quietly"
            )
