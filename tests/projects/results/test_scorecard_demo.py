"""The demo's self-evaluation task, issued once (the other columns come from their stages)."""

from decimal import Decimal

import pytest

from projects.models import (
    EvaluationStatus,
    EvaluationTask,
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


def test_stage_issues_the_years_task_once(personas):
    p = personas  # the personas' region is the demo's 淮北市相山区
    filing(p.unit_a, S.APPROVED)
    filing(p.unit_b, S.RETURNED)
    demo_scorecard.stage()
    demo_scorecard.stage()
    task = EvaluationTask.objects.get(region=p.region, year=2024)
    assert task.deadline > task.issued_at.date()
    card = scorecard(region=p.region, year=2024)
    assert card.task_deadline == task.deadline


def test_stage_leaves_a_missing_region_alone(db):
    demo_scorecard.stage(region_name="没有的地区")
    assert not EvaluationTask.objects.exists()
