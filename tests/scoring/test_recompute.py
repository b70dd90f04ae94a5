"""Whole-region recompute: the snapshot matches the engine input field for field, and the chunked
path stores what single scoring computes, runs every chunk in turn on the caller's connection,
and stops at a failed chunk with the chunks before it stored."""

import dataclasses
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from projects.importer import import_file
from projects.models import Evaluation, EvaluationStatus, IndicatorResult
from scoring import recompute as recompute_module
from scoring.engine.document import document_to_input, read_document, result_to_json
from scoring.engine.rules import load_ruleset
from scoring.engine.score import score_evaluation as engine_score
from scoring.recompute import recompute, recompute_region
from scoring.rows import computed_fields, result_dict
from scoring.services import (
    build_input,
    explain,
    input_from_snapshot,
    score_evaluation,
    snapshot,
    stored_filing,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED000 = sorted(FIXTURES.glob("seed000-*.json"))
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="counts PostgreSQL's server connections"
)


def _plain(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def _walked(inp) -> dict:
    """The input as dataclasses.asdict gives it, with amounts written as people print them."""

    def convert(value):
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return _plain(value)

    return convert(dataclasses.asdict(inp))


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_snapshot_is_the_engine_input_field_for_field(path):
    inp, _ = build_input(import_file(path))
    assert snapshot(inp) == _walked(inp)


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_the_stored_snapshot_rescores_to_the_stored_result(path):
    """design.md: a frozen evaluation re-renders identically years later, from its snapshot."""
    evaluation = import_file(path)
    inp, _ = build_input(evaluation)
    assert input_from_snapshot(snapshot(inp)) == inp
    stored = score_evaluation(evaluation)
    evaluation.refresh_from_db()
    rules = load_ruleset(f"{evaluation.rule_set_id}@{evaluation.rule_set_version}")
    again = result_to_json(engine_score(input_from_snapshot(evaluation.input_snapshot), rules))
    assert _scores(again) == _scores(stored)
    assert [r["status"] for r in again["indicators"]] == [r["status"] for r in stored["indicators"]]
    explanation = explain(evaluation)
    assert explanation.lines[-1] == f"等级：{stored['grade']}（总分 {stored['total']}）"
    assert set(explanation.by_indicator) == {r["indicator_id"] for r in stored["indicators"]}


@pytest.mark.django_db
def test_every_computed_column_is_written_by_both_paths():
    """The bulk path writes Evaluation.COMPUTED_FIELDS; the single path writes what
    computed_fields returns. One list must name both, or a recompute would leave a column stale."""
    evaluation = import_file(SEED000[0])
    rules = load_ruleset("national-2020")
    inp, ids = build_input(evaluation)
    result = engine_score(inp, rules)
    filing = stored_filing(evaluation)
    fields = computed_fields(rules, inp, result, result_dict(result, ids), filing=filing)
    assert tuple(fields) == Evaluation.COMPUTED_FIELDS
    score_evaluation(evaluation)
    single = Evaluation.objects.values(*Evaluation.COMPUTED_FIELDS).get(pk=evaluation.pk)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        **{name: None for name in ("result", "input_snapshot", "execution_rate", "computed_total")}
    )
    recompute(queryset=Evaluation.objects.filter(pk=evaluation.pk))
    bulk = Evaluation.objects.values(*Evaluation.COMPUTED_FIELDS).get(pk=evaluation.pk)
    assert {k: v for k, v in bulk.items() if k != "scored_at"} == {
        k: v for k, v in single.items() if k != "scored_at"
    }


def _scores(result: dict) -> tuple:
    return (
        result["execution_rate"],
        result["total"],
        result["grade"],
        [row["score"] for row in result["indicators"]],
        sorted((f["code"], f["indicator"]) for f in result["findings"]),
    )


@pytest.mark.django_db
def test_a_region_recompute_stores_what_the_cli_computes_for_every_fixture():
    """Import, bulk recompute and `python -m scoring score` are three roads to one result."""
    paths = sorted(FIXTURES.glob("*.json"))
    imported = {path: import_file(path) for path in paths}
    for region in {e.project.unit.department.region for e in imported.values()}:
        recompute(queryset=Evaluation.objects.filter(project__unit__department__region=region))
    rules = load_ruleset("national-2020")
    for path, evaluation in imported.items():
        document = read_document(json.loads(path.read_text(encoding="utf-8")))
        expected = result_to_json(engine_score(document_to_input(document), rules))
        evaluation.refresh_from_db()
        assert _scores(evaluation.result) == _scores(expected), path.name


def _seed000_region():
    evaluations = [import_file(path) for path in SEED000]
    return evaluations[0].project.unit.department.region


def _stored(region):
    return {
        e.pk: (e.computed_total, e.result["total"] if e.result else None)
        for e in Evaluation.objects.filter(project__unit__department__region=region)
    }


@pytest.mark.django_db
def test_a_chunked_recompute_stores_what_single_scoring_computes_in_the_callers_thread(
    monkeypatch,
):
    monkeypatch.setattr(recompute_module, "_CHUNK", 4)
    region = _seed000_region()
    frozen = Evaluation.objects.order_by("pk").first()
    Evaluation.objects.filter(pk=frozen.pk).update(status=EvaluationStatus.APPROVED)
    threads = []
    real_write = recompute_module._write
    monkeypatch.setattr(
        recompute_module,
        "_write",
        lambda scored, alias: (
            threads.append(threading.current_thread()) or real_write(scored, alias)
        ),
    )

    assert recompute_region(region=region, year=2024) == len(SEED000) - 1

    open_count = len(SEED000) - 1
    assert len(threads) == -(-open_count // 4)
    assert set(threads) == {threading.current_thread()}
    stored = _stored(region)
    assert stored.pop(frozen.pk) == (None, None)
    for pk, (total, result_total) in stored.items():
        single = score_evaluation(Evaluation.objects.get(pk=pk), save=False)
        assert str(total) == result_total == single["total"]
    # Seed 000, 厂房租赁费用: 1,947,970 / 3,495,195 = 55.73% → 5.57; published total 95.57.
    rent = Evaluation.objects.get(project__name="厂房租赁费用")
    assert (rent.execution_rate, rent.computed_total) == (Decimal("55.73"), Decimal("95.57"))
    assert None not in IndicatorResult.objects.filter(evaluation=rent).values_list(
        "computed_score", flat=True
    )


@pytest.mark.django_db(transaction=True)
def test_a_failed_chunk_is_raised_at_once_and_the_chunks_before_it_stay_stored(monkeypatch):
    monkeypatch.setattr(recompute_module, "_CHUNK", 4)
    region = _seed000_region()
    ids = list(Evaluation.objects.order_by("pk").values_list("pk", flat=True))
    failing = set(ids[8:12])  # the third chunk
    real_write = recompute_module._write
    written = []

    def failing_write(scored, alias):
        chunk = {row.pk for row in scored[0]}
        if chunk == failing:
            raise RuntimeError("磁盘已满")
        real_write(scored, alias)
        written.append(chunk)

    monkeypatch.setattr(recompute_module, "_write", failing_write)

    with pytest.raises(RuntimeError, match="磁盘已满"):
        recompute(queryset=Evaluation.objects.filter(project__unit__department__region=region))

    scored = set(Evaluation.objects.filter(scored_at__isnull=False).values_list("pk", flat=True))
    assert written == [set(ids[:4]), set(ids[4:8])]
    assert scored == set(ids[:8])
    # Running it again finishes the rest.
    monkeypatch.setattr(recompute_module, "_write", real_write)
    recompute(queryset=Evaluation.objects.filter(project__unit__department__region=region))
    assert not Evaluation.objects.filter(scored_at__isnull=True).exists()


@on_postgresql
@pytest.mark.django_db
def test_recomputed_tables_have_their_storage_settings():
    """Migration 0002: lz4 for the JSON columns (where the server has it), room for HOT updates."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = 'projects_indicatorresult'::regclass"
        )
        assert "fillfactor=50" in cursor.fetchone()[0]
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if not cursor.fetchone()[0]:
            return  # this PostgreSQL was built without lz4: the columns keep the default
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = 'projects_evaluation'::regclass "
            "AND attname IN ('result', 'input_snapshot')"
        )
        assert dict(cursor.fetchall()) == {"result": "l", "input_snapshot": "l"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_recompute_opens_no_other_connection(monkeypatch):
    monkeypatch.setattr(recompute_module, "_CHUNK", 4)
    region = _seed000_region()
    opened = []

    def backends():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    before = backends()
    monkeypatch.setattr(
        recompute_module,
        "_write",
        lambda scored, alias, real=recompute_module._write: (
            opened.append(backends()) or real(scored, alias)
        ),
    )
    recompute_region(region=region, year=2024)
    assert opened and set(opened) == {before}


@pytest.mark.django_db
def test_a_recompute_with_nothing_changed_writes_nothing(django_assert_max_num_queries):
    """The nightly recompute: same input, same rule set, same engine → no evaluation rewritten."""
    region = _seed000_region()
    evaluations = Evaluation.objects.filter(project__unit__department__region=region)
    recompute(queryset=evaluations)
    before = dict(evaluations.values_list("pk", "scored_at"))
    # (two of them read the year's filed monitoring: the subjects, then their latest entries)
    with django_assert_max_num_queries(14) as queries:
        recompute(queryset=evaluations)
    # Only the claim settlement's two guarded UPDATEs run, and they match no row.
    rewrites = [
        q["sql"]
        for q in queries.captured_queries
        if "input_snapshot" in q["sql"] or 'SET "computed_score"' in q["sql"]
    ]
    assert rewrites == [] and dict(evaluations.values_list("pk", "scored_at")) == before


@pytest.mark.django_db
def test_a_recompute_rescores_exactly_the_evaluations_whose_input_changed():
    region = _seed000_region()
    evaluations = Evaluation.objects.filter(project__unit__department__region=region)
    recompute(queryset=evaluations)
    changed = evaluations.filter(status__in=["draft", "returned"]).order_by("pk").first()
    row = changed.results.filter(indicator__weight__isnull=False).order_by("pk").first()
    row.actual = "0"  # a measured nothing: the row's score falls to 0
    row.save(update_fields=["actual"])
    before = dict(evaluations.values_list("pk", "scored_at"))
    recompute(queryset=evaluations)
    after = dict(evaluations.values_list("pk", "scored_at"))
    assert [pk for pk in after if after[pk] != before[pk]] == [changed.pk]
    row.refresh_from_db()
    assert row.computed_score == 0


@pytest.mark.django_db
def test_a_cleared_result_or_a_new_rule_set_is_scored_again():
    region = _seed000_region()
    evaluations = Evaluation.objects.filter(project__unit__department__region=region)
    open_ones = evaluations.exclude(status__in=["approved", "published"])
    recompute(queryset=evaluations)
    cleared = open_ones.order_by("pk").first()
    Evaluation.objects.filter(pk=cleared.pk).update(result=None)
    recompute(queryset=evaluations)
    assert Evaluation.objects.get(pk=cleared.pk).result is not None

    before = dict(open_ones.values_list("pk", "input_digest"))
    region.rule_set_id = "execution-caps-over-deduction"
    region.save(update_fields=["rule_set_id"])
    recompute(queryset=evaluations)
    after = dict(open_ones.values_list("pk", "input_digest"))
    assert all(after[pk] != before[pk] for pk in before)
    assert set(open_ones.values_list("rule_set_id", flat=True)) == {"execution-caps-over-deduction"}
