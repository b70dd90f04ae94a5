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


def _change(client, region, rule_set_id):
    url = reverse("admin:projects_region_change", args=[region.pk])
    return client.post(
        url,
        {
            "name": region.name,
            "code": region.code,
            "finance_bureau": region.finance_bureau,
            "rule_set_id": rule_set_id,
            "table_variant": region.table_variant,
        },
        follow=True,
    )


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
