"""The demo loader: every seed document and account, and loading twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from projects.demo import ACCOUNTS, DEMO_PASSWORD
from projects.models import Evaluation, FundLine, Indicator, IndicatorResult, Membership, Project

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(
        model.objects.count()
        for model in (Project, Evaluation, FundLine, Indicator, IndicatorResult, Membership)
    ) + (get_user_model().objects.count(),)


def test_demo_loads_the_seed_documents_and_accounts():
    call_command("load_demo")
    # 2 tables of seed 001, 17 projects + 1 department of seed 000, seed 002, seed 003's two.
    assert Evaluation.objects.count() == 23
    assert Evaluation.objects.filter(project__kind="department_overall").count() == 3
    business = Evaluation.objects.get(project__name="区创优营商环境服务中心工作经费")
    assert business.project.unit.department.region.name == "淮北市相山区"
    # Seed 001: 38.76 / 46 = 84.26% → 8.43, and the indicators at full marks → 98.43 优.
    assert str(business.execution_rate) == "84.26"
    assert str(business.computed_total) == "98.43"
    assert business.computed_grade == "优"
    user = get_user_model().objects.get(username="xs_gov_filer")
    assert user.check_password(DEMO_PASSWORD)
    assert Evaluation.objects.for_user(user).filter(pk=business.pk).exists()
    assert {a.username for a in ACCOUNTS} <= set(
        get_user_model().objects.values_list("username", flat=True)
    )


def test_loading_twice_is_idempotent():
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
