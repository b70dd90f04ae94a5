"""The demo's 整改 items: one at every status for 开发区's accounts, staged once."""

import pytest
from django.utils import timezone

from projects import demo
from projects.models import Evaluation, Membership
from projects.models.results import Rectification
from projects.results.demo_rectifications import stage
from tests import factories as f
from tests.projects.test_review_support import build_evaluation

pytestmark = pytest.mark.django_db


def _scope(username):
    return next(a.scope for a in demo.ACCOUNTS if a.username == username)


@pytest.fixture
def kfq():
    region = f.RegionFactory(name=_scope("xs_finance"), code="340603")
    department = f.DepartmentFactory(region=region, name=_scope("xs_kfq_reviewer"), code="K")
    unit = f.UnitFactory(department=department, name=_scope("xs_kfq_filer"), code="K0")
    for username, role, scope in (
        ("xs_kfq_filer", Membership.Role.FILER, {"unit": unit}),
        ("xs_kfq_reviewer", Membership.Role.DEPARTMENT_REVIEWER, {"department": department}),
        ("xs_finance", Membership.Role.FINANCE_REVIEWER, {"region": region}),
    ):
        f.membership(f.UserFactory(username=username), role, **scope)
    for i in range(3):
        evaluation = build_evaluation(unit, name=f"开发区项目{i}")
        Evaluation.objects.filter(pk=evaluation.pk).update(status="approved")
    return unit


def test_the_demo_stages_an_item_at_every_status_once(kfq):
    assert stage() == 3
    rows = {r.source_ref: r for r in Rectification.objects.all()}
    assert rows["demo:overdue"].status == "open"
    assert rows["demo:overdue"].deadline < timezone.localdate()
    assert rows["demo:reported"].status == "reported"
    assert rows["demo:closed"].status == "closed"
    assert stage() == 0 and Rectification.objects.count() == 3
