"""The ORM bridge: scores are stored with their rule set, bulk recompute agrees with the single
path, frozen evaluations keep their result, and queries do not grow per evaluation."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.importer import import_file
from projects.models import Evaluation, EvaluationStatus, IndicatorResult
from scoring.services import recompute_region, score_evaluation, score_preview

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WORK_FUNDS = FIXTURES / "seed001-xiangshan-govoffice-2023-work-funds.json"
BUSINESS = FIXTURES / "seed001-xiangshan-govoffice-2023-business-env.json"

pytestmark = pytest.mark.django_db


def test_score_is_stored_with_rule_set_and_snapshot():
    evaluation = import_file(WORK_FUNDS)
    result = score_evaluation(evaluation)
    evaluation.refresh_from_db()
    # Seed 001, 区政府工作经费: 134.64 / 220 = 61.2% → 6.12; indicators 90 → 96.12 优.
    assert result["execution_rate"] == "61.20"
    assert evaluation.execution_rate == Decimal("61.20")
    assert evaluation.computed_total == Decimal("96.12")
    assert evaluation.computed_grade == "优"
    assert evaluation.rule_set_id == "national-2020"
    assert evaluation.rule_set_version == 1
    assert evaluation.input_snapshot["funds"][0]["executed"] == "1346400"
    codes = {f["code"] for f in result["findings"]}
    assert "actual_equals_strict_bound" in codes
    assert evaluation.error_count == sum(1 for f in result["findings"] if f["severity"] == "error")


def test_preview_scores_typed_figures_without_saving():
    evaluation = import_file(BUSINESS)
    score_evaluation(evaluation)
    visits = evaluation.project.indicators.get(name="走访企业数量")
    preview = score_preview(evaluation, results={visits.pk: {"actual": "1500家"}})
    row = next(r for r in preview["indicators"] if r["indicator_id"] == visits.pk)
    # 20 × 1500 / 1600 = 18.75 (domain.md §4, higher is better).
    assert row["score"] == "18.75"
    assert any(
        f["code"] == "deviation_missing" and f["indicator_id"] == visits.pk
        for f in preview["findings"]
    )
    stored = IndicatorResult.objects.get(evaluation=evaluation, indicator=visits)
    assert stored.actual == "1600家"
    assert stored.computed_score == Decimal("20.00")


def test_bulk_recompute_agrees_with_single_scoring_and_spares_frozen():
    files = sorted(FIXTURES.glob("seed000-*.json"))
    evaluations = [import_file(path) for path in files]
    frozen = evaluations[0]
    Evaluation.objects.filter(pk=frozen.pk).update(
        status=EvaluationStatus.APPROVED, computed_total=Decimal("1.00")
    )
    region = evaluations[0].project.unit.department.region
    assert recompute_region(region=region, year=2024) == len(evaluations) - 1
    for evaluation in Evaluation.objects.exclude(pk=frozen.pk):
        bulk = (evaluation.computed_total, evaluation.execution_rate, evaluation.result["total"])
        single = score_evaluation(evaluation, save=False)
        assert str(bulk[0]) == single["total"] == bulk[2]
        assert evaluation.scored_at is not None
    assert Evaluation.objects.get(pk=frozen.pk).computed_total == Decimal("1.00")
    # Seed 000, 厂房租赁费用: 1,947,970 / 3,495,195 = 55.73% → 5.57; published total 95.57.
    rent = Evaluation.objects.get(project__name="厂房租赁费用")
    assert rent.execution_rate == Decimal("55.73")
    assert rent.computed_total == Decimal("95.57")
    scores = IndicatorResult.objects.filter(evaluation=rent).values_list(
        "computed_score", flat=True
    )
    assert None not in scores


def test_bulk_recompute_query_count_does_not_grow_per_evaluation():
    files = sorted(FIXTURES.glob("seed000-*.json"))
    for path in files[:3]:
        import_file(path)
    region = Evaluation.objects.first().project.unit.department.region
    with CaptureQueriesContext(connection) as few:
        recompute_region(region=region, year=2024)
    for path in files[3:]:
        import_file(path)
    with CaptureQueriesContext(connection) as many:
        recompute_region(region=region, year=2024)
    assert len(many) == len(few)
