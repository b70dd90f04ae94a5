"""Runs the monitoring cases in cases/monitoring/*.toml; each failure names its file and case."""

from __future__ import annotations

import copy
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine.document import document_to_monitoring_input, read_document
from scoring.engine.monitoring import monitor, monitoring_to_json
from scoring.engine.rules import DEFAULT_RULESET_ID, load_ruleset, override_ruleset

CASES_DIR = Path(__file__).parent / "cases" / "monitoring"


def _load(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def _collect() -> list:
    params = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        table = _load(path)
        for case in table["case"]:
            params.append(pytest.param(table, case, id=f"{path.name}::{case['name']}"))
    return params


def _nulls(value: object) -> object:
    """TOML has no null: the string "null" stands for it."""
    if value == "null":
        return None
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    return value


def _document(table: dict, case: dict) -> dict:
    """A selfeval/1 document with a monitoring block: defaults, then the case."""
    defaults = table["defaults"]
    as_of = case.get("as_of", defaults["as_of"])
    rows = []
    for given in case.get("indicators", defaults["indicators"]):
        row = {**defaults["row"], **copy.deepcopy(given)}
        if "value" in row:
            row["midyear_actual"] = row.pop("value")
        rows.append(row)
    return _nulls(
        {
            "format": "selfeval/1",
            "kind": "project",
            "year": int(as_of[:4]),
            "department": {"name": "测试部门", "code": None},
            "project": {"name": "测试项目", "code": None},
            "money_unit": "元",
            "funds": copy.deepcopy(case.get("funds", defaults["funds"])),
            "indicators": rows,
            "monitoring": {"as_of": as_of},
        }
    )


def _rules(table: dict, case: dict):
    rules = load_ruleset(case.get("rules", table.get("rules", DEFAULT_RULESET_ID)))
    changes = case.get("rule_changes")
    return override_ruleset(rules, changes) if changes else rules


def _codes(findings: list[dict]) -> Counter:
    return Counter(
        f["code"] if f["indicator"] is None else f"{f['code']}@{f['indicator']}" for f in findings
    )


@pytest.mark.parametrize(("table", "case"), _collect())
def test_monitoring_case(table: dict, case: dict) -> None:
    assert case.get("source"), "every case names the rule it checks"
    inp = document_to_monitoring_input(read_document(_document(table, case)))
    out = monitoring_to_json(monitor(inp, _rules(table, case)))
    expected = _nulls(case["expected"])
    for key, want in expected.items():
        if key in ("rows", "findings"):
            continue
        assert out[key] == want, f"{key}: {out[key]!r} ≠ {want!r}"
    for row in expected.get("rows", []):
        got = out["indicators"][row["index"]]
        for key, want in row.items():
            assert got[key] == want, f"row {row['index']} {key}: {got[key]!r} ≠ {want!r}"
    assert _codes(out["findings"]) == Counter(expected["findings"]), [
        f["message"] for f in out["findings"]
    ]


def test_the_cases_cover_every_light_and_every_finding() -> None:
    cases = [case for _, case in (p.values for p in _collect())]
    lights = {row.get("light") for case in cases for row in case["expected"].get("rows", [])}
    assert {"red", "yellow", "green", "blue", "null"} <= lights
    codes = {f.split("@")[0] for case in cases for f in case["expected"]["findings"]}
    assert {
        "likelihood_reason_missing", "measures_missing", "likelihood_missing", "value_missing",
        "red_light", "execution_red", "execution_below_floor", "progress_diverges",
    } <= codes  # fmt: skip
