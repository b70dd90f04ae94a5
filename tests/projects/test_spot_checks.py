"""抽查复核: the draw is reproducible from its seed and stratified; review totals and flags."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects.models import EvaluationStatus, SpotCheckItem
from projects.review.services.spot_checks import (
    allocate,
    draw_sample,
    item_totals,
    sample_size,
    spot_check_draw,
    spot_check_redraw,
    spot_check_score,
)
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

S = EvaluationStatus


@pytest.mark.parametrize(
    "population, share, min_count, expected",
    [
        (20, "0.2", 1, 4),  # 20 × 20% = 4
        (7, "0.2", 1, 2),  # 1.4 rounds up to 2
        (7, "0.2", 3, 3),  # the minimum wins
        (7, "0.2", 10, 7),  # never more than there is
        (55, "0.2", 1, 11),  # seed 004: 11 departments at 20%
        (0, "0.2", 1, 0),
    ],
)
def test_sample_size_is_the_share_rounded_up_within_bounds(population, share, min_count, expected):
    assert sample_size(population, Decimal(share), min_count) == expected


def test_allocation_is_proportional_by_largest_remainder():
    assert allocate({"A": 10, "B": 5, "C": 5}, 4) == {"A": 2, "B": 1, "C": 1}
    # quotas 1.2, 0.6, 0.2 → floors 1, 0, 0; the one left goes to the largest remainder (B).
    assert allocate({"A": 6, "B": 3, "C": 1}, 2) == {"A": 1, "B": 1, "C": 0}
    # equal remainders: the department listed first gets it.
    assert allocate({"A": 1, "B": 1}, 1) == {"A": 1, "B": 0}


def test_the_same_seed_draws_the_same_sample_and_each_stratum_its_share():
    strata = {"A": list(range(100, 110)), "B": list(range(200, 205)), "C": list(range(300, 305))}
    first = draw_sample(strata, share=Decimal("0.2"), min_count=1, seed=20240520)
    again = draw_sample(
        {k: list(reversed(v)) for k, v in strata.items()},  # order of the ids does not matter
        share=Decimal("0.2"),
        min_count=1,
        seed=20240520,
    )
    assert first == again
    assert [i // 100 for i in first] == [1, 1, 2, 3]  # 2 from A, 1 from B, 1 from C
    samples = {
        tuple(draw_sample(strata, share=Decimal("0.2"), min_count=1, seed=s)) for s in range(20)
    }
    assert len(samples) > 1  # the seed matters


@pytest.fixture
def approved(personas):
    """Approved filings: 5 in department A, 5 in department B; plus one only submitted."""
    rows = {"A": [], "B": []}
    for key, unit in (("A", personas.unit_a), ("B", personas.unit_b)):
        for i in range(5):
            rows[key].append(put_in(build_evaluation(unit, name=f"项目{key}{i}"), S.APPROVED))
    rows["submitted"] = put_in(build_evaluation(personas.unit_a, name="待审项目"), S.SUBMITTED)
    return rows


def test_draw_records_its_seed_and_repeats_exactly(personas, approved):
    check = spot_check_draw(
        region=personas.region, year=2023, user=personas.frank, share=Decimal("0.2"), seed=7
    )
    drawn = sorted(check.items.values_list("evaluation_id", flat=True))
    assert check.seed == 7 and check.drawn_by == personas.frank
    assert len(drawn) == 2  # 10 × 20% = 2: one per department of 5
    departments = {
        i.evaluation.project.unit.department_id
        for i in check.items.select_related("evaluation__project__unit")
    }
    assert departments == {personas.department_a.pk, personas.department_b.pk}
    assert approved["submitted"].pk not in drawn
    second = spot_check_draw(
        region=personas.region, year=2023, user=personas.frank, share=Decimal("0.2"), seed=7
    )
    assert sorted(second.items.values_list("evaluation_id", flat=True)) == drawn
    # Filings approved after the draw do not change what its seed repeats.
    put_in(build_evaluation(personas.unit_b, name="后来通过的项目"), S.APPROVED)
    assert sorted(spot_check_redraw(check)) == drawn


def test_a_seed_is_chosen_when_none_is_given(personas, approved):
    check = spot_check_draw(region=personas.region, year=2023, user=personas.frank)
    assert check.seed is not None and check.share == Decimal("0.2")
    assert sorted(spot_check_redraw(check)) == sorted(
        check.items.values_list("evaluation_id", flat=True)
    )


def test_only_the_finance_bureau_draws(personas, approved):
    with pytest.raises(PermissionDenied):
        spot_check_draw(region=personas.region, year=2023, user=personas.dora)
    with pytest.raises(PermissionDenied):
        spot_check_draw(region=personas.region, year=2023, user=personas.other_region_finance)


def test_no_approved_filings_no_draw(personas):
    with pytest.raises(ValidationError):
        spot_check_draw(region=personas.region, year=2023, user=personas.frank)


def _scored_item(personas, evaluation):
    check = spot_check_draw(
        region=personas.region, year=2023, user=personas.frank, share=Decimal("1"), seed=1
    )
    return check, SpotCheckItem.objects.get(spot_check=check, evaluation=evaluation)


def test_review_total_and_the_flag_above_the_threshold(personas):
    evaluation = put_in(build_evaluation(personas.unit_a), S.APPROVED)
    check, item = _scored_item(personas, evaluation)
    results = {r.indicator.name: r for r in evaluation.results.select_related("indicator")}
    visits = results["走访企业数量"]
    spot_check_score(item=item, user=personas.frank, scores={visits.pk: Decimal("40")})
    item.refresh_from_db()
    assert item.review_total is None  # two indicators still unscored
    spot_check_score(
        item=item,
        user=personas.frank,
        scores={
            visits.pk: Decimal("40"),
            results["营商环境满意度"].pk: Decimal("30"),
            results["企业满意度"].pk: Decimal("10"),
        },
        comments={visits.pk: "走访台账只能证实1300家"},
    )
    item.refresh_from_db()
    # Review total 8.43 (execution, by the rules) + 40 + 30 + 10 = 88.43; self 98.43; gap 10.
    assert item.review_total == Decimal("88.43") and item.reviewer == personas.frank
    totals = item_totals(item, check.threshold)
    assert totals.self_total == Decimal("98.43") and totals.difference == Decimal("10.00")
    assert totals.flagged  # 10 > 5
    spot_check_score(item=item, user=personas.frank, scores={visits.pk: Decimal("45")})
    item.refresh_from_db()
    totals = item_totals(item, check.threshold)
    assert totals.difference == Decimal("5.00") and not totals.flagged  # 5 is not above 5


def test_review_score_above_the_weight_is_refused(personas):
    evaluation = put_in(build_evaluation(personas.unit_a), S.APPROVED)
    _, item = _scored_item(personas, evaluation)
    visits = evaluation.results.get(indicator__name="走访企业数量")
    with pytest.raises(ValidationError):
        spot_check_score(item=item, user=personas.frank, scores={visits.pk: Decimal("51")})
    with pytest.raises(PermissionDenied):
        spot_check_score(item=item, user=personas.dora, scores={visits.pk: Decimal("40")})
