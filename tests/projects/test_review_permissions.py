"""Every review URL against every persona: 404 outside the scope, 403 inside it without the role.

carol files for a subordinate unit of department A; dora reviews department A; frank is the
region's finance bureau; bob files for department B; zed is another region's finance bureau.
"""

import datetime

import pytest
from django.urls import reverse

from projects.models import (
    EvaluationStatus,
    EvaluationTask,
    Membership,
    Notification,
    SpotCheck,
    SpotCheckItem,
)
from tests import factories as f
from tests.projects.test_review_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)

S = EvaluationStatus
DEADLINE = datetime.date(2030, 6, 30)


class World:
    """The rows the URLs point at."""

    def __init__(self, personas):
        self.personas = personas
        self.carol = subordinate_of_a(personas).carol
        unit = self.carol.memberships.get().unit
        self.submitted = self._evaluation(unit, S.SUBMITTED)
        self.forwarded = self._evaluation(unit, S.DEPARTMENT_APPROVED)
        self.approved = self._evaluation(unit, S.APPROVED)
        self.of_b = self._evaluation(personas.unit_b, S.SUBMITTED)
        zed_region = Membership.objects.get(user=personas.other_region_finance).region
        far_unit = f.UnitFactory(department=f.DepartmentFactory(region=zed_region))
        self.far = self._evaluation(far_unit, S.DEPARTMENT_APPROVED)
        self.far_department = far_unit.department
        self.indicator = f.IndicatorFactory(project=self.submitted.project)
        self.task = EvaluationTask.objects.create(
            region=personas.region, year=2023, deadline=DEADLINE
        )
        self.far_task = EvaluationTask.objects.create(
            region=zed_region, year=2023, deadline=DEADLINE
        )
        self.spot = SpotCheck.objects.create(region=personas.region, year=2023, seed=1)
        self.item = SpotCheckItem.objects.create(spot_check=self.spot, evaluation=self.approved)
        self.far_spot = SpotCheck.objects.create(region=zed_region, year=2023, seed=2)
        self.far_item = SpotCheckItem.objects.create(spot_check=self.far_spot, evaluation=self.far)
        self.note = Notification.objects.create(
            recipient=personas.dora, kind=Notification.Kind.SUBMITTED, message="待审核"
        )
        self.region = personas.region
        self.zed_region = zed_region

    @staticmethod
    def _evaluation(unit, status):
        return put_in(f.EvaluationFactory(project=f.ProjectFactory(unit=unit)), status)

    def user(self, name):
        if name == "carol":
            return self.carol
        return getattr(self.personas, "other_region_finance" if name == "zed" else name)


@pytest.fixture
def world(personas):
    return World(personas)


def _ev(attr, name):
    return lambda w: reverse(f"review:{name}", args=[getattr(w, attr).pk])


U = {
    "queue": lambda w: reverse("review:queue"),
    "bulk": lambda w: reverse("review:evaluation_bulk_approve"),
    "tasks": lambda w: reverse("review:task_list"),
    "issue": lambda w: reverse("review:task_issue"),
    "spots": lambda w: reverse("review:spot_check_list"),
    "draw": lambda w: reverse("review:spot_check_draw"),
    "overview": lambda w: reverse("review:overview"),
    "notes": lambda w: reverse("review:notification_list"),
    "read_all": lambda w: reverse("review:notifications_read_all"),
}

RETURN = {"comment": "请补充材料"}
ISSUE = lambda w: {"region": w.region.pk, "year": 2023, "deadline": "2030-06-30"}  # noqa: E731
FAR_ISSUE = lambda w: {"region": w.zed_region.pk, "year": 2023, "deadline": "2030-06-30"}  # noqa: E731
EXTEND = lambda w: {  # noqa: E731
    "department": w.personas.department_b.pk,
    "deadline": "2030-07-15",
    "reason": "机构改革",
}
FAR_EXTEND = lambda w: {**EXTEND(w), "department": w.far_department.pk}  # noqa: E731
DRAW = lambda w: {  # noqa: E731
    "region": w.region.pk,
    "year": 2023,
    "share_percent": "20",
    "min_count": 1,
    "threshold": "5",
}

# (case, method, url, data, {persona: expected status}); None = anonymous.
CASES = [
    (
        "queue",
        "get",
        U["queue"],
        None,
        {None: 302, "carol": 403, "bob": 403, "dora": 200, "frank": 200, "zed": 200},
    ),
    (
        "detail",
        "get",
        _ev("submitted", "evaluation_detail"),
        None,
        {None: 302, "carol": 200, "bob": 404, "dora": 200, "frank": 200, "zed": 404},
    ),
    (
        "detail of B",
        "get",
        _ev("of_b", "evaluation_detail"),
        None,
        {"dora": 404, "carol": 404, "frank": 200},
    ),
    (
        "history",
        "get",
        _ev("submitted", "evaluation_history"),
        None,
        {None: 302, "bob": 404, "dora": 200, "frank": 200, "zed": 404},
    ),
    (
        "department approve",
        "post",
        _ev("submitted", "evaluation_department_approve"),
        {},
        {None: 302, "carol": 403, "frank": 403, "bob": 404, "zed": 404, "dora": 302},
    ),
    (
        "department approve of B",
        "post",
        _ev("of_b", "evaluation_department_approve"),
        {},
        {"dora": 404},
    ),
    (
        "department return",
        "post",
        _ev("submitted", "evaluation_department_return"),
        RETURN,
        {"carol": 403, "frank": 403, "bob": 404, "zed": 404, "dora": 302},
    ),
    (
        "department return without comment",
        "post",
        _ev("submitted", "evaluation_department_return"),
        {},
        {"frank": 403, "zed": 404},
    ),
    (
        "finance approve",
        "post",
        _ev("forwarded", "evaluation_finance_approve"),
        {},
        {None: 302, "carol": 403, "dora": 403, "bob": 404, "zed": 404, "frank": 302},
    ),
    (
        "finance approve far",
        "post",
        _ev("far", "evaluation_finance_approve"),
        {},
        {"frank": 404, "zed": 302},
    ),
    (
        "finance return",
        "post",
        _ev("forwarded", "evaluation_finance_return"),
        RETURN,
        {"carol": 403, "dora": 403, "bob": 404, "zed": 404, "frank": 302},
    ),
    (
        "reopen",
        "post",
        _ev("approved", "evaluation_reopen"),
        {"reason": "审计调整"},
        {"carol": 403, "dora": 403, "bob": 404, "zed": 404, "frank": 302},
    ),
    (
        "publish",
        "post",
        _ev("approved", "evaluation_publish"),
        {},
        {"carol": 403, "dora": 403, "bob": 404, "zed": 404, "frank": 302},
    ),
    (
        "target edit",
        "get",
        _ev("indicator", "indicator_target_edit"),
        None,
        {None: 302, "carol": 403, "dora": 403, "bob": 403, "zed": 404, "frank": 200},
    ),
    (
        "target post",
        "post",
        _ev("indicator", "indicator_target_edit"),
        {"target": "≥200个", "reason": "批复调整"},
        {"dora": 403, "zed": 404, "frank": 302},
    ),
    (
        "bulk",
        "post",
        U["bulk"],
        lambda w: {"ids": [w.submitted.pk]},
        {None: 302, "carol": 403, "bob": 403, "zed": 404, "dora": 302},
    ),
    ("bulk of B", "post", U["bulk"], lambda w: {"ids": [w.of_b.pk]}, {"dora": 404}),
    (
        "tasks",
        "get",
        U["tasks"],
        None,
        {None: 302, "carol": 403, "dora": 403, "frank": 200, "zed": 200},
    ),
    (
        "tasks of region",
        "get",
        lambda w: U["tasks"](w) + f"?region={w.region.pk}",
        None,
        {"zed": 404, "frank": 200},
    ),
    (
        "issue",
        "post",
        U["issue"],
        ISSUE,
        {None: 302, "carol": 403, "dora": 403, "zed": 404, "frank": 302},
    ),
    ("issue far", "post", U["issue"], FAR_ISSUE, {"frank": 404}),
    (
        "extend",
        "post",
        _ev("task", "task_extend"),
        EXTEND,
        {None: 302, "carol": 403, "dora": 403, "zed": 404, "frank": 302},
    ),
    ("extend far department", "post", _ev("task", "task_extend"), FAR_EXTEND, {"frank": 404}),
    ("extend far task", "post", _ev("far_task", "task_extend"), EXTEND, {"frank": 404}),
    (
        "remind",
        "post",
        _ev("task", "task_remind"),
        {},
        {"carol": 403, "dora": 403, "zed": 404, "frank": 302},
    ),
    ("spot checks", "get", U["spots"], None, {None: 302, "carol": 403, "dora": 403, "frank": 200}),
    (
        "spot checks far",
        "get",
        lambda w: U["spots"](w) + f"?region={w.zed_region.pk}",
        None,
        {"frank": 404},
    ),
    (
        "draw",
        "post",
        U["draw"],
        DRAW,
        {None: 302, "carol": 403, "dora": 403, "zed": 404, "frank": 302},
    ),
    (
        "spot detail",
        "get",
        _ev("spot", "spot_check_detail"),
        None,
        {None: 302, "dora": 403, "carol": 403, "zed": 404, "frank": 200},
    ),
    (
        "spot item",
        "get",
        _ev("item", "spot_check_item"),
        None,
        {None: 302, "dora": 403, "bob": 403, "zed": 404, "frank": 200},
    ),
    ("spot item far", "get", _ev("far_item", "spot_check_item"), None, {"frank": 404, "zed": 200}),
    (
        "spot item post",
        "post",
        _ev("item", "spot_check_item"),
        {},
        {"dora": 403, "zed": 404, "frank": 200},
    ),
    (
        "overview",
        "get",
        U["overview"],
        None,
        {None: 302, "carol": 403, "bob": 403, "dora": 403, "frank": 200, "zed": 200},
    ),
    (
        "overview far",
        "get",
        lambda w: U["overview"](w) + f"?region={w.zed_region.pk}",
        None,
        {"frank": 404},
    ),
    ("notifications", "get", U["notes"], None, {None: 302, "carol": 200, "dora": 200}),
    (
        "read one",
        "post",
        _ev("note", "notification_read"),
        {},
        {None: 302, "frank": 404, "dora": 302},
    ),
    ("read all", "post", U["read_all"], {}, {None: 302, "carol": 302}),
]

PARAMS = [
    pytest.param(method, url, data, who, code, id=f"{case}-{who or 'anonymous'}")
    for case, method, url, data, expected in CASES
    for who, code in expected.items()
]


@pytest.mark.parametrize("method, url, data, who, code", PARAMS)
def test_review_url_answers_each_persona(client, world, method, url, data, who, code):
    if who is not None:
        client.force_login(world.user(who))
    payload = data(world) if callable(data) else data
    response = getattr(client, method)(url(world), payload or {})
    assert response.status_code == code
    if who is None:
        assert response["Location"].startswith(reverse("login"))


def test_get_on_a_transition_is_not_allowed(client, world):
    client.force_login(world.personas.dora)
    url = reverse("review:evaluation_department_approve", args=[world.submitted.pk])
    assert client.get(url).status_code == 405
    world.submitted.refresh_from_db()
    assert world.submitted.status == S.SUBMITTED
