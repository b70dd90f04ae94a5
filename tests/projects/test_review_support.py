"""Builders shared by the review, workflow, task, spot-check and overview tests (no tests here).

The figures are those of seed 001's 区创优营商环境服务中心工作经费 (46 / 46 / 38.76 万元), with
three indicators worth 50 + 30 + 10 = 90 that are all met, so by hand (domain.md §4):
execution rate 38.76 / 46 = 84.2608…% → 84.26; execution score 10 × 0.842608… = 8.426… → 8.43;
indicators 90; total 98.43, grade 优.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from projects.models import EvaluationStatus, FundSource, IndicatorResult, Membership
from tests import factories as f

S = EvaluationStatus
CLEAN_TOTAL = Decimal("98.43")
CLEAN_EXECUTION_SCORE = Decimal("8.43")

INDICATORS = (
    # level1, level2, name, target, weight, actual
    ("产出指标", "数量指标", "走访企业数量", "≥1600家", "50", "1650家"),
    ("效益指标", "社会效益指标", "营商环境满意度", "≥90%", "30", "92%"),
    ("满意度指标", "服务对象满意度指标", "企业满意度", "≥95%", "10", "96%"),
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs over a second per persona here; the review tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_evaluation(unit, *, name=None, year=2023, actuals=None, reasons=None, claimed=None):
    """A project with seed 001's funds and three indicators, its evaluation and results, scored.

    `actuals` / `reasons` / `claimed` override the actual, deviation reason and claimed score of
    an indicator by its position. Claimed scores default to the computed ones.
    """
    from scoring.services import score_evaluation

    project = f.ProjectFactory(unit=unit, year=year, name=name or "区创优营商环境服务中心工作经费")
    for source in (FundSource.TOTAL, FundSource.CURRENT_YEAR):
        f.FundLineFactory(
            project=project,
            source=source,
            initial=Decimal("460000"),
            adjusted=Decimal("460000"),
            executed=Decimal("387600"),
            weight=Decimal("10") if source == FundSource.TOTAL else None,
        )
    evaluation = f.EvaluationFactory(project=project, goal_actual="全年走访企业1650家。")
    for order, (level1, level2, indicator_name, target, weight, actual) in enumerate(INDICATORS):
        indicator = f.IndicatorFactory(
            project=project,
            order=order,
            level1=level1,
            level2=level2,
            name=indicator_name,
            target=target,
            weight=Decimal(weight),
        )
        IndicatorResult.objects.create(
            evaluation=evaluation,
            indicator=indicator,
            actual=(actuals or {}).get(order, actual),
            deviation_reason=(reasons or {}).get(order, ""),
        )
    result = score_evaluation(evaluation)
    rows = {r["indicator_id"]: r for r in result["indicators"]}
    for position, r in enumerate(evaluation.results.order_by("indicator__order")):
        r.claimed_score = (claimed or {}).get(position, Decimal(rows[r.indicator_id]["score"]))
        r.save()
    evaluation.refresh_from_db()
    evaluation.claimed_execution_score = evaluation.computed_execution_score
    evaluation.claimed_indicator_total = sum(r.claimed_score for r in evaluation.results.all())
    evaluation.claimed_total = (
        evaluation.claimed_execution_score + evaluation.claimed_indicator_total
    )
    evaluation.save()
    score_evaluation(evaluation)
    evaluation.refresh_from_db()
    return evaluation


def put_in(evaluation, status):
    """Move a test filing straight to a status (setting up a review step, not testing one)."""
    from django.utils import timezone

    evaluation.status = status
    if status in (S.APPROVED, S.PUBLISHED):
        evaluation.approved_at = timezone.now()
    if status != S.DRAFT:
        evaluation.submitted_at = evaluation.submitted_at or timezone.now()
    evaluation.save()
    return evaluation


@dataclass
class Subordinate:
    """A subordinate unit of department A (goes through department review) and its filer."""

    unit: object
    carol: object


def subordinate_of_a(personas) -> Subordinate:
    """Department A's subordinate unit 相山区政务服务中心 with its filer carol."""
    unit = f.UnitFactory(department=personas.department_a, name="相山区政务服务中心", code="A1")
    carol = f.UserFactory(username="carol", email="carol@example.org")
    f.membership(carol, Membership.Role.FILER, unit=unit)
    return Subordinate(unit, carol)


@dataclass
class Spec:
    """One filing for the bulk builder: its status and stored scoring figures."""

    status: str
    total: str | None = None
    claimed: str | None = None
    grade: str = ""
    rate: str | None = None
    errors: int = 0
    warnings: int = 0


def bulk_filings(task, units, specs, *, start=0):
    """Projects and evaluations made with bulk_create (as the query-count tests need many).

    Filings go round-robin over `units`; the stored figures stand in for a scoring result.
    """
    from django.utils import timezone

    from projects.models import Evaluation, Project

    now = timezone.now()
    projects = Project.objects.bulk_create(
        [
            Project(
                unit=units[i % len(units)],
                year=task.year,
                code=f"Q{start + i:05d}",
                name=f"批量项目{start + i}",
            )
            for i in range(len(specs))
        ]
    )
    return Evaluation.objects.bulk_create(
        [
            Evaluation(
                project=project,
                year=task.year,
                task=task,
                status=spec.status,
                result={"findings": []},
                computed_total=_d(spec.total),
                computed_execution_score=Decimal("9.00") if spec.total else None,
                claimed_total=_d(spec.claimed or spec.total),
                computed_grade=spec.grade,
                execution_rate=_d(spec.rate),
                error_count=spec.errors,
                warning_count=spec.warnings,
                submitted_at=None if spec.status in (S.DRAFT,) else now,
                approved_at=now if spec.status in (S.APPROVED, S.PUBLISHED) else None,
            )
            for project, spec in zip(projects, specs, strict=True)
        ]
    )


def _d(value):
    return None if value is None else Decimal(value)
