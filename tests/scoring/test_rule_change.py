"""Changing a region's rule set in the admin: only published rule sets can be picked, and the
region's open filings are re-scored by a background task under the new rules."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from projects.importer import import_file
from projects.models import Evaluation, EvaluationStatus, Region
from scoring.services import score_evaluation

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

pytestmark = pytest.mark.django_db


@pytest.fixture
def rent():
    """Seed 000, 厂房租赁费用: executed 1,947,970 of 3,495,195 (55.73 %), published total 95.57."""
    evaluation = import_file(FIXTURES / "seed000-kfq-2024-09-factory-rent.json")
    score_evaluation(evaluation)
    return evaluation


def _change(client, region, rule_set_id, years=()):
    """Post the region's admin form: its own rule set and, inline, its rule sets by year
    (`years`: (effective_from_year, rule_set_id) pairs, all new)."""
    url = reverse("admin:projects_region_change", args=[region.pk])
    data = {
        "name": region.name,
        "code": region.code,
        "finance_bureau": region.finance_bureau,
        "rule_set_id": rule_set_id,
        "table_variant": region.table_variant,
        "rule_set_years-TOTAL_FORMS": str(len(years)),
        "rule_set_years-INITIAL_FORMS": "0",
        "rule_set_years-MIN_NUM_FORMS": "0",
        "rule_set_years-MAX_NUM_FORMS": "1000",
    }
    for i, (year, rule_set) in enumerate(years):
        data[f"rule_set_years-{i}-effective_from_year"] = str(year)
        data[f"rule_set_years-{i}-rule_set_id"] = rule_set
        data[f"rule_set_years-{i}-region"] = str(region.pk)
    return client.post(url, data, follow=True)


def test_a_new_rule_set_rescores_open_filings_and_spares_approved_ones(
    admin_client, rent, django_capture_on_commit_callbacks
):
    region = rent.project.unit.department.region
    approved = import_file(FIXTURES / "seed000-kfq-2024-01-car-purchase.json")
    score_evaluation(approved)
    Evaluation.objects.filter(pk=approved.pk).update(status=EvaluationStatus.APPROVED)
    approved.refresh_from_db()
    assert Evaluation.objects.get(pk=rent.pk).computed_total == Decimal("95.57")

    with django_capture_on_commit_callbacks(execute=True):
        page = _change(admin_client, region, "execution-caps-over-deduction")

    assert "已排队重新评分 2024 年度的未审定自评" in page.content.decode()
    rent.refresh_from_db()
    # docs/rulesets.md: an execution rate in [50, 60) caps the total at 69.
    assert rent.computed_total == Decimal("69.00")
    assert rent.rule_set_id == "execution-caps-over-deduction"
    kept = Evaluation.objects.get(pk=approved.pk)
    assert (kept.computed_total, kept.rule_set_id) == (approved.computed_total, "national-2020")


def test_an_unpublished_rule_set_is_refused_at_the_field(admin_client, rent):
    region = rent.project.unit.department.region
    html = _change(admin_client, region, "national-2099").content.decode()
    error = html[html.index('id="id_rule_set_id_error"') :]
    assert "national-2099 不在可用的选项中" in error[: error.index("</ul>")]
    assert Region.objects.get(pk=region.pk).rule_set_id == "national-2020"
    assert Evaluation.objects.get(pk=rent.pk).computed_total == Decimal("95.57")


def test_the_picker_lists_every_published_rule_set(admin_client, rent):
    region = rent.project.unit.department.region
    page = admin_client.get(reverse("admin:projects_region_change", args=[region.pk]))
    html = page.content.decode()
    for key in ("national-2020@1", "national-2021-cost-tree@1", "execution-caps-over-deduction@1"):
        assert key in html


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_runs_the_queued_recompute(admin_client, settings, monkeypatch):
    """Production's backend: the admin request only queues; a db_worker pass re-scores, one
    chunk at a time, the worker holding no transaction."""
    import io

    from django.core.management import call_command

    from scoring import recompute as recompute_module

    monkeypatch.setattr(recompute_module, "_CHUNK", 1)  # two filings: two chunks
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    rent = import_file(FIXTURES / "seed000-kfq-2024-09-factory-rent.json")
    car = import_file(FIXTURES / "seed000-kfq-2024-01-car-purchase.json")
    region = rent.project.unit.department.region

    _change(admin_client, region, "execution-caps-over-deduction")
    assert Evaluation.objects.get(pk=rent.pk).computed_total is None  # queued, not yet run
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())

    rent.refresh_from_db()
    car.refresh_from_db()
    # 55.73 % caps 厂房租赁费用 at 69 (docs/rulesets.md); 采购公务用车 (97.76 %) keeps 99.78.
    assert (rent.computed_total, car.computed_total) == (Decimal("69.00"), Decimal("99.78"))
    assert {rent.rule_set_id, car.rule_set_id} == {"execution-caps-over-deduction"}


# --- rules by year (issue 13 item 7) ------------------------------------------------------------


def _move_to_year(evaluation, year: int) -> None:
    """The same filing as if for another evaluation year (its project's year too)."""
    Evaluation.objects.filter(pk=evaluation.pk).update(year=year)
    type(evaluation.project).objects.filter(pk=evaluation.project_id).update(year=year)
    evaluation.refresh_from_db()


def test_changing_a_regions_rule_set_for_2025_leaves_its_2024_filings_unchanged(
    admin_client, django_capture_on_commit_callbacks
):
    # 厂房租赁费用 (55.73 %) as a 2025 filing; 采购公务用车 stays a 2024 one.
    later = import_file(FIXTURES / "seed000-kfq-2024-09-factory-rent.json")
    _move_to_year(later, 2025)
    earlier = import_file(FIXTURES / "seed000-kfq-2024-01-car-purchase.json")
    score_evaluation(later)
    score_evaluation(earlier)
    region = earlier.project.unit.department.region
    before = Evaluation.objects.get(pk=earlier.pk)
    assert (before.computed_total, before.rule_set_id) == (Decimal("99.78"), "national-2020")

    with django_capture_on_commit_callbacks(execute=True):
        page = _change(
            admin_client, region, "national-2020", years=[(2025, "execution-caps-over-deduction")]
        )

    assert "已排队重新评分 2025 年度的未审定自评" in page.content.decode()
    kept = Evaluation.objects.get(pk=earlier.pk)
    assert (kept.computed_total, kept.rule_set_id, kept.scored_at) == (
        before.computed_total,
        "national-2020",
        before.scored_at,
    )
    later.refresh_from_db()
    # docs/rulesets.md: an execution rate in [50, 60) caps the total at 69.
    assert (later.computed_total, later.rule_set_id) == (
        Decimal("69.00"),
        "execution-caps-over-deduction",
    )
    # Scoring the 2024 filing again, as a filer's save does, keeps the rules of 2024.
    score_evaluation(kept)
    kept.refresh_from_db()
    assert (kept.computed_total, kept.rule_set_id) == (Decimal("99.78"), "national-2020")


def test_a_year_entry_applies_from_its_year_until_the_next(rent):
    from projects.models.org import RegionRuleSet
    from scoring.services import rule_set_for

    region = rent.project.unit.department.region
    RegionRuleSet.objects.create(
        region=region, effective_from_year=2025, rule_set_id="legacy-20-80"
    )
    RegionRuleSet.objects.create(
        region=region, effective_from_year=2027, rule_set_id="transfer-payment@1"
    )
    evaluation = Evaluation.objects.get(pk=rent.pk)  # a fresh instance reads the new entries
    keys = {}
    for year in (2023, 2024, 2025, 2026, 2027, 2030):
        evaluation.year = year
        keys[year] = rule_set_for(evaluation).key
    assert keys == {
        2023: "national-2020@1",  # before every entry: the region's own setting
        2024: "national-2020@1",
        2025: "legacy-20-80@1",
        2026: "legacy-20-80@1",
        2027: "transfer-payment@1",
        2030: "transfer-payment@1",
    }


def test_an_unpublished_rule_set_is_refused_in_the_year_entries(admin_client, rent):
    from projects.models.org import RegionRuleSet

    region = rent.project.unit.department.region
    html = _change(admin_client, region, "national-2020", years=[(2025, "national-2099")]).content
    assert "national-2099 不在可用的选项中" in html.decode()
    assert not RegionRuleSet.objects.filter(region=region).exists()
    assert Evaluation.objects.get(pk=rent.pk).computed_total == Decimal("95.57")


@pytest.fixture
def dated_versions(tmp_path, monkeypatch):
    """The shipped rule sets plus national-2020 v2, in force from 2025, which caps the total by
    the execution rate: a new version deployed into a scratch catalogue."""
    import re
    import shutil

    from scoring import rows
    from scoring.engine import rules as rules_module

    for path in rules_module.RULESETS_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    caps = (rules_module.RULESETS_DIR / "execution-caps-over-deduction.v1.toml").read_text(
        encoding="utf-8"
    )
    caps_line = next(line for line in caps.splitlines() if line.startswith("caps = "))
    v2 = (tmp_path / "national-2020.v1.toml").read_text(encoding="utf-8")
    v2 = v2.replace("version = 1", "version = 2\nin_force_from = 2025", 1)
    v2 = re.sub(r"^caps = .*$", lambda _: caps_line, v2, count=1, flags=re.M)
    monkeypatch.setattr(rules_module, "RULESETS_DIR", tmp_path)
    rules_module._in_force.cache_clear()
    yield tmp_path / "national-2020.v2.toml", v2
    rules_module._in_force.cache_clear()
    rows._RULESETS.clear()


def test_publishing_a_new_version_never_moves_earlier_years_and_queues_the_years_it_moves(
    dated_versions, django_capture_on_commit_callbacks
):
    from scoring.engine import rules as rules_module
    from scoring.recompute import queue_stale_recomputes, stale_region_years

    path, text = dated_versions
    earlier = import_file(FIXTURES / "seed000-kfq-2024-09-factory-rent.json")
    later = import_file(FIXTURES / "seed000-kfq-2024-01-car-purchase.json")
    _move_to_year(later, 2025)
    Evaluation.objects.filter(pk=later.pk).update(year=2025)
    score_evaluation(earlier)
    score_evaluation(later)
    assert stale_region_years() == {}

    path.write_text(text, encoding="utf-8")  # deploy national-2020 v2, in force from 2025
    rules_module._in_force.cache_clear()
    region = earlier.project.unit.department.region
    assert stale_region_years() == {region.pk: [2025]}

    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_stale_recomputes()
    assert queued == {region.pk: [2025]}
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert (earlier.rule_set_version, earlier.computed_total) == (1, Decimal("95.57"))
    assert later.rule_set_version == 2  # re-scored under the version now in force for 2025
    assert stale_region_years() == {}


def test_the_review_page_names_the_rule_set_and_version_that_scored_the_filing(admin_client, rent):
    html = admin_client.get(reverse("review:evaluation_detail", args=[rent.pk])).content.decode()
    assert "评分规则：全国通用（2020年）第1版" in html


def test_the_deploy_command_queues_only_the_moved_years(
    dated_versions, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command

    from scoring.engine import rules as rules_module

    path, text = dated_versions
    later = import_file(FIXTURES / "seed000-kfq-2024-09-factory-rent.json")
    _move_to_year(later, 2025)
    score_evaluation(later)
    out = io.StringIO()
    call_command("queue_stale_recomputes", stdout=out)
    assert "无需重新评分" in out.getvalue()

    path.write_text(text, encoding="utf-8")
    rules_module._in_force.cache_clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("queue_stale_recomputes", stdout=out)
    region = later.project.unit.department.region
    assert f"{region.name}：已排队重新评分 2025 年度" in out.getvalue()
    later.refresh_from_db()
    # national-2020 v2 caps a 55.73 % execution rate at 69 (as execution-caps-over-deduction).
    assert (later.rule_set_version, later.computed_total) == (2, Decimal("69.00"))
