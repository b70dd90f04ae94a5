"""The bridge from a stored monitoring report to the pure lights engine and back.

Reads a report's fund lines (the approved budget, the amounts executed to date) and entries into
the engine's frozen input, runs `scoring.engine.monitoring.monitor` under the rule set in force
for the region and year, and stores the lights on the report and its entries. Pages preview
unsaved figures through the same function (`store=False`), so the light beside a field while
typing is the one the saved report will carry.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projects.filing.content import SOURCES, shown_fund_lines
from projects.models import FundSource, MonitoringEntry, MonitoringReport
from scoring.engine.funds import fund_total
from scoring.engine.model import FundLine
from scoring.engine.monitoring import (
    MonitoringIndicatorInput,
    MonitoringInput,
    monitor,
    monitoring_to_json,
)
from scoring.services import rule_set_for


def monitoring_input(
    report: MonitoringReport, overrides: dict | None = None, *, fresh: bool = False
) -> MonitoringInput:
    """The engine's input for a report (funds, entries and indicators prefetched).

    `overrides`: unsaved flat fields ({"funds.<source>.executed": text, "entries.<id>.<field>":
    text}) laid over the stored ones, as the form previews them. `fresh`: a report just
    issued, with nothing filed yet (its rows are not read back).
    """
    overrides = overrides or {}
    project = report.project
    executed = {} if fresh else {f.source: f.executed for f in report.funds.all()}
    for key, text in overrides.items():
        head, _, rest = key.partition(".")
        if head == "funds" and rest.endswith(".executed"):
            executed[rest.split(".")[0]] = Decimal(text) if text else None
    lines = shown_fund_lines(project)
    rows = {}
    for source in SOURCES:
        line = lines.get(source)
        if line is None and executed.get(source) is None:
            continue
        rows[source] = {
            "initial": line.initial if line else None,
            "adjusted": line.adjusted if line else None,
            "executed": executed.get(source),
        }
    printed = lines.get(FundSource.TOTAL)
    printed_row = {c: getattr(printed, c) for c in ("initial", "adjusted")} if printed else {}
    # The total is derived from its sources by the one rule, to-date amounts included.
    total = fund_total(printed_row, rows.values())
    funds = [FundLine(source=str(FundSource.TOTAL), **total)]
    funds += [FundLine(source=str(source), **row) for source, row in rows.items()]
    entries = {} if fresh else {e.indicator_id: e for e in report.entries.all()}
    indicators = []
    for indicator in project.indicators.all():
        entry = entries.get(indicator.pk)

        def field(name, entry=entry, indicator=indicator):
            key = f"entries.{indicator.pk}.{name}"
            if key in overrides:
                return overrides[key] or None
            return (getattr(entry, name) or None) if entry else None

        indicators.append(
            MonitoringIndicatorInput(
                level1=indicator.level1,
                level2=indicator.level2 or None,
                name=indicator.name,
                target=indicator.target or None,
                value=field("value"),
                achievement=field("achievement"),
                likelihood=field("likelihood"),
                likelihood_reason=field("reason"),
                measures=field("measures"),
                weight=None if indicator.weight is None else str(indicator.weight),
            )
        )
    return MonitoringInput(
        as_of=report.round.as_of,
        funds=tuple(funds),
        indicators=tuple(indicators),
        money_unit="元",
    )


def monitor_report(
    report: MonitoringReport, *, overrides: dict | None = None, store: bool = True
) -> dict:
    """The report's lights as plain data (the CLI's selfeval-monitoring/1 object, with each
    indicator row's id); stored on the report and its entries unless `store` is False."""
    rules = rule_set_for(report)
    result, data, indicator_ids = _lit(report, rules, monitoring_input(report, overrides))
    if store:
        _store(report, rules, result, data, indicator_ids)
    return data


def _lit(report, rules, inp):
    """Run the engine; the result, its JSON with each row's indicator id, and the ids."""
    result = monitor(inp, rules)
    data = monitoring_to_json(result)
    indicator_ids = [i.pk for i in report.project.indicators.all()]
    for row, indicator_id in zip(data["indicators"], indicator_ids, strict=True):
        row["indicator_id"] = indicator_id
    for finding in data["findings"]:
        index = finding.get("indicator")
        finding["indicator_id"] = None if index is None else indicator_ids[index]
    return result, data, indicator_ids


def _columns(rules, result, data) -> dict:
    """The report's stored columns of one engine result."""
    lights = [row.light or "" for row in result.indicators]
    findings = data["findings"]
    return {
        "result": data,
        "rule_set_id": rules.id,
        "rule_set_version": rules.version,
        "scored_at": timezone.now(),
        "time_progress": result.time_progress,
        "execution_rate": result.execution_rate,
        "execution_light": result.execution_light or "",
        "light": result.light or "",
        "red_count": lights.count("red") + (result.execution_light == "red"),
        "yellow_count": lights.count("yellow") + (result.execution_light == "yellow"),
        "error_count": sum(f["severity"] == "error" for f in findings),
        "warning_count": sum(f["severity"] == "warning" for f in findings),
    }


def light_issued(reports: list[MonitoringReport], rules) -> None:
    """Light the reports a round has just created, in memory and one batched write.

    Nothing is filed yet, so no row is read back: each report's subject (with its fund lines
    and indicators prefetched) and the round are all the engine needs. The rule set is the
    region's for the year, resolved once by the caller.
    """
    for report in reports:
        result, data, _ = _lit(report, rules, monitoring_input(report, fresh=True))
        for name, value in _columns(rules, result, data).items():
            setattr(report, name, value)
    MonitoringReport.objects.bulk_update(reports, list(_COLUMNS), batch_size=500)


_COLUMNS = (
    "result", "rule_set_id", "rule_set_version", "scored_at", "time_progress", "execution_rate",
    "execution_light", "light", "red_count", "yellow_count", "error_count", "warning_count",
)  # fmt: skip


def _store(report, rules, result, data, indicator_ids) -> None:
    lights = [row.light or "" for row in result.indicators]
    with transaction.atomic():
        MonitoringReport.objects.filter(pk=report.pk).update(**_columns(rules, result, data))
        entries = {e.indicator_id: e for e in report.entries.all()}
        changed = []
        for indicator_id, light in zip(indicator_ids, lights, strict=True):
            entry = entries.get(indicator_id)
            if entry is not None and entry.light != light:
                entry.light = light
                changed.append(entry)
        if changed:
            MonitoringEntry.objects.bulk_update(changed, ["light"])
    report.result = data
    report.light = result.light or ""
    report.execution_light = result.execution_light or ""
    report.execution_rate = result.execution_rate
    report.time_progress = result.time_progress
