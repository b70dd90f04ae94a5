"""`python -m scoring` as a person runs it: from the repo root, without Django settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(__file__).parent / "examples" / "xiangshan-2023-business-env.json"
FIXTURES = sorted((ROOT / "fixtures").glob("*.json"))


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "scoring", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_scoring_the_example_prints_a_result_object() -> None:
    done = _run("score", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["format"] == "selfeval-result/1"
    assert (result["rules"], result["execution_rate"], result["total"], result["grade"]) == (
        "national-2020@1",
        "84.26",
        "98.43",
        "优",
    )
    assert "服务企业满意度" not in done.stdout  # results speak in row indices, not names
    assert "填报的执行率" in done.stdout  # ensure_ascii=False: Chinese printed as is


def test_another_rule_set_can_be_chosen() -> None:
    done = _run("score", str(EXAMPLE), "--rules", "execution-caps-over-deduction")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rules"] == "execution-caps-over-deduction@1"


@pytest.mark.skipif(not FIXTURES, reason="no fixtures in this checkout")
def test_every_fixture_scores() -> None:
    for path in FIXTURES:
        done = _run("score", str(path))
        assert done.returncode == 0, f"{path.name}: {done.stderr}"
        assert json.loads(done.stdout)["format"] == "selfeval-result/1", path.name


def test_rules_lists_every_rule_set_with_its_version() -> None:
    done = _run("rules")
    assert done.returncode == 0
    lines = done.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == [
        "execution-caps-over-deduction@1",
        "legacy-20-80@1",
        "national-2020@1",
        "national-2021-cost-tree@1",
        "sichuan-2025@1",
        "transfer-payment@1",
        "weighted-share@1",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "文件不存在"),
        ('{"format": "selfeval/1",', "JSON"),
        ("[]", "应为对象"),
        ('{"format": "selfeval/1"}', "kind"),
    ],
)
def test_unreadable_input_exits_2_with_a_message(tmp_path: Path, content, expected) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    done = _run("score", str(path))
    assert done.returncode == 2
    assert "bad.json" in done.stderr and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_bad_amount_is_named_by_its_key(tmp_path: Path) -> None:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["funds"][1]["executed"] = "abc"
    path = tmp_path / "amount.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    done = _run("score", str(path))
    assert done.returncode == 2
    assert "funds[1].executed" in done.stderr and "abc" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_rule_set_exits_2() -> None:
    done = _run("score", str(EXAMPLE), "--rules", "nowhere-2030")
    assert done.returncode == 2 and "nowhere-2030" in done.stderr


def test_usage_errors_exit_2() -> None:
    done = _run("grade")
    assert done.returncode == 2 and "Traceback" not in done.stderr
