"""The 结果应用 panel on an evaluation's review page: the rules' suggestion and the decision.

A tag rather than a view change so that the review package does not reach up into results;
it reads (a few queries) only for a finished project evaluation, the only kind decided.
"""

from django import template

from projects.models import Project
from projects.results.decision_selectors import decision_page
from projects.results.decision_services import DECIDABLE

register = template.Library()


@register.inclusion_tag("results/_decision_panel.html", takes_context=True)
def result_decision_panel(context, evaluation):
    """The panel's context; empty for a filing still under review or a 部门整体 evaluation."""
    request = context.get("request")
    if (
        request is None
        or evaluation.status not in DECIDABLE
        or evaluation.project.kind != Project.Kind.PROJECT
    ):
        return {"row": None}
    return {"row": decision_page(evaluation, request.user), "evaluation": evaluation}
