"""A region that monitors under the Sichuan-style rule set gets its month-end floors; the same
figures under the national default follow domain.md §7. Figures by hand from the rule sets."""

from __future__ import annotations

from projects.models import MonitoringReport
from projects.models.org import RegionRuleSet
from tests.projects.monitoring.conftest import fill


def _codes(report: MonitoringReport) -> set[str]:
    return {f["code"] for f in report.result["findings"]}


def test_the_national_default_lights_35_percent_at_mid_year_yellow(world):
    # 350,000 of 1,000,000 = 35.00% executed; ÷ 50.00% time progress = 70% → yellow (60–80).
    report = fill(world, executed="350000", value="500件", likelihood="certain")
    assert report.execution_light == "yellow"
    assert "execution_below_floor" not in _codes(report)


def test_the_sichuan_style_rule_set_lights_it_red_below_the_june_floor(world):
    # 川财绩〔2025〕10号 style: at the end of June the rate must be at least 40%; 35% is below.
    RegionRuleSet.objects.create(
        region=world["p"].region, effective_from_year=2024, rule_set_id="sichuan-2025"
    )
    report = fill(world, executed="350000", value="500件", likelihood="certain")
    assert report.execution_light == "red"
    assert report.rule_set_id == "sichuan-2025"
    assert "execution_below_floor" in _codes(report)


def test_the_sichuan_style_rule_set_warns_where_target_and_budget_progress_diverge(world):
    RegionRuleSet.objects.create(
        region=world["p"].region, effective_from_year=2024, rule_set_id="sichuan-2025"
    )
    # 450,000 = 45.00% executed; 500件 of ≥1000件 = 50% target progress: 5 points apart, quiet.
    quiet = fill(world, executed="450000", value="500件", likelihood="certain")
    assert "progress_diverges" not in _codes(quiet)
    # 800件 = 80% target progress against 45% budget progress: 35 points apart (> 10).
    loud = fill(world, executed="450000", value="800件", likelihood="certain")
    assert "progress_diverges" in _codes(loud)
