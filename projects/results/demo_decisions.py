"""The demo's 结果应用: the finance bureau of 相山区 has decided part of its season's results.

Through the one write service, as the bureau would: the first finished project evaluations
adopt the rules' suggestion, one is cut by more than the rules ask (with a 示例 note), and the
rest are left undecided, so xs_finance's list shows suggestions, decisions and work still to do.
Running it twice changes nothing that a first run did not (an existing decision is kept).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from projects.models import Decision, Evaluation, EvaluationStatus, Project
from projects.results.decision_services import ADOPTED_NOTE, result_decision_record
from scoring.results import suggestions_for

REGION = "淮北市相山区"
FINANCE = "xs_finance"
ADOPTED = 4  # evaluations that take the suggestion as it stands
CUT_NOTE = "示例：项目绩效目标与单位职能契合度一般，下年压减 20% 并调整支出结构。"


def stage(*, region: str = REGION, username: str = FINANCE) -> list[int]:
    """Record the demo decisions; returns the evaluation ids decided (none without the data)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return []
    evaluations = list(
        Evaluation.objects.filter(
            project__unit__department__region__name=region,
            project__kind=Project.Kind.PROJECT,
            status__in=(EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED),
        )
        .select_related("project__unit__department__region", "decision")
        .order_by("project__unit__department__code", "project__unit__code", "project__code")
    )
    suggestions = suggestions_for(evaluations)
    decided = []
    for i, evaluation in enumerate(evaluations[: ADOPTED + 1]):
        if getattr(evaluation, "decision", None) is not None:
            decided.append(evaluation.pk)
            continue
        s = suggestions[evaluation.pk]
        if i < ADOPTED or s.facts.base_amount <= 0:
            values = {
                "decision": s.suggestion.decision,
                "next_year_amount": s.suggestion.amount,
                "cut_share": s.suggestion.cut_share,
                "note": ADOPTED_NOTE,
            }
        else:
            values = {
                "decision": Decision.CUT,
                "next_year_amount": None,
                "cut_share": Decimal(20),
                "note": CUT_NOTE,
            }
        result_decision_record(evaluation=evaluation, user=user, suggestion=s, **values)
        decided.append(evaluation.pk)
    return decided
