"""`manage.py recompute_scores`: re-scores a region's year, optionally under a new rule set, and
refuses an unknown region or rule set in Chinese without touching anything."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from projects.importer import import_file
from projects.models import Evaluation, Region

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

pytestmark = pytest.mark.django_db


@pytest.fixture
def rent():
    """Seed 000, 厂房租赁费用: executed 1,947,970 of 3,495,195 (55.73 %), published total 95.57."""
    return import_file(FIXTURES / "seed000-kfq-2024-09-factory-rent.json")


def _run(*args) -> str:
    out = StringIO()
    call_command("recompute_scores", *args, stdout=out)
    return out.getvalue()


def test_recompute_scores_the_region_year(rent):
    region = rent.project.unit.department.region
    output = _run("--region", region.code, "--year", "2024")
    rent.refresh_from_db()
    assert rent.computed_total == Decimal("95.57")
    assert rent.rule_set_id == "national-2020"
    assert "已重新评分 1 个自评" in output


def test_a_new_rule_set_caps_the_total_by_the_execution_rate(rent):
    region = rent.project.unit.department.region
    _run("--region", region.code, "--year", "2024", "--rules", "execution-caps-over-deduction")
    rent.refresh_from_db()
    # docs/rulesets.md: an execution rate in [50, 60) caps the total at 69.
    assert rent.computed_total == Decimal("69.00")
    assert rent.rule_set_id == "execution-caps-over-deduction"
    assert Region.objects.get(pk=region.pk).rule_set_id == "execution-caps-over-deduction"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "NOWHERE", "--year", "2024"], "没有地区代码为 NOWHERE 的地区"),
        (["--year", "2024", "--rules", "provincial-9999"], "provincial-9999"),
        (["--year", "2024", "--rules", "/tmp/rules.toml"], "不能是文件路径"),
    ],
)
def test_refusals_name_the_fault_and_change_nothing(rent, args, message):
    region = rent.project.unit.department.region
    if "--region" not in args:
        args = ["--region", region.code, *args]
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert Region.objects.get(pk=region.pk).rule_set_id == "national-2020"
    assert Evaluation.objects.get(pk=rent.pk).scored_at is None
