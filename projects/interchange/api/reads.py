"""What the API reads: plain dicts from querysets that start at the gate (`for_user`)."""

from __future__ import annotations

from django.db.models import Prefetch

from projects.access import get_for_user
from projects.filing.content import SOURCES
from projects.models import (
    Evaluation,
    FundLine,
    Indicator,
    MonitoringReport,
    Project,
    ResultDecision,
)
from projects.models.targets import targets_settled


def _where(project: Project) -> dict:
    return {
        "project_id": project.pk,
        "department_code": project.unit.department.code,
        "unit_code": project.unit.code,
    }


def evaluation_row(evaluation: Evaluation) -> dict:
    """One evaluation's status, scores, grade and findings counts."""
    project = evaluation.project
    return {
        "id": evaluation.pk,
        "year": evaluation.year,
        **_where(project),
        "project_code": project.code,
        "project_name": project.name,
        "status": evaluation.status,
        "status_label": evaluation.get_status_display(),
        "execution_rate": evaluation.execution_rate,
        "total": evaluation.computed_total,
        "grade": evaluation.computed_grade,
        "claimed_total": evaluation.claimed_total,
        "claimed_grade": evaluation.claimed_grade,
        "errors": evaluation.error_count,
        "warnings": evaluation.warning_count,
        "infos": evaluation.info_count,
        "scored_at": evaluation.scored_at,
    }


def evaluations(user, *, year: int | None = None):
    """The evaluations the client sees, newest year first."""
    rows = Evaluation.objects.for_user(user).select_related("project__unit__department")
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "project__unit__department__code", "project__unit__code", "pk")


def evaluation(user, pk: int) -> Evaluation:
    """One evaluation; 404 outside the client's region."""
    return get_for_user(Evaluation.objects.select_related("project__unit__department"), user, pk=pk)


def report_row(report: MonitoringReport) -> dict:
    """One monitoring report's lights."""
    project = report.project
    return {
        "id": report.pk,
        "year": report.round.year,
        "as_of": report.round.as_of,
        **_where(project),
        "project_code": project.code,
        "project_name": project.name,
        "status": report.status,
        "light": report.light,
        "execution_light": report.execution_light,
        "time_progress": report.time_progress,
        "execution_rate": report.execution_rate,
        "red": report.red_count,
        "yellow": report.yellow_count,
    }


def reports(user, *, year: int | None = None):
    """The monitoring reports the client sees, latest round first."""
    rows = MonitoringReport.objects.for_user(user).select_related(
        "round", "project__unit__department"
    )
    if year is not None:
        rows = rows.filter(round__year=year)
    return rows.order_by("-round__as_of", "project__unit__department__code", "pk")


def report(user, pk: int) -> MonitoringReport:
    """One monitoring report; 404 outside the client's region."""
    return get_for_user(
        MonitoringReport.objects.select_related("round", "project__unit__department"), user, pk=pk
    )


def decision_row(decision: ResultDecision) -> dict:
    """One result decision (结果应用) on an evaluation."""
    evaluation = decision.evaluation
    return {
        "evaluation_id": evaluation.pk,
        "year": evaluation.year,
        **_where(evaluation.project),
        "project_code": evaluation.project.code,
        "decision": decision.decision,
        "decision_label": decision.get_decision_display(),
        "cut_share": decision.cut_share,
        "base_amount": decision.base_amount,
        "next_year_amount": decision.next_year_amount,
        "suggested_decision": decision.suggested_decision,
        "decided_at": decision.decided_at,
    }


def decisions(user, *, year: int | None = None):
    """The result decisions the client sees."""
    rows = ResultDecision.objects.for_user(user).select_related(
        "evaluation__project__unit__department"
    )
    if year is not None:
        rows = rows.filter(evaluation__year=year)
    return rows.order_by("-evaluation__year", "evaluation__project__unit__code", "pk")


def targets_row(project: Project) -> dict:
    """A subject's approved goal, fund plan and indicators."""
    declaration = getattr(project, "declaration", None)
    lines = {line.source: line for line in project.fund_lines.all()}
    return {
        "year": project.year,
        **_where(project),
        "code": project.code,
        "name": project.name,
        "declaration_status": declaration.status if declaration else "",
        "goal_expected": project.goal_expected,
        "funds": [{"source": s, "initial": lines[s].initial} for s in SOURCES if s in lines],
        "indicators": [
            {
                "level1": i.level1,
                "level2": i.level2,
                "name": i.name,
                "target": i.target,
                "weight": i.weight,
                "method": i.method,
            }
            for i in project.indicators.all()
        ],
    }


def approved_targets(user, *, year: int):
    """Subjects of the year whose targets stand (approved, or approved with the budget)."""
    return (
        Project.objects.for_user(user)
        .filter(targets_settled(), year=year)
        .select_related("unit__department", "declaration")
        .prefetch_related(
            Prefetch("fund_lines", queryset=FundLine.objects.order_by("pk")),
            Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk")),
        )
        .order_by("unit__department__code", "unit__code", "code")
    )
