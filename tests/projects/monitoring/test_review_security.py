"""Another department's reviewer (or another region's bureau) can neither open nor act on a
report: 404, and nothing changes (status, steps, follow-ups)."""

import pytest
from django.urls import reverse

from projects.models import Membership, MonitoringFollowUp, MonitoringReport, MonitoringStep
from tests import factories as f
from tests.projects.monitoring import test_review_support as support

monitoring = support.monitoring

POSTS = (
    "report_department_approve",
    "report_department_return",
    "report_finance_approve",
    "report_finance_return",
    "follow_up_record",
)


def state(report):
    fresh = MonitoringReport.objects.get(pk=report.pk)
    return (
        fresh.status,
        fresh.version,
        MonitoringStep.objects.filter(report=report).count(),
        MonitoringFollowUp.objects.filter(report=report).count(),
    )


@pytest.fixture
def bea(monitoring):
    """The department reviewer of department B."""
    user = f.UserFactory(username="bea")
    f.membership(
        user, Membership.Role.DEPARTMENT_REVIEWER, department=monitoring.personas.department_b
    )
    return user


def test_a_reviewer_of_department_b_gets_404_on_department_a_s_report(client, monitoring, bea):
    report = monitoring.report_a
    before = state(report)
    client.force_login(bea)
    assert client.get(reverse("monitoring:report_review", args=[report.pk])).status_code == 404
    indicator = monitoring.indicators["保障会议次数"]
    for name in POSTS:
        response = client.post(
            reverse(f"monitoring:{name}", args=[report.pk]),
            {"comment": "越权操作", "decision": "suspend", "indicator": indicator.pk},
        )
        assert response.status_code == 404, name
    assert state(report) == before


def test_a_reviewer_of_department_b_sees_none_of_department_a_s_lights(client, monitoring, bea):
    client.force_login(bea)
    response = client.get(
        reverse("monitoring:report_list"), {"department": monitoring.personas.department_a.pk}
    )
    assert response.status_code == 200
    assert all(row.project != "机关运行保障项目" for row in response.context["rows"])
    assert "机关运行保障项目" not in response.content.decode()


def test_another_region_s_finance_bureau_gets_404_and_nothing_changes(client, monitoring):
    report = monitoring.report_b
    before = state(report)
    client.force_login(monitoring.personas.other_region_finance)
    assert client.get(reverse("monitoring:report_review", args=[report.pk])).status_code == 404
    for name in POSTS:
        response = client.post(
            reverse(f"monitoring:{name}", args=[report.pk]),
            {"comment": "越权操作", "decision": "urge"},
        )
        assert response.status_code == 404, name
    assert state(report) == before


def test_a_department_reviewer_may_not_take_the_finance_step(client, monitoring):
    report = monitoring.report_a
    client.force_login(monitoring.personas.dora)
    from projects.review.services.workflow import filing_department_approve

    filing_department_approve(filing=report, user=monitoring.personas.dora)
    before = state(report)
    for name in ("report_finance_approve", "report_finance_return"):
        response = client.post(reverse(f"monitoring:{name}", args=[report.pk]), {"comment": "x"})
        assert response.status_code == 403, name
    assert state(report) == before
