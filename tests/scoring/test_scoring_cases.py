"""Runs the golden scoring tables in cases/*.toml; each failure names its file and case."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine.document import document_to_input, read_document, result_to_json
from scoring.engine.rules import DEFAULT_RULESET_ID, load_ruleset, override_ruleset
from scoring.engine.score import score_evaluation

CASES_DIR = Path(__file__).parent / "cases"
# A case's input is a selfeval/1 document; these keys are filled in when a case leaves them out.
SKELETON = {
    "format": "selfeval/1",
    "kind": "project",
    "year": 2023,
    "department": {"name": "测试部门", "code": None},
    "money_unit": "元",
    "funds": [],
    "indicators": [],
}
DOCUMENT_KEYS = ("kind", "year", "money_unit", "funds", "indicators", "claimed", "goal", "notes")
FIGURES = ("execution_rate", "execution_score", "indicator_total", "total", "grade")


def _load(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def _collect() -> list:
    params = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        table = _load(path)
        for case in table["case"]:
            params.append(pytest.param(path.name, table, case, id=f"{path.name}::{case['name']}"))
    return params


def _document(table: dict, case: dict) -> dict:
    """Skeleton, then the file's [defaults], then the case: whole keys, row patches, extra rows."""
    doc = copy.deepcopy(SKELETON)
    for layer in (table.get("defaults", {}), case):
        doc.update({k: copy.deepcopy(v) for k, v in layer.items() if k in DOCUMENT_KEYS})
    for patch in case.get("patch", []):
        doc["indicators"][patch["index"]].update({k: v for k, v in patch.items() if k != "index"})
    doc["indicators"].extend(copy.deepcopy(case.get("append", [])))
    return _nulls(doc)


def _nulls(value: object) -> object:
    """TOML has no null: the string "null" stands for it (a sub-row's weight, say)."""
    if value == "null":
        return None
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    return value


def _rules(table: dict, case: dict):
    rules = load_ruleset(case.get("rules", table.get("rules", DEFAULT_RULESET_ID)))
    changes = case.get("rule_changes")
    return override_ruleset(rules, changes) if changes else rules


def _with_previous(inp, case: dict):
    """Last year's actuals a case gives (previous = [{ index, actual }]): selfeval/1 has none."""
    rows = list(inp.indicators)
    for given in case.get("previous", []):
        index = given["index"]
        rows[index] = dataclasses.replace(rows[index], previous_actual=given["actual"])
    return dataclasses.replace(inp, indicators=tuple(rows)) if case.get("previous") else inp


def _codes(findings: list[dict]) -> Counter:
    return Counter(
        f["code"] if f["indicator"] is None else f"{f['code']}@{f['indicator']}" for f in findings
    )


@pytest.mark.parametrize(("file", "table", "case"), _collect())
def test_case(file: str, table: dict, case: dict) -> None:
    where = f"{file}::{case['name']} (source: {case['source']})"
    rules = _rules(table, case)
    inp = _with_previous(document_to_input(read_document(_document(table, case))), case)
    result = score_evaluation(inp, rules)
    got = result_to_json(result)
    expected = case["expected"]
    for key in FIGURES:
        if key in expected:
            want = _nulls(expected[key])
            assert got[key] == want, f"{where}: {key} expected {want}, got {got[key]}"
    for row in expected.get("rows", []):
        actual = got["indicators"][row["index"]]
        for key in ("score", "status"):
            if key in row:
                assert actual[key] == row[key], (
                    f"{where}: row {row['index']} {key} expected {row[key]}, got {actual[key]}"
                )
    codes = _codes(got["findings"])
    if "findings" in expected:
        assert codes == Counter(expected["findings"]), (
            f"{where}: findings expected {sorted(expected['findings'])}, got {sorted(codes.elements())}"
        )
    for code in expected.get("findings_include", []):
        assert codes[code] > 0, f"{where}: finding {code} expected, got {sorted(codes.elements())}"
    for code in expected.get("findings_exclude", []):
        assert codes[code] == 0, f"{where}: finding {code} not expected, got {sorted(codes)}"


def test_every_case_names_its_source_and_expectations() -> None:
    for path in sorted(CASES_DIR.glob("*.toml")):
        table = _load(path)
        assert table.get("source"), f"{path.name}: the file must name its source"
        names = [case["name"] for case in table["case"]]
        assert len(names) == len(set(names)), f"{path.name}: case names must be unique"
        for case in table["case"]:
            assert case.get("source"), f"{path.name}::{case['name']}: no source"
            assert case.get("expected"), f"{path.name}::{case['name']}: no expected output"


def test_result_object_carries_the_rule_set_version() -> None:
    rules = load_ruleset("national-2020@1")
    changed = override_ruleset(rules, {"scoring.reverse_formula": "ratio"})
    assert dataclasses.replace(rules).key == "national-2020@1"
    assert changed.key != rules.key, "a changed rule set must not pass for the published one"
