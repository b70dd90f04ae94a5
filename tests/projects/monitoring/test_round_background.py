"""A round is opened by the bureau's request and its reports made by a background task."""

from __future__ import annotations

import datetime

from projects.models import MonitoringReport
from projects.monitoring.services import monitoring_round_fill, monitoring_round_open
from tests import factories as f


def test_the_page_says_the_reports_are_being_made_until_the_task_has_run(personas, client):
    f.IndicatorFactory(project=f.ProjectFactory(unit=personas.unit_a, year=2024))
    round_, created = monitoring_round_open(
        region=personas.region,
        as_of=datetime.date(2024, 6, 30),
        deadline=datetime.date(2024, 7, 15),
        user=personas.frank,
    )
    assert created and not MonitoringReport.objects.exists()
    client.force_login(personas.frank)
    assert "监控表生成中" in client.get("/monitoring/rounds/").content.decode()
    assert monitoring_round_fill(round_id=round_.pk, user=personas.frank) == 1
    assert monitoring_round_fill(round_id=round_.pk, user=personas.frank) == 0  # idempotent
    round_.refresh_from_db()
    assert round_.reports_ready_at is not None
    page = client.get("/monitoring/rounds/").content.decode()
    assert "监控表生成中" not in page and "0/1" in page
