"""The finance bureau's administration services: each action changes what it says, inside the
bureau's own region only, and refuses everyone else."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from projects.administration import services
from projects.models import Evaluation, Membership, Project, Unit
from projects.review.services.tasks import evaluation_tasks_issue
from tests import factories as f

Role = Membership.Role
User = get_user_model()
GOOD = "Caizheng-Guanli-2026"


def test_bureau_creates_renames_and_deactivates_a_department(personas):
    p = personas
    department = services.department_create(region=p.region, code="C", name="教育局", user=p.frank)
    services.department_update(department=department, code="C1", name="区教育局", user=p.frank)
    department.refresh_from_db()
    assert (department.code, department.name, department.region) == ("C1", "区教育局", p.region)

    unit = services.unit_create(department=department, code="C100", name="第一中学", user=p.frank)
    services.department_set_active(department=department, active=False, user=p.frank)

    department.refresh_from_db()
    unit.refresh_from_db()
    assert not department.is_active and not unit.is_active


def test_department_code_already_used_in_the_region_is_refused_at_the_field(personas):
    with pytest.raises(ValidationError) as exc:
        services.department_create(
            region=personas.region, code="A", name="另一个部门", user=personas.frank
        )
    assert exc.value.message_dict == {"code": ["本地区已有该部门代码。"]}


def test_units_are_created_renamed_marked_own_level_and_deactivated(personas):
    p = personas
    unit = services.unit_create(department=p.department_a, code="A1", name="服务中心", user=p.frank)
    assert unit.department == p.department_a and not unit.is_department

    with pytest.raises(ValidationError) as exc:
        services.unit_update(
            unit=unit, code="A1", name="服务中心", is_department=True, user=p.frank
        )
    assert exc.value.message_dict["is_department"] == ["该主管部门已有本级单位。"]

    services.unit_update(
        unit=unit, code="A2", name="营商服务中心", is_department=False, user=p.frank
    )
    services.unit_set_active(unit=unit, active=False, user=p.frank)
    unit.refresh_from_db()
    assert (unit.code, unit.name, unit.is_active) == ("A2", "营商服务中心", False)
    services.unit_set_active(unit=unit, active=True, user=p.frank)
    unit.refresh_from_db()
    assert unit.is_active


def test_accounts_are_created_with_their_role_and_a_checked_password(personas):
    p = personas
    account = services.account_create(
        region=p.region,
        username="new_filer",
        full_name="王五",
        password=GOOD,
        role=Role.FILER,
        unit=p.unit_b,
        user=p.frank,
    )
    assert account.check_password(GOOD)
    assert account.get_full_name() == "王五"
    assert list(account.memberships.values_list("role", "unit")) == [(Role.FILER, p.unit_b.pk)]


@pytest.mark.parametrize("password", ["12345678901234", "new_filer_1", "short1"])
def test_weak_initial_passwords_are_refused_in_chinese_at_the_password_field(personas, password):
    with pytest.raises(ValidationError) as exc:
        services.account_create(
            region=personas.region,
            username="new_filer",
            full_name="王五",
            password=password,
            role=Role.FILER,
            unit=personas.unit_b,
            user=personas.frank,
        )
    messages = exc.value.message_dict["password"]
    assert messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)
    assert not User.objects.filter(username="new_filer").exists()


def test_a_role_outside_the_region_is_refused(personas):
    other = f.UnitFactory()
    with pytest.raises(ValidationError) as exc:
        services.account_create(
            region=personas.region,
            username="x_filer",
            full_name="某人",
            password=GOOD,
            role=Role.FILER,
            unit=other,
            user=personas.frank,
        )
    assert exc.value.message_dict["unit"] == ["该单位不属于本地区。"]


def test_deactivate_reactivate_and_reset_password(personas):
    p = personas
    services.account_set_active(account=p.alice, region=p.region, active=False, user=p.frank)
    p.alice.refresh_from_db()
    assert not p.alice.is_active
    services.account_set_active(account=p.alice, region=p.region, active=True, user=p.frank)
    services.account_password_reset(account=p.alice, region=p.region, password=GOOD, user=p.frank)
    p.alice.refresh_from_db()
    assert p.alice.is_active and p.alice.check_password(GOOD)


def test_the_bureau_cannot_deactivate_itself(personas):
    with pytest.raises(ValidationError):
        services.account_set_active(
            account=personas.frank, region=personas.region, active=False, user=personas.frank
        )


def test_roles_are_added_and_removed_but_never_the_last_one(personas):
    p = personas
    services.membership_add(
        account=p.alice,
        region=p.region,
        role=Role.DEPARTMENT_REVIEWER,
        department=p.department_b,
        user=p.frank,
    )
    services.membership_add(account=p.alice, region=p.region, role=Role.OBSERVER, user=p.frank)
    services.membership_add(
        account=p.alice,
        region=p.region,
        role=Role.OBSERVER,
        department=p.department_a,
        user=p.frank,
    )
    roles = set(p.alice.memberships.values_list("role", "department", "region"))
    assert roles >= {
        (Role.DEPARTMENT_REVIEWER, p.department_b.pk, None),
        (Role.OBSERVER, None, p.region.pk),
        (Role.OBSERVER, p.department_a.pk, None),
    }
    for membership in p.alice.memberships.exclude(role=Role.FILER):
        services.membership_remove(membership=membership, region=p.region, user=p.frank)
    last = p.alice.memberships.get()
    with pytest.raises(ValidationError):
        services.membership_remove(membership=last, region=p.region, user=p.frank)
    assert p.alice.memberships.count() == 1


def test_the_same_role_twice_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            account=personas.alice,
            region=personas.region,
            role=Role.FILER,
            unit=personas.unit_a,
            user=personas.frank,
        )
    assert exc.value.message_dict["role"] == ["该用户已有此角色。"]


def test_a_user_with_a_role_in_another_region_is_out_of_reach(personas):
    p = personas
    f.membership(p.alice, Role.FILER, unit=f.UnitFactory())
    with pytest.raises(Http404):
        services.account_password_reset(
            account=p.alice, region=p.region, password=GOOD, user=p.frank
        )
    with pytest.raises(Http404):
        services.account_set_active(account=p.alice, region=p.region, active=False, user=p.frank)
    p.alice.refresh_from_db()
    assert p.alice.is_active


def test_a_superuser_is_out_of_the_bureaus_reach(personas):
    root = f.UserFactory(username="root", is_superuser=True)
    f.membership(root, Role.FILER, unit=personas.unit_a)
    with pytest.raises(Http404):
        services.account_set_active(
            account=root, region=personas.region, active=False, user=personas.frank
        )


def test_unlock_clears_the_axes_lock_of_that_user_only(personas):
    for name in ("alice", "bob"):
        AccessAttempt.objects.create(
            username=name,
            ip_address="10.0.0.1",
            user_agent="x",
            get_data="",
            post_data="",
            http_accept="",
            path_info="/login/",
            failures_since_start=10,
        )
    cleared = services.account_unlock(
        account=personas.alice, region=personas.region, user=personas.frank
    )
    assert cleared == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]


@pytest.mark.parametrize("who", ["alice", "dora", "bob", "other_region_finance", "observer"])
def test_nobody_but_the_regions_bureau_may_act(personas, who):
    if who == "observer":
        actor = f.UserFactory(username="obs")
        f.membership(actor, Role.OBSERVER, region=personas.region)
    else:
        actor = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        services.department_create(region=personas.region, code="Z", name="某部门", user=actor)
    with pytest.raises(PermissionDenied):
        services.unit_set_active(unit=personas.unit_a, active=False, user=actor)
    with pytest.raises(PermissionDenied):
        services.account_password_reset(
            account=personas.alice, region=personas.region, password=GOOD, user=actor
        )
    assert not personas.region.departments.filter(code="Z").exists()
    assert Unit.objects.get(pk=personas.unit_a.pk).is_active


def test_a_bureau_whose_role_was_removed_is_refused_inside_the_transaction(personas):
    p = personas
    from projects.access import scope_for

    scope_for(p.frank)  # the scope is cached on the user object, as during a request
    Membership.objects.filter(user=p.frank).delete()
    with pytest.raises(PermissionDenied):
        services.department_create(region=p.region, code="Z", name="某部门", user=p.frank)


def test_a_project_created_by_the_bureau_gets_its_filing_when_tasks_are_issued(personas):
    p = personas
    department = services.department_create(region=p.region, code="E", name="教育局", user=p.frank)
    unit = services.unit_create(department=department, code="E1", name="第一中学", user=p.frank)
    services.account_create(
        region=p.region,
        username="yz_filer",
        full_name="张三",
        password=GOOD,
        role=Role.FILER,
        unit=unit,
        user=p.frank,
    )
    project = services.project_save(
        region=p.region,
        user=p.frank,
        unit=unit,
        year=2025,
        kind=Project.Kind.PROJECT,
        code="E1-001",
        name="校舍维修",
        fund_type="general",
        transfer_level="none",
        money_unit="万元",
        goal_expected="完成校舍维修",
    )
    services.project_save(region=p.region, project=project, user=p.frank, name="校舍维修改造")
    project.refresh_from_db()
    assert project.name == "校舍维修改造"

    issue = evaluation_tasks_issue(
        region=p.region, year=2025, deadline=datetime.date(2026, 3, 31), user=p.frank
    )

    assert issue.evaluations_created == 1
    assert Evaluation.objects.get(project=project).task == issue.task


def test_a_project_of_another_regions_unit_is_refused(personas):
    other_unit = f.UnitFactory()
    with pytest.raises(ValidationError):
        services.project_save(
            region=personas.region,
            user=personas.frank,
            unit=other_unit,
            year=2025,
            kind=Project.Kind.PROJECT,
            code="X",
            name="外地项目",
            fund_type="general",
            transfer_level="none",
            money_unit="万元",
            goal_expected="",
        )
    assert not Project.objects.filter(code="X").exists()
