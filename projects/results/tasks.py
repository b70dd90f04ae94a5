"""Background tasks (django-tasks) of 结果应用: adopting a city's suggestions takes ~20 ms a row
through the one record service, so a list of 2,000 rows is adopted in the worker, not the request."""

from django.contrib.auth import get_user_model
from django_tasks import task

from projects.models import Evaluation
from projects.results.decision_services import result_decision_adopt


@task()
def adopt_suggestions(evaluation_ids: list[int], user_id: int) -> int:
    """Adopt the rules' suggestion for the listed evaluations still undecided; how many were."""
    user = get_user_model().objects.get(pk=user_id)
    records = result_decision_adopt(
        evaluations=Evaluation.objects.filter(pk__in=evaluation_ids), user=user
    )
    return len(records)
