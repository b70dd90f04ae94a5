"""The review page's ways into 整改: the 列为整改 link beside findings and the return that raises
items in its own transaction. Review calls down to the 整改 service; the workflow is unchanged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from projects.rectifications import selectors, services
from projects.review.forms import ReturnRectifyForm


def raise_url(user, evaluation) -> str:
    """The 列为整改 link beside an evaluation's findings, for reviewers over its unit only."""
    if not selectors.reviews_unit(user, evaluation.project.unit):
        return ""
    return f"{reverse('results:rectification_new')}?evaluation={evaluation.pk}&source=finding"


def with_rectification(request, service):
    """Wrap a return service: with 同时列为整改事项 ticked, the return and its items are one
    transaction (a refused deadline refuses the return); the workflow itself is unchanged."""
    if not request.POST.get("rectify"):
        return service
    form = ReturnRectifyForm(request.POST)

    @transaction.atomic
    def call(*, evaluation, user, comment, indicator_comments=None, **more):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        evaluation = service(
            evaluation=evaluation,
            user=user,
            comment=comment,
            indicator_comments=indicator_comments,
            **more,
        )
        services.rectification_raise_from_return(
            user=user,
            evaluation=evaluation,
            deadline=form.cleaned_data["rectify_deadline"],
            comment=comment,
            indicator_comments=indicator_comments,
        )
        return evaluation

    return call
