"""The filer's workspace: the unit's subjects of the year with status, deadline and findings."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    DeadlineExtension,
    Evaluation,
    EvaluationTask,
    IndicatorResult,
)
from tests import factories as f
from tests.projects.test_filing_support import business_env

URL = reverse("projects:workspace")


def test_filer_sees_her_units_evaluations_with_score_and_findings(client, personas):
    evaluation = business_env(personas.unit_a)
    f.EvaluationFactory(project=f.ProjectFactory(unit=personas.unit_b, name="开发区的项目"))
    client.force_login(personas.alice)
    response = client.get(URL, {"year": 2023})
    html = response.content.decode()
    assert response.status_code == 200
    assert "区创优营商环境服务中心工作经费" in html
    assert "开发区的项目" not in html
    row = html[html.index("区创优营商环境服务中心工作经费") :]
    row = row[: row.index("</tr>")]
    assert "填报中" in row and "98.43" in row and "优" in row
    assert reverse("projects:evaluation_edit", args=[evaluation.pk]) in row


def test_workspace_counts_findings_by_severity(client, personas):
    evaluation = business_env(personas.unit_a)
    IndicatorResult.objects.filter(evaluation=evaluation, indicator__name="就业岗位").update(
        actual=""
    )
    from scoring.services import score_evaluation

    score_evaluation(Evaluation.objects.get(pk=evaluation.pk))
    client.force_login(personas.alice)
    html = client.get(URL, {"year": 2023}).content.decode()
    row = html[html.index("区创优营商环境服务中心工作经费") :]
    row = row[: row.index("</tr>")]
    assert '<span class="text-danger fw-bold">1</span>' in row  # actual_missing


def test_deadline_and_days_left_follow_the_departments_extension(client, personas):
    business_env(personas.unit_a)
    today = timezone.localdate()
    task = EvaluationTask.objects.create(
        region=personas.region, year=2023, deadline=today + datetime.timedelta(days=3)
    )
    DeadlineExtension.objects.create(
        task=task, department=personas.department_a, deadline=today + datetime.timedelta(days=12)
    )
    client.force_login(personas.alice)
    html = client.get(URL, {"year": 2023}).content.decode()
    extended = today + datetime.timedelta(days=12)
    assert extended.strftime("%Y-%m-%d") in html
    assert "12 天" in html


def test_overdue_subjects_say_so(client, personas):
    business_env(personas.unit_a)
    today = timezone.localdate()
    EvaluationTask.objects.create(
        region=personas.region, year=2023, deadline=today - datetime.timedelta(days=2)
    )
    client.force_login(personas.alice)
    assert "已逾期 2 天" in client.get(URL, {"year": 2023}).content.decode()


def test_year_selector_lists_the_years_and_filters(client, personas):
    business_env(personas.unit_a)
    f.ProjectFactory(unit=personas.unit_a, year=2024, name="二〇二四年的项目")
    client.force_login(personas.alice)
    # Subjects of 2024 exist (their targets were approved at budget time), but nothing of 2024 is
    # started and no 2024 task is issued: the page opens on 2023, where the work is.
    html = client.get(URL).content.decode()
    assert "区创优营商环境服务中心工作经费" in html and "二〇二四年的项目" not in html
    assert '<option value="2024">' in html and '<option value="2023"' in html
    html = client.get(URL, {"year": 2024}).content.decode()
    assert "二〇二四年的项目" in html and "区创优营商环境服务中心工作经费" not in html
    # Once the finance bureau issues the 2024 task, 2024 is the season: the newest year opens.
    EvaluationTask.objects.create(
        region=personas.unit_a.department.region, year=2024, deadline=datetime.date(2025, 4, 30)
    )
    html = client.get(URL).content.decode()
    assert "二〇二四年的项目" in html and "区创优营商环境服务中心工作经费" not in html


def test_a_subject_without_evaluation_can_be_started(client, personas):
    project = f.ProjectFactory(unit=personas.unit_a, year=2023, name="尚未开始的项目")
    f.IndicatorFactory(project=project)
    client.force_login(personas.alice)
    html = client.get(URL, {"year": 2023}).content.decode()
    assert "未开始" in html and "开始填报" in html
    response = client.post(reverse("projects:evaluation_start", args=[project.pk]))
    evaluation = Evaluation.objects.get(project=project)
    assert response.status_code == 302
    assert response.url == reverse("projects:evaluation_edit", args=[evaluation.pk])
    assert evaluation.results.count() == 1
    # Starting again opens the same evaluation.
    client.post(reverse("projects:evaluation_start", args=[project.pk]))
    assert Evaluation.objects.filter(project=project).count() == 1


def test_filer_cannot_start_another_units_evaluation(client, personas):
    project = f.ProjectFactory(unit=personas.unit_b)
    client.force_login(personas.alice)
    assert client.post(reverse("projects:evaluation_start", args=[project.pk])).status_code == 404
    client.force_login(personas.dora)
    other = f.ProjectFactory(unit=personas.unit_a)
    assert client.post(reverse("projects:evaluation_start", args=[other.pk])).status_code == 403
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("who", ["dora", "frank", "other_region_finance"])
def test_reviewers_have_no_workspace(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url


def _add(count, unit):
    for _ in range(count):
        f.EvaluationFactory(project=f.ProjectFactory(unit=unit, year=2023))


def _count(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"year": 2023}).status_code == 200
    return len(captured)


def test_workspace_query_count_does_not_grow_with_evaluations(
    client, personas, django_assert_num_queries
):
    EvaluationTask.objects.create(region=personas.region, year=2023, deadline=timezone.localdate())
    client.force_login(personas.alice)
    _add(5, personas.unit_a)
    few = _count(client)
    _add(45, personas.unit_a)
    assert _count(client) == few
    # session, user, memberships, years, the units of the unit filter, subjects, their
    # evaluations, task, extensions, notifications and their unread count, open monitoring reports,
    # target declarations, the unit's open 整改 items
    with django_assert_num_queries(14):
        client.get(URL, {"year": 2023})


def test_a_returned_filing_is_announced_on_the_workspace(client, personas):
    from projects.models import Notification

    Notification.objects.create(
        recipient=personas.alice, kind=Notification.Kind.RETURNED, message="区政府工作经费 已退回"
    )
    client.force_login(personas.alice)
    page = client.get(URL).content.decode()
    assert "区政府工作经费 已退回" in page
    assert "1 条未读" in page


def test_navigation_shows_only_the_users_own_work(client, personas):
    client.force_login(personas.alice)
    page = client.get(URL).content.decode()
    assert ">填报</a>" in page
    assert ">审核</a>" not in page
