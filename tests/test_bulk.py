"""selfeval.bulk: one statement per call writes the named columns of many rows, on both databases,
and leaves every other column and row as it was."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Evaluation
from selfeval.bulk import bulk_set
from tests import factories as f

pytestmark = pytest.mark.django_db


def _evaluations(count):
    unit = f.UnitFactory()
    return [
        f.EvaluationFactory(
            project=f.ProjectFactory(unit=unit, code=f"B{i}"), goal_actual=f"目标{i}"
        )
        for i in range(count)
    ]


def test_writes_json_decimal_time_and_null_and_nothing_else():
    first, second, untouched = _evaluations(3)
    scored_at = timezone.make_aware(datetime.datetime(2024, 3, 1, 9, 30))
    result = {"total": "95.57", "findings": [{"message": "第2项指标「走访企业数量」未达成"}]}
    bulk_set(
        Evaluation,
        [
            SimpleNamespace(
                pk=first.pk, result=result, computed_total=Decimal("95.57"), scored_at=scored_at
            ),
            SimpleNamespace(pk=second.pk, result=None, computed_total=None, scored_at=None),
        ],
        ["result", "computed_total", "scored_at"],
    )
    first.refresh_from_db()
    second.refresh_from_db()
    untouched.refresh_from_db()
    assert first.result == result
    assert first.computed_total == Decimal("95.57")
    assert first.scored_at == scored_at
    assert (second.result, second.computed_total, second.scored_at) == (None, None, None)
    assert first.goal_actual == "目标0" and second.goal_actual == "目标1"
    assert untouched.result is None and untouched.goal_actual == "目标2"


def test_statements_do_not_grow_with_rows():
    def statements(evaluations):
        rows = [SimpleNamespace(pk=e.pk, computed_total=Decimal("90")) for e in evaluations]
        with CaptureQueriesContext(connection) as queries:
            bulk_set(Evaluation, rows, ["computed_total"])
        return len(queries)

    evaluations = _evaluations(40)
    assert statements(evaluations[:2]) == statements(evaluations)
    assert set(Evaluation.objects.values_list("computed_total", flat=True)) == {Decimal("90")}


def test_nothing_to_write_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert bulk_set(Evaluation, [], ["computed_total"]) == 0
    assert len(queries) == 0
