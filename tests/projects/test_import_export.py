"""selfeval/1 import and export: errors name the file and the key, bad files change nothing,
and importing then exporting gives back the same figures."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from projects.exporter import export_document
from projects.importer import ImportFailed, import_file
from projects.models import Evaluation, FundLine, Indicator, Project, Region

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT.parent / "shared" / "formats" / "examples").glob("*.json"))
FIXTURES = sorted((ROOT / "fixtures").glob("*.json"))
EXAMPLE = ROOT.parent / "shared" / "formats" / "examples" / "xiangshan-2023-business-env.json"

pytestmark = pytest.mark.django_db


def _example() -> dict:
    if EXAMPLE.exists():
        return json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return json.loads(
        (ROOT / "fixtures" / "seed001-xiangshan-govoffice-2023-business-env.json").read_text(
            encoding="utf-8"
        )
    )


def _write(tmp_path, name, document) -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def _counts():
    return (
        Region.objects.count(),
        Project.objects.count(),
        FundLine.objects.count(),
        Indicator.objects.count(),
        Evaluation.objects.count(),
    )


def _amount(text):
    if text is None:
        return None
    return Decimal(text.replace(",", "").replace("%", "").strip())


def _comparable(document: dict) -> dict:
    """The figures a round trip must keep: funds as amounts, goal, indicators, claimed figures."""
    funds = {
        row["source"]: tuple(_amount(row.get(key)) for key in ("initial", "adjusted", "executed"))
        for row in document["funds"]
    }
    indicators = [
        (
            row["level1"],
            row.get("level2"),
            row["name"],
            row.get("target"),
            row.get("actual"),
            _amount(row.get("weight")),
            _amount(row.get("claimed_score")),
            row.get("deviation"),
        )
        for row in document["indicators"]
    ]
    claimed = document.get("claimed") or {}
    return {
        "funds": {k: v for k, v in funds.items() if any(x is not None for x in v)},
        "goal": document.get("goal") or {"expected": None, "actual": None},
        "indicators": indicators,
        "claimed": tuple(
            _amount(claimed.get(k)) for k in ("execution_score", "indicator_total", "total")
        )
        + (claimed.get("grade"),),
        "fund_claims": {
            row["source"]: (_amount(row.get("claimed_rate")), _amount(row.get("claimed_score")))
            for row in document["funds"]
        },
    }


@pytest.mark.parametrize("path", EXAMPLES + FIXTURES, ids=lambda p: p.name)
def test_round_trip_keeps_every_figure(path):
    original = json.loads(path.read_text(encoding="utf-8"))
    evaluation = import_file(path)
    exported = export_document(evaluation)
    assert _comparable(exported) == _comparable(original)
    assert exported["kind"] == original["kind"]
    assert exported["year"] == original["year"]


def test_importing_twice_updates_instead_of_duplicating(tmp_path):
    path = _write(tmp_path, "a.json", _example())
    import_file(path)
    first = _counts()
    import_file(path)
    assert _counts() == first


def test_business_env_example_is_stored_in_yuan():
    business = ROOT / "fixtures" / "seed001-xiangshan-govoffice-2023-business-env.json"
    evaluation = import_file(EXAMPLE if EXAMPLE.exists() else business)
    total = evaluation.project.fund_lines.get(source="total")
    assert total.adjusted == Decimal("460000")
    assert total.executed == Decimal("387600")


BAD_CASES = [
    ("malformed.json", '{"format": "selfeval/1", ', "JSON"),
    ("unknown_key.json", {"colour": "red"}, "colour"),
    ("wrong_type.json", {"year": "2023"}, "year"),
    ("bad_source.json", "bad_source", "funds[1].source"),
    ("bad_amount.json", "bad_amount", "funds[1].executed"),
]


def _bad_document(kind):
    document = _example()
    if kind == "bad_source":
        document["funds"][1]["source"] = "lottery"
    elif kind == "bad_amount":
        document["funds"][1]["executed"] = "三十八点七六"
    return document


@pytest.mark.parametrize("name,change,key", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_file_is_refused_naming_file_and_key_and_changes_nothing(tmp_path, name, change, key):
    if isinstance(change, dict):
        document = _example()
        document.update(change)
        path = _write(tmp_path, name, document)
    elif change in ("bad_source", "bad_amount"):
        path = _write(tmp_path, name, _bad_document(change))
    else:
        path = _write(tmp_path, name, change)
    before = _counts()
    with pytest.raises(ImportFailed) as excinfo:
        import_file(path)
    message = str(excinfo.value)
    assert name in message
    assert key in message
    assert _counts() == before


def test_second_project_with_the_same_code_is_refused(tmp_path):
    first = _example()
    first["project"] = {"name": "区创优营商环境服务中心工作经费", "code": "XS-001"}
    import_file(_write(tmp_path, "first.json", first))
    second = _example()
    second["project"] = {"name": "另一个项目", "code": "XS-001"}
    before = _counts()
    with pytest.raises(ImportFailed) as excinfo:
        import_file(_write(tmp_path, "second.json", second))
    assert "second.json" in str(excinfo.value)
    assert "XS-001" in str(excinfo.value)
    assert _counts() == before


def test_failure_in_the_middle_of_a_file_rolls_back_everything(tmp_path):
    document = _example()
    # The last indicator carries a weight the database refuses after the rows before it were saved.
    document["indicators"][-1]["weight"] = "-10"
    before = _counts()
    with pytest.raises(ImportFailed) as excinfo:
        import_file(_write(tmp_path, "negative.json", document))
    assert "indicators[5].weight" in str(excinfo.value)
    assert _counts() == before


def test_command_imports_good_files_and_reports_bad_ones(tmp_path, capsys):
    good = _write(tmp_path, "good.json", _example())
    bad = _write(tmp_path, "bad.json", "not json")
    with pytest.raises(CommandError):
        call_command("import_selfeval", str(good), str(bad))
    assert Evaluation.objects.count() == 1
    assert "bad.json" in capsys.readouterr().err


def test_export_command_writes_one_document_per_evaluation(tmp_path):
    for path in FIXTURES[:3]:
        import_file(path)
    years = {json.loads(p.read_text(encoding="utf-8"))["year"] for p in FIXTURES[:3]}
    out = tmp_path / "out"
    for year in years:
        call_command("export_selfeval", "--year", str(year), "--out", str(out))
    files = list(out.glob("*.json"))
    assert len(files) == Evaluation.objects.count()
    for file in files:
        assert json.loads(file.read_text(encoding="utf-8"))["format"] == "selfeval/1"


def test_a_table_in_another_template_waits_for_the_years_rule_set(tmp_path):
    """Issue 13: a 20/80 table read under the national rules would be scored wrongly; the import
    says so and saves nothing until the finance bureau sets that year's rule set."""
    from projects.models.org import RegionRuleSet

    document = _example()
    document["funds"][0]["weight"] = "20"  # the old 20/80 form: execution worth 20 points
    region = Region.objects.create(name=document["region"], code="340603")
    before = _counts()
    with pytest.raises(ImportFailed) as excinfo:
        import_file(_write(tmp_path, "old-form.json", document))
    message = str(excinfo.value)
    assert "old-form.json" in message and "请财政局先为该年度设定" in message
    assert "legacy" not in message and "national" not in message  # rule sets named in words
    assert _counts() == before
    RegionRuleSet.objects.create(
        region=region, effective_from_year=document["year"], rule_set_id="legacy-20-80"
    )
    from scoring.services import score_evaluation

    evaluation = import_file(_write(tmp_path, "old-form.json", document))
    score_evaluation(evaluation)
    evaluation.refresh_from_db()
    assert evaluation.rule_set_id.startswith("legacy-20-80")
