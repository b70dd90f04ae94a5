"""The row-level gate: each persona sees its own scope and nothing of the others'."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from projects.access import DEPARTMENT_REVIEW, FILE, FINANCE_REVIEW, get_for_user
from projects.models import Evaluation, Project
from tests import factories as f


@pytest.fixture
def two_evaluations(personas):
    a = f.EvaluationFactory(project=f.ProjectFactory(unit=personas.unit_a))
    b = f.EvaluationFactory(project=f.ProjectFactory(unit=personas.unit_b))
    return a, b


def test_filer_sees_only_own_unit(personas, two_evaluations):
    a, b = two_evaluations
    assert list(Evaluation.objects.for_user(personas.alice)) == [a]
    assert list(Evaluation.objects.for_user(personas.bob)) == [b]


def test_department_reviewer_sees_department_subtree(personas, two_evaluations):
    a, _ = two_evaluations
    subordinate = f.UnitFactory(department=personas.department_a)
    c = f.EvaluationFactory(project=f.ProjectFactory(unit=subordinate))
    seen = set(Evaluation.objects.for_user(personas.dora))
    assert seen == {a, c}


def test_finance_reviewer_sees_region_only(personas, two_evaluations):
    assert set(Evaluation.objects.for_user(personas.frank)) == set(two_evaluations)
    assert not Evaluation.objects.for_user(personas.other_region_finance).exists()


def test_other_units_id_is_404(personas, two_evaluations):
    _, b = two_evaluations
    with pytest.raises(Http404):
        get_for_user(Evaluation.objects, personas.alice, pk=b.pk)


def test_in_scope_without_role_is_403(personas, two_evaluations):
    a, _ = two_evaluations
    with pytest.raises(PermissionDenied):
        get_for_user(Evaluation.objects, personas.dora, FILE, pk=a.pk)
    with pytest.raises(PermissionDenied):
        get_for_user(Evaluation.objects, personas.alice, DEPARTMENT_REVIEW, pk=a.pk)
    assert get_for_user(Evaluation.objects, personas.frank, FINANCE_REVIEW, pk=a.pk) == a


def test_user_without_membership_sees_nothing(personas, two_evaluations):
    nobody = f.UserFactory(username="nobody")
    assert not Project.objects.for_user(nobody).exists()
