"""The hash-chained history (issue 17): every step is chained in its region, verify_history
passes on an intact chain and names the first step changed, deleted or slipped in outside the
application, and the public page of a published evaluation shows its steps' hashes."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from projects import ledger
from projects.models import EvaluationStatus, HistoryEntry, ReviewComment, ReviewStep
from projects.review.services import workflow
from tests import factories as f
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    subordinate_of_a,
)

S = EvaluationStatus
A = ReviewStep.Action


def _verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_history", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _broken(*args) -> str:
    with pytest.raises(CommandError) as caught:
        _verify(*args)
    return str(caught.value)


@pytest.fixture
def round_trip(personas):
    """A subordinate unit's filing taken through every step: submit, a return with an indicator
    comment, resubmit, both approvals, publication."""
    sub = subordinate_of_a(personas)
    evaluation = build_evaluation(sub.unit)
    indicator = evaluation.project.indicators.order_by("order").first()
    workflow.evaluation_submit(evaluation=evaluation, user=sub.carol)
    workflow.evaluation_department_return(
        evaluation=evaluation,
        user=personas.dora,
        comment="请核实走访企业数量",
        indicator_comments={indicator.pk: "请附走访台账"},
    )
    workflow.evaluation_submit(evaluation=evaluation, user=sub.carol)
    workflow.evaluation_department_approve(evaluation=evaluation, user=personas.dora)
    workflow.evaluation_finance_approve(evaluation=evaluation, user=personas.frank, comment="同意")
    workflow.evaluation_publish(evaluation=evaluation, user=personas.frank)
    evaluation.refresh_from_db()
    assert evaluation.status == S.PUBLISHED
    return evaluation


def test_every_step_of_a_full_round_is_chained_in_order(personas, round_trip):
    steps = list(ReviewStep.objects.filter(evaluation=round_trip).order_by("pk"))
    entries = list(HistoryEntry.objects.filter(region=personas.region).order_by("sequence"))
    assert [e.object_id for e in entries] == [s.pk for s in steps]
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].previous_hash == "0" * 64
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.previous_hash == before.entry_hash
    assert [e.content["action"] for e in entries] == [
        A.SUBMIT, A.DEPARTMENT_RETURN, A.SUBMIT, A.DEPARTMENT_APPROVE, A.FINANCE_APPROVE,
        A.PUBLISH,
    ]  # fmt: skip
    # The return's indicator comment is part of what its entry vouches for.
    indicator = round_trip.project.indicators.order_by("order").first()
    assert entries[1].content["comments"] == [[indicator.pk, "请附走访台账"]]


def test_verify_history_passes_on_an_intact_chain(personas, round_trip):
    out = _verify()
    assert "留痕链完整" in out and "6 条记录" in out
    assert "淮北市相山区" in _verify("--region", personas.region.code)


def test_a_review_comment_edited_in_the_database_is_named(personas, round_trip):
    step = ReviewStep.objects.get(evaluation=round_trip, action=A.DEPARTMENT_RETURN)
    ReviewStep.objects.filter(pk=step.pk).update(comment="无意见")
    message = _broken()
    assert "第 2 条" in message and "自评审核记录" in message
    assert f"#{step.pk}" in message and f"自评 #{round_trip.pk}" in message
    assert "已被改动" in message and "意见" in message
    # The same through the exit status of the command line.
    verdict = ledger.verify()
    assert not verdict.intact and verdict.breaks[0].sequence == 2


def test_an_indicator_comment_edited_in_the_database_is_detected(round_trip):
    ReviewComment.objects.filter(step__evaluation=round_trip).update(text="无")
    assert "第 2 条" in _broken() and "指标意见" in _broken()


def test_a_changed_snapshot_or_actor_is_detected(personas, round_trip):
    step = ReviewStep.objects.get(evaluation=round_trip, action=A.FINANCE_APPROVE)
    ReviewStep.objects.filter(pk=step.pk).update(actor=personas.dora)
    assert "第 5 条" in _broken() and "操作人" in _broken()


def test_a_deleted_step_is_detected(round_trip):
    step = ReviewStep.objects.get(evaluation=round_trip, action=A.DEPARTMENT_APPROVE)
    with connection.cursor() as cursor:  # as a hand at the database would, without the ORM
        cursor.execute(f"DELETE FROM {ReviewStep._meta.db_table} WHERE id = %s", [step.pk])
    message = _broken()
    assert "第 4 条" in message and "已被删除" in message


def test_a_step_inserted_outside_the_application_is_reported(personas, round_trip):
    ReviewStep.objects.bulk_create(
        [
            ReviewStep(
                evaluation=round_trip,
                action=A.FINANCE_APPROVE,
                from_status=S.DEPARTMENT_APPROVED,
                to_status=S.APPROVED,
                actor=personas.frank,
                version=round_trip.version,
            )
        ]
    )
    assert "不在留痕链中" in _broken()
    # The repair an operator runs after a deliberate bulk insert: the step is chained from now.
    call_command("chain_history", stdout=io.StringIO())
    assert "留痕链完整" in _verify()


def test_an_edited_entry_breaks_its_own_hash_and_the_next_link(personas, round_trip):
    entry = HistoryEntry.objects.get(region=personas.region, sequence=3)
    HistoryEntry.objects.filter(pk=entry.pk).update(content={**entry.content, "comment": "x"})
    assert "第 3 条" in _broken() and "留痕链记录被改动" in _broken()
    # Recomputing the edited entry's own hashes still breaks the link to the next one.
    content = {**entry.content, "comment": "x"}
    content_hash = ledger.sha256(ledger.canonical_json(content))
    HistoryEntry.objects.filter(pk=entry.pk).update(
        content=content,
        content_hash=content_hash,
        entry_hash=ledger.link_hash(personas.region.pk, 3, entry.previous_hash, content_hash),
    )
    message = _broken()
    assert "第 3 条" in message  # the step no longer matches the rewritten entry
    ReviewStep.objects.filter(pk=entry.object_id).update(comment="x")
    assert "第 4 条" in _broken() and "链接断开" in _broken()


def test_a_removed_entry_breaks_the_sequence(personas, round_trip):
    HistoryEntry.objects.filter(region=personas.region, sequence=2).delete()
    assert "第 3 条" in _broken() and "序号不连续" in _broken()


def test_regions_have_independent_chains(personas, round_trip):
    other = f.RegionFactory(name="昌黎县", code="130322")
    department = f.DepartmentFactory(region=other, name="昌黎县招商中心", code="C")
    unit = f.UnitFactory(
        department=department, name="昌黎县招商中心", code="C0", is_department=True
    )
    filer = f.UserFactory(username="chang")
    f.membership(filer, "filer", unit=unit)
    theirs = build_evaluation(unit)
    workflow.evaluation_submit(evaluation=theirs, user=filer)
    entry = HistoryEntry.objects.get(region=other)
    assert (entry.sequence, entry.previous_hash) == (1, "0" * 64)
    assert HistoryEntry.objects.filter(region=personas.region).count() == 6
    # A break in one region leaves the other's verification clean.
    ReviewStep.objects.filter(evaluation=round_trip).update(comment="改")
    assert "昌黎县" in _verify("--region", "130322")
    assert "淮北市相山区" in _broken("--region", personas.region.code)


def test_an_unknown_region_code_is_refused_in_chinese(db):
    with pytest.raises(CommandError, match="找不到地区代码为 999999 的地区"):
        _verify("--region", "999999")


def test_the_verify_history_command_exits_1_on_a_break(round_trip):
    ReviewStep.objects.filter(evaluation=round_trip, action=A.PUBLISH).update(version=99)
    with pytest.raises(CommandError) as caught:
        call_command("verify_history", stdout=io.StringIO(), stderr=io.StringIO())
    assert caught.value.returncode == 1
    assert "第 6 条" in str(caught.value) and "版本" in str(caught.value)


def test_reopen_and_a_second_publication_extend_the_chain(personas, round_trip):
    workflow.evaluation_reopen(evaluation=round_trip, user=personas.frank, reason="数据需更正")
    assert HistoryEntry.objects.filter(region=personas.region).count() == 7
    assert "7 条记录" in _verify()


def test_the_public_page_shows_each_steps_hashes(client, personas, round_trip):
    html = client.get(reverse("publication_evaluation", args=[round_trip.pk])).content.decode()
    assert "审核留痕" in html
    for entry in HistoryEntry.objects.filter(region=personas.region):
        assert entry.entry_hash in html and entry.entry_hash[:12] in html
        assert entry.content_hash[:12] in html
    assert "主管部门退回" in html and "公开" in html


def test_the_public_page_of_an_evaluation_shows_only_its_own_steps(client, personas, round_trip):
    other = build_evaluation(personas.unit_b, name="开发区工作经费")
    workflow.evaluation_submit(evaluation=other, user=personas.bob)
    theirs = HistoryEntry.objects.get(region=personas.region, sequence=7)
    html = client.get(reverse("publication_evaluation", args=[round_trip.pk])).content.decode()
    assert theirs.entry_hash not in html


def test_the_public_page_costs_one_query_for_the_chain(
    client, round_trip, django_assert_max_num_queries
):
    url = reverse("publication_evaluation", args=[round_trip.pk])
    client.get(url)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(12) as captured:
        client.get(url)
    assert sum("projects_historyentry" in q["sql"] for q in captured.captured_queries) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_sequence_unique(personas):
    """Filings of one region reviewed at the same moment: one chain, no fork, no gap."""
    evaluations = [build_evaluation(personas.unit_a, name=f"项目{i}") for i in range(4)]
    errors = []

    def submit(evaluation):
        try:
            with transaction.atomic():
                workflow.evaluation_submit(evaluation=evaluation, user=personas.alice)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(e,)) for e in evaluations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = list(
        HistoryEntry.objects.filter(region=personas.region)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert sequences == [1, 2, 3, 4]
    assert ledger.verify().intact


# --- rows written by the services outside the workflow (chained from their post_save) -----------


def test_a_result_decision_is_chained_each_time_the_bureau_saves_it(personas, round_trip):
    from decimal import Decimal

    from projects.models import ResultDecision

    decision = ResultDecision.objects.create(
        evaluation=round_trip,
        decision="cut",
        cut_share=10,
        base_amount=460000,
        next_year_amount="414000.0",
        suggestion_reasons=["得分低于80分"],
        decided_by=personas.frank,
    )
    decision.decision, decision.cut_share = "keep", None
    decision.next_year_amount = Decimal("460000")
    decision.save()
    entries = HistoryEntry.objects.filter(kind="result_decision", object_id=decision.pk)
    assert [e.sequence for e in entries.order_by("sequence")] == [7, 8]
    assert "留痕链完整" in _verify()  # the current row matches its latest entry
    ResultDecision.objects.filter(pk=decision.pk).update(next_year_amount=Decimal("1"))
    message = _broken()
    assert "第 8 条" in message and "结果应用决定" in message


def test_a_rectification_step_is_chained_and_its_edit_detected(personas, round_trip):
    import datetime

    from projects.models import Rectification, RectificationStep

    item = Rectification.objects.create(
        unit=round_trip.project.unit,
        year=2023,
        source="finding",
        problem="走访台账不全",
        deadline=datetime.date(2024, 12, 31),
    )
    step = RectificationStep.objects.create(item=item, action="raise", actor=personas.frank)
    assert HistoryEntry.objects.get(kind="rectification_step").sequence == 7
    assert "留痕链完整" in _verify()
    step.text = "补齐台账"
    step.save()  # a step is never re-saved by the application: the change is reported
    assert "第 7 条" in _broken() and "整改记录" in _broken()
