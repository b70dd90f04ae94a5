"""The year-end link: the mid-year value beside each actual, and the two findings it raises."""

from __future__ import annotations

from django.urls import reverse

from projects.filing.content import DraftChanges
from projects.filing.services import evaluation_save_draft, evaluation_start
from projects.models import Evaluation
from projects.monitoring.services import monitoring_follow_up_record
from projects.review.services.workflow import filing_submit
from tests.projects.monitoring.conftest import fill


def _year_end(world, actual: str) -> Evaluation:
    project = world["report"].project
    evaluation = evaluation_start(project=project, user=world["filer"])
    return evaluation_save_draft(
        evaluation=evaluation,
        user=world["filer"],
        version=None,
        changes=DraftChanges(results={world["count"].pk: {"actual": actual}}),
    )


def _codes(evaluation: Evaluation) -> dict[str, str]:
    evaluation.refresh_from_db()
    return {f["code"]: f["message"] for f in evaluation.result["findings"]}


def test_a_filed_round_is_compared_with_the_year_end_actual(world):
    report = fill(world, value="450件", reason="上半年系统升级", measures="下半年加开窗口")
    filing_submit(filing=report, user=world["filer"])
    codes = _codes(_year_end(world, "400件"))
    assert "actual_below_midyear" in codes
    assert "450件" in codes["actual_below_midyear"]
    assert "actual_below_midyear" not in _codes(_year_end(world, "1000件"))


def test_a_draft_round_is_not_compared(world):
    fill(world, value="450件", reason="原因", measures="措施")
    assert "actual_below_midyear" not in _codes(_year_end(world, "400件"))


def test_red_lights_without_a_decision_are_a_finding_until_decided(
    world, django_capture_on_commit_callbacks
):
    p = world["p"]
    report = fill(world, value="200件", reason="原因", measures="措施")
    report = filing_submit(filing=report, user=world["filer"])
    evaluation = _year_end(world, "1000件")
    message = _codes(evaluation)["red_light_undecided"]
    assert "预算执行进度" in message and "办理事项" in message
    with django_capture_on_commit_callbacks(execute=True):
        monitoring_follow_up_record(report=report, user=p.dora, decision="urge")
        monitoring_follow_up_record(
            report=report, user=p.dora, decision="adjust_target", indicator=world["count"]
        )
    assert "red_light_undecided" not in _codes(evaluation)


def test_the_form_and_the_table_show_the_midyear_value_beside_the_actual(world, client):
    report = fill(world, value="450件", reason="原因", measures="措施")
    filing_submit(filing=report, user=world["filer"])
    evaluation = _year_end(world, "1000件")
    client.force_login(world["filer"])
    form = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk])).content.decode()
    assert "2024年1-6月绩效运行监控：450件" in form
    table = client.get(reverse("reports:evaluation_table", args=[evaluation.pk])).content.decode()
    # 450 of ≥1000件 × 50.00% time progress = 90% → green (domain.md §7: 80% to < 120%)
    assert "1-6月 450件（绿灯）" in table
