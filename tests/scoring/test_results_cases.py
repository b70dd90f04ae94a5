"""Runs the 结果应用 suggestion cases in cases/results/*.toml; a failure names its file and case."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine.results import ResultFacts, suggest
from scoring.engine.rules import load_ruleset, override_ruleset

CASES_DIR = Path(__file__).parent / "cases" / "results"


def _collect() -> list:
    params = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            table = tomllib.load(handle)
        for case in table["case"]:
            params.append(pytest.param(table, case, id=f"{path.name}::{case['name']}"))
    return params


def _facts(table: dict, case: dict) -> ResultFacts:
    given = case["facts"]
    money = {
        k: Decimal(given[k])
        for k in ("total", "execution_rate", "executed_amount", "review_total")
        if k in given
    }
    return ResultFacts(
        base_amount=Decimal(case.get("base_amount", table["defaults"]["base_amount"])),
        error_count=given.get("error_count", 0),
        red_lights=given.get("red_lights", 0),
        **money,
    )


@pytest.mark.parametrize(("table", "case"), _collect())
def test_suggestion_case(table, case):
    rules = load_ruleset(table["rules"])
    if "rules_changes" in case:
        rules = override_ruleset(rules, case["rules_changes"])
    got = suggest(_facts(table, case), rules)
    expected = case["expected"]
    assert got.decision == expected["decision"], got.reasons
    assert got.amount == Decimal(expected["amount"]), got.reasons
    assert got.grade == expected["grade"]
    share = expected.get("cut_share")
    assert got.cut_share == (Decimal(share) if share is not None else None), got.reasons
    assert got.reasons, "every suggestion says why"


def test_cases_cover_every_decision():
    decisions = {case["expected"]["decision"] for _table, case in (p.values for p in _collect())}
    assert decisions == {"prioritise", "keep", "cut", "cancel", "suspend"}


def test_unknown_results_key_is_refused(tmp_path):
    source = (
        Path(__file__).resolve().parents[2] / "scoring/rulesets/national-2020.v1.toml"
    ).read_text()
    bad = tmp_path / "bad.v1.toml"
    bad.write_text(
        source + '\n[results]\ncut_shar = { value = 10, source = "x" }\n', encoding="utf-8"
    )
    from scoring.engine.rules import RuleSetError

    with pytest.raises(RuleSetError, match="results.cut_shar"):
        load_ruleset(bad)


def test_a_grade_may_lead_to_one_decision_only():
    from scoring.engine.rules import RuleSetError

    with pytest.raises(RuleSetError, match="keep_grades"):
        override_ruleset(load_ruleset("national-2020"), {"results.keep_grades": ["excellent"]})
