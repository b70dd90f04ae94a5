"""Where every report read starts: the gated evaluation querysets and their prefetching."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from projects.access import VIEW
from projects.models import Evaluation, EvaluationStatus, FundLine, Indicator, IndicatorResult


def evaluations_for(user) -> QuerySet:
    """The evaluations a signed-in user may read: the row-level gate, nothing else."""
    return Evaluation.objects.for_user(user, VIEW)


def published_evaluations() -> QuerySet:
    """What the public (no login) may read: published evaluations and nothing else."""
    return Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED)


def with_document_data(evaluations: QuerySet) -> QuerySet:
    """Everything a 自评表 prints, fetched in four queries however many rows there are."""
    return evaluations.select_related("project__unit__department__region").prefetch_related(
        Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")),
        Prefetch("project__indicators", queryset=Indicator.objects.order_by("order", "pk")),
        Prefetch("results", queryset=IndicatorResult.objects.order_by("pk")),
    )
