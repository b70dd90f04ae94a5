"""The 结果应用 decision list: per evaluation the rules' suggestion beside the bureau's decision,
grouped by department with subtotals, and the totals computed from the decision records.

One plain context feeds the page and the Excel workbook. Facts and suggestions come from
scoring.results in a fixed number of queries, so the list costs the same for 20 rows or 2,000.
The grade and suggestion filters act on the suggestion (the grade a spot check's review total
gives, not the self score's), so they are applied here rather than in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
from django.db.models import QuerySet

from projects.access import VIEW, scope_for
from projects.filters import GRADE_CHOICES, YES_NO, _departments
from projects.models import Decision, Evaluation, Project, ResultDecision
from projects.results.decision_services import DECIDABLE
from scoring.engine.results import LABELS
from scoring.results import (
    SUBJECT_COLUMNS,
    Subject,
    SuggestionRecord,
    suggestions_for,
    suggestions_of,
)

ZERO = Decimal(0)
# What a row reads besides the bridge's columns, as values(): a city's 2,000 rows as model
# instances (evaluation, project, unit, department, region) would cost a second on their own.
ROW_COLUMNS = (
    *SUBJECT_COLUMNS,
    "project__code",
    "project__name",
    "project__unit__name",
    "project__unit__department_id",
    "project__unit__department__name",
    "decision__id",
    "decision__decision",
    "decision__cut_share",
    "decision__base_amount",
    "decision__next_year_amount",
    "decision__note",
    "decision__suggested_decision",
    "decision__suggested_amount",
)
DECISION_FIELDS = (
    "id",
    "decision",
    "cut_share",
    "base_amount",
    "next_year_amount",
    "note",
    "suggested_decision",
    "suggested_amount",
)


def decidable_evaluations(user) -> QuerySet:
    """Finished project evaluations the user may read, with what a row shows."""
    return (
        Evaluation.objects.for_user(user, VIEW)
        .filter(status__in=DECIDABLE, project__kind=Project.Kind.PROJECT)
        .select_related("project__unit__department__region", "decision")
        .order_by("project__unit__department__code", "project__unit__code", "project__code", "pk")
    )


def decision_years(user) -> list[int]:
    """The years with finished evaluations in the user's scope, latest first."""
    return sorted(
        set(
            Evaluation.objects.for_user(user, VIEW)
            .filter(status__in=DECIDABLE, project__kind=Project.Kind.PROJECT)
            .order_by()
            .values_list("year", flat=True)
            .distinct()
        ),
        reverse=True,
    )


class DecisionFilter(django_filters.FilterSet):
    """The list's filters; grade and suggestion are read by `decision_list`, not by SQL."""

    year = django_filters.NumberFilter(label="年度")
    department = django_filters.ModelChoiceFilter(
        label="主管部门",
        field_name="project__unit__department",
        queryset=_departments,
        empty_label="全部部门",
    )
    grade = django_filters.ChoiceFilter(
        label="等级", choices=GRADE_CHOICES, method="by_suggestion", empty_label="全部等级"
    )
    suggestion = django_filters.ChoiceFilter(
        label="建议", choices=Decision.choices, method="by_suggestion", empty_label="全部建议"
    )
    decision = django_filters.ChoiceFilter(
        label="处理意见",
        field_name="decision__decision",
        choices=Decision.choices,
        empty_label="全部处理意见",
    )
    decided = django_filters.ChoiceFilter(
        label="已作决定", choices=YES_NO, method="by_decided", empty_label="不限"
    )

    def by_suggestion(self, queryset, name, value):
        """Applied by `decision_list` to the computed suggestions."""
        return queryset

    def by_decided(self, queryset, name, value):
        """Rows with (1) or without (0) a recorded decision."""
        return queryset.filter(decision__isnull=value != "1")


@dataclass(frozen=True)
class DecisionRow:
    """One evaluation on the list: its figures, the suggestion and the decision (if any)."""

    evaluation_pk: int
    year: int
    department: str
    department_pk: int
    unit: str
    project_code: str
    project_name: str
    total: Decimal | None
    review_total: Decimal | None
    grade: str
    execution_rate: Decimal | None
    base_amount: Decimal
    executed_amount: Decimal | None
    suggestion: SuggestionRecord
    record: ResultDecision | None
    can_edit: bool

    @property
    def shown_total(self) -> Decimal | None:
        """The total that sets the grade: the spot check's review total where there is one."""
        return self.review_total if self.review_total is not None else self.total

    @property
    def suggestion_label(self) -> str:
        """建议 in words (压减10%)."""
        return self.suggestion.suggestion.label

    @property
    def suggested_amount(self) -> Decimal:
        """The amount the rules suggest for next year."""
        return self.suggestion.suggestion.amount

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the rules suggest it."""
        return self.suggestion.suggestion.reasons

    @property
    def decision_label(self) -> str:
        """处理意见 in words (压减15%), blank before a decision."""
        if self.record is None:
            return ""
        return decision_label(self.record.decision, self.record.cut_share)

    @property
    def next_year_amount(self) -> Decimal | None:
        """下年安排数 as decided."""
        return None if self.record is None else self.record.next_year_amount

    @property
    def reduction(self) -> Decimal | None:
        """压减资金 as decided."""
        return None if self.record is None else self.record.reduction

    @property
    def departs(self) -> bool:
        """The decision differs from what the rules suggested when it was made."""
        r = self.record
        return r is not None and (
            r.decision != r.suggested_decision or r.next_year_amount != r.suggested_amount
        )


def decision_label(decision: str, cut_share: Decimal | None) -> str:
    """A decision in words, 压减 with its share."""
    if decision == Decision.CUT and cut_share is not None:
        text = f"{cut_share:f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return f"压减{text}%"
    return LABELS.get(decision, "")


@dataclass
class Totals:
    """Sums over rows; the decided figures read the decision records only."""

    projects: int = 0
    decided: int = 0
    base_amount: Decimal = ZERO
    decided_base_amount: Decimal = ZERO
    next_year_amount: Decimal = ZERO
    reduction: Decimal = ZERO
    by_decision: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Decision.values, 0))

    def add(self, row: DecisionRow) -> None:
        """Count one row in."""
        self.projects += 1
        self.base_amount += row.base_amount
        if row.record is not None:
            self.decided += 1
            self.decided_base_amount += row.record.base_amount
            self.next_year_amount += row.record.next_year_amount
            self.reduction += row.record.reduction
            self.by_decision[row.record.decision] += 1

    @property
    def undecided(self) -> int:
        """Rows still without a decision."""
        return self.projects - self.decided

    @property
    def counts(self) -> list[tuple[str, int]]:
        """(label, count) per decision in the choices' order."""
        return [(label, self.by_decision[value]) for value, label in Decision.choices]


@dataclass
class DepartmentGroup:
    """One department's rows and their subtotal."""

    pk: int
    name: str
    rows: list[DecisionRow] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


@dataclass
class DecisionList:
    """The filtered list, grouped by department, with the region's totals."""

    year: int | None
    groups: list[DepartmentGroup]
    totals: Totals
    can_edit: bool

    @property
    def rows(self) -> list[DecisionRow]:
        """Every row in department order."""
        return [row for group in self.groups for row in group.rows]

    @property
    def undecided_pks(self) -> list[int]:
        """The rows the user could adopt the suggestion for."""
        return [r.evaluation_pk for r in self.rows if r.record is None and r.can_edit]


def _row(
    subject: Subject,
    names: tuple[str, str, str, int, str],
    record: ResultDecision | None,
    s: SuggestionRecord,
    editable: frozenset[int] | None,
) -> DecisionRow:
    code, name, unit, department_pk, department = names
    return DecisionRow(
        evaluation_pk=subject.pk,
        year=subject.year,
        department=department,
        department_pk=department_pk,
        unit=unit,
        project_code=code,
        project_name=name,
        total=subject.computed_total,
        review_total=s.facts.review_total,
        grade=s.suggestion.grade,
        execution_rate=subject.execution_rate,
        base_amount=s.facts.base_amount,
        executed_amount=s.facts.executed_amount,
        suggestion=s,
        record=record,
        can_edit=editable is None or subject.region_id in editable,
    )


def _record(values: tuple) -> ResultDecision | None:
    """The decision of a values() row as an unsaved-looking instance (None when undecided)."""
    if values[0] is None:
        return None
    return ResultDecision(**dict(zip(DECISION_FIELDS, values, strict=True)))


def editable_regions(user) -> frozenset[int] | None:
    """The regions whose decisions the user records; None for a superuser (every region)."""
    scope = scope_for(user)
    return None if scope.superuser else scope.region_ids


def decision_list(
    evaluations: QuerySet, user, *, year: int | None, grade: str = "", suggestion: str = ""
) -> DecisionList:
    """Rows with suggestions, narrowed by grade and suggestion, grouped with subtotals."""
    width = len(SUBJECT_COLUMNS)
    found = [
        (Subject(*row[:width]), row[width : width + 5], _record(row[width + 5 :]))
        for row in evaluations.values_list(*ROW_COLUMNS)
    ]
    suggestions = suggestions_of([subject for subject, _, _ in found])
    editable = editable_regions(user)
    groups: dict[int, DepartmentGroup] = {}
    totals = Totals()
    for subject, names, record in found:
        s = suggestions[subject.pk]
        if grade and s.suggestion.grade != grade:
            continue
        if suggestion and s.suggestion.decision != suggestion:
            continue
        row = _row(subject, names, record, s, editable)
        group = groups.get(row.department_pk)
        if group is None:
            group = groups[row.department_pk] = DepartmentGroup(row.department_pk, row.department)
        group.rows.append(row)
        group.totals.add(row)
        totals.add(row)
    can_edit = editable is None or bool(editable)
    return DecisionList(year, list(groups.values()), totals, can_edit)


def filtered_decisions(filterset: DecisionFilter, user, year: int | None) -> DecisionList:
    """The list a bound, valid filter set asks for."""
    data = filterset.form.cleaned_data
    return decision_list(
        filterset.qs,
        user,
        year=year,
        grade=data.get("grade") or "",
        suggestion=data.get("suggestion") or "",
    )


def decision_page(evaluation: Evaluation, user) -> DecisionRow:
    """One evaluation's row for its decide page and the review page's panel (the evaluation
    with its region selected)."""
    s = suggestions_for([evaluation])[evaluation.pk]
    project, unit = evaluation.project, evaluation.project.unit
    names = (project.code, project.name, unit.name, unit.department_id, unit.department.name)
    record = getattr(evaluation, "decision", None)
    return _row(Subject.of(evaluation), names, record, s, editable_regions(user))
