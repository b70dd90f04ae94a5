"""The finance bureau's 结果应用 decision: one write service, and adopting the suggestion in bulk.

Only the region's finance bureau decides, and only on an evaluation whose review is finished
(审核通过 or 已公开): a decision taken on figures still under review would be taken on figures
that may change. The rules' suggestion is stored beside each decision as it stood when the
decision was made, so the list can show where the bureau departed from the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.access import require_finance_bureau
from projects.models import Decision, Evaluation, EvaluationStatus, ResultDecision
from scoring.results import SuggestionRecord, suggestions_for

DECIDABLE = (EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ADOPTED_NOTE = "采纳规则建议"
MESSAGE = "只有本地区财政局可以作出结果应用决定。"


def _decimal(value, field: str, errors: dict, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        errors[field] = f"{label}应为数字。"
        return None
    if not number.is_finite():
        errors[field] = f"{label}应为数字。"
        return None
    return number


def cut_amount(base: Decimal, share: Decimal) -> Decimal:
    """Next year's amount after cutting `share` percent of this year's budget, to the fen."""
    return (base * (HUNDRED - share) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def implied_share(base: Decimal, amount: Decimal) -> Decimal:
    """The cut share (percent, two places) an amount stands for."""
    return ((base - amount) * HUNDRED / base).quantize(CENT, rounding=ROUND_HALF_UP)


def clean_decision(
    *, base: Decimal, decision: str, next_year_amount, cut_share
) -> tuple[Decimal, Decimal | None]:
    """Next year's amount and the cut share a decision stands for; ValidationError by field.

    压减 takes a share above 0 and at most 100; an amount given with it must be what the share
    leaves of this year's budget (to the share's two places), and is computed when left blank.
    保持 and 优先保障 default to this year's budget, 取消 and 暂停 to nothing.
    """
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "请选择处理意见。"
    amount = _decimal(next_year_amount, "next_year_amount", errors, "下年安排数")
    share = _decimal(cut_share, "cut_share", errors, "压减比例")
    if amount is not None and amount < 0:
        errors["next_year_amount"] = "下年安排数不能为负数。"
    if amount is not None and amount.as_tuple().exponent < -2:
        errors["next_year_amount"] = "下年安排数最多保留两位小数（元）。"
    if errors:
        raise ValidationError(errors)
    if decision == Decision.CUT:
        if share is None:
            if amount is None:
                raise ValidationError({"cut_share": "压减须填写压减比例或下年安排数。"})
            if base <= 0:
                raise ValidationError({"decision": "本年预算数为 0，无可压减。"})
            share = implied_share(base, amount)
        if not (0 < share <= HUNDRED):
            raise ValidationError({"cut_share": "压减比例须大于 0 且不超过 100。"})
        if base <= 0:
            raise ValidationError({"decision": "本年预算数为 0，无可压减。"})
        if amount is None:
            amount = cut_amount(base, share)
        elif amount > base or abs(implied_share(base, amount) - share) > CENT:
            raise ValidationError(
                {
                    "next_year_amount": (
                        f"下年安排数与压减比例不一致：压减 {share:f}% 后应为 "
                        f"{cut_amount(base, share):,.2f} 元；留空则按比例计算。"
                    )
                }
            )
        return amount, share.quantize(CENT, rounding=ROUND_HALF_UP)
    if share is not None:
        raise ValidationError({"cut_share": "只有“压减”需要填写压减比例。"})
    if amount is None:
        amount = base if decision in (Decision.KEEP, Decision.PRIORITISE) else Decimal(0)
    return amount, None


def _region(evaluation: Evaluation):
    return evaluation.project.unit.department.region


def _load(pk: int) -> Evaluation:
    # Lock the filing so a reopen cannot slip between the status check and the write.
    Evaluation.objects.select_for_update().filter(pk=pk).exists()
    return Evaluation.objects.select_related("project__unit__department__region").get(pk=pk)


def result_decision_record(
    *,
    evaluation: Evaluation,
    user,
    decision: str,
    next_year_amount: Decimal | str | None,
    cut_share: Decimal | str | None = None,
    note: str = "",
    suggestion: SuggestionRecord | None = None,
) -> ResultDecision:
    """Record (or change) the bureau's decision on one evaluation, its suggestion beside it.

    `suggestion` lets a caller that computed many at once (adopting a list) pass it in; it is
    otherwise read here.
    """
    with transaction.atomic():
        evaluation = _load(evaluation.pk)
        require_finance_bureau(user, _region(evaluation), MESSAGE)
        if evaluation.status not in DECIDABLE:
            raise ValidationError({"decision": "只有审核通过或已公开的自评可以作出结果应用决定。"})
        if suggestion is None:
            suggestion = suggestions_for([evaluation])[evaluation.pk]
        base = suggestion.facts.base_amount
        amount, share = clean_decision(
            base=base, decision=decision, next_year_amount=next_year_amount, cut_share=cut_share
        )
        s = suggestion.suggestion
        record, _ = ResultDecision.objects.update_or_create(
            evaluation=evaluation,
            defaults={
                "decision": decision,
                "cut_share": share,
                "base_amount": base,
                "next_year_amount": amount,
                "note": (note or "").strip(),
                "suggested_decision": s.decision,
                "suggested_amount": s.amount,
                "suggestion_reasons": list(s.reasons),
                "rule_set": suggestion.rule_set,
                "decided_by": user,
            },
        )
    return record


def result_decision_adopt(*, evaluations: Iterable[Evaluation], user) -> list[ResultDecision]:
    """Adopt the rules' suggestion for each evaluation without a decision yet, in one go.

    Every row goes through `result_decision_record`, so a row the user may not decide refuses
    the whole batch and nothing is written.
    """
    pks = [e.pk for e in evaluations]
    with transaction.atomic():
        pending = list(
            Evaluation.objects.filter(pk__in=pks, decision__isnull=True)
            .select_related("project__unit__department__region")
            .order_by("pk")
        )
        for region in {_region(e) for e in pending}:
            require_finance_bureau(user, region, MESSAGE)
        suggestions = suggestions_for(pending)
        records = []
        for evaluation in pending:
            s = suggestions[evaluation.pk]
            records.append(
                result_decision_record(
                    evaluation=evaluation,
                    user=user,
                    decision=s.suggestion.decision,
                    next_year_amount=s.suggestion.amount,
                    cut_share=s.suggestion.cut_share,
                    note=ADOPTED_NOTE,
                    suggestion=s,
                )
            )
    return records
