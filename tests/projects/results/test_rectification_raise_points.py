"""Where 整改 items come from and where they show: a return with 同时列为整改事项, a 督促整改
decision on a red light, the filer's workspace, the reviewer's queue, next year's declaration."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Evaluation, EvaluationStatus
from projects.models.results import Rectification
from projects.rectifications import services as services
from projects.review.services.workflow import evaluation_submit
from projects.targets.services import declaration_start
from tests import factories as f
from tests.projects.monitoring import test_review_support as monitoring_support
from tests.projects.results import conftest_rectification as support
from tests.projects.results.conftest_rectification import in_days, raise_item

pytestmark = pytest.mark.django_db
world = support.world
monitoring = monitoring_support.monitoring


def _panel(html: str, panel_id: str) -> str:
    """The card with that id (empty when the page has none)."""
    if f'id="{panel_id}"' not in html:
        return ""
    return html.split(f'id="{panel_id}"', 1)[1].split("</ul>", 1)[0]


def _submitted(world):
    evaluation_submit(evaluation=world.evaluation, user=world.p.alice)
    evaluation = Evaluation.objects.get(pk=world.evaluation.pk)
    # unit A is a department's own unit: its filing goes straight to the finance bureau
    assert evaluation.status == EvaluationStatus.DEPARTMENT_APPROVED
    return evaluation


def test_a_return_marked_for_rectification_raises_an_item_per_indicator_comment(client, world):
    evaluation = _submitted(world)
    indicator = evaluation.project.indicators.order_by("order").first()
    client.force_login(world.p.frank)
    response = client.post(
        reverse("review:evaluation_finance_return", args=[evaluation.pk]),
        {
            "comment": "请核实走访台账",
            f"indicator_{indicator.pk}": "走访数量与台账不符",
            "rectify": "on",
            "rectify_deadline": in_days(20).isoformat(),
        },
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.RETURNED
    item = Rectification.objects.get()
    assert (item.source, item.evaluation, item.deadline) == ("return", evaluation, in_days(20))
    assert "走访数量与台账不符" in item.problem


def test_a_refused_deadline_refuses_the_return_too(client, world):
    evaluation = _submitted(world)
    client.force_login(world.p.frank)
    response = client.post(
        reverse("review:evaluation_finance_return", args=[evaluation.pk]),
        {"comment": "请核实", "rectify": "on", "rectify_deadline": "2000-01-01"},
        follow=True,
    )
    assert "整改期限不能早于提出日期。" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DEPARTMENT_APPROVED
    assert not Rectification.objects.exists()


def test_a_return_without_the_option_raises_nothing(client, world):
    evaluation = _submitted(world)
    client.force_login(world.p.frank)
    client.post(
        reverse("review:evaluation_finance_return", args=[evaluation.pk]), {"comment": "请核实"}
    )
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.RETURNED
    assert not Rectification.objects.exists()


def test_urging_a_red_light_raises_an_item_due_in_thirty_days(client, monitoring):
    report, dora = monitoring.report_a, monitoring.personas.dora
    client.force_login(dora)
    client.post(
        reverse("monitoring:follow_up_record", args=[report.pk]),
        {"decision": "urge", "comment": "请加快支出进度"},
    )
    item = Rectification.objects.get()
    assert item.source == "red_light" and item.monitoring_report == report
    assert item.deadline == timezone.localdate() + datetime.timedelta(days=30)
    assert item.unit == report.project.unit and "请加快支出进度" in item.problem


def test_other_red_light_decisions_raise_nothing(client, monitoring):
    report = monitoring.report_a
    client.force_login(monitoring.personas.frank)
    client.post(reverse("monitoring:follow_up_record", args=[report.pk]), {"decision": "reduce"})
    assert not Rectification.objects.exists()


def test_the_workspace_shows_the_units_open_and_overdue_items(client, world):
    late = raise_item(world, problem="逾期未整改的问题")
    Rectification.objects.filter(pk=late.pk).update(deadline=in_days(-3))
    done = raise_item(world, problem="已销号的问题")
    services.rectification_close(item=done, user=world.p.dora, comment="ok")
    client.force_login(world.p.alice)
    html = client.get(reverse("projects:workspace")).content.decode()
    panel = _panel(html, "unit-rectifications")
    assert "逾期未整改的问题" in panel and "已逾期" in panel and "已销号的问题" not in panel
    client.force_login(world.p.bob)
    html = client.get(reverse("projects:workspace")).content.decode()
    assert "逾期未整改的问题" not in html


def test_the_queue_shows_items_awaiting_closure_to_their_reviewers(client, world):
    item = raise_item(world, problem="待销号的问题")
    services.rectification_report(
        item=item, user=world.p.alice, measures="m", evidence="e", text="t"
    )
    for user, shown in ((world.p.dora, True), (world.p.frank, True), (world.dan, False)):
        client.force_login(user)
        html = client.get(reverse("review:queue")).content.decode()
        assert ("待销号的问题" in _panel(html, "rectifications-awaiting")) is shown, user


def _next_year(world, *, rolled: bool):
    last = world.evaluation.project
    project = f.ProjectFactory(unit=last.unit, year=last.year + 1, code=last.code, name=last.name)
    f.IndicatorFactory(project=project, order=1)
    declaration = declaration_start(project=project, user=world.p.alice)
    if rolled:
        declaration.rolled_from = last
        declaration.save(update_fields=["rolled_from"])
    return declaration


@pytest.mark.parametrize("rolled", [True, False])
def test_next_years_declaration_shows_the_open_items(client, world, rolled):
    raise_item(world, problem="上年未完成的问题")
    done = raise_item(world, problem="上年已销号的问题")
    services.rectification_close(item=done, user=world.p.dora, comment="ok")
    declaration = _next_year(world, rolled=rolled)
    for user, name in ((world.p.alice, "targets:declaration_edit"),
                       (world.p.frank, "targets:declaration_review")):  # fmt: skip
        client.force_login(user)
        html = client.get(reverse(name, args=[declaration.pk])).content.decode()
        assert 'id="open-rectifications"' in html
        assert "上年未完成的问题" in html and "上年已销号的问题" not in html


def test_a_declaration_without_open_items_shows_no_panel(client, world):
    declaration = _next_year(world, rolled=False)
    client.force_login(world.p.alice)
    html = client.get(reverse("targets:declaration_edit", args=[declaration.pk])).content.decode()
    assert 'id="open-rectifications"' not in html
