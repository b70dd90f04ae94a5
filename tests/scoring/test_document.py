"""The selfeval/1 reader validates exactly, names the key at fault, and keeps what was printed."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine.document import (
    DocumentError,
    document_to_input,
    read_document,
    result_to_json,
)
from scoring.engine.rules import load_ruleset
from scoring.engine.score import score_evaluation

# A copy of the format's own example (shared/formats/examples), so the suite runs anywhere.
EXAMPLE = Path(__file__).parent / "examples" / "xiangshan-2023-business-env.json"

MINIMAL = {
    "format": "selfeval/1",
    "kind": "project",
    "year": 2024,
    "department": {"name": "安徽淮北相山经济开发区管理委员会"},
    "money_unit": "元",
    "funds": [
        {"source": "total", "adjusted": "3,495,195", "executed": "1,947,970", "weight": "10"}
    ],
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "租赁面积", "target": "≥5000㎡",
         "actual": "5200㎡", "weight": "90"},
    ],
}  # fmt: skip


def _with(**changes) -> dict:
    doc = copy.deepcopy(MINIMAL)
    doc.update(changes)
    return doc


def test_amounts_are_parsed_and_kept_as_printed() -> None:
    doc = read_document(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert doc.money_unit == "万元"
    total = doc.funds[0]
    assert (total.executed.text, total.executed.value) == ("38.76", Decimal("38.76"))
    assert (total.claimed_rate.text, total.claimed_rate.value) == ("84.25%", Decimal("84.25"))
    seed000 = read_document(MINIMAL).funds[0]
    assert (seed000.adjusted.text, seed000.adjusted.value) == ("3,495,195", Decimal(3495195))


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (_with(colour="red"), "colour"),
        (_with(format="selfeval/2"), "format"),
        (_with(kind="programme"), "kind"),
        (_with(year="2024"), "year"),
        (_with(year=1999), "year"),
        (_with(money_unit="千元"), "money_unit"),
        (_with(department={"code": "A"}), "department.name"),
        (_with(department={"name": "甲", "boss": "乙"}), "department.boss"),
        (_with(funds=[]), "funds"),
        (_with(funds=[{"source": "current_year", "adjusted": "1"}]), "funds"),
        (_with(funds=[{"source": "total"}, {"source": "bank", "adjusted": "1"}]), "funds[1].source"),
        (_with(funds=[{"source": "total"}, {"source": "other", "executed": "abc"}]),
         "funds[1].executed"),
        (_with(funds=[{"source": "total", "adjusted": 100}]), "funds[0].adjusted"),
        (_with(funds=[{"source": "total", "adjusted": "100%"}]), "funds[0].adjusted"),
        (_with(funds=[{"source": "total"}, {"source": "total"}]), "funds[1].source"),
        (_with(funds=[{"source": "total", "bank": "1"}]), "funds[0].bank"),
        (_with(indicators={}), "indicators"),
        (_with(indicators=[{"level1": "产出指标", "level2": None, "name": "x", "target": None}]),
         "indicators[0].weight"),
        (_with(indicators=[{"level1": "", "level2": None, "name": "x", "target": None,
                            "weight": "1"}]), "indicators[0].level1"),
        (_with(indicators=[*MINIMAL["indicators"]] * 3 + [
            {"level1": "产出指标", "level2": None, "name": "x", "target": None, "weight": "abc"}]),
         "indicators[3].weight"),
        (_with(indicators=[{"level1": "产出指标", "level2": None, "name": "x", "target": 95,
                            "weight": "1"}]), "indicators[0].target"),
        (_with(claimed={"total": "九十"}), "claimed.total"),
        (_with(goal={"expected": "x", "result": "y"}), "goal.result"),
        (_with(notes={"problems": 1}), "notes.problems"),
        ([], ""),
    ],
)  # fmt: skip
def test_schema_errors_name_the_key(document, path) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document(document)
    assert caught.value.path == path
    assert caught.value.message  # in Chinese, shown to the person who wrote the file
    assert path in str(caught.value)


def test_missing_required_top_level_keys_are_named() -> None:
    for key in ("format", "kind", "year", "department", "money_unit", "funds", "indicators"):
        doc = copy.deepcopy(MINIMAL)
        del doc[key]
        with pytest.raises(DocumentError) as caught:
            read_document(doc)
        assert caught.value.path == key


def test_a_total_row_score_above_the_weight_is_read_as_the_claimed_total() -> None:
    # Seed 001 prints the evaluation's total (96, 98.43) in the 得分 cell of the total row.
    inp = document_to_input(read_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))))
    assert inp.claimed_total == Decimal("98.43") and inp.claimed_execution_score is None
    doc = _with(
        funds=[{"source": "total", "adjusted": "10", "executed": "9", "claimed_score": "9"}]
    )
    inp = document_to_input(read_document(doc))
    assert inp.claimed_execution_score == Decimal(9) and inp.claimed_total is None


def test_qualitative_achievement_is_read_from_the_actual() -> None:
    rows = [
        {"level1": "效益指标", "level2": None, "name": "a", "target": "有效提升",
         "actual": "有效提升", "weight": "30"},
        {"level1": "效益指标", "level2": None, "name": "b", "target": "有效提升",
         "actual": "部分达成", "weight": "30"},
        {"level1": "效益指标", "level2": None, "name": "c", "target": "有效提升",
         "actual": "效果一般", "weight": "30"},
    ]  # fmt: skip
    inp = document_to_input(read_document(_with(indicators=rows)))
    assert [i.achievement for i in inp.indicators] == ["met", "partial", None]


def test_result_json_has_exactly_the_format_keys_with_two_decimal_strings() -> None:
    inp = document_to_input(read_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))))
    data = result_to_json(score_evaluation(inp, load_ruleset()))
    assert list(data) == [
        "format",
        "rules",
        "execution_rate",
        "execution_score",
        "indicators",
        "indicator_total",
        "total",
        "grade",
        "findings",
    ]
    assert data["format"] == "selfeval-result/1" and data["rules"] == "national-2020@1"
    assert (data["execution_rate"], data["execution_score"], data["total"]) == (
        "84.26",
        "8.43",
        "98.43",
    )
    assert data["indicators"][0] == {"score": "10.00", "status": "met", "findings": []}
    assert set(data["findings"][0]) == {"code", "severity", "message", "indicator"}
    json.dumps(data)  # plain JSON: no Decimal left inside
