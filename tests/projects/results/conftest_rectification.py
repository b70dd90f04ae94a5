"""Shared fixtures of the 整改 tests: a unit under department A with a scored evaluation, the
personas of tests/conftest.py, a reviewer of department B and a region observer."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from projects.models import Membership
from projects.models.results import RectificationSource
from projects.rectifications.services import rectification_raise
from tests import factories as f
from tests.projects.test_review_support import build_evaluation


@dataclass
class World:
    p: object  # the personas
    evaluation: object  # of unit A
    dan: object  # department reviewer of department B
    olga: object  # observer of the region


@pytest.fixture
def world(personas):
    dan, olga = f.UserFactory(username="dan"), f.UserFactory(username="olga")
    f.membership(dan, Membership.Role.DEPARTMENT_REVIEWER, department=personas.department_b)
    f.membership(olga, Membership.Role.OBSERVER, region=personas.region)
    evaluation = build_evaluation(personas.unit_a)
    return World(personas, evaluation, dan, olga)


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def raise_item(world, *, user=None, deadline=None, problem="走访台账不完整", **extra):
    """An item on unit A's evaluation raised by its department reviewer."""
    return rectification_raise(
        user=user or world.p.dora,
        unit=world.p.unit_a,
        year=world.evaluation.year,
        source=extra.pop("source", RectificationSource.FINDING),
        problem=problem,
        deadline=deadline or in_days(30),
        evaluation=world.evaluation,
        **extra,
    )
