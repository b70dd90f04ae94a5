"""factory_boy factories for the organisation → project → indicator → evaluation graph."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from projects import models as m


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-12345")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Region

    name = factory.Sequence(lambda n: f"测试区{n}")
    code = factory.Sequence(lambda n: f"R{n}")
    finance_bureau = factory.LazyAttribute(lambda o: f"{o.name}财政局")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Department

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"测试部门{n}")
    code = factory.Sequence(lambda n: f"D{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Unit

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"测试单位{n}")
    code = factory.Sequence(lambda n: f"U{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Project

    unit = factory.SubFactory(UnitFactory)
    year = 2023
    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    goal_expected = "保障单位日常工作正常运转"


class FundLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.FundLine

    project = factory.SubFactory(ProjectFactory)
    source = m.FundSource.TOTAL
    initial = Decimal("460000")
    adjusted = Decimal("460000")
    executed = Decimal("387600")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Indicator

    project = factory.SubFactory(ProjectFactory)
    order = factory.Sequence(lambda n: n)
    level1 = "产出指标"
    level2 = "数量指标"
    name = factory.Sequence(lambda n: f"指标{n}")
    target = "≥100个"
    weight = Decimal("10")


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Evaluation

    project = factory.SubFactory(ProjectFactory)
    year = factory.SelfAttribute("project.year")


def membership(user, role, *, unit=None, department=None, region=None):
    """Give `user` one role; the check constraint keeps scope and role consistent."""
    return m.Membership.objects.create(
        user=user, role=role, unit=unit, department=department, region=region
    )
