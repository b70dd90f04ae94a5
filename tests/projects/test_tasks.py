"""Tasks and deadlines: one action issues the year for the whole region; extensions; reminders."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects.models import Evaluation, EvaluationStatus, Notification, Project
from projects.review.selectors import annotate_deadlines
from projects.review.services.tasks import (
    deadline_extend,
    deadline_reminders_send,
    evaluation_tasks_issue,
)
from tests import factories as f
from tests.projects.test_review_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    subordinate_of_a,
)

S = EvaluationStatus
TODAY = datetime.date(2024, 5, 20)


@pytest.fixture
def region_projects(personas):
    """Department A: its own unit (2 projects + 部门整体) and a subordinate; department B: one."""
    sub = subordinate_of_a(personas)
    own = [f.ProjectFactory(unit=personas.unit_a, year=2023) for _ in range(2)]
    overall = f.ProjectFactory(
        unit=personas.unit_a, year=2023, kind=Project.Kind.DEPARTMENT_OVERALL, name="部门整体支出"
    )
    for project in own:
        f.IndicatorFactory(project=project)
        f.IndicatorFactory(project=project, weight=None, name="其中：专项")
    subordinate = f.ProjectFactory(unit=sub.unit, year=2023)
    b = f.ProjectFactory(unit=personas.unit_b, year=2023)
    already = f.EvaluationFactory(project=b)  # filed before the task was issued
    f.ProjectFactory(unit=personas.unit_b, year=2024)  # another year
    elsewhere = f.UnitFactory(department=f.DepartmentFactory())  # another region
    f.ProjectFactory(unit=elsewhere, year=2023)
    return {
        "sub": sub,
        "own": own,
        "overall": overall,
        "subordinate": subordinate,
        "b": b,
        "already": already,
    }


def test_issuing_creates_a_filing_for_every_subject_of_the_region_and_year(
    personas, region_projects
):
    issue = evaluation_tasks_issue(
        region=personas.region, year=2023, deadline=TODAY, user=personas.frank, note="请按时填报"
    )
    assert issue.created and issue.task.deadline == TODAY and issue.task.issued_by == personas.frank
    assert (issue.evaluations_created, issue.evaluations_attached) == (4, 1)
    filed = Evaluation.objects.filter(task=issue.task)
    expected = {p.pk for p in region_projects["own"]} | {
        region_projects["overall"].pk,
        region_projects["subordinate"].pk,
        region_projects["b"].pk,
    }
    assert set(filed.values_list("project_id", flat=True)) == expected
    assert Evaluation.objects.count() == 5  # nothing for 2024 or the other region
    first = filed.get(project=region_projects["own"][0])
    assert first.status == S.DRAFT and first.year == 2023
    assert first.results.count() == 2  # one row per indicator, the 其中 row included
    # Filers hear of it, once per unit.
    assert Notification.objects.filter(recipient=personas.alice).count() == 1
    assert "截止日期 2024-05-20" in Notification.objects.get(recipient=personas.alice).message


def test_deactivated_units_and_departments_get_no_new_filing(personas, region_projects):
    region_projects["sub"].unit.is_active = False
    region_projects["sub"].unit.save()
    closed = f.DepartmentFactory(region=personas.region, is_active=False)
    f.ProjectFactory(unit=f.UnitFactory(department=closed), year=2023)
    issue = evaluation_tasks_issue(
        region=personas.region, year=2023, deadline=TODAY, user=personas.frank
    )
    filed = set(Evaluation.objects.filter(task=issue.task).values_list("project_id", flat=True))
    assert region_projects["subordinate"].pk not in filed
    assert not Evaluation.objects.filter(project__unit__department=closed).exists()
    assert issue.evaluations_created == 3  # department A's own three subjects only


def test_issuing_again_moves_the_deadline_and_creates_nothing_twice(personas, region_projects):
    evaluation_tasks_issue(region=personas.region, year=2023, deadline=TODAY, user=personas.frank)
    later = TODAY + datetime.timedelta(days=10)
    issue = evaluation_tasks_issue(
        region=personas.region, year=2023, deadline=later, user=personas.frank
    )
    assert not issue.created and issue.task.deadline == later
    assert (issue.evaluations_created, issue.evaluations_attached) == (0, 0)
    assert Evaluation.objects.count() == 5


def test_only_the_regions_finance_bureau_issues(personas, region_projects):
    for user in (personas.dora, personas.alice, personas.other_region_finance):
        with pytest.raises(PermissionDenied):
            evaluation_tasks_issue(region=personas.region, year=2023, deadline=TODAY, user=user)
    assert not Evaluation.objects.filter(task__isnull=False).exists()


def test_extension_moves_one_departments_deadline_and_overdue_follows(personas, region_projects):
    task = evaluation_tasks_issue(
        region=personas.region, year=2023, deadline=TODAY, user=personas.frank
    ).task
    later = TODAY + datetime.timedelta(days=14)
    deadline_extend(
        task=task,
        department=personas.department_b,
        deadline=later,
        user=personas.frank,
        reason="机构改革",
    )
    Evaluation.objects.filter(project=region_projects["own"][1]).update(status=S.SUBMITTED)
    day_after = TODAY + datetime.timedelta(days=1)
    rows = {e.project_id: e for e in annotate_deadlines(Evaluation.objects.all(), day_after)}
    own, submitted = region_projects["own"]
    assert rows[own.pk].deadline == TODAY and rows[own.pk].is_overdue
    assert not rows[submitted.pk].is_overdue  # submitted: no longer with the filer
    assert rows[region_projects["b"].pk].deadline == later
    assert not rows[region_projects["b"].pk].is_overdue


def test_extension_must_be_later_and_within_the_region(personas, region_projects):
    task = evaluation_tasks_issue(
        region=personas.region, year=2023, deadline=TODAY, user=personas.frank
    ).task
    with pytest.raises(ValidationError):
        deadline_extend(
            task=task,
            department=personas.department_b,
            deadline=TODAY,
            user=personas.frank,
            reason="提前",
        )
    stranger = f.DepartmentFactory()
    with pytest.raises(ValidationError):
        deadline_extend(
            task=task,
            department=stranger,
            deadline=TODAY + datetime.timedelta(days=3),
            user=personas.frank,
            reason="外地区",
        )
    with pytest.raises(PermissionDenied):
        deadline_extend(
            task=task,
            department=personas.department_a,
            deadline=TODAY + datetime.timedelta(days=3),
            user=personas.dora,
            reason="自行延期",
        )


def test_reminders_go_to_open_filings_near_the_deadline_once(personas, region_projects):
    task = evaluation_tasks_issue(
        region=personas.region, year=2023, deadline=TODAY, user=personas.frank
    ).task
    Notification.objects.all().delete()
    Evaluation.objects.filter(project=region_projects["own"][1]).update(status=S.SUBMITTED)
    week_before = TODAY - datetime.timedelta(days=7)
    # alice: own[0] and 部门整体 (own[1] is submitted); carol: the subordinate; bob: B's filing.
    assert deadline_reminders_send(task=task, user=personas.frank, today=week_before) == 4
    assert deadline_reminders_send(task=task, user=personas.frank, today=week_before) == 0
    note = Notification.objects.filter(recipient=personas.alice).first()
    assert note.kind == Notification.Kind.DEADLINE and "2024-05-20" in note.message
    too_early = TODAY - datetime.timedelta(days=8)
    Notification.objects.all().delete()
    assert deadline_reminders_send(task=task, user=personas.frank, today=too_early) == 0
