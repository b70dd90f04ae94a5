"""App configuration for the projects app."""

from django.apps import AppConfig


def _update_last_login_quietly(sender, user, **kwargs) -> None:
    """Stamp the sign-in time without adding a line to the account's change history.

    A queryset update sends no post_save, so the history never hears of it; nor does it touch
    the instance another request may be saving.
    """
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)


class ProjectsConfig(AppConfig):
    """Registers the filing and review models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "项目与自评"

    def ready(self) -> None:
        """A sign-in is not a change of the account: keep it out of the user history."""
        from django.contrib.auth.signals import user_logged_in

        # A monitoring report plugs its kind into the one workflow when its package loads.
        import projects.monitoring.services  # noqa: F401
        import projects.targets.services  # noqa: F401
        from projects.ledger import connect_signals

        # Follow-ups, 结果应用 decisions and 整改 steps join the history chain as they are saved.
        connect_signals()

        if user_logged_in.disconnect(dispatch_uid="update_last_login"):
            user_logged_in.connect(
                _update_last_login_quietly, dispatch_uid="update_last_login_quietly"
            )
