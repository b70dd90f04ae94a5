"""Public publication pages: only published evaluations are ever reachable here."""

from django.shortcuts import render

from projects.models import Evaluation, EvaluationStatus


def publication_index(request):
    """List published evaluations by region and year, without login."""
    published = (
        Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED)
        .select_related("project__unit__department__region")
        .order_by("-year", "project__unit__department__region__name", "project__name")
    )
    return render(request, "reports/publication_index.html", {"evaluations": published})
