"""The finance bureau issues a monitoring round and sees its coverage; no one else can."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import MonitoringEntry, MonitoringReport, MonitoringRound
from tests import factories as f

pytestmark = pytest.mark.django_db


def subject(unit, *, year=2024, indicators=2):
    project = f.ProjectFactory(unit=unit, year=year)
    f.FundLineFactory(
        project=project,
        source="current_year",
        initial=Decimal("1000000"),
        adjusted=Decimal("1000000"),
    )
    for n in range(indicators):
        f.IndicatorFactory(project=project, order=n, target="≥100个")
    return project


def issue(client, user, region, **data):
    client.force_login(user)
    payload = {"region": region.pk, "as_of": "2024-06-30", "deadline": "2024-07-20", "note": ""}
    payload.update(data)
    return client.post(reverse("monitoring:round_issue"), payload)


def test_issuing_a_round_creates_a_report_for_every_active_subject_with_its_indicators(
    client, personas
):
    first, second = subject(personas.unit_a), subject(personas.unit_b, indicators=3)
    last_year = subject(personas.unit_a, year=2023)
    response = issue(client, personas.frank, personas.region, note="请按时填报")
    assert response.status_code == 302
    round_ = MonitoringRound.objects.get(region=personas.region)
    assert round_.title == "2024年1-6月绩效运行监控"
    reports = MonitoringReport.objects.filter(round=round_)
    assert {r.project_id for r in reports} == {first.pk, second.pk}
    assert not reports.filter(project=last_year).exists()
    assert MonitoringEntry.objects.filter(report__project=second).count() == 3
    page = client.get(reverse("monitoring:round_list"))
    text = page.content.decode()
    assert "2024年1-6月绩效运行监控" in text
    assert "0/2" in text
    assert f"/monitoring/review/?round={round_.pk}" in text


def test_issuing_the_same_round_twice_creates_nothing_new(client, personas):
    subject(personas.unit_a)
    issue(client, personas.frank, personas.region)
    issue(client, personas.frank, personas.region, deadline="2024-07-31")
    assert MonitoringRound.objects.count() == 1
    assert MonitoringReport.objects.count() == 1
    assert MonitoringRound.objects.get().deadline == datetime.date(2024, 7, 31)


def test_a_deadline_before_the_as_of_date_is_refused_at_the_field(client, personas):
    subject(personas.unit_a)
    response = issue(client, personas.frank, personas.region, deadline="2024-06-01")
    assert response.status_code == 422
    assert "截止日期不能早于监控时点" in response.content.decode()
    assert not MonitoringRound.objects.exists()


def test_a_bad_date_is_refused_in_chinese(client, personas):
    response = issue(client, personas.frank, personas.region, as_of="六月底")
    assert response.status_code == 422
    assert "请填写日期" in response.content.decode()


def test_another_regions_bureau_gets_404_and_nothing_changes(client, personas):
    subject(personas.unit_a)
    response = issue(client, personas.other_region_finance, personas.region)
    assert response.status_code == 404
    assert not MonitoringRound.objects.exists()
    client.force_login(personas.other_region_finance)
    page = client.get(reverse("monitoring:round_list"), {"region": personas.region.pk})
    assert page.status_code == 404


def test_a_filer_gets_403_on_the_rounds(client, personas):
    subject(personas.unit_a)
    response = issue(client, personas.alice, personas.region)
    assert response.status_code == 403
    assert not MonitoringRound.objects.exists()
    assert client.get(reverse("monitoring:round_list")).status_code == 403


def test_the_rounds_page_counts_lights_and_costs_few_queries(
    client, personas, django_assert_max_num_queries
):
    for _ in range(3):
        subject(personas.unit_a)
    issue(client, personas.frank, personas.region)
    issue(client, personas.frank, personas.region, as_of="2024-09-30", deadline="2024-10-20")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("monitoring:round_list"))
    assert page.status_code == 200
    assert page.content.decode().count("0/3") == 2


def test_the_issue_form_proposes_iso_dates_the_date_input_reads(client, personas):
    client.force_login(personas.frank)
    text = client.get(reverse("monitoring:round_list")).content.decode()
    field = text.split('name="as_of"')[1].split(">")[0]
    value = field.split('value="')[1].split('"')[0]
    assert datetime.date.fromisoformat(value)
