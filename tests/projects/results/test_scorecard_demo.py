"""The demo's scorecard rows: a task, department draws, decisions and 整改, added once."""

from decimal import Decimal

import pytest

from projects.models import (
    EvaluationStatus,
    EvaluationTask,
    Rectification,
    ResultDecision,
    SpotCheck,
)
from projects.results import demo_scorecard
from projects.results.scorecard_selectors import scorecard
from tests import factories as f

pytestmark = pytest.mark.django_db

S = EvaluationStatus


def filing(unit, status):
    project = f.ProjectFactory(unit=unit, year=2024)
    f.FundLineFactory(project=project, initial=Decimal("460000"), adjusted=Decimal("460000"))
    return f.EvaluationFactory(project=project, status=status)


def test_stage_gives_the_year_every_column_once(personas):
    p = personas  # the personas' region is the demo's 淮北市相山区
    filing(p.unit_a, S.APPROVED)
    filing(p.unit_a, S.PUBLISHED)
    filing(p.unit_b, S.RETURNED)
    demo_scorecard.stage()
    demo_scorecard.stage()
    assert EvaluationTask.objects.filter(region=p.region, year=2024).count() == 1
    assert SpotCheck.objects.filter(region=p.region).count() == 2
    assert ResultDecision.objects.count() == 2
    assert Rectification.objects.count() == 2
    card = scorecard(region=p.region, year=2024)
    assert card.spot_check_share == Decimal("50.00")
    assert card.spot_check_cumulative == Decimal("100.00")
    assert card.reduction == Decimal("46000.00")
    assert card.totals.closure_rate == Decimal("50.00")


def test_stage_leaves_a_missing_region_alone(db):
    demo_scorecard.stage(region_name="没有的地区")
    assert not EvaluationTask.objects.exists()
