"""The target tests' shared world: a subordinate unit's filer with a 2025 project to declare."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.models import Membership
from projects.targets.services import declaration_queryset, declaration_start
from tests import factories as f


@pytest.fixture
def declaration_world(personas):
    """Department A's subordinate unit (filer carol) with a 2025 project and its draft declaration.

    The project has a fund plan of 100 万元 (current year) and three indicators whose weights
    add up to 90; department B's unit has a project of its own for security tests.
    """
    unit = f.UnitFactory(department=personas.department_a, name="相山区政务服务中心", code="A1")
    carol = f.UserFactory(username="carol")
    f.membership(carol, Membership.Role.FILER, unit=unit)
    project = f.ProjectFactory(
        unit=unit, year=2025, code="ZW-2025-01", name="政务服务运行经费", money_unit="万元"
    )
    f.FundLineFactory(
        project=project, source="current_year", initial=Decimal("1000000"),
        adjusted=Decimal("1000000"), executed=None,
    )  # fmt: skip
    count = f.IndicatorFactory(
        project=project, order=1, level1="产出指标", level2="数量指标", name="办理事项",
        target="≥1000件", weight=Decimal("30"), method="业务系统统计",
    )  # fmt: skip
    rate = f.IndicatorFactory(
        project=project, order=2, level1="产出指标", level2="质量指标", name="办结率",
        target="≥98%", weight=Decimal("30"), method="业务系统统计",
    )  # fmt: skip
    satisfied = f.IndicatorFactory(
        project=project, order=3, level1="满意度指标", level2="服务对象满意度指标",
        name="办事群众满意度", target="≥90%", weight=Decimal("30"), method="问卷调查",
    )  # fmt: skip
    declaration = declaration_start(project=project, user=carol)
    other_project = f.ProjectFactory(unit=personas.unit_b, year=2025, name="开发区运行经费")
    f.IndicatorFactory(project=other_project, order=1)
    other = declaration_start(project=other_project, user=personas.bob)
    return {
        "p": personas, "unit": unit, "carol": carol, "project": project,
        "declaration": declaration_queryset().get(pk=declaration.pk),
        "count": count, "rate": rate, "satisfied": satisfied, "other": other,
    }  # fmt: skip
