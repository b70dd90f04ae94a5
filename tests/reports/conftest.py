"""Report test data: the seed documents' evaluations, built from fixtures/*.json with factories.

The stored scoring results are written by hand from the seeds' published figures and the
hand arithmetic of fixtures/README.md (domain.md §4), never by running the scoring code: the
reports print what is stored, and these tests check that they print it exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from projects.models import EvaluationStatus, FundLine, Indicator, IndicatorResult, Project
from tests import factories as f

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SOURCES = ("total", "current_year", "carryover", "other")


def _amount(text: str | None, money_unit: str) -> Decimal | None:
    if text in (None, ""):
        return None
    value = Decimal(text.replace(",", ""))
    return value * 10000 if money_unit == "万元" else value


def build_evaluation(
    name: str,
    unit,
    *,
    result: dict | None = None,
    status: str = EvaluationStatus.DRAFT,
    **project_fields,
):
    """Create the project, funds, indicators and evaluation of one fixtures/*.json document."""
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    kind = Project.Kind.DEPARTMENT_OVERALL if doc["kind"] == "department" else Project.Kind.PROJECT
    project = f.ProjectFactory(
        unit=unit,
        year=doc["year"],
        kind=kind,
        name=(doc["project"] or {}).get("name") or unit.name,
        code=(doc["project"] or {}).get("code") or name.removesuffix(".json")[-20:],
        money_unit=doc["money_unit"],
        goal_expected=(doc.get("goal") or {}).get("expected") or "",
        **project_fields,
    )
    for row in doc["funds"]:
        FundLine.objects.create(
            project=project,
            source=row["source"],
            initial=_amount(row.get("initial"), doc["money_unit"]),
            adjusted=_amount(row.get("adjusted"), doc["money_unit"]),
            executed=_amount(row.get("executed"), doc["money_unit"]),
            weight=Decimal(row["weight"]) if row.get("weight") else None,
        )
    evaluation = f.EvaluationFactory(
        project=project,
        status=status,
        goal_actual=(doc.get("goal") or {}).get("actual") or "",
        notes=doc.get("notes") or {},
        claimed_total=Decimal(doc["claimed"]["total"])
        if (doc.get("claimed") or {}).get("total")
        else None,
    )
    scored = []
    for order, row in enumerate(doc["indicators"]):
        indicator = Indicator.objects.create(
            project=project,
            order=order,
            level1=row["level1"],
            level2=row.get("level2") or "",
            name=row["name"],
            target=row.get("target") or "",
            weight=Decimal(row["weight"].rstrip("%")) if row.get("weight") else None,
        )
        IndicatorResult.objects.create(
            evaluation=evaluation,
            indicator=indicator,
            actual=row.get("actual") or "",
            midyear_actual=row.get("midyear_actual") or "",
            claimed_score=Decimal(row["claimed_score"]) if row.get("claimed_score") else None,
            deviation_reason=row.get("deviation") or "",
        )
        scored.append(indicator)
    if result is not None:
        scores = result.pop("scores")
        result = {
            "format": "selfeval-result/1",
            "rules": "national-2020@1",
            "findings": [],
            **result,
            "indicators": [
                {
                    "indicator_id": ind.pk,
                    "score": score,
                    "status": "met" if Decimal(score) >= (ind.weight or 0) else "partial",
                    "findings": [],
                }
                for ind, score in zip(scored, scores, strict=True)
            ],
        }
        evaluation.result = result
        evaluation.rule_set_id = "national-2020"
        evaluation.rule_set_version = 1
        evaluation.execution_rate = Decimal(result["execution_rate"])
        evaluation.computed_execution_score = Decimal(result["execution_score"])
        evaluation.computed_total = Decimal(result["total"])
        evaluation.computed_grade = result["grade"]
        evaluation.save()
    return evaluation


# Seed 001 (区创优营商环境服务中心工作经费): 38.76 / 46 = 84.26% → 8.43; six rows at full marks
# (90); total 98.43, 优 — the figures the seed publishes.
BUSINESS_ENV_RESULT = {
    "execution_rate": "84.26",
    "execution_score": "8.43",
    "indicator_total": "90.00",
    "total": "98.43",
    "grade": "优",
    "scores": ["10.00", "10.00", "20.00", "10.00", "30.00", "10.00"],
}

# Seed 001 (区政府工作经费): 134.64 / 220 = 61.2% → 6.12; the ＜220 rows with 220 score full under
# linear_to_zero_at_double (10 × (1 − 0 / 220)); every ≥95% row met; 90 + 6.12 = 96.12, 优.
WORK_FUNDS_RESULT = {
    "execution_rate": "61.20",
    "execution_score": "6.12",
    "indicator_total": "90.00",
    "total": "96.12",
    "grade": "优",
    "scores": ["10.00", "10.00", "20.00", "10.00", "10.00", "5.00", "5.00", "10.00", "10.00"],
}

# Seed 002: 554.23 / 556.83 → 99.53%, 9.95; 培训费下降率 0 of 8; 预算经费 ≤367.19万元 with 554.23
# under linear_to_zero_at_double: 12 × (1 − 187.04 / 367.19) = 5.89; the rest full; total 85.84 良.
URUMQI_RESULT = {
    "execution_rate": "99.53",
    "execution_score": "9.95",
    "indicator_total": "75.89",
    "total": "85.84",
    "grade": "良",
    "scores": ["0.00", "5.89", "10.00", "10.00", "25.00", "15.00", "10.00"],
}

# Seed 000 (published table): 审计、评估等相关费用 672,362 / 800,000 → 84.05%, 8.40, 98.40 优;
# 武装工作经费 0 / 100,000 → 0%, 0.00, 85.00 良.
AUDIT_RESULT = {
    "execution_rate": "84.05",
    "execution_score": "8.40",
    "indicator_total": "90.00",
    "total": "98.40",
    "grade": "优",
}
MILITIA_RESULT = {
    "execution_rate": "0.00",
    "execution_score": "0.00",
    "indicator_total": "85.00",
    "total": "85.00",
    "grade": "良",
}


def _full_scores(name: str) -> list[str]:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [f"{Decimal(row['claimed_score']):.2f}" for row in doc["indicators"]]


@pytest.fixture
def business_env(personas):
    """Seed 001's 区创优营商环境服务中心工作经费 in alice's unit, scored as published."""
    return build_evaluation(
        "seed001-xiangshan-govoffice-2023-business-env.json",
        personas.unit_a,
        result=dict(BUSINESS_ENV_RESULT),
    )


@pytest.fixture
def work_funds(personas):
    """Seed 001's 区政府工作经费, the other project of alice's unit."""
    return build_evaluation(
        "seed001-xiangshan-govoffice-2023-work-funds.json",
        personas.unit_a,
        result=dict(WORK_FUNDS_RESULT),
    )


@pytest.fixture
def urumqi_overall(personas):
    """Seed 002's 部门整体 evaluation in bob's unit (department B), scored by the national rules."""
    return build_evaluation(
        "seed002-urumqi-hitech-industrial-park-2023-department.json",
        personas.unit_b,
        result=dict(URUMQI_RESULT),
    )


@pytest.fixture
def kfq_projects(personas):
    """Two of seed 000's projects (审计、评估 and 武装工作经费) in bob's unit, 2024."""
    audit = build_evaluation(
        "seed000-kfq-2024-16-audit-assessment.json",
        personas.unit_b,
        result={
            **AUDIT_RESULT,
            "scores": _full_scores("seed000-kfq-2024-16-audit-assessment.json"),
        },
    )
    militia = build_evaluation(
        "seed000-kfq-2024-05-militia.json",
        personas.unit_b,
        result={**MILITIA_RESULT, "scores": _full_scores("seed000-kfq-2024-05-militia.json")},
    )
    return audit, militia


# Seed 000's department (开发区): its 部门整体 report and four projects in different states.
KFQ = "seed000-kfq-2024-{}.json"
# 480,400 / 491,400 = 97.76…% → 9.78; 90 + 9.78 = 99.78 (seed 000 prints 99.78 优).
CAR_RESULT = {
    "execution_rate": "97.76",
    "execution_score": "9.78",
    "indicator_total": "90.00",
    "total": "99.78",
    "grade": "优",
}
# 895,157 / 900,000 = 99.46…% → 9.95; 90 + 9.95 = 99.95 (seed 000 prints 99.95 优).
UNION_RESULT = {
    "execution_rate": "99.46",
    "execution_score": "9.95",
    "indicator_total": "90.00",
    "total": "99.95",
    "grade": "优",
}


def _stamped(evaluation):
    """Record when it was approved and published, as the workflow does."""
    now = timezone.now()
    if evaluation.status in (EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED):
        evaluation.approved_at = now
    if evaluation.status == EvaluationStatus.PUBLISHED:
        evaluation.published_at = now
    evaluation.save()
    return evaluation


def _project(slug, unit, result, status):
    name = KFQ.format(slug)
    return _stamped(
        build_evaluation(name, unit, result={**result, "scores": _full_scores(name)}, status=status)
    )


@pytest.fixture
def kfq_department(personas):
    """Seed 000's department: its 部门整体 report (with the filer's 17-row table) and four
    projects, two published, one approved but not published, one still a draft."""
    unit = personas.unit_b
    return {
        "overall": _stamped(
            build_evaluation(KFQ.format("department"), unit, status=EvaluationStatus.PUBLISHED)
        ),
        "car": _project("01-car-purchase", unit, CAR_RESULT, EvaluationStatus.PUBLISHED),
        "audit": _project("16-audit-assessment", unit, AUDIT_RESULT, EvaluationStatus.PUBLISHED),
        "militia": _project("05-militia", unit, MILITIA_RESULT, EvaluationStatus.APPROVED),
        "union": _project("06-trade-union", unit, UNION_RESULT, EvaluationStatus.DRAFT),
    }
