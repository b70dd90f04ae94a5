"""result_decision_record and result_decision_adopt: who may decide, on what, and the checks."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects.models import ResultDecision
from projects.results.decision_services import result_decision_adopt, result_decision_record
from tests.projects.results.decisions_support import S, finished, observer_of_region
from tests.projects.test_review_support import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db


def _record(evaluation, user, **values):
    values.setdefault("next_year_amount", None)
    return result_decision_record(evaluation=evaluation, user=user, **values)


def _field_error(exc) -> dict:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


def test_the_finance_bureau_records_a_decision_with_the_suggestion_beside_it(personas):
    e = finished(personas.unit_a, total="85")  # 良 → 保持 1,000,000
    record = _record(e, personas.frank, decision="prioritise", note="重点民生项目")
    assert record.decision == "prioritise"
    assert record.base_amount == Decimal("1000000")
    assert record.next_year_amount == Decimal("1000000")
    assert record.reduction == 0
    assert (record.suggested_decision, record.suggested_amount) == ("keep", Decimal("1000000"))
    assert record.suggestion_reasons and record.rule_set.startswith("national-2020@")
    assert record.decided_by == personas.frank and record.note == "重点民生项目"


def test_a_cut_computes_next_years_amount_from_its_share(personas):
    e = finished(personas.unit_a)
    record = _record(e, personas.frank, decision="cut", cut_share="15")
    assert record.next_year_amount == Decimal("850000.00")
    assert record.cut_share == Decimal("15.00")
    assert record.reduction == Decimal("150000.00")


def test_a_cut_given_by_amount_alone_records_its_share(personas):
    e = finished(personas.unit_a)
    record = _record(e, personas.frank, decision="cut", next_year_amount="700000")
    assert record.cut_share == Decimal("30.00")


def test_a_cut_with_an_amount_that_disagrees_with_its_share_is_refused_at_the_amount(personas):
    e = finished(personas.unit_a)
    with pytest.raises(ValidationError) as exc:
        _record(e, personas.frank, decision="cut", cut_share="10", next_year_amount="800000")
    assert "不一致" in _field_error(exc)["next_year_amount"]
    assert "900,000.00" in _field_error(exc)["next_year_amount"]
    assert not ResultDecision.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"decision": "cut"}, "cut_share", "压减比例或下年安排数"),
        ({"decision": "cut", "cut_share": "0"}, "cut_share", "大于 0"),
        ({"decision": "cut", "cut_share": "150"}, "cut_share", "不超过 100"),
        ({"decision": "keep", "cut_share": "10"}, "cut_share", "只有“压减”"),
        ({"decision": "keep", "next_year_amount": "-1"}, "next_year_amount", "不能为负数"),
        ({"decision": "keep", "next_year_amount": "abc"}, "next_year_amount", "应为数字"),
        ({"decision": "raise"}, "decision", "请选择处理意见"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message_at_its_field(personas, values, field, words):
    e = finished(personas.unit_a)
    with pytest.raises(ValidationError) as exc:
        _record(e, personas.frank, **values)
    assert words in _field_error(exc)[field]
    assert not ResultDecision.objects.exists()


def test_cancel_and_suspend_default_to_nothing_next_year(personas):
    e = finished(personas.unit_a, total="50")
    record = _record(e, personas.frank, decision="cancel")
    assert record.next_year_amount == 0 and record.reduction == Decimal("1000000")
    record = _record(e, personas.frank, decision="suspend", next_year_amount="0")
    assert ResultDecision.objects.get().decision == "suspend"


def test_a_cut_of_a_project_without_budget_is_refused(personas):
    e = finished(personas.unit_a, base="0", executed="0")
    with pytest.raises(ValidationError) as exc:
        _record(e, personas.frank, decision="cut", cut_share="10")
    assert "无可压减" in _field_error(exc)["decision"]


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.DEPARTMENT_APPROVED, S.RETURNED])
def test_a_filing_still_under_review_cannot_be_decided(personas, status):
    e = finished(personas.unit_a, status=status)
    with pytest.raises(ValidationError) as exc:
        _record(e, personas.frank, decision="keep")
    assert "审核通过或已公开" in _field_error(exc)["decision"]


def test_a_published_filing_can_be_decided(personas):
    e = finished(personas.unit_a, status=S.PUBLISHED)
    assert _record(e, personas.frank, decision="keep").pk


@pytest.mark.parametrize("who", ["other_region_finance", "dora", "alice", "bob", "observer"])
def test_anyone_but_the_regions_finance_bureau_is_refused_and_nothing_changes(personas, who):
    e = finished(personas.unit_a)
    _record(e, personas.frank, decision="keep")
    before = list(ResultDecision.objects.values())
    user = observer_of_region(personas) if who == "observer" else getattr(personas, who)
    with pytest.raises(PermissionDenied):
        _record(e, user, decision="cancel")
    with pytest.raises(PermissionDenied):
        result_decision_adopt(evaluations=[finished(personas.unit_a)], user=user)
    assert list(ResultDecision.objects.values()) == before


def test_changing_a_decision_keeps_one_record(personas):
    e = finished(personas.unit_a)
    _record(e, personas.frank, decision="keep")
    _record(e, personas.frank, decision="cut", cut_share="20")
    record = ResultDecision.objects.get()
    assert (record.decision, record.next_year_amount) == ("cut", Decimal("800000.00"))


def test_adopting_takes_the_suggestion_for_undecided_rows_only(personas):
    fair = finished(personas.unit_a, total="70")  # 中 → 压减 10%
    poor = finished(personas.unit_b, total="50")  # 差 → 取消
    decided = finished(personas.unit_a, total="95")
    _record(decided, personas.frank, decision="keep", note="已定")
    records = result_decision_adopt(evaluations=[fair, poor, decided], user=personas.frank)
    assert {r.evaluation_id for r in records} == {fair.pk, poor.pk}
    got = {r.evaluation_id: r for r in ResultDecision.objects.all()}
    assert (got[fair.pk].decision, got[fair.pk].cut_share) == ("cut", Decimal("10.00"))
    assert got[fair.pk].next_year_amount == Decimal("900000.00")
    assert (got[poor.pk].decision, got[poor.pk].next_year_amount) == ("cancel", 0)
    assert got[decided.pk].note == "已定"
    assert got[fair.pk].suggested_decision == "cut"


def test_adopting_a_row_under_review_refuses_the_whole_batch(personas):
    ok = finished(personas.unit_a)
    open_ = finished(personas.unit_a, status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        result_decision_adopt(evaluations=[ok, open_], user=personas.frank)
    assert not ResultDecision.objects.exists()
