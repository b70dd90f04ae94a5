"""The selfeval/1 reader validates exactly, names the key at fault, and keeps what was printed."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine.document import (
    DocumentError,
    detect_ruleset,
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


# --- templates (issue 13 item 3): the reader names the rule set a table's layout shows ---------


def _template(total: dict, weights: list[str], **row) -> dict:
    rows = [
        {"level1": "产出指标", "level2": "数量指标", "name": f"指标{i}", "target": "≥1个",
         "actual": "1个", "weight": weight, **row}
        for i, weight in enumerate(weights)
    ]  # fmt: skip
    return _with(funds=[{"source": "total", "adjusted": "100", "executed": "100", **total}],
                 indicators=rows)  # fmt: skip


def test_an_execution_weight_of_20_is_the_old_20_80_form() -> None:
    doc = read_document(_template({"weight": "20", "claimed_rate": "1"}, ["40", "30", "10"]))
    assert detect_ruleset(doc) == "legacy-20-80"


def test_percentage_weights_of_100_without_execution_points_are_a_transfer_payment_table() -> None:
    doc = read_document(_template({}, ["60%", "30%", "10%"]))
    assert detect_ruleset(doc) == "transfer-payment"


def test_percentage_weights_beside_execution_points_are_not_a_transfer_payment_table() -> None:
    doc = read_document(_template({"weight": "10"}, ["50%", "30%", "10%"]))
    assert detect_ruleset(doc) is None


def test_an_item_score_column_is_the_weighted_form() -> None:
    doc = read_document(_template({"weight": "10"}, ["0.5", "0.3", "0.1"], item_score="90"))
    assert detect_ruleset(doc) == "weighted-share"
    # 单项得分 × 权重占比 = 折算得分: 90 × 0.5 = 45 is the row's claimed score.
    assert document_to_input(doc).indicators[0].claimed_score == "45.0"


def test_a_weight_printed_as_a_percent_is_a_share_of_the_item_score() -> None:
    doc = read_document(_template({"weight": "10"}, ["20%"], item_score="80"))
    assert Decimal(document_to_input(doc).indicators[0].claimed_score) == 16


def test_the_national_layout_is_not_recognised_so_the_region_decides() -> None:
    doc = read_document(_template({"weight": "10"}, ["50", "30", "10"]))
    assert detect_ruleset(doc) is None
    assert detect_ruleset(read_document(MINIMAL)) is None


def test_the_command_line_scores_a_detected_template_under_its_rule_set(tmp_path: Path) -> None:
    from scoring.__main__ import main

    doc = _template({}, ["60%", "30%", "10%"])
    doc["indicators"][1]["level1"] = "效益指标"
    doc["indicators"][1]["level2"] = "社会效益指标"
    doc["indicators"][2]["level1"] = "满意度指标"
    doc["indicators"][2]["level2"] = "服务对象满意度指标"
    path = tmp_path / "transfer.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["score", str(path)]) == 0
    result = json.loads(out.getvalue())
    assert (result["rules"], result["total"], result["grade"]) == (
        "transfer-payment@1",
        "100.00",
        "优",
    )


# --- monitoring keys (docs/monitoring.md) -------------------------------------------------------


def _monitoring_document(**row: object) -> dict:
    data = copy.deepcopy(MINIMAL)
    data["monitoring"] = {"as_of": "2024-06-30"}
    data["indicators"][0].update(row)
    return data


def test_the_monitoring_keys_read_as_their_codes() -> None:
    from scoring.engine.document import document_to_monitoring_input

    doc = read_document(
        _monitoring_document(
            midyear_actual="2600㎡", likelihood="有可能", likelihood_reason="招商放缓",
            measures="加大宣传", achievement="部分达成",
        )
    )  # fmt: skip
    row = document_to_monitoring_input(doc).indicators[0]
    assert (row.value, row.likelihood, row.achievement) == ("2600㎡", "possible", "partial")
    assert (row.likelihood_reason, row.measures) == ("招商放缓", "加大宣传")
    assert str(document_to_monitoring_input(doc).as_of) == "2024-06-30"


def test_a_stated_achievement_picks_the_band_when_scoring_too() -> None:
    data = copy.deepcopy(MINIMAL)
    data["indicators"][0].update(target="有效提升", actual="持续推进", achievement="未达成")
    assert document_to_input(read_document(data)).indicators[0].achievement == "missed"


def test_a_document_without_monitoring_cannot_be_monitored() -> None:
    from scoring.engine.document import document_to_monitoring_input

    with pytest.raises(DocumentError) as caught:
        document_to_monitoring_input(read_document(copy.deepcopy(MINIMAL)))
    assert caught.value.path == "monitoring"
