"""A report's download is a selfeval/1 document on its own: `python -m scoring monitor` reads it
and gives the lights the application stored for the report."""

from __future__ import annotations

import json

from projects.monitoring.services import report_queryset
from projects.monitoring.upload import report_document
from scoring.__main__ import main
from tests.projects.monitoring.conftest import fill


def test_the_command_line_lights_a_downloaded_report_as_the_application_did(
    world, tmp_path, capsys
):
    fill(world, value="300件", reason="上半年系统升级", measures="下半年加开窗口")
    report = report_queryset().get(pk=world["report"].pk)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report_document(report), ensure_ascii=False), encoding="utf-8")
    assert main(["monitor", str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["format"] == "selfeval-monitoring/1"
    assert printed["time_progress"] == "50.00"
    assert printed["execution_rate"] == f"{report.execution_rate:f}"
    assert printed["execution_light"] == report.execution_light == "red"
    assert [row["light"] for row in printed["indicators"]] == [
        e.light for e in report.entries.order_by("indicator__order")
    ]
    assert printed["light"] == report.light
