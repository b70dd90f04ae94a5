"""scoring.results: the facts the 结果应用 suggestion reads, from real rows, in fixed queries."""

from decimal import Decimal

import pytest

from projects.models import Evaluation, FundSource
from scoring.results import Subject, result_facts, suggestions_for
from tests import factories as f
from tests.projects.results.decisions_support import S, finished, monitored, review
from tests.projects.test_review_support import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db


def _fresh(*evaluations):
    return list(
        Evaluation.objects.filter(pk__in=[e.pk for e in evaluations])
        .select_related("project__unit__department__region")
        .order_by("pk")
    )


def test_base_is_the_total_rows_adjusted_budget_and_sources_are_not_added_twice(personas):
    e = finished(personas.unit_a, base="460000", executed="387600", initial="400000")
    f.FundLineFactory(
        project=e.project,
        source=FundSource.CURRENT_YEAR,
        initial=Decimal("460000"),
        adjusted=Decimal("460000"),
        executed=Decimal("387600"),
    )
    facts = result_facts([Subject.of(x) for x in _fresh(e)])[e.pk]
    assert facts.base_amount == Decimal("460000")
    assert facts.executed_amount == Decimal("387600")
    assert facts.total == Decimal("85") and facts.execution_rate == Decimal("95")


def test_base_falls_back_to_the_initial_budget_without_an_adjusted_one(personas):
    e = finished(personas.unit_a, base=None, initial="300000", executed="100000")
    assert result_facts([Subject.of(x) for x in _fresh(e)])[e.pk].base_amount == Decimal("300000")


def test_the_latest_review_total_replaces_the_self_score_in_the_grade(personas):
    e = finished(personas.unit_a, total="92")
    review(e, "70", region=personas.region, seed=1)
    review(e, "75", region=personas.region, seed=2)  # drawn later: it counts
    record = suggestions_for(_fresh(e))[e.pk]
    assert record.facts.review_total == Decimal("75")
    assert record.suggestion.grade == "中"
    assert record.suggestion.decision == "cut"
    assert record.suggestion.amount == Decimal("900000.00")
    assert any("抽查复核得分 75" in reason for reason in record.suggestion.reasons)


def test_an_unscored_spot_check_leaves_the_self_score(personas):
    e = finished(personas.unit_a, total="92")
    review(e, "70", region=personas.region)
    item = e.spotcheckitem_set.get()
    item.review_total = None
    item.save()
    assert suggestions_for(_fresh(e))[e.pk].suggestion.grade == "优"


def test_a_red_light_of_the_latest_filed_report_of_the_year_blocks_priority(personas):
    e = finished(personas.unit_a, total="95")
    assert suggestions_for(_fresh(e))[e.pk].suggestion.decision == "prioritise"
    monitored(e, region=personas.region, red=2, month=6)
    record = suggestions_for(_fresh(e))[e.pk]
    assert record.facts.red_lights == 2
    assert record.suggestion.decision == "keep"
    assert any("2 个红灯" in reason for reason in record.suggestion.reasons)


def test_a_later_green_report_a_draft_and_another_years_round_do_not_count_as_red(personas):
    e = finished(personas.unit_a, total="95")
    monitored(e, region=personas.region, red=2, month=6)
    monitored(e, region=personas.region, red=0, month=9)  # the latest filed round: no red
    monitored(e, region=personas.region, red=3, month=10, status=S.DRAFT)  # not filed
    monitored(e, region=personas.region, red=4, month=11, year=e.year + 1)  # another year
    assert result_facts([Subject.of(x) for x in _fresh(e)])[e.pk].red_lights == 0


def test_low_execution_caps_next_year_at_what_was_spent(personas):
    e = finished(personas.unit_a, total="85", rate="60", executed="600000")
    s = suggestions_for(_fresh(e))[e.pk].suggestion
    assert (s.decision, s.amount, s.cut_share) == ("cut", Decimal("600000.00"), Decimal("40.00"))


def test_the_rule_set_is_the_regions_for_the_year(personas):
    e = finished(personas.unit_a)
    assert suggestions_for(_fresh(e))[e.pk].rule_set.startswith("national-2020@")


@pytest.mark.parametrize("more", [0, 8])
def test_suggestions_cost_the_same_queries_however_many_evaluations(
    personas, django_assert_num_queries, more
):
    rows = [finished(personas.unit_a), finished(personas.unit_b)]
    for i in range(more):
        e = finished(personas.unit_a if i % 2 else personas.unit_b, total=str(60 + i * 4))
        review(e, "70", region=personas.region, seed=10 + i)
        monitored(e, region=personas.region, red=1, month=6)
        rows.append(e)
    evaluations = _fresh(*rows)
    # fund lines, review totals, monitoring reports, the regions' rule-set years
    with django_assert_num_queries(4):
        found = suggestions_for(evaluations)
    assert len(found) == len(rows)
