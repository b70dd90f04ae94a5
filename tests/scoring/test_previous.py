"""Relative targets (较上年提高5%) are scored against last year's actual from the system, the same
on the single path, the live preview and the region recompute; without it they are unscored."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import IndicatorResult
from scoring.services import recompute, score_evaluation, score_preview
from tests.factories import (
    EvaluationFactory,
    FundLineFactory,
    IndicatorFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def _filing(unit, year, target, actual, *, code="P-REL"):
    project = (
        ProjectFactory(unit=unit, year=year, code=code)
        if unit
        else ProjectFactory(year=year, code=code)
    )
    FundLineFactory(
        project=project, initial=Decimal(100), adjusted=Decimal(100), executed=Decimal(100)
    )
    indicator = IndicatorFactory(
        project=project, name="受益人数", target=target, weight=Decimal(90), level2="数量指标"
    )
    evaluation = EvaluationFactory(project=project)
    IndicatorResult.objects.create(evaluation=evaluation, indicator=indicator, actual=actual)
    return evaluation, indicator


def _row(data, indicator):
    return next(r for r in data["indicators"] if r["indicator_id"] == indicator.pk)


def test_a_relative_target_is_scored_against_last_years_actual():
    last_year, _ = _filing(None, 2022, "≥100人", "200人")
    this_year, indicator = _filing(last_year.project.unit, 2023, "较上年提高5%", "189人")
    data = score_evaluation(this_year)
    # 200 × 1.05 = 210; 90 × 189 / 210 = 81.00.
    assert _row(data, indicator)["score"] == "81.00"
    assert this_year.input_snapshot["indicators"][0]["previous_actual"] == "200人"


def test_without_last_years_filing_the_row_is_unscored_with_its_reason():
    evaluation, indicator = _filing(None, 2023, "同比增长5%", "106人")
    data = score_evaluation(evaluation)
    row = _row(data, indicator)
    assert (row["score"], row["status"]) == ("0.00", "unscored")
    messages = [f["message"] for f in data["findings"] if f["code"] == "previous_actual_missing"]
    assert messages and "上年实际完成值" in messages[0]


def test_another_units_project_of_the_same_code_is_not_last_year():
    _filing(None, 2022, "≥100人", "200人")
    evaluation, indicator = _filing(None, 2023, "较上年提高5%", "189人")
    assert _row(score_evaluation(evaluation), indicator)["status"] == "unscored"


def test_the_preview_and_the_recompute_use_last_years_actual_too():
    last_year, _ = _filing(None, 2022, "≥100人", "100人")
    this_year, indicator = _filing(last_year.project.unit, 2023, "较上年提高5%", "100人")
    preview = score_preview(this_year, results={indicator.pk: {"actual": "106人"}})
    assert _row(preview, indicator)["status"] == "met"
    recompute(queryset=type(this_year).objects.filter(pk=this_year.pk))
    stored = IndicatorResult.objects.get(evaluation=this_year, indicator=indicator)
    # 90 × 100 / 105 = 85.714… → 85.71, from last year's 100人 in the recompute as well.
    assert stored.computed_score == Decimal("85.71")


def test_filings_without_relative_targets_cost_no_extra_query():
    evaluation, _ = _filing(None, 2023, "≥100人", "100人")
    score_evaluation(evaluation)  # warm
    with CaptureQueriesContext(connection) as plain_run:
        score_evaluation(evaluation)
    relative, _ = _filing(None, 2023, "较上年提高5%", "100人", code="P-REL2")
    score_evaluation(relative)
    with CaptureQueriesContext(connection) as relative_run:
        score_evaluation(relative)
    assert len(relative_run.captured_queries) == len(plain_run.captured_queries) + 1
