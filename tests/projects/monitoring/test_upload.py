"""The monitoring report as a selfeval/1 file: download, fill offline, upload back safely."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import MonitoringReport
from projects.monitoring.services import report_queryset
from tests import factories as f
from tests.projects.monitoring.test_filing_form import form_data, make_report

pytestmark = pytest.mark.django_db


def url(name, report):
    return reverse(f"monitoring:{name}", args=[report.pk])


def download(client, report) -> dict:
    response = client.get(url("report_download", report))
    assert response.status_code == 200
    return json.loads(response.content)


def upload(client, report, document, name="monitoring.json"):
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    sent = SimpleUploadedFile(name, body, content_type="application/json")
    return client.post(url("report_upload", report), {"file": sent})


def apply(client, report, preview):
    carried = preview.context["upload_json"]
    return client.post(url("report_upload", report), {"step": "apply", "upload": carried})


def test_the_download_is_a_selfeval_document_with_the_monitoring_fields(client, personas):
    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    client.post(
        url("report_edit", report), form_data(report, **{f"ind-{count.pk}-likelihood": "possible"})
    )
    doc = download(client, report)
    assert doc["format"] == "selfeval/1"
    assert doc["monitoring"]["as_of"] == "2024-06-30"
    assert doc["monitoring"]["version"] == report.version + 1
    assert doc["money_unit"] == "万元"
    assert _source_row(doc)["executed"] == "50.00"
    assert _source_row(doc)["adjusted"] == "100.00"
    row = doc["indicators"][0]
    assert row["actual"] == "60"
    assert row["likelihood"] == "有可能"
    assert doc["indicators"][1]["achievement"] == "达成"


def test_an_upload_previews_then_saves_through_the_draft(client, personas):
    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    doc = download(client, report)
    doc["indicators"][0]["actual"] = "70"
    _source_row(doc)["executed"] = "40"
    preview = upload(client, report, doc)
    assert preview.status_code == 200
    assert "将保存的修改（2 项）" in preview.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).version == report.version
    assert apply(client, report, preview).status_code == 302
    saved = report_queryset().get(pk=report.pk)
    assert saved.entries.get(indicator=count).value == "70"
    assert str(saved.funds.get().executed) == "400000.00"


def test_an_old_file_after_a_newer_browser_edit_does_not_undo_it(client, personas):
    report = make_report(personas)
    count, quality = report.project.indicators.all()
    client.force_login(personas.alice)
    doc = download(client, report)  # version 1, blank
    client.post(url("report_edit", report), form_data(report))  # the browser fills the page
    doc["indicators"][1]["likelihood_reason"] = "资金到位较晚"
    preview = upload(client, report, doc)
    assert preview.status_code == 200
    assert 'id="upload-stale"' in preview.content.decode()
    assert apply(client, report, preview).status_code == 302
    saved = report_queryset().get(pk=report.pk)
    assert saved.explanation == "按计划推进。"
    assert saved.entries.get(indicator=count).value == "60"
    assert str(saved.funds.get().executed) == "500000.00"
    assert saved.entries.get(indicator=quality).reason == "资金到位较晚"


def test_an_old_file_changing_what_the_browser_changed_asks_and_writes_nothing(client, personas):
    report = make_report(personas)
    count = report.project.indicators.all()[0]
    client.force_login(personas.alice)
    doc = download(client, report)
    client.post(url("report_edit", report), form_data(report))
    doc["indicators"][0]["actual"] = "80"
    preview = upload(client, report, doc)
    assert 'id="upload-conflicts"' in preview.content.decode()
    version = MonitoringReport.objects.get(pk=report.pk).version
    response = apply(client, report, preview)
    assert response.status_code == 409
    assert report_queryset().get(pk=report.pk).entries.get(indicator=count).value == "60"
    # Choosing the file's value for that field saves it.
    choice = {
        "step": "apply",
        "upload": preview.context["upload_json"],
        f"resolve:entries.{count.pk}.value": "mine",
    }
    assert client.post(url("report_upload", report), choice).status_code == 302
    saved = report_queryset().get(pk=report.pk)
    assert saved.entries.get(indicator=count).value == "80"
    assert saved.version == version + 1


def test_a_file_for_another_report_is_refused(client, personas):
    report = make_report(personas)
    other_project = f.ProjectFactory(unit=report.project.unit, year=2024)
    f.IndicatorFactory(project=other_project)
    from projects.monitoring.services import monitoring_round_issue

    monitoring_round_issue(
        region=personas.region,
        as_of=report.round.as_of,
        deadline=report.round.deadline,
        user=personas.frank,
    )
    other = MonitoringReport.objects.get(project=other_project)
    client.force_login(personas.alice)
    doc = download(client, report)
    doc["indicators"][0]["actual"] = "99"
    response = upload(client, other, doc)
    assert response.status_code == 422
    assert "另一份监控表" in response.content.decode()
    assert MonitoringReport.objects.get(pk=other.pk).version == other.version


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"format": "selfeval/1"}',
        b"[1, 2]",
        "\ufeff{".encode(),
    ],
)
def test_a_bad_file_gets_a_chinese_message_and_nothing_is_saved(client, personas, body):
    report = make_report(personas)
    client.force_login(personas.alice)
    response = upload(client, report, body)
    assert response.status_code == 422
    assert 'id="upload-refusal"' in response.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).version == report.version


def test_a_bad_amount_in_the_file_is_refused_in_chinese(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    doc = download(client, report)
    _source_row(doc)["executed"] = "很多"
    doc["indicators"][0]["likelihood"] = "大概"
    response = upload(client, report, doc)
    assert response.status_code == 422
    assert "请输入数字" in response.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).version == report.version


def test_a_tampered_apply_is_refused_without_a_500(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    response = client.post(url("report_upload", report), {"step": "apply", "upload": "{bad"})
    assert response.status_code == 422
    bad_key = json.dumps({"version": 1, "content": {"funds.current_year.executed": "x"}})
    response = client.post(url("report_upload", report), {"step": "apply", "upload": bad_key})
    assert response.status_code == 422
    assert MonitoringReport.objects.get(pk=report.pk).version == report.version


def test_another_units_filer_cannot_upload(client, personas):
    report = make_report(personas)
    client.force_login(personas.alice)
    doc = download(client, report)
    client.force_login(personas.bob)
    assert upload(client, report, doc).status_code == 404


def _source_row(doc: dict) -> dict:
    """The file's source row (the 年度资金总额 row above it is derived and read back as such)."""
    return next(row for row in doc["funds"] if row["source"] != "total")
