"""Export an evaluation as a selfeval/1 document (the inverse of projects.importer).

selfeval/1 carries only what the filer's table says (`claimed`); its schema admits no other key.
The scores the rule set computed, which the finance bureau approved, travel beside the document
in `export_results` (the open-data JSON wraps both; docs/open-data.md).
"""

from projects.formatting import fmt_score, to_decimal
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


def _two(value) -> str | None:
    """A figure as the result format prints it: two decimals, half-up; null when absent."""
    return fmt_score(to_decimal(value)) or None


def export_results(evaluation: Evaluation) -> dict:
    """The computed (approved) figures beside the claimed ones, and the rule set in words.

    Figures are two-decimal strings like selfeval-result/1; `rules` names the rule set as people
    read it ("全国通用（2020年）第1版"), never by its internal id.
    """
    from scoring.services import rule_set_title

    project = evaluation.project
    result = evaluation.result or {}
    total_line = next(
        (line for line in project.fund_lines.all() if line.source == FundSource.TOTAL), None
    )
    results = {r.indicator_id: r for r in evaluation.results.all()}
    # The stored result is what was approved; the per-row column is its copy for queries.
    stored = {
        item["indicator_id"]: item.get("score")
        for item in result.get("indicators") or []
        if item.get("indicator_id") is not None
    }
    return {
        "rules": rule_set_title(evaluation.rule_set_id, evaluation.rule_set_version) or None,
        "computed": {
            "execution_rate": _two(evaluation.execution_rate),
            "execution_score": _two(evaluation.computed_execution_score),
            "indicator_total": _two(result.get("indicator_total")),
            "total": _two(evaluation.computed_total),
            "grade": evaluation.computed_grade or None,
        },
        "claimed": {
            "execution_rate": _two(total_line.claimed_rate) if total_line else None,
            "execution_score": _two(evaluation.claimed_execution_score),
            "indicator_total": _two(evaluation.claimed_indicator_total),
            "total": _two(evaluation.claimed_total),
            "grade": evaluation.claimed_grade or None,
        },
        "indicators": [
            _indicator_scores(indicator, results.get(indicator.pk), stored.get(indicator.pk))
            for indicator in project.indicators.all()
        ],
    }


def _indicator_scores(indicator, result, stored_score) -> dict:
    computed = stored_score if stored_score is not None else (result and result.computed_score)
    return {
        "level1": indicator.level1,
        "level2": indicator.level2 or None,
        "name": indicator.name,
        "weight": _two(indicator.weight),
        # An informational sub-row (其中…, no weight) is never scored.
        "computed_score": _two(computed) if indicator.weight is not None else None,
        "claimed_score": _two(result.claimed_score) if result else None,
    }
