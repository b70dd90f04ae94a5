"""Runs the target checks' cases in cases/targets/*.toml; each failure names its file and case."""

from __future__ import annotations

import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine.rules import DEFAULT_RULESET_ID, RuleSetError, load_ruleset, override_ruleset
from scoring.engine.target_checks import (
    TargetRowInput,
    TargetsInput,
    check_targets,
    targets_to_json,
)

CASES_DIR = Path(__file__).parent / "cases" / "targets"
NATIONAL = Path(__file__).resolve().parents[2] / "scoring" / "rulesets" / "national-2020.v1.toml"


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


def _row(defaults: dict, given: dict) -> TargetRowInput:
    row = {**defaults, **given}
    row = {k: (None if v == "null" else v) for k, v in row.items()}
    for key in ("previous_actuals", "previous_targets"):
        row[key] = tuple(row.get(key) or ())
    return TargetRowInput(**row)


def _rules(table: dict, case: dict):
    rules = load_ruleset(case.get("rules", table.get("rules", DEFAULT_RULESET_ID)))
    changes = case.get("rule_changes")
    return override_ruleset(rules, changes) if changes else rules


def _codes(findings: list[dict]) -> Counter:
    return Counter(
        f["code"] if f["indicator"] is None else f"{f['code']}@{f['indicator']}" for f in findings
    )


@pytest.mark.parametrize(("table", "case"), _collect())
def test_target_check_case(table: dict, case: dict) -> None:
    assert case.get("source"), "every case names its source"
    rows = tuple(_row(table["defaults"]["row"], given) for given in case["rows"])
    data = targets_to_json(check_targets(TargetsInput(rows), _rules(table, case)))
    expected = case["expected"]
    assert _codes(data["findings"]) == Counter(expected["findings"]), data["findings"]
    severities = Counter(f["severity"] for f in data["findings"])
    if "errors" in expected:
        assert severities["error"] == expected["errors"], data["findings"]
    if "warnings" in expected:
        assert severities["warning"] == expected["warnings"], data["findings"]
    if "weight_total" in expected:
        assert data["weight_total"] == expected["weight_total"]
    if "message_contains" in expected:
        assert any(expected["message_contains"] in f["message"] for f in data["findings"])
    assert data["format"] == "selfeval-targets/1"


def test_the_cases_cover_every_code() -> None:
    from scoring.engine.target_checks import CATALOGUE

    seen = {
        code.partition("@")[0]
        for _, case in (p.values for p in _collect())
        for code in case["expected"]["findings"]
    }
    assert seen == set(CATALOGUE)


def test_published_rule_sets_carry_the_default_targets_parameters_with_sources() -> None:
    rules = load_ruleset("national-2020")
    assert rules.targets.beaten_years == 2 and not rules.cost_indicator_required
    assert load_ruleset("national-2021-cost-tree").cost_indicator_required
    for key in ("beaten_years", "cost_indicator_required", "measurable_types", "survey_words"):
        assert rules.sources[f"targets.{key}"]


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('[targets]\nbeaten_years = { value = 0, source = "x" }\n', "targets.beaten_years.value"),
        ('[targets]\ncolour = { value = 1, source = "x" }\n', "targets.colour"),
        ("[targets]\nbeaten_years = { value = 3 }\n", "targets.beaten_years"),
        ('[targets]\nsurvey_words = { value = [], source = "x" }\n', "targets.survey_words.value"),
    ],
)
def test_a_bad_targets_table_is_refused_naming_the_key(tmp_path, table, key) -> None:
    path = tmp_path / "national-2020.v1.toml"
    path.write_text(NATIONAL.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    with pytest.raises(RuleSetError, match=key.replace(".", r"\.")):
        load_ruleset(path)


def test_a_targets_table_sets_its_values_and_sources(tmp_path) -> None:
    path = tmp_path / "national-2020.v1.toml"
    extra = '[targets]\nbeaten_years = { value = 3, source = "省级实践" }\n'
    path.write_text(NATIONAL.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    rules = load_ruleset(path)
    assert rules.targets.beaten_years == 3 and rules.sources["targets.beaten_years"] == "省级实践"


def test_an_override_of_a_targets_parameter_is_checked() -> None:
    with pytest.raises(RuleSetError, match="targets.beaten_years"):
        override_ruleset(load_ruleset(), {"targets.beaten_years": 0})
