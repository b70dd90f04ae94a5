"""`python -m scoring monitor` as a person runs it: the lights of a document as of 30 June."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.__main__ import main

ROOT = Path(__file__).resolve().parents[2]

# As of 30 June 2024 (time progress 6/12 = 50 %): 450,000 of 1,000,000 executed = 45 %,
# execution progress 45 / 50 = 90 % → green.
DOCUMENT = {
    "format": "selfeval/1",
    "kind": "project",
    "year": 2024,
    "department": {"name": "区商务局", "code": None},
    "project": {"name": "营商环境提升", "code": None},
    "money_unit": "元",
    "monitoring": {"as_of": "2024-06-30"},
    "funds": [{"source": "total", "initial": "800,000", "adjusted": "1,000,000",
               "executed": "450,000"}],
    "indicators": [
        # 60 of ≥100次 against 100 × 50 % = 50 expected: 120 % → blue; 有可能 with no reason.
        {"level1": "产出指标", "level2": "数量指标", "name": "培训场次", "target": "≥100次",
         "weight": "20", "midyear_actual": "60次", "likelihood": "有可能",
         "measures": "下半年加密场次"},
        # A pass rate, not prorated: 96 % against ≥95 % → green.
        {"level1": "产出指标", "level2": "质量指标", "name": "验收合格率", "target": "≥95%",
         "weight": "20", "midyear_actual": "96%", "likelihood": "确定能"},
        # Qualitative, 部分达成 → yellow: the project's light is yellow.
        {"level1": "效益指标", "level2": "社会效益指标", "name": "企业满意程度", "target": "有效提升",
         "weight": "30", "midyear_actual": "正在推进", "achievement": "部分达成",
         "likelihood": "certain"},
    ],
}  # fmt: skip


def _write(tmp_path: Path, document: dict, name: str = "monitor.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _monitor(capsys, *argv: str) -> tuple[int, dict | None, str]:
    status = main(["monitor", *argv])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if out else None), err


def test_the_lights_of_a_document_as_of_30_june(tmp_path: Path, capsys) -> None:
    status, out, _ = _monitor(capsys, str(_write(tmp_path, DOCUMENT)))
    assert status == 0
    assert out["format"] == "selfeval-monitoring/1"
    assert out["rules"] == "national-2020@1"
    assert (out["as_of"], out["time_progress"]) == ("2024-06-30", "50.00")
    assert (out["execution_rate"], out["execution_progress"], out["execution_light"]) == (
        "45.00",
        "90.00",
        "green",
    )
    assert [(r["index"], r["name"], r["light"], r["basis"]) for r in out["indicators"]] == [
        (0, "培训场次", "blue", "prorated"),
        (1, "验收合格率", "green", "within_target"),
        (2, "企业满意程度", "yellow", "qualitative"),
    ]
    first = out["indicators"][0]
    assert (first["progress"], first["expected"], first["likelihood"]) == (
        "120.00",
        "50.00",
        "possible",
    )
    assert out["indicators"][1]["progress"] == "101.05"  # 96 / 95, not prorated
    assert out["light"] == "yellow"


def test_possible_without_a_reason_is_an_error_on_its_row(tmp_path: Path, capsys) -> None:
    _, out, _ = _monitor(capsys, str(_write(tmp_path, DOCUMENT)))
    assert [(f["code"], f["severity"], f["indicator"]) for f in out["findings"]] == [
        ("likelihood_reason_missing", "error", 0)
    ]
    assert "有可能" in out["findings"][0]["message"]
    assert "培训场次" in out["findings"][0]["message"]


def test_the_rules_option_applies_the_sichuan_checks(tmp_path: Path, capsys) -> None:
    # 60 / 100 = 60 % of the target done against 45 % of the budget: 15 points > 10.
    status, out, _ = _monitor(capsys, str(_write(tmp_path, DOCUMENT)), "--rules", "sichuan-2025")
    assert status == 0 and out["rules"] == "sichuan-2025@1"
    codes = [(f["code"], f["indicator"]) for f in out["findings"]]
    assert ("progress_diverges", 0) in codes
    assert out["execution_light"] == "green"  # 45 % is above the June floor of 40 %


def test_the_command_runs_as_a_module(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-m", "scoring", "monitor", str(_write(tmp_path, DOCUMENT))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["format"], out["light"]) == ("selfeval-monitoring/1", "yellow")
    assert "须说明原因" in done.stdout  # Chinese printed as is


def _without_monitoring() -> dict:
    return {k: v for k, v in DOCUMENT.items() if k != "monitoring"}


def _with(path: tuple, value: object) -> dict:
    document = json.loads(json.dumps(DOCUMENT))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (None, "文件不存在"),
        ("{", "JSON"),
        (_without_monitoring(), "monitoring"),
        (_with(("monitoring", "as_of"), "2024-6-30"), "monitoring.as_of"),
        (_with(("monitoring", "as_of"), "2023-06-30"), "不在 2024 年度内"),
        (_with(("indicators", 0, "likelihood"), "大概"), "indicators[0].likelihood"),
        (_with(("indicators", 2, "achievement"), "差不多"), "indicators[2].achievement"),
    ],
)
def test_unreadable_input_exits_2_with_a_chinese_message(
    tmp_path: Path, capsys, document, expected
) -> None:
    path = tmp_path / "bad.json"
    if isinstance(document, dict):
        _write(tmp_path, document, "bad.json")
    elif document is not None:
        path.write_text(document, encoding="utf-8")
    status, out, err = _monitor(capsys, str(path))
    assert status == 2 and out is None
    assert "bad.json" in err and expected in err, err


def test_an_unknown_rule_set_exits_2(tmp_path: Path, capsys) -> None:
    status, out, err = _monitor(capsys, str(_write(tmp_path, DOCUMENT)), "--rules", "nowhere")
    assert status == 2 and out is None and "nowhere" in err
