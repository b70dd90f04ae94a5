"""Background tasks (django-tasks) of 绩效运行监控: a round's reports are made in the db_worker."""

from django.contrib.auth import get_user_model
from django_tasks import task

from projects.monitoring.services import monitoring_round_fill


@task()
def fill_round(round_id: int, user_id: int | None) -> int:
    """Make the round's missing reports, light them and tell the units."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return monitoring_round_fill(round_id=round_id, user=user)
