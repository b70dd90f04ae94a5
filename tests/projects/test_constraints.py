"""The named database constraints hold on both databases."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from projects.models import Evaluation, FundLine, FundSource, Membership, Project
from tests import factories as f

pytestmark = pytest.mark.django_db


def _violates(name, create):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        create()
    # SQLite names CHECK constraints in its message; PostgreSQL names every constraint.
    assert name in str(excinfo.value) or "UNIQUE" in str(excinfo.value)


def test_amounts_cannot_be_negative():
    project = f.ProjectFactory()
    _violates(
        "fund_executed_gte_0",
        lambda: FundLine.objects.create(
            project=project, source=FundSource.TOTAL, executed=Decimal("-1")
        ),
    )


def test_one_fund_line_per_source():
    line = f.FundLineFactory()
    _violates(
        "fund_line_source_unique",
        lambda: FundLine.objects.create(project=line.project, source=FundSource.TOTAL),
    )


def test_project_code_is_unique_per_unit_and_year():
    project = f.ProjectFactory(code="X1")
    _violates(
        "project_code_unique",
        lambda: Project.objects.create(
            unit=project.unit, year=project.year, code="X1", name="另一个"
        ),
    )
    # The same code is fine in another year and in another unit.
    Project.objects.create(unit=project.unit, year=project.year + 1, code="X1", name="次年")
    Project.objects.create(unit=f.UnitFactory(), year=project.year, code="X1", name="别的单位")


def test_one_evaluation_per_subject_and_year():
    evaluation = f.EvaluationFactory()
    _violates(
        "one_evaluation_per_subject",
        lambda: Evaluation.objects.create(project=evaluation.project, year=evaluation.year),
    )


def test_one_department_overall_subject_per_unit_and_year():
    unit = f.UnitFactory()
    Project.objects.create(
        unit=unit, year=2023, code="D1", name="部门整体支出", kind="department_overall"
    )
    _violates(
        "one_department_overall_per_year",
        lambda: Project.objects.create(
            unit=unit, year=2023, code="D2", name="部门整体支出", kind="department_overall"
        ),
    )


def test_negative_weight_is_refused():
    _violates("indicator_weight_gte_0", lambda: f.IndicatorFactory(weight=Decimal("-5")))


def test_membership_scope_must_match_role():
    user = f.UserFactory()
    region = f.RegionFactory()
    _violates(
        "membership_scope_matches_role",
        lambda: Membership.objects.create(user=user, role=Membership.Role.FILER, region=region),
    )
