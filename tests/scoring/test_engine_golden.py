"""The engine's results, figure by figure and line by line, as the engine before its speed-up gave.

tests/scoring/golden/engine_results.json was written by the engine of commit aaa5821 (before the
distinct-row speed-up) with `python -m tests.scoring.test_engine_golden --write`: the inputs (the
seeds' scoring cases and the first evaluations of bench/bench_engine.py's distinct and repeated
batches, each under every shipped rule set), and for each result every figure with its exact
Decimal spelling, every finding, every row's target reading and the rendered trace that
scoring.services.explain shows. A faster engine must give the same, character for character.
Results are kept whole for the first evaluations (a failure shows the line that differs) and as
SHA-256 digests of the same canonical JSON for the rest, to keep the file small.
"""

from __future__ import annotations

import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine import EvaluationInput, FundLine, IndicatorInput, score_evaluation
from scoring.engine.model import EvaluationResult, Finding
from scoring.engine.rules import list_rulesets, load_ruleset, override_ruleset

GOLDEN = Path(__file__).parent / "golden" / "engine_results.json"
WHOLE = 2  # results of a batch kept whole (a failure shows what differs); the rest as digests


def _d(value: Decimal | None) -> str | None:
    """A Decimal as it prints (str keeps its exponent: 5.0 and 5.00 differ on paper)."""
    return None if value is None else str(value)


def _finding(f: Finding) -> list:
    return [f.code, f.severity, f.message, f.indicator]


def dump_result(r: EvaluationResult) -> dict:
    """Every field of a result, the rendered trace included, as canonical JSON data."""
    return {
        "rules": r.rules,
        "figures": [
            _d(x)
            for x in (
                r.execution_rate,
                r.execution_score,
                r.execution_weight,
                r.budget,
                r.executed,
                r.indicator_total,
                r.uncapped_total,
                r.total,
            )
        ],  # fmt: skip
        "grade": [r.grade, r.grade_code, r.denominator],
        "findings": [_finding(f) for f in r.findings],
        "notes": [list(n) for n in r.notes],
        "rows": [
            {
                "figures": [_d(x.score), _d(x.weight), _d(x.claimed_score), _d(x.actual_value)],
                "status": x.status,
                "target": [
                    x.target.kind,
                    x.target.comparator,
                    _d(x.target.value),
                    _d(x.target.low),
                    _d(x.target.high),
                    x.target.unit_of_measure,
                    x.target.year,
                    x.target.month,
                    x.target.day,
                    x.target.raw,
                ],  # fmt: skip
                "findings": [_finding(f) for f in x.findings],
                "trace": list(x.trace),
            }
            for x in r.indicators
        ],
        "trace": list(r.trace),
    }


def digest(data: dict) -> str:
    """SHA-256 of a dumped result's canonical JSON."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# Inputs, compactly: a Decimal is {"d": "1.30"}, a row a list in IndicatorInput's field order.
_ROW = (
    "level1", "level2", "name", "target", "actual", "weight", "claimed_score", "deviation",
    "achievement",
)  # fmt: skip
_EVAL = (
    "execution_weight", "claimed_rate", "claimed_execution_score", "claimed_indicator_total",
    "claimed_total", "claimed_grade", "execution_reason", "goal_expected", "goal_actual",
    "money_unit",
)  # fmt: skip


def _enc(value: object) -> object:
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, dict):
        return {k: _enc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_enc(v) for v in value]
    return value


def _dec(value: object) -> object:
    if isinstance(value, dict):
        return (
            Decimal(value["d"]) if set(value) == {"d"} else {k: _dec(v) for k, v in value.items()}
        )
    if isinstance(value, list):
        return [_dec(v) for v in value]
    return value


def dump_input(inp: EvaluationInput) -> dict:
    """An input as JSON data that load_input reads back to an equal input."""
    return _enc(
        {
            "funds": [[f.source, f.initial, f.adjusted, f.executed] for f in inp.funds],
            "rows": [[getattr(row, k) for k in _ROW] for row in inp.indicators],
            **{k: getattr(inp, k) for k in _EVAL},
        }
    )


def load_input(data: dict) -> EvaluationInput:
    """The EvaluationInput dump_input wrote."""
    data = _dec(data)
    return EvaluationInput(
        funds=tuple(FundLine(*f) for f in data["funds"]),
        indicators=tuple(
            IndicatorInput(**dict(zip(_ROW, row, strict=True))) for row in data["rows"]
        ),
        **{k: data[k] for k in _EVAL},
    )


def _rules(spec: dict):
    rules = load_ruleset(spec["rules"])
    changes = _dec(spec.get("changes"))
    return override_ruleset(rules, changes) if changes else rules


def _groups() -> tuple[dict[str, list[EvaluationInput]], list[tuple[str, dict, str | None, list]]]:
    """What the golden file covers: the shared batches, and (name, rule-set spec, batch or None,
    inputs) per group in a fixed order."""
    from bench.bench_engine import build_batch, build_distinct_batch
    from scoring.engine.document import document_to_input, read_document
    from tests.scoring.test_scoring_cases import _collect, _document

    groups = []
    for param in _collect():
        _, table, case = param.values
        spec = {"rules": case.get("rules", table.get("rules", "national-2020"))}
        if case.get("rule_changes"):
            spec["changes"] = _enc(case["rule_changes"])
        inp = document_to_input(read_document(_document(table, case)))
        groups.append((f"case {param.id}", spec, None, [inp]))
    batches = {"distinct": build_distinct_batch(100, 20), "repeated": build_batch(40, 20)}
    for rules in list_rulesets():
        for batch, inputs in batches.items():
            groups.append((f"{batch} under {rules.key}", {"rules": rules.key}, batch, inputs))
    return batches, groups


def write() -> None:
    """Score every group with the engine as it stands and write the golden file."""
    batches, groups = _groups()
    out: dict = {
        "batches": {name: [dump_input(i) for i in inputs] for name, inputs in batches.items()},
        "groups": [],
    }
    for name, spec, batch, inputs in groups:
        rules = _rules(spec)
        rules.memo.clear()
        rules.outcomes.clear()
        dumped = [dump_result(score_evaluation(inp, rules)) for inp in inputs]
        group = {"group": name, "rules": spec}
        if batch is None:
            group["inputs"] = [dump_input(inp) for inp in inputs]
        else:
            group["batch"] = batch
        group["whole"] = dumped[:WHOLE]
        group["digests"] = [digest(d) for d in dumped[WHOLE:]]
        out["groups"].append(group)
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    GOLDEN.write_text(text.replace('{"group"', '\n{"group"') + "\n", encoding="utf-8")


def _load() -> dict:
    if not GOLDEN.exists():  # only while --write makes it; test_the_golden_file_is_there fails
        return {"batches": {}, "groups": []}
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_golden_file_is_there() -> None:
    assert len(_load()["groups"]) > 6, GOLDEN


_GOLDEN = _load()


@pytest.mark.parametrize("group", _GOLDEN["groups"], ids=lambda g: g["group"])
def test_results_match_the_engine_before_its_speed_up(group: dict) -> None:
    rules = _rules(group["rules"])
    inputs = group["inputs"] if "inputs" in group else _GOLDEN["batches"][group["batch"]]
    # Three passes: rows scored afresh twice (the memo keeps a row the second time it is seen),
    # then taken from the memo, which must give what scoring afresh gives.
    for temperature in ("cold", "seen once", "memoised"):
        if temperature == "cold":
            rules.memo.clear()
            rules.outcomes.clear()
        for i, data in enumerate(inputs):
            got = dump_result(score_evaluation(load_input(data), rules))
            where = f"{group['group']}, evaluation {i} ({temperature})"
            if i < len(group["whole"]):
                want = group["whole"][i]
                for key in want:
                    assert got[key] == want[key], f"{where}: {key} differs"
            else:
                assert digest(got) == group["digests"][i - len(group["whole"])], where


def test_inputs_read_back_equal() -> None:
    for data in _GOLDEN["batches"]["distinct"][:5]:
        assert dump_input(load_input(data)) == data


if __name__ == "__main__":  # pragma: no cover - regenerates the golden file
    if sys.argv[1:] == ["--write"]:
        write()
