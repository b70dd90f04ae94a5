"""The declarer's one write service, the declaration through the one workflow, and the tasks
and rounds that wait for approved targets."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from projects.filing.services import StaleVersion
from projects.models import (
    Evaluation,
    EvaluationStatus,
    Membership,
    MonitoringReport,
    TargetDeclaration,
)
from projects.monitoring.services import monitoring_round_issue
from projects.review.services.tasks import evaluation_tasks_issue
from projects.review.services.workflow import (
    filing_department_approve,
    filing_department_return,
    filing_finance_approve,
    filing_submit,
)
from projects.targets.services import (
    declaration_add_indicator,
    declaration_remove_indicator,
    declaration_save_draft,
    project_declare,
)
from tests import factories as f

S = EvaluationStatus
NEXT = datetime.date.today().year + 1


@pytest.fixture
def declared(personas):
    """A subordinate unit of department A whose filer declares a project for next year."""
    unit = f.UnitFactory(department=personas.department_a, name="相山区第一中学", code="A1")
    filer = f.UserFactory(username="carol")
    f.membership(filer, Membership.Role.FILER, unit=unit)
    declaration = project_declare(
        unit=unit, user=filer, year=NEXT, code="A1-001", name="校舍维修改造", money_unit="元"
    )
    return {"p": personas, "unit": unit, "filer": filer, "declaration": declaration}


def _fresh(declaration) -> TargetDeclaration:
    return TargetDeclaration.objects.get(pk=declaration.pk)


def _fill(declared) -> TargetDeclaration:
    """A complete declaration: goal, plan, and the national rule set's 50/30/10 weights."""
    d = declared["declaration"]
    rows = [
        ("产出指标", "数量指标", "维修校舍面积", "≥2000平方米", "30", "竣工验收单"),
        ("产出指标", "质量指标", "验收合格率", "≥95%", "20", "竣工验收报告"),
        ("效益指标", "社会效益指标", "学生安全隐患消除率", "=100%", "30", "安全检查记录"),
        ("满意度指标", "服务对象满意度指标", "师生满意度", "≥90%", "10", "问卷调查"),
    ]
    content = {
        "goal_expected": "完成教学楼屋面防水和外墙维修。",
        "funds.current_year.initial": "800000",
    }
    for level1, level2, name, target, weight, method in rows:
        row = declaration_add_indicator(
            declaration=_fresh(d), user=declared["filer"], level1=level1, level2=level2
        )
        content |= {
            f"indicators.{row.pk}.name": name,
            f"indicators.{row.pk}.target": target,
            f"indicators.{row.pk}.weight": weight,
            f"indicators.{row.pk}.method": method,
        }
    fresh = _fresh(d)
    return declaration_save_draft(
        declaration=fresh, user=declared["filer"], version=fresh.version, content=content
    )


def test_a_declared_plan_and_targets_are_the_projects_own(declared):
    d = _fill(declared)
    project = d.project
    assert project.goal_expected == "完成教学楼屋面防水和外墙维修。"
    lines = {line.source: line for line in project.fund_lines.all()}
    assert lines["current_year"].initial == Decimal("800000")
    assert lines["total"].initial == Decimal("800000")  # derived from its sources
    assert [i.name for i in project.indicators.order_by("order")] == [
        "维修校舍面积", "验收合格率", "学生安全隐患消除率", "师生满意度",
    ]  # fmt: skip
    assert d.result is not None and d.error_count == 0


def test_a_filer_cannot_declare_for_another_unit_or_a_past_year(declared):
    p = declared["p"]
    with pytest.raises(PermissionDenied):
        project_declare(unit=p.unit_b, user=declared["filer"], year=NEXT, code="X", name="越权")
    with pytest.raises(ValidationError) as past:
        project_declare(
            unit=declared["unit"], user=declared["filer"], year=2020, code="Y", name="往年"
        )
    assert "year" in past.value.message_dict
    assert not TargetDeclaration.objects.exclude(pk=declared["declaration"].pk).exists()


def test_a_stale_save_merges_and_conflicts_like_the_self_evaluation(declared):
    d = _fill(declared)
    base = d.version
    declaration_save_draft(
        declaration=d, user=declared["filer"], version=base, content={"goal_expected": "新目标"}
    )
    merged = declaration_save_draft(
        declaration=d, user=declared["filer"], version=base,
        content={"funds.current_year.initial": "900000"},
    )  # fmt: skip
    assert merged.project.goal_expected == "新目标"
    with pytest.raises(StaleVersion) as stale:
        declaration_save_draft(
            declaration=d, user=declared["filer"], version=base, content={"goal_expected": "旧"}
        )
    assert "goal_expected" in stale.value.plan.conflicts


def test_a_bad_weight_is_named_at_its_field_and_nothing_is_saved(declared):
    d = _fill(declared)
    row = d.project.indicators.first()
    with pytest.raises(ValidationError) as bad:
        declaration_save_draft(
            declaration=d, user=declared["filer"], version=d.version,
            content={f"indicators.{row.pk}.weight": "三十", "goal_expected": "改"},
        )  # fmt: skip
    assert f"indicators.{row.pk}.weight" in bad.value.message_dict
    assert _fresh(d).version == d.version and _fresh(d).project.goal_expected != "改"


def test_the_declaration_goes_through_review_and_freezes_the_targets(declared):
    p = declared["p"]
    d = filing_submit(filing=_fill(declared), user=declared["filer"])
    assert d.status == S.SUBMITTED
    row = d.project.indicators.first()
    d = filing_department_return(
        filing=d, user=p.dora, comment="请细化", indicator_comments={row.pk: "写明面积口径"}
    )
    assert d.steps.last().indicator_comments == {str(row.pk): "写明面积口径"}
    d = declaration_save_draft(
        declaration=_fresh(d), user=declared["filer"], version=None,
        content={f"indicators.{row.pk}.target": "≥2100平方米"},
    )  # fmt: skip
    d = filing_submit(filing=d, user=declared["filer"])
    d = filing_department_approve(filing=d, user=p.dora)
    d = filing_finance_approve(filing=d, user=p.frank)
    assert d.status == S.APPROVED
    with pytest.raises(PermissionDenied):
        declaration_save_draft(
            declaration=d, user=declared["filer"], version=None,
            content={f"indicators.{row.pk}.target": "≥1000平方米"},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        declaration_add_indicator(declaration=d, user=declared["filer"], level1="产出指标")
    row.refresh_from_db()
    assert row.target == "≥2100平方米"


def test_another_departments_people_get_404_and_nothing_changes(declared):
    p = declared["p"]
    d = _fill(declared)
    with pytest.raises(Http404):
        declaration_save_draft(
            declaration=d, user=p.bob, version=None, content={"goal_expected": "x"}
        )
    with pytest.raises(Http404):
        declaration_remove_indicator(
            declaration=d, user=p.bob, indicator=d.project.indicators.first()
        )
    assert _fresh(d).version == d.version and d.project.indicators.count() == 4


def test_tasks_and_rounds_wait_for_the_approved_targets(declared):
    p = declared["p"]
    d = _fill(declared)
    deadline = datetime.date(NEXT + 1, 3, 31)
    evaluation_tasks_issue(region=p.region, year=NEXT, deadline=deadline, user=p.frank)
    assert not Evaluation.objects.filter(project=d.project).exists()
    as_of = datetime.date(NEXT, 6, 30)
    monitoring_round_issue(region=p.region, as_of=as_of, deadline=as_of, user=p.frank)
    assert not MonitoringReport.objects.filter(project=d.project).exists()
    d = filing_submit(filing=d, user=declared["filer"])
    d = filing_department_approve(filing=d, user=p.dora)
    filing_finance_approve(filing=d, user=p.frank)
    evaluation_tasks_issue(region=p.region, year=NEXT, deadline=deadline, user=p.frank)
    evaluation = Evaluation.objects.get(project=d.project)
    # The self-evaluation of that year is pre-filled with the approved targets.
    assert {r.indicator.target for r in evaluation.results.select_related("indicator")} == {
        "≥2000平方米", "≥95%", "=100%", "≥90%",
    }  # fmt: skip
    monitoring_round_issue(region=p.region, as_of=as_of, deadline=as_of, user=p.frank)
    assert MonitoringReport.objects.filter(project=d.project).exists()


def test_a_filer_cannot_open_a_self_evaluation_before_the_targets_are_approved(declared, client):
    d = _fill(declared)
    client.force_login(declared["filer"])
    response = client.post(f"/filing/projects/{d.project.pk}/start/")
    assert response.status_code == 403
    assert not Evaluation.objects.filter(project=d.project).exists()
