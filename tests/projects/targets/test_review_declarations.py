"""Reviewing target declarations: the list of a scope, one declaration's page, approval and
return through the one workflow, and the finance bureau's 调整 after approval."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, Indicator, Membership, TargetDeclaration, TargetStep
from tests import factories as f

S = EvaluationStatus


@dataclass
class World:
    personas: object
    carol: object  # filer of the subordinate unit A1
    declaration: TargetDeclaration  # of A1, submitted, waiting for department A
    other: TargetDeclaration  # of department B's unit, submitted
    trainees: Indicator
    survey: Indicator


def _declaration(project, status=S.SUBMITTED, result=None, errors=0, warnings=0):
    return TargetDeclaration.objects.create(
        project=project,
        status=status,
        result=result,
        error_count=errors,
        warning_count=warnings,
    )


@pytest.fixture
def world(personas) -> World:
    unit = f.UnitFactory(department=personas.department_a, name="相山区政务服务中心", code="A1")
    carol = f.UserFactory(username="carol")
    f.membership(carol, Membership.Role.FILER, unit=unit)
    project = f.ProjectFactory(
        unit=unit, year=2027, name="政务服务能力提升", goal_expected="提升政务服务便利度"
    )
    f.FundLineFactory(project=project, source="current_year", initial=Decimal("300000"))
    f.FundLineFactory(project=project, source="total", initial=Decimal("300000"))
    trainees = f.IndicatorFactory(project=project, order=1, name="培训人次", target="≥500人次")
    survey = f.IndicatorFactory(
        project=project,
        order=2,
        level1="满意度指标",
        level2="服务对象满意度指标",
        name="服务对象满意度",
        target="≥90%",
        method="",
    )
    result = {
        "findings": [
            {
                "code": "satisfaction_without_method",
                "severity": "warning",
                "message": "满意度指标“服务对象满意度”未写明调查方式。",
                "indicator": 1,
                "indicator_id": survey.pk,
            },
            {
                "code": "weights",
                "severity": "error",
                "message": "指标分值合计不等于规定总分。",
                "indicator": None,
                "indicator_id": None,
            },
        ]
    }
    declaration = _declaration(project, result=result, errors=1, warnings=1)
    other_project = f.ProjectFactory(unit=personas.unit_b, year=2027, name="开发区招商服务")
    f.IndicatorFactory(project=other_project, order=1, name="招商活动场次")
    other = _declaration(other_project, status=S.DEPARTMENT_APPROVED)
    return World(personas, carol, declaration, other, trainees, survey)


def url(name, declaration, *args):
    return reverse(f"targets:{name}", args=[declaration.pk, *args])


def test_the_department_reviewer_lists_the_declarations_of_the_department_only(client, world):
    client.force_login(world.personas.dora)
    response = client.get(reverse("targets:declaration_list"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.project for r in rows] == ["政务服务能力提升"]
    assert (rows[0].errors, rows[0].warnings, rows[0].status) == (1, 1, "待主管部门审核")
    assert "开发区招商服务" not in response.content.decode()


def test_the_finance_reviewer_filters_the_region_by_status_year_and_findings(client, world):
    client.force_login(world.personas.frank)
    listed = lambda **q: [r.project for r in client.get(  # noqa: E731
        reverse("targets:declaration_list"), q).context["rows"]]  # fmt: skip
    assert sorted(listed()) == ["开发区招商服务", "政务服务能力提升"]
    assert listed(status="department_approved") == ["开发区招商服务"]
    assert listed(findings="errors") == ["政务服务能力提升"]
    assert listed(findings="any") == ["政务服务能力提升"]
    assert listed(year="2026") == []
    assert listed(department=str(world.personas.department_b.pk)) == ["开发区招商服务"]


def test_the_list_reads_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(8):
        project = f.ProjectFactory(unit=world.personas.unit_b, year=2027, name=f"项目{n}")
        _declaration(project)
    client.force_login(world.personas.frank)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("targets:declaration_list"))
    assert len(response.context["rows"]) == 10


def test_the_review_page_shows_goal_funds_indicators_and_their_findings(client, world):
    client.force_login(world.personas.dora)
    response = client.get(url("declaration_review", world.declaration))
    assert response.status_code == 200
    page = response.context["page"]
    text = response.content.decode()
    assert page.goal == "提升政务服务便利度"
    assert ("当年财政拨款", "300,000.00") in [(r.source, r.initial) for r in page.funds]
    rows = {r.name: r for r in page.indicators}
    assert [x.message for x in rows["服务对象满意度"].findings] == [
        "满意度指标“服务对象满意度”未写明调查方式。"
    ]
    assert rows["培训人次"].findings == []
    assert [x.severity for x in page.findings] == ["错误"]
    assert "指标分值合计不等于规定总分。" in text
    assert page.can_department_review and not page.can_finance_review
    assert 'id="approve-form"' in text and 'id="return-form"' in text
    assert "satisfaction_without_method" not in text


def test_a_department_return_with_an_indicator_comment_is_recorded_as_a_step(client, world):
    client.force_login(world.personas.dora)
    response = client.post(
        url("declaration_department_return", world.declaration),
        {"comment": "请补充满意度调查方式。", f"indicator_{world.survey.pk}": "写明抽样问卷方式"},
    )
    assert response.status_code == 302
    declaration = TargetDeclaration.objects.get(pk=world.declaration.pk)
    assert declaration.status == S.RETURNED
    step = TargetStep.objects.get(declaration=declaration)
    assert step.action == "department_return" and step.actor == world.personas.dora
    assert step.comment == "请补充满意度调查方式。"
    assert step.indicator_comments == {str(world.survey.pk): "写明抽样问卷方式"}
    page = client.get(url("declaration_review", declaration)).content.decode()
    assert "服务对象满意度：写明抽样问卷方式" in page and "主管部门退回" in page


def test_a_return_without_a_comment_is_refused_at_the_field(client, world):
    client.force_login(world.personas.dora)
    response = client.post(url("declaration_department_return", world.declaration), {})
    assert response.status_code == 200
    assert "退回时必须填写退回意见。" in response.content.decode()
    assert TargetDeclaration.objects.get(pk=world.declaration.pk).status == S.SUBMITTED


def test_department_then_finance_approval_makes_the_targets_stand(client, world):
    client.force_login(world.personas.dora)
    client.post(url("declaration_department_approve", world.declaration), {"comment": "同意"})
    assert TargetDeclaration.objects.get(pk=world.declaration.pk).status == S.DEPARTMENT_APPROVED
    client.force_login(world.personas.frank)
    response = client.post(url("declaration_finance_approve", world.declaration), {})
    assert response.status_code == 302
    declaration = TargetDeclaration.objects.get(pk=world.declaration.pk)
    assert declaration.status == S.APPROVED and declaration.approved_at is not None
    actions = list(declaration.steps.values_list("action", flat=True))
    assert actions == ["department_approve", "finance_approve"]


def test_another_departments_reviewer_gets_404_and_nothing_changes(client, world):
    stranger = f.UserFactory(username="derek")
    f.membership(
        stranger, Membership.Role.DEPARTMENT_REVIEWER, department=world.personas.department_b
    )
    client.force_login(stranger)
    assert client.get(url("declaration_review", world.declaration)).status_code == 404
    for name in ("declaration_department_approve", "declaration_department_return"):
        response = client.post(url(name, world.declaration), {"comment": "越权"})
        assert response.status_code == 404
    declaration = TargetDeclaration.objects.get(pk=world.declaration.pk)
    assert declaration.status == S.SUBMITTED and not declaration.steps.exists()


def test_a_filer_is_refused_the_review_pages_and_every_review_post(client, world):
    client.force_login(world.carol)
    assert client.get(reverse("targets:declaration_list")).status_code == 403
    assert client.get(url("declaration_review", world.declaration)).status_code == 403
    for name in (
        "declaration_department_approve",
        "declaration_department_return",
        "declaration_finance_approve",
        "declaration_finance_return",
    ):
        assert client.post(url(name, world.declaration), {"comment": "x"}).status_code == 403
    response = client.post(
        url("declaration_target_correct", world.declaration, world.trainees.pk),
        {"target": "≥1人次", "reason": "x"},
    )
    assert response.status_code == 403
    assert TargetDeclaration.objects.get(pk=world.declaration.pk).status == S.SUBMITTED
    assert Indicator.objects.get(pk=world.trainees.pk).target == "≥500人次"


def test_the_department_reviewer_cannot_take_the_finance_step(client, world):
    client.force_login(world.personas.dora)
    world.declaration.status = S.DEPARTMENT_APPROVED
    world.declaration.save()
    response = client.post(url("declaration_finance_approve", world.declaration), {})
    assert response.status_code == 403
    assert TargetDeclaration.objects.get(pk=world.declaration.pk).status == S.DEPARTMENT_APPROVED


def test_an_observer_reads_without_any_form_and_cannot_post(client, world):
    watcher = f.UserFactory(username="watcher")
    f.membership(watcher, Membership.Role.OBSERVER, department=world.personas.department_a)
    client.force_login(watcher)
    response = client.get(url("declaration_review", world.declaration))
    assert response.status_code == 200
    text = response.content.decode()
    assert "培训人次" in text and "approve-form" not in text and "调整指标值" not in text
    listed = client.get(reverse("targets:declaration_list"))
    assert 'id="read-only-note"' in listed.content.decode()
    assert client.post(url("declaration_department_approve", world.declaration)).status_code == 403


def test_the_finance_bureau_corrects_an_approved_target_with_its_reason(client, world):
    world.declaration.status = S.APPROVED
    world.declaration.save()
    client.force_login(world.personas.frank)
    page = client.get(url("declaration_review", world.declaration))
    assert page.context["page"].can_correct and "调整指标值" in page.content.decode()
    response = client.post(
        url("declaration_target_correct", world.declaration, world.trainees.pk),
        {"target": "≥400人次", "reason": "预算调减，见区财预〔2027〕3号"},
    )
    assert response.status_code == 302
    assert Indicator.objects.get(pk=world.trainees.pk).target == "≥400人次"
    text = client.get(url("declaration_review", world.declaration)).content.decode()
    assert "批复后调整记录" in text
    assert "≥500人次 → ≥400人次" in text and "预算调减，见区财预〔2027〕3号" in text


def test_a_correction_without_a_reason_is_refused_and_before_approval_is_forbidden(client, world):
    client.force_login(world.personas.frank)
    target = url("declaration_target_correct", world.declaration, world.trainees.pk)
    assert client.post(target, {"target": "≥1人次", "reason": "x"}).status_code == 403
    world.declaration.status = S.APPROVED
    world.declaration.save()
    response = client.post(target, {"target": "≥1人次", "reason": ""})
    assert response.status_code == 200
    assert "调整指标值必须说明原因。" in response.content.decode()
    assert Indicator.objects.get(pk=world.trainees.pk).target == "≥500人次"


def test_the_department_reviewer_cannot_correct_an_approved_target(client, world):
    world.declaration.status = S.APPROVED
    world.declaration.save()
    client.force_login(world.personas.dora)
    assert not client.get(url("declaration_review", world.declaration)).context["page"].can_correct
    response = client.post(
        url("declaration_target_correct", world.declaration, world.trainees.pk),
        {"target": "≥1人次", "reason": "x"},
    )
    assert response.status_code == 403
    assert Indicator.objects.get(pk=world.trainees.pk).target == "≥500人次"


def test_the_review_page_reads_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for n in range(10):
        f.IndicatorFactory(project=world.declaration.project, order=10 + n)
    client.force_login(world.personas.frank)
    with django_assert_max_num_queries(16):
        assert client.get(url("declaration_review", world.declaration)).status_code == 200


def test_nonsense_filters_are_a_message_not_an_error_page(client, world):
    client.force_login(world.personas.frank)
    response = client.get(
        reverse("targets:declaration_list"),
        {"year": "明年", "status": "x", "findings": "y", "page": "999"},
    )
    assert response.status_code == 200
    assert "请输入年份数字。" in response.content.decode()
