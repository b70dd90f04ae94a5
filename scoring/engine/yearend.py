"""The year-end link to mid-year monitoring (issue 14 item 7): two findings, pure.

A cumulative quantity cannot fall between 30 June and 31 December, so a year-end actual below
the value the filer reported to date at mid-year contradicts one of the two (only rows whose
target is higher-is-better and both values read as numbers in the target's unit are compared).
A red light of the year's monitoring left without a follow-up decision is a warning, named by
its items, so the reviewer asks what was done about it.
"""

from __future__ import annotations

from .findings import finding, row_label
from .model import EvaluationInput, Finding, IndicatorResult
from .numbers import plain
from .targets import HIGHER_IS_BETTER, QUANTITATIVE, parse_actual


def yearend_findings(
    inp: EvaluationInput, results: list[IndicatorResult], findings: list[Finding]
) -> None:
    """Append the findings of the mid-year link to `findings`."""
    for index, (row, result) in enumerate(zip(inp.indicators, results, strict=True)):
        midyear = row.midyear_value
        target = result.target
        if not midyear or result.actual_value is None or target.kind != QUANTITATIVE:
            continue
        if target.comparator not in HIGHER_IS_BETTER:
            continue
        reading = parse_actual(midyear, target)
        if reading.value is None or reading.missing or reading.unreadable:
            continue
        if result.actual_value < reading.value:
            findings.append(
                finding(
                    "actual_below_midyear",
                    index,
                    row=row_label(index, row.name),
                    actual=row.actual,
                    midyear=midyear,
                    value=plain(reading.value),
                )
            )
    if inp.red_lights_undecided:
        findings.append(
            finding("red_light_undecided", None, items="、".join(inp.red_lights_undecided))
        )
