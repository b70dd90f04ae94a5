"""A monitoring report moves through the one workflow of the self-evaluation, with its own steps,
notices and guards, and the services refuse other departments, other roles and bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from projects.filing.services import StaleVersion
from projects.models import (
    EvaluationStatus,
    Membership,
    MonitoringFollowUp,
    MonitoringReport,
    MonitoringStep,
    Notification,
)
from projects.monitoring.services import (
    monitoring_follow_up_record,
    monitoring_round_issue,
    monitoring_save_draft,
)
from projects.review.services.workflow import (
    SubmissionBlocked,
    filing_department_approve,
    filing_department_return,
    filing_finance_approve,
    filing_submit,
)
from tests import factories as f
from tests.projects.monitoring.conftest import AS_OF, fill

S = EvaluationStatus


def test_issuing_a_round_prefills_every_subject_and_a_second_issue_adds_nothing(world):
    p = world["p"]
    assert MonitoringReport.objects.filter(round=world["round"]).count() == 2
    assert {e.indicator_id for e in world["report"].entries.all()} == {
        world["count"].pk,
        world["rate"].pk,
    }
    again = monitoring_round_issue(
        region=p.region, as_of=AS_OF, deadline=datetime.date(2024, 7, 31), user=p.frank
    )
    assert again.reports_created == 0 and not again.created
    assert MonitoringReport.objects.filter(round=world["round"]).count() == 2


def test_another_regions_bureau_and_a_filer_cannot_issue_a_round(world):
    p = world["p"]
    for user in (p.other_region_finance, p.alice):
        with pytest.raises(PermissionDenied):
            monitoring_round_issue(
                region=p.region, as_of=datetime.date(2024, 9, 30),
                deadline=datetime.date(2024, 10, 15), user=user,
            )  # fmt: skip
    assert world["round"].region.monitoring_rounds.count() == 1


def test_save_lights_the_report_from_the_engine(world):
    # 100,000 of 1,000,000 = 10.00% executed at 50.00% time progress → 20% → red;
    # 200件 of ≥1000件 × 50% = 40% → red; 99% against ≥98% (a rate, not prorated) → green.
    report = fill(world, reason="上半年系统升级", measures="下半年加开窗口")
    assert report.time_progress == Decimal("50.00")
    assert report.execution_rate == Decimal("10.00")
    assert report.execution_light == "red"
    lights = {e.indicator_id: e.light for e in report.entries.all()}
    assert lights == {world["count"].pk: "red", world["rate"].pk: "green"}
    assert report.light == "red" and report.red_count == 2


def test_submission_is_refused_while_a_possible_row_has_no_reason(world):
    report = fill(world, reason="", measures="")
    with pytest.raises(SubmissionBlocked) as refused:
        filing_submit(filing=report, user=world["filer"])
    codes = {f["code"] for f in refused.value.findings}
    assert "likelihood_reason_missing" in codes
    report.refresh_from_db()
    assert report.status == S.DRAFT and not report.steps.exists()


def test_a_report_goes_through_department_and_finance_review_with_recorded_steps(world):
    p = world["p"]
    report = fill(world, reason="上半年系统升级", measures="下半年加开窗口")
    report = filing_submit(filing=report, user=world["filer"])
    assert report.status == S.SUBMITTED
    notice = Notification.objects.get(recipient=p.dora)
    assert notice.monitoring_report_id == report.pk and "1-6月绩效运行监控" in notice.message
    with pytest.raises(ValidationError):
        filing_department_return(filing=report, user=p.dora, comment="  ")
    report = filing_department_return(
        filing=report,
        user=p.dora,
        comment="请核实办理事项数",
        indicator_comments={world["count"].pk: "附办件台账"},
    )
    assert report.status == S.RETURNED
    step = MonitoringStep.objects.filter(report=report).last()
    assert step.indicator_comments == {str(world["count"].pk): "附办件台账"}
    report = fill(world, value="450件", reason="上半年系统升级", measures="下半年加开窗口")
    report = filing_submit(filing=report, user=world["filer"])
    report = filing_department_approve(filing=report, user=p.dora)
    report = filing_finance_approve(filing=report, user=p.frank)
    assert report.status == S.APPROVED and report.approved_at is not None
    actions = list(report.steps.values_list("action", flat=True))
    assert actions == [
        "submit", "department_return", "submit", "department_approve", "finance_approve"
    ]  # fmt: skip


def test_another_departments_reviewer_gets_404_and_nothing_changes(world):
    p = world["p"]
    other_reviewer = f.UserFactory(username="erin")
    f.membership(other_reviewer, Membership.Role.DEPARTMENT_REVIEWER, department=p.department_b)
    report = fill(world, reason="原因", measures="措施")
    report = filing_submit(filing=report, user=world["filer"])
    with pytest.raises(Http404):
        filing_department_approve(filing=report, user=other_reviewer)
    with pytest.raises(Http404):
        monitoring_save_draft(
            report=report, user=p.bob, version=None, content={"explanation": "篡改"}
        )
    report.refresh_from_db()
    assert report.status == S.SUBMITTED and report.explanation == ""
    assert report.steps.count() == 1


def test_a_stale_save_merges_other_fields_and_conflicts_on_the_same_one(world):
    report = world["report"]
    base = report.version
    c = world["count"].pk
    first = monitoring_save_draft(
        report=report, user=world["filer"], version=base,
        content={f"entries.{c}.value": "300件", "explanation": "第一个标签页"},
    )  # fmt: skip
    merged = monitoring_save_draft(
        report=report, user=world["filer"], version=base,
        content={"funds.current_year.executed": "250000"},
    )  # fmt: skip
    assert merged.version == first.version + 1
    assert merged.explanation == "第一个标签页"
    assert merged.funds.get(source="current_year").executed == Decimal("250000")
    with pytest.raises(StaleVersion) as stale:
        monitoring_save_draft(
            report=report, user=world["filer"], version=base,
            content={f"entries.{c}.value": "100件"},
        )  # fmt: skip
    assert f"entries.{c}.value" in stale.value.plan.conflicts
    assert merged.entries.get(indicator_id=c).value == "300件"


def test_a_bad_amount_is_named_at_its_field_and_nothing_is_saved(world):
    report = world["report"]
    with pytest.raises(ValidationError) as bad:
        monitoring_save_draft(
            report=report, user=world["filer"], version=report.version,
            content={"funds.current_year.executed": "十万", "explanation": "说明"},
        )  # fmt: skip
    assert "funds.current_year.executed" in bad.value.message_dict
    report.refresh_from_db()
    assert report.version == 1 and report.explanation == ""


def test_a_follow_up_needs_a_red_light_and_a_submitted_report(world):
    p = world["p"]
    report = fill(world, reason="原因", measures="措施")
    with pytest.raises(ValidationError):  # still a draft
        monitoring_follow_up_record(report=report, user=p.frank, decision="urge")
    report = filing_submit(filing=report, user=world["filer"])
    with pytest.raises(ValidationError):  # the rate row is green
        monitoring_follow_up_record(
            report=report, user=p.frank, decision="urge", indicator=world["rate"]
        )
    with pytest.raises(ValidationError):
        monitoring_follow_up_record(report=report, user=p.frank, decision="no-such-decision")
    decided = monitoring_follow_up_record(
        report=report, user=p.dora, decision="reduce", comment="调减下半年预算",
        indicator=world["count"],
    )  # fmt: skip
    assert decided.decided_by == p.dora
    filer_notice = Notification.objects.filter(recipient=world["filer"]).latest("pk")
    assert "调减/收回资金" in filer_notice.message


def test_other_departments_and_filers_cannot_record_a_follow_up(world):
    p = world["p"]
    report = filing_submit(filing=fill(world, reason="原因", measures="措施"), user=world["filer"])
    with pytest.raises(Http404):
        monitoring_follow_up_record(report=report, user=p.bob, decision="urge")
    with pytest.raises(PermissionDenied):
        monitoring_follow_up_record(report=report, user=world["filer"], decision="urge")
    assert not MonitoringFollowUp.objects.exists()


def test_a_monitoring_notice_links_the_reviewer_to_the_review_and_the_filer_to_the_form(world):
    from projects.review.selectors.notifications import notifications_for

    p = world["p"]
    report = filing_submit(filing=fill(world, reason="原因", measures="措施"), user=world["filer"])
    filing_department_return(filing=report, user=p.dora, comment="请补充")
    (to_reviewer,) = notifications_for(p.dora).items
    assert to_reviewer.url == f"/monitoring/review/{report.pk}/"
    (to_filer,) = [n for n in notifications_for(world["filer"]).items if "退回" in n.message]
    assert to_filer.url == f"/monitoring/report/{report.pk}/"
