"""Export an evaluation as a selfeval/1 document (the inverse of projects.importer)."""

from projects.models import Evaluation, FundSource, Project
from projects.money import from_yuan, plain

FUND_ORDER = [s.value for s in FundSource]


def export_document(evaluation: Evaluation) -> dict:
    """Build the selfeval/1 dict of one evaluation; amounts in the project's money unit."""
    project = evaluation.project
    unit = project.unit
    department = unit.department
    money_unit = project.money_unit
    lines = sorted(project.fund_lines.all(), key=lambda line: FUND_ORDER.index(line.source))
    results = {r.indicator_id: r for r in evaluation.results.all()}
    claimed = {
        "execution_score": plain(evaluation.claimed_execution_score),
        "indicator_total": plain(evaluation.claimed_indicator_total),
        "total": plain(evaluation.claimed_total),
        "grade": evaluation.claimed_grade or None,
    }
    is_project = project.kind == Project.Kind.PROJECT
    return {
        "format": "selfeval/1",
        "kind": "project" if is_project else "department",
        "year": evaluation.year,
        "region": department.region.name,
        "department": {"name": department.name, "code": department.code},
        "unit": {"name": unit.name, "code": unit.code},
        "project": {"name": project.name, "code": project.code} if is_project else None,
        "money_unit": money_unit,
        "funds": [_fund_row(line, money_unit) for line in lines],
        "goal": {
            "expected": project.goal_expected or None,
            "actual": evaluation.goal_actual or None,
        },
        "indicators": [
            _indicator_row(indicator, results.get(indicator.pk))
            for indicator in project.indicators.all()
        ],
        "claimed": claimed if any(v is not None for v in claimed.values()) else None,
        "notes": dict(evaluation.notes) or None,
    }


def _fund_row(line, money_unit: str) -> dict:
    row = {
        "source": line.source,
        "initial": plain(from_yuan(line.initial, money_unit)),
        "adjusted": plain(from_yuan(line.adjusted, money_unit)),
        "executed": plain(from_yuan(line.executed, money_unit)),
    }
    if line.source == FundSource.TOTAL:
        row["weight"] = plain(line.weight)
    if line.claimed_rate is not None:
        row["claimed_rate"] = plain(line.claimed_rate)
    if line.claimed_score is not None:
        row["claimed_score"] = plain(line.claimed_score)
    return row


def _indicator_row(indicator, result) -> dict:
    return {
        "level1": indicator.level1,
        "level2": indicator.level2 or None,
        "name": indicator.name,
        "target": indicator.target or None,
        "actual": (result.actual or None) if result else None,
        "weight": plain(indicator.weight),
        "claimed_score": plain(result.claimed_score) if result else None,
        "deviation": (result.deviation_reason or None) if result else None,
        "midyear_actual": (result.midyear_actual or None) if result else None,
    }
