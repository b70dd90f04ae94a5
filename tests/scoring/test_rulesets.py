"""Rule sets load strictly: every problem names its file and key; every parameter its source."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from scoring.engine.rules import (
    DEFAULT_RULESET_ID,
    RULESETS_DIR,
    RuleSetError,
    list_rulesets,
    load_ruleset,
    override_ruleset,
)

NATIONAL = (RULESETS_DIR / "national-2020.v1.toml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "national-2020.v1.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_rule_set_has_a_version() -> None:
    keys = [r.key for r in list_rulesets()]
    assert keys == [
        "execution-caps-over-deduction@1",
        "legacy-20-80@1",
        "national-2020@1",
        "national-2021-cost-tree@1",
        "sichuan-2025@1",
        "transfer-payment@1",
        "weighted-share@1",
    ]


def test_the_default_is_national_2020_with_the_national_parameters() -> None:
    rules = load_ruleset()
    assert rules.id == DEFAULT_RULESET_ID == "national-2020"
    assert rules.execution_weight == 10 and rules.indicator_weight_total == 90
    assert dict(rules.level1_weights) == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert "成本指标" in rules.tree["产出指标"]
    assert rules.execution_denominator == "adjusted"
    assert rules.reverse_formula == "linear_to_zero_at_double"
    assert rules.over_achievement_ratio == Decimal("1.3")
    assert rules.over_achievement_deduction == 0
    assert rules.execution_caps == () and rules.execution_tiers == ()
    assert [(g.name, g.min) for g in rules.grades] == [
        ("优", 90),
        ("良", 80),
        ("中", 60),
        ("差", 0),
    ]
    assert dict(rules.qualitative_bands) == {
        "met": (80, 100),
        "partial": (60, 80),
        "missed": (0, 60),
    }


def test_the_2021_tree_makes_cost_a_first_level_indicator() -> None:
    rules = load_ruleset("national-2021-cost-tree")
    assert rules.tree["成本指标"] == ("经济成本指标", "社会成本指标", "生态环境成本指标")
    assert "成本指标" not in rules.tree["产出指标"]
    assert sum(rules.level1_weights.values()) == 90


def test_the_provincial_variant_caps_totals_and_deducts_two_points() -> None:
    rules = load_ruleset("execution-caps-over-deduction@1")
    assert [(c.min_rate, c.below, c.max_total) for c in rules.execution_caps] == [
        (70, 80, 89),
        (60, 70, 79),
        (50, 60, 69),
        (0, 50, 59),
    ]
    assert rules.over_achievement_deduction == 2


def test_every_parameter_names_its_policy_source() -> None:
    for rules in list_rulesets():
        # 21 required parameters, plus the optional ones a rule set states (_OPTIONAL_SPEC).
        assert len(rules.sources) >= 21, rules.key
        assert all(source.strip() for source in rules.sources.values()), rules.key
    assert "财预〔2020〕10号" in load_ruleset().sources["execution.weight"]


def test_loading_by_path_and_by_version(tmp_path: Path) -> None:
    assert load_ruleset("national-2020@1").key == "national-2020@1"
    assert load_ruleset(_write(tmp_path, NATIONAL)).key == "national-2020@1"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('weight = { value = 10,', 'wieght = { value = 10,'), "execution.wieght"),
        (('[checks]', '[checks]\nspeed = { value = 1, source = "x" }'), "checks.speed"),
        (('title = ', 'colour = "red"\ntitle = '), "colour"),
        (('value = "linear_to_zero_at_double"', 'value = "quadratic"'), "scoring.reverse_formula"),
        (('value = "adjusted"', 'value = "budget"'), "execution.denominator"),
        (('over_achievement_ratio = { value = 1.3', 'over_achievement_ratio = { value = -1'),
         "scoring.over_achievement_ratio"),
        (('weight_positive_required = { value = true', 'weight_positive_required = { value = 1'),
         "indicators.weight_positive_required"),
        (('"效益指标" = 30', '"效益指标" = 20'), "indicators.level1_weights"),
        (('missed = [0, 60]', 'missed = [60, 0]'), "scoring.qualitative_bands"),
        (('{ name = "差", code = "poor", min = 0 }', '{ name = "差", code = "poor", min = 10 }'),
         "grades.bands"),
        (('version = 1', 'version = 0'), "version"),
    ],
)  # fmt: skip
def test_bad_files_are_rejected_naming_file_and_key(tmp_path: Path, change, key) -> None:
    old, new = change
    assert old in NATIONAL
    path = _write(tmp_path, NATIONAL.replace(old, new, 1))
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert "national-2020.v1.toml" in message and key in message, message


def test_a_parameter_without_its_source_is_rejected(tmp_path: Path) -> None:
    text = NATIONAL.replace(
        'denominator = { value = "adjusted", source =',
        'denominator = { value = "adjusted", sauce =',
    )
    with pytest.raises(RuleSetError, match="execution.denominator"):
        load_ruleset(_write(tmp_path, text))


def test_a_file_whose_name_disagrees_with_its_id_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="文件名"):
        load_ruleset(_write(tmp_path, NATIONAL, "national-2020.v2.toml"))


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="national-2020.v1.toml"):
        load_ruleset(_write(tmp_path, NATIONAL + "\n[[["))


def test_unknown_rule_set_ids_are_refused() -> None:
    with pytest.raises(RuleSetError, match="未知的规则集"):
        load_ruleset("sichuan-2030")
    with pytest.raises(RuleSetError, match="版本"):
        load_ruleset("national-2020@9")


def test_overrides_are_checked_and_never_pass_for_the_published_version() -> None:
    rules = override_ruleset(load_ruleset(), {"scoring.reverse_formula": "ratio"})
    assert rules.reverse_formula == "ratio" and rules.key == "national-2020+changed@1"
    with pytest.raises(RuleSetError, match="scoring.reverse_formula"):
        override_ruleset(load_ruleset(), {"scoring.reverse_formula": "guess"})
    with pytest.raises(RuleSetError, match="scoring.colour"):
        override_ruleset(load_ruleset(), {"scoring.colour": "red"})


def test_the_reference_documents_every_parameter() -> None:
    reference = (RULESETS_DIR.parents[1] / "docs" / "rulesets.md").read_text(encoding="utf-8")
    for key in {k for rules in list_rulesets() for k in rules.sources}:
        assert f"`{key}`" in reference, key
    for rules in list_rulesets():
        assert f"`{rules.key}`" in reference, rules.key


# --- template rule sets and dated versions (issue 13 items 3 and 7) ------------------------------


def test_the_three_template_rule_sets_cite_their_sources_and_add_up_to_100() -> None:
    for key in ("legacy-20-80", "transfer-payment", "weighted-share"):
        rules = load_ruleset(key)
        assert rules.max_total == 100, key
        assert all(source.strip() for source in rules.sources.values()), key
    assert load_ruleset("legacy-20-80").execution_weight == 20
    assert load_ruleset("legacy-20-80").claimed_rate_fraction is True
    assert load_ruleset("transfer-payment").execution_weight == 0
    assert load_ruleset("weighted-share").weight_form == "share"


def test_older_files_leave_the_new_keys_out_and_keep_their_meaning() -> None:
    rules = load_ruleset("national-2020@1")
    assert (rules.claimed_rate_fraction, rules.weight_form, rules.in_force_from) == (
        False,
        "points",
        None,
    )
    assert "execution.claimed_rate_fraction" not in rules.sources


def _versions(tmp_path: Path, monkeypatch) -> None:
    """national-2020 v1 (from the start) and a v2 in force from 2025, in a scratch catalogue."""
    from scoring.engine import rules as rules_module

    text = NATIONAL
    (tmp_path / "national-2020.v1.toml").write_text(text, encoding="utf-8")
    v2 = text.replace("version = 1", "version = 2\nin_force_from = 2025", 1)
    v2 = v2.replace(
        "over_achievement_deduction = { value = 0,", "over_achievement_deduction = { value = 2,"
    )
    (tmp_path / "national-2020.v2.toml").write_text(v2, encoding="utf-8")
    monkeypatch.setattr(rules_module, "RULESETS_DIR", tmp_path)
    rules_module._in_force.cache_clear()


def test_a_year_is_scored_under_the_version_in_force_for_it(tmp_path, monkeypatch) -> None:
    from scoring.engine.rules import ruleset_in_force

    _versions(tmp_path, monkeypatch)
    try:
        assert ruleset_in_force("national-2020", 2024).key == "national-2020@1"
        assert ruleset_in_force("national-2020", 2025).key == "national-2020@2"
        assert ruleset_in_force("national-2020", 2030).key == "national-2020@2"
        assert ruleset_in_force("national-2020@1", 2030).key == "national-2020@1"
        assert load_ruleset("national-2020").key == "national-2020@2"  # no year: the latest
    finally:
        from scoring.engine import rules as rules_module

        rules_module._in_force.cache_clear()


def test_a_year_before_every_version_is_refused_by_name(tmp_path, monkeypatch) -> None:
    from scoring.engine.rules import ruleset_in_force

    _versions(tmp_path, monkeypatch)
    (tmp_path / "national-2020.v1.toml").unlink()
    try:
        with pytest.raises(RuleSetError, match="没有适用于 2024 年度的版本"):
            ruleset_in_force("national-2020", 2024)
    finally:
        from scoring.engine import rules as rules_module

        rules_module._in_force.cache_clear()


def test_in_force_from_must_be_a_year(tmp_path: Path) -> None:
    text = NATIONAL.replace("version = 1", 'version = 1\nin_force_from = "2025"', 1)
    path = tmp_path / "national-2020.v1.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError, match="in_force_from"):
        load_ruleset(path)


def test_an_execution_weight_of_zero_is_allowed_when_indicators_carry_100(tmp_path: Path) -> None:
    rules = load_ruleset("transfer-payment")
    assert rules.execution_weight + rules.indicator_weight_total == 100


# --- the [monitoring] table (issue 14; docs/monitoring.md) -----------------------------------------

SICHUAN = (RULESETS_DIR / "sichuan-2025.v1.toml").read_text(encoding="utf-8")


def test_a_rule_set_without_monitoring_means_domain_7_and_says_so() -> None:
    rules = load_ruleset("national-2020@1")
    m = rules.monitoring
    assert (m.execution_red_below, m.execution_yellow_below) == (60, 80)
    assert (m.indicator_red_below, m.indicator_yellow_below, m.indicator_blue_from) == (60, 80, 120)
    assert (m.time_progress, m.execution_floors, m.divergence_points) == ("completed_months", (), 0)
    assert all(
        rules.sources[k].startswith("domain.md §7") for k in rules.sources if "monitoring" in k
    )


def test_sichuan_2025_scores_as_national_and_adds_floors_and_divergence() -> None:
    national, sichuan = load_ruleset("national-2020"), load_ruleset("sichuan-2025")
    for attr in (
        "execution_weight",
        "execution_denominator",
        "level1_weights",
        "tree",
        "reverse_formula",
        "qualitative_bands",
        "grades",
        "text_limits",
    ):
        assert getattr(sichuan, attr) == getattr(national, attr), attr  # fmt: skip
    floors = [(f.month, f.min_rate) for f in sichuan.monitoring.execution_floors]
    assert floors == [(4, 25), (6, 40), (8, 60), (10, 80)]
    assert sichuan.monitoring.divergence_points == 10
    assert "川财绩〔2025〕10号（风格）" in sichuan.sources["monitoring.execution_floors"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("divergence_points = {", "divergance_points = {"), "monitoring.divergance_points"),
        (('value = "completed_months"', 'value = "weeks"'), "monitoring.time_progress"),
        (("{ month = 4, min_rate = 25 }", "{ month = 13, min_rate = 25 }"),
         "monitoring.execution_floors"),
        (("{ month = 4, min_rate = 25 }", "{ month = 6, min_rate = 25 }"),
         "monitoring.execution_floors"),
        (("execution_red_below = { value = 60", "execution_red_below = { value = 90"),
         "monitoring.execution_red_below"),
        (("indicator_blue_from = { value = 120", "indicator_blue_from = { value = 70"),
         "monitoring.indicator_yellow_below"),
        (("divergence_points = { value = 10, source", "divergence_points = { value = 10, sauce"),
         "monitoring.divergence_points"),
    ],
)  # fmt: skip
def test_bad_monitoring_parameters_are_rejected_naming_file_and_key(
    tmp_path: Path, change, key
) -> None:
    old, new = change
    assert old in SICHUAN
    path = _write(tmp_path, SICHUAN.replace(old, new, 1), "sichuan-2025.v1.toml")
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert "sichuan-2025.v1.toml" in message and key in message, message


def test_monitoring_overrides_are_checked() -> None:
    rules = override_ruleset(load_ruleset(), {"monitoring.divergence_points": 5})
    assert rules.monitoring.divergence_points == 5
    with pytest.raises(RuleSetError, match="monitoring.time_progress"):
        override_ruleset(load_ruleset(), {"monitoring.time_progress": "weeks"})
