"""Shared personas: a filer of unit A, a reviewer of department A, a finance reviewer of the
region, and a filer of unit B (another department) who must see nothing of A."""

from dataclasses import dataclass

import pytest

from projects.models import Membership
from tests import factories as f


@dataclass
class Personas:
    region: object
    department_a: object
    unit_a: object
    department_b: object
    unit_b: object
    alice: object  # filer of unit A
    dora: object  # department reviewer of department A
    frank: object  # finance reviewer of the region
    bob: object  # filer of unit B
    other_region_finance: object  # finance reviewer of another region


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (render slots, queued renders, the public CSV)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Files the app stores (upload previews, documents) go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def personas(db) -> Personas:
    region = f.RegionFactory(name="淮北市相山区", code="340603")
    department_a = f.DepartmentFactory(region=region, name="相山区人民政府办公室", code="A")
    unit_a = f.UnitFactory(
        department=department_a, name="相山区人民政府办公室", code="A0", is_department=True
    )
    department_b = f.DepartmentFactory(region=region, name="相山经济开发区管理委员会", code="B")
    unit_b = f.UnitFactory(
        department=department_b, name="相山经济开发区管理委员会", code="B0", is_department=True
    )
    other_region = f.RegionFactory(name="乌鲁木齐高新区", code="650100")
    alice, dora, frank, bob, zed = (
        f.UserFactory(username=n) for n in ("alice", "dora", "frank", "bob", "zed")
    )
    f.membership(alice, Membership.Role.FILER, unit=unit_a)
    f.membership(dora, Membership.Role.DEPARTMENT_REVIEWER, department=department_a)
    f.membership(frank, Membership.Role.FINANCE_REVIEWER, region=region)
    f.membership(bob, Membership.Role.FILER, unit=unit_b)
    f.membership(zed, Membership.Role.FINANCE_REVIEWER, region=other_region)
    return Personas(
        region, department_a, unit_a, department_b, unit_b, alice, dora, frank, bob, zed
    )
