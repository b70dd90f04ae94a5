"""The 自评报告 check over stored data: what submit, publish and the review page compare.

projects.narrative_check is pure; this module reads what it needs from the database: the
evaluation's table figures (the total fund row derived from its sources, as the form and the
prints derive it), the sections as they print (the filer's text, the draft elsewhere) and, for a
部门整体 evaluation, the live figures of the department's projects of the year. It sits beside the
models, so the workflow (review) and the filing page (filing) both call it downward.
"""

from __future__ import annotations

from decimal import Decimal

from projects import narrative_check as check
from projects.models import Evaluation, FundSource, Project
from projects.money import fund_amounts
from projects.narrative import (
    DEPARTMENT_OVERALL,
    SLOW_EXECUTION_BELOW,
    IndicatorFacts,
    NarrativeData,
    draft_sections,
)


def slow_execution_below(evaluation: Evaluation) -> Decimal:
    """The rule set's execution-rate threshold for a required reason, where it sets one."""
    from scoring.services import rule_set_for

    threshold = rule_set_for(evaluation).execution_reason_below
    return threshold if threshold and threshold > 0 else SLOW_EXECUTION_BELOW


def stored_narrative_data(
    evaluation: Evaluation,
    *,
    total: dict | None = None,
    results: dict | None = None,
    goal_actual: str | None = None,
) -> NarrativeData:
    """The drafting input from the stored filing, optionally overlaid with unsaved form data.

    The one builder of the drafting input from a filing: the check here, the filing page's draft
    (`projects.filing.services.narrative_data`, which passes the form's total row, rows and goal)
    and the stored draft all read the same figures and the rule set's threshold. The 年度资金总额
    comes from the one total rule (`projects.money.fund_amounts`) unless the form gives its own.
    """
    project = evaluation.project
    stored = {r.indicator_id: r for r in evaluation.results.all()}
    total = total if total is not None else fund_amounts(project.fund_lines.all())[FundSource.TOTAL]
    unit = project.unit

    def value(indicator_id: int, name: str) -> str:
        typed = (results or {}).get(indicator_id, {})
        if typed.get(name) is not None:
            return typed[name]
        row = stored.get(indicator_id)
        return getattr(row, name) if row else ""

    return NarrativeData(
        kind=project.kind,
        year=project.year,
        subject_name=project.name,
        unit_name=unit.name,
        department_name=unit.department.name,
        money_unit=project.money_unit,
        initial=total.get("initial"),
        adjusted=total.get("adjusted"),
        executed=total.get("executed"),
        goal_expected=project.goal_expected,
        goal_actual=goal_actual if goal_actual is not None else evaluation.goal_actual,
        slow_execution_below=slow_execution_below(evaluation),
        indicators=tuple(
            IndicatorFacts(
                indicator_id=indicator.pk,
                level1=indicator.level1,
                level2=indicator.level2,
                name=indicator.name,
                target=indicator.target,
                actual=value(indicator.pk, "actual"),
                weight=indicator.weight,
                deviation_reason=value(indicator.pk, "deviation_reason"),
                midyear_actual=value(indicator.pk, "midyear_actual"),
            )
            for indicator in project.indicators.all()
        ),
    )


def department_projects(evaluation: Evaluation) -> tuple[check.ProjectFigures, ...] | None:
    """The live figures of the department's projects of the year (None for a project report)."""
    project = evaluation.project
    if project.kind != DEPARTMENT_OVERALL:
        return None
    rows = (
        Evaluation.objects.filter(
            project__unit__department_id=project.unit.department_id,
            year=evaluation.year,
            project__kind=Project.Kind.PROJECT,
        )
        .order_by("project_id", "pk")
        .values_list("project__name", "computed_total", "computed_grade", "execution_rate")
    )
    return tuple(
        check.ProjectFigures(name=name, total=total, grade=grade or "", execution_rate=rate)
        for name, total, grade, rate in rows
    )


def report_findings(
    evaluation: Evaluation,
    result: dict | None = None,
    *,
    notes: dict | None = None,
    data: NarrativeData | None = None,
    publishing: bool = False,
) -> list[dict]:
    """Findings of the report as it prints: figures against the table, unfilled placeholders.

    `result`, `notes` and `data` default to what is stored; the filing page passes the live ones.
    """
    result = result if result is not None else (evaluation.result or {})
    data = data or stored_narrative_data(evaluation)
    notes = notes if notes is not None else (evaluation.notes or {})
    figures = check.table_figures(result, data, department_projects(evaluation))
    sections = check.effective_sections(data.kind, notes, draft_sections(result, data))
    return check.check_report(sections, figures, publishing=publishing)
