"""整改 services: raise, report, close, reopen; who may do each, and what each refuses."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from projects.models import Notification
from projects.models.results import Rectification, RectificationStatus, RectificationStep
from projects.rectifications import services as services
from tests.projects.results import conftest_rectification as support
from tests.projects.results.conftest_rectification import in_days, raise_item

pytestmark = pytest.mark.django_db
world = support.world
S = RectificationStatus
A = RectificationStep.Action


def _report(world, item, user=None):
    return services.rectification_report(
        item=item,
        user=user or world.p.alice,
        measures="补齐走访台账",
        evidence="走访台账（2024年3月）",
        text="已全部补齐",
    )


def test_an_item_goes_from_raise_to_report_to_close(world):
    item = raise_item(world)
    assert item.status == S.OPEN and item.project == world.evaluation.project
    assert Notification.objects.filter(recipient=world.p.alice, evaluation=world.evaluation)
    item = _report(world, item)
    assert item.status == S.REPORTED and item.evidence == "走访台账（2024年3月）"
    assert Notification.objects.filter(recipient=world.p.dora, kind="submitted").exists()
    item = services.rectification_close(item=item, user=world.p.frank, comment="同意销号")
    item.refresh_from_db()
    assert item.status == S.CLOSED and item.closed_by == world.p.frank and item.closed_at
    actions = list(item.steps.values_list("action", flat=True))
    assert actions == [A.RAISE, A.REPORT, A.CLOSE]


def test_reopen_goes_back_to_open_with_a_reason_and_a_new_deadline(world):
    item = _report(world, raise_item(world))
    with pytest.raises(ValidationError) as exc:
        services.rectification_reopen(item=item, user=world.p.dora, comment=" ")
    assert exc.value.message_dict["comment"] == ["重新开启须说明原因。"]
    item = services.rectification_reopen(
        item=item, user=world.p.dora, comment="佐证不足", deadline=in_days(10)
    )
    item.refresh_from_db()
    assert item.status == S.OPEN and item.deadline == in_days(10) and item.closed_at is None
    with pytest.raises(ValidationError):
        services.rectification_reopen(item=item, user=world.p.dora, comment="再次")


def test_closing_an_open_item_needs_a_comment(world):
    item = raise_item(world)
    with pytest.raises(ValidationError) as exc:
        services.rectification_close(item=item, user=world.p.dora, comment="")
    assert "comment" in exc.value.message_dict
    services.rectification_close(item=item, user=world.p.dora, comment="现场核实已整改")
    item.refresh_from_db()
    assert item.status == S.CLOSED
    with pytest.raises(ValidationError):
        services.rectification_close(item=item, user=world.p.dora, comment="再次")


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"deadline": None}, "deadline", "请填写整改期限。"),
        ({"deadline": datetime.date(2000, 1, 1)}, "deadline", "整改期限不能早于提出日期。"),
        ({"problem": "  "}, "problem", "请填写存在的问题。"),
        ({"source": "nonsense"}, "source", "请选择整改事项的来源。"),
    ],
)
def test_raise_refuses_bad_input_at_the_field(world, change, field, message):
    kwargs = {
        "user": world.p.dora,
        "unit": world.p.unit_a,
        "year": 2023,
        "source": "finding",
        "problem": "问题",
        "deadline": in_days(5),
        **change,
    }
    with pytest.raises(ValidationError) as exc:
        services.rectification_raise(**kwargs)
    assert exc.value.message_dict[field] == [message]
    assert not Rectification.objects.exists()


def test_raise_refuses_a_filing_of_another_unit(world):
    from tests.projects.test_review_support import build_evaluation

    other = build_evaluation(world.p.unit_b, name="开发区项目")
    with pytest.raises(ValidationError) as exc:
        services.rectification_raise(
            user=world.p.frank,
            unit=world.p.unit_a,
            year=2023,
            source="finding",
            problem="问题",
            deadline=in_days(5),
            evaluation=other,
        )
    assert "evaluation" in exc.value.message_dict


def test_report_refuses_empty_measures_and_progress(world):
    item = raise_item(world)
    with pytest.raises(ValidationError) as exc:
        services.rectification_report(
            item=item, user=world.p.alice, measures="", evidence="", text=""
        )
    assert set(exc.value.message_dict) == {"measures", "text"}
    item.refresh_from_db()
    assert item.status == S.OPEN


def test_a_reported_item_cannot_be_reported_again(world):
    item = _report(world, raise_item(world))
    with pytest.raises(ValidationError):
        _report(world, item)


@pytest.mark.parametrize("who", ["bob", "other_region_finance"])
def test_raise_outside_the_scope_is_404(world, who):
    user = getattr(world.p, who)
    with pytest.raises(Http404):
        raise_item(world, user=user)
    assert not Rectification.objects.exists()


@pytest.mark.parametrize("who", ["alice", "olga"])
def test_raise_without_a_reviewer_role_is_403(world, who):
    user = world.olga if who == "olga" else world.p.alice
    with pytest.raises(PermissionDenied):
        raise_item(world, user=user)
    assert not Rectification.objects.exists()


def test_another_departments_people_reach_nothing_and_change_nothing(world):
    item = raise_item(world)
    for user in (world.dan, world.p.bob, world.p.other_region_finance):
        with pytest.raises(Http404):
            services.rectification_report(item=item, user=user, measures="m", evidence="", text="t")
        with pytest.raises(Http404):
            services.rectification_close(item=item, user=user, comment="c")
        with pytest.raises(Http404):
            services.rectification_reopen(item=item, user=user, comment="c")
    item.refresh_from_db()
    assert item.status == S.OPEN and item.steps.count() == 1


def test_a_reviewer_cannot_report_and_a_filer_cannot_close(world):
    item = raise_item(world)
    with pytest.raises(PermissionDenied):
        services.rectification_report(
            item=item, user=world.p.dora, measures="m", evidence="", text="t"
        )
    with pytest.raises(PermissionDenied):
        services.rectification_close(item=item, user=world.p.alice, comment="c")
    with pytest.raises(PermissionDenied):
        services.rectification_close(item=item, user=world.olga, comment="c")
    item.refresh_from_db()
    assert item.status == S.OPEN


def test_raise_from_return_makes_one_item_per_indicator_comment(world):
    indicators = list(world.evaluation.project.indicators.order_by("order"))
    items = services.rectification_raise_from_return(
        user=world.p.frank,
        evaluation=world.evaluation,
        deadline=in_days(20),
        comment="请核实",
        indicator_comments={indicators[0].pk: "台账不符", indicators[1].pk: "  "},
    )
    assert len(items) == 1
    assert items[0].source == "return" and indicators[0].name in items[0].problem
    assert items[0].source_ref == f"indicator:{indicators[0].pk}"
    only = services.rectification_raise_from_return(
        user=world.p.frank, evaluation=world.evaluation, deadline=in_days(20), comment="请核实"
    )
    assert [i.problem for i in only] == ["请核实"]
