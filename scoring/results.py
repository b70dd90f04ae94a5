"""The bridge from stored evaluations to the pure 结果应用 suggestion (scoring.engine.results).

Facts for many evaluations are read in a fixed number of queries whatever their count: the fund
lines, the reviewed spot-check items, the filed monitoring reports and the regions' rule-set
years, one query each. The list, the Excel export, the decide page and the adopt service all
read suggestions here, so the rules suggest the same thing on every page.

Amounts are the 年度资金总额 row by the one rule (projects.money.fund_amounts): 全年预算数
(adjusted) where given, else 年初预算数; what was spent is its 全年执行数.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from projects.models import Evaluation, FundLine, MonitoringReport, SpotCheckItem
from projects.money import fund_amounts
from projects.monitoring.yearend import FILED
from scoring.engine.results import ResultFacts, Suggestion, suggest
from scoring.engine.rules import RuleSet
from scoring.recompute import RulesByYear

__all__ = [
    "SUBJECT_COLUMNS",
    "Subject",
    "SuggestionRecord",
    "result_facts",
    "suggestions_for",
    "suggestions_of",
]


@dataclass(frozen=True)
class SuggestionRecord:
    """One evaluation's facts, the suggestion and the rule set (id@version) that made it."""

    facts: ResultFacts
    suggestion: Suggestion
    rule_set: str


class _Line(NamedTuple):
    """The columns of a fund line `fund_amounts` reads (model instances cost ten times more)."""

    source: str
    initial: Decimal | None
    adjusted: Decimal | None
    executed: Decimal | None


def _amounts(project_ids: set[int]) -> dict[int, tuple[Decimal, Decimal | None]]:
    lines: dict[int, list[_Line]] = {}
    rows = (
        FundLine.objects.filter(project_id__in=project_ids)
        .order_by("pk")
        .values_list("project_id", "source", "initial", "adjusted", "executed")
    )
    for project_id, *columns in rows:
        lines.setdefault(project_id, []).append(_Line(*columns))
    amounts = {}
    for project_id, rows in lines.items():
        total = fund_amounts(rows)["total"]
        base = total["adjusted"] if total["adjusted"] is not None else total["initial"]
        amounts[project_id] = (base or Decimal(0), total["executed"])
    return amounts


def _review_totals(evaluation_ids: set[int]) -> dict[int, Decimal]:
    """The latest re-scored total of each evaluation's spot checks (an unscored draw is none)."""
    rows = (
        SpotCheckItem.objects.filter(evaluation_id__in=evaluation_ids, review_total__isnull=False)
        .order_by("spot_check__drawn_at", "pk")
        .values_list("evaluation_id", "review_total")
    )
    return dict(rows)  # later rows replace earlier ones


def _red_lights(project_years: dict[int, int]) -> dict[int, int]:
    """Red lights of each subject's latest filed monitoring report of the evaluation's year."""
    rows = (
        MonitoringReport.objects.filter(project_id__in=project_years, status__in=FILED)
        .order_by("round__as_of", "pk")
        .values_list("project_id", "round__year", "red_count")
    )
    return {p: red for p, year, red in rows if project_years.get(p) == year}


class Subject(NamedTuple):
    """What the bridge reads of one evaluation: lists build these from values() rows, which
    costs a tenth of the five model instances an evaluation with its region would."""

    pk: int
    project_id: int
    year: int
    computed_total: Decimal | None
    execution_rate: Decimal | None
    error_count: int
    region_id: int
    region_rule_set_id: str | None

    @classmethod
    def of(cls, e: Evaluation) -> Subject:
        """From an evaluation with `project__unit__department__region` selected."""
        region = e.project.unit.department.region
        return cls(
            e.pk,
            e.project_id,
            e.year,
            e.computed_total,
            e.execution_rate,
            e.error_count,
            region.pk,
            region.rule_set_id,
        )


# The values() columns of a Subject, in its order, for querysets of evaluations.
SUBJECT_COLUMNS = (
    "pk",
    "project_id",
    "year",
    "computed_total",
    "execution_rate",
    "error_count",
    "project__unit__department__region_id",
    "project__unit__department__region__rule_set_id",
)


def result_facts(subjects: Sequence[Subject]) -> dict[int, ResultFacts]:
    """The engine's facts for each evaluation (by id), in three queries for any number."""
    project_years = {e.project_id: e.year for e in subjects}
    amounts = _amounts(set(project_years))
    reviewed = _review_totals({e.pk for e in subjects})
    red = _red_lights(project_years)
    facts = {}
    for e in subjects:
        base, executed = amounts.get(e.project_id, (Decimal(0), None))
        facts[e.pk] = ResultFacts(
            base_amount=base,
            total=e.computed_total,
            execution_rate=e.execution_rate,
            executed_amount=executed,
            error_count=e.error_count,
            review_total=reviewed.get(e.pk),
            red_lights=red.get(e.project_id, 0),
        )
    return facts


def _rules(subjects: Sequence[Subject]) -> dict[int, RuleSet]:
    """The rule set in force for each evaluation's region and year (one query for the years)."""
    by_year = RulesByYear({e.region_id for e in subjects})
    return {e.pk: by_year.get(e.region_id, e.region_rule_set_id, e.year) for e in subjects}


def suggestions_of(subjects: Sequence[Subject]) -> dict[int, SuggestionRecord]:
    """The suggestion for each subject (by evaluation id), its facts and its rule set."""
    subjects = list(subjects)
    if not subjects:
        return {}
    facts = result_facts(subjects)
    rules = _rules(subjects)
    return {
        pk: SuggestionRecord(fact, suggest(fact, rules[pk]), rules[pk].key)
        for pk, fact in facts.items()
    }


def suggestions_for(evaluations: Sequence[Evaluation]) -> dict[int, SuggestionRecord]:
    """The suggestion for each evaluation (with its region selected), by id."""
    return suggestions_of([Subject.of(e) for e in evaluations])
