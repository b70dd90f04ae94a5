"""Spot checks by department (seed 004): whole departments by share, the seed recorded, earlier
years excluded or favoured, the cumulative coverage year by year, and the result on the review
page of a sampled filing.

Seed 004: "2024年选取11个部门开展抽查复核工作，抽查比例20%，累计部门覆盖率已达到60%" — 55
active departments, 20% → 11 a year; three years drawn with earlier years excluded cover
11, 22, 33 of 55 = 20%, 40%, 60%.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import (
    Department,
    EvaluationStatus,
    Membership,
    SpotCheck,
    SpotCheckDepartment,
    SpotCheckItem,
)
from projects.review.selectors.spot_checks import department_coverage
from projects.review.services.spot_checks import (
    department_redraw,
    draw_departments,
    spot_check_draw,
    spot_check_redraw,
    spot_check_score,
)
from tests import factories as f
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

pytestmark = pytest.mark.django_db

S = EvaluationStatus
DEPARTMENTS = SpotCheck.Scope.DEPARTMENTS
H = SpotCheck.History


@pytest.fixture
def fifty_five(personas):
    """The region's 55 active departments (A and B and 53 more), and one inactive one."""
    for n in range(53):
        f.DepartmentFactory(region=personas.region, name=f"区直部门{n:02d}", code=f"Z{n:02d}")
    f.DepartmentFactory(region=personas.region, name="已撤并部门", code="ZZ", is_active=False)
    assert Department.objects.filter(region=personas.region, is_active=True).count() == 55
    return personas


def _draw(personas, year, history, seed, share="0.2", **extra):
    return spot_check_draw(
        region=personas.region,
        year=year,
        user=personas.frank,
        share=Decimal(share),
        seed=seed,
        scope=DEPARTMENTS,
        history=history,
        **extra,
    )


def _drawn(check) -> set[int]:
    return set(check.departments.values_list("department_id", flat=True))


def test_three_years_excluding_earlier_ones_cover_60_percent_as_seed_004(fifty_five):
    checks = [_draw(fifty_five, year, H.EXCLUDE, seed) for year, seed in ((2022, 11), (2023, 22))]
    checks.append(_draw(fifty_five, 2024, H.EXCLUDE, 2024))
    sets = [_drawn(c) for c in checks]
    assert [len(s) for s in sets] == [11, 11, 11]  # ceil(55 × 20%) = 11 each year
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])  # disjoint
    inactive = Department.objects.get(code="ZZ").pk
    assert all(inactive not in s for s in sets)
    table = department_coverage(fifty_five.region)
    assert [(r.year, r.drawn, r.covered, r.departments) for r in table] == [
        (2022, 11, 11, 55),
        (2023, 11, 22, 55),
        (2024, 11, 33, 55),
    ]
    assert [r.share for r in table] == [Decimal("20.00")] * 3
    assert [r.cumulative for r in table] == [Decimal("20.00"), Decimal("40.00"), Decimal("60.00")]
    # until=: the coverage as it stood in an earlier year
    assert department_coverage(fifty_five.region, until=2023)[-1].cumulative == Decimal("40.00")


def test_the_recorded_seed_repeats_a_department_draw_even_after_later_years(fifty_five):
    first = _draw(fifty_five, 2022, H.EXCLUDE, 5)
    second = _draw(fifty_five, 2023, H.EXCLUDE, 6)
    _draw(fifty_five, 2024, H.EXCLUDE, 7)  # a later year does not change what 2023's seed draws
    for check in (first, second):
        again = department_redraw(check)
        assert set(again.department_ids) == _drawn(check) and again.shortfall == 0
        assert sorted(spot_check_redraw(check)) == sorted(
            check.items.values_list("evaluation_id", flat=True)
        )
    # The same seed and history drawn again in the same year give the same departments.
    assert _drawn(_draw(fifty_five, 2023, H.EXCLUDE, 6)) == _drawn(second)
    assert {len(_drawn(_draw(fifty_five, 2023, H.IGNORE, s))) for s in range(3)} == {11}


def test_ignoring_earlier_years_may_draw_a_department_again(fifty_five):
    checks = [_draw(fifty_five, 2020 + i, H.IGNORE, seed=i) for i in range(4)]
    drawn = [_drawn(c) for c in checks]
    assert all(len(d) == 11 for d in drawn)
    covered = set().union(*drawn)
    assert len(covered) < 44  # some department was drawn twice
    assert department_coverage(fifty_five.region)[-1].covered == len(covered)


def test_when_few_remain_exclude_draws_them_all_and_favour_tops_up(fifty_five):
    for year, seed in ((2021, 1), (2022, 2), (2023, 3)):
        _draw(fifty_five, year, H.EXCLUDE, seed)
    checked = set(
        SpotCheckDepartment.objects.filter(spot_check__year__lt=2024).values_list(
            "department_id", flat=True
        )
    )
    assert len(checked) == 33
    # 50% of 55 → 28 wanted; only 22 never checked.
    excluded = _draw(fifty_five, 2024, H.EXCLUDE, 9, share="0.5")
    assert len(_drawn(excluded)) == 22 and not _drawn(excluded) & checked
    assert (excluded.sample.wanted, excluded.sample.shortfall) == (28, 6)
    favoured = _draw(fifty_five, 2024, H.FAVOUR, 9, share="0.5")
    assert len(_drawn(favoured)) == 28 and favoured.sample.shortfall == 0
    assert len(_drawn(favoured) - checked) == 22  # every never-checked one, 6 from the rest
    assert set(department_redraw(favoured).department_ids) == _drawn(favoured)


def test_favour_prefers_the_never_checked_when_enough_remain(fifty_five):
    first = _drawn(_draw(fifty_five, 2022, H.EXCLUDE, 1))
    second = _drawn(_draw(fifty_five, 2023, H.FAVOUR, 2))
    assert len(second) == 11 and not first & second


def test_exclude_with_every_department_checked_refuses_in_chinese(personas):
    _draw(personas, 2022, H.IGNORE, 1, share="1")
    with pytest.raises(ValidationError, match="往年已抽查全部部门"):
        _draw(personas, 2023, H.EXCLUDE, 1)


def test_the_pure_draw_keeps_the_population_order_and_the_minimum():
    population = list(range(100, 110))
    sample = draw_departments(
        population, share=Decimal("0.1"), min_count=3, seed=4, history=H.IGNORE, checked=set()
    )
    assert len(sample.department_ids) == 3 and sample.department_ids == sorted(
        sample.department_ids
    )
    assert sample == draw_departments(
        population, share=Decimal("0.1"), min_count=3, seed=4, history=H.IGNORE, checked=set()
    )


@pytest.fixture
def filings(personas):
    """Approved filings: two in department A, one in B; one of A only submitted; one of A of
    another year."""
    return {
        "a1": put_in(build_evaluation(personas.unit_a, name="甲一"), S.APPROVED),
        "a2": put_in(build_evaluation(personas.unit_a, name="甲二"), S.PUBLISHED),
        "b1": put_in(build_evaluation(personas.unit_b, name="乙一"), S.APPROVED),
        "a_submitted": put_in(build_evaluation(personas.unit_a, name="甲待审"), S.SUBMITTED),
        "a_2022": put_in(build_evaluation(personas.unit_a, name="甲往年", year=2022), S.APPROVED),
    }


def test_a_department_draws_items_are_its_approved_filings_of_the_year(personas, filings):
    for seed in range(6):
        check = _draw(personas, 2023, H.IGNORE, seed, share="0.5")  # 1 of 2 departments
        (department,) = _drawn(check)
        items = set(check.items.values_list("evaluation_id", flat=True))
        if department == personas.department_a.pk:
            assert items == {filings["a1"].pk, filings["a2"].pk}
        else:
            assert items == {filings["b1"].pk}
        assert sorted(spot_check_redraw(check)) == sorted(items)


def test_an_evaluation_draw_records_its_scope_and_no_departments(personas, filings):
    check = spot_check_draw(region=personas.region, year=2023, user=personas.frank, seed=3)
    assert check.scope == SpotCheck.Scope.EVALUATIONS and check.history == H.IGNORE
    assert not check.departments.exists() and department_coverage(personas.region) == []


def test_a_deactivated_department_leaves_the_cumulative_coverage(personas):
    check = _draw(personas, 2022, H.IGNORE, 1, share="1")
    assert department_coverage(personas.region)[-1].cumulative == Decimal("100.00")
    Department.objects.filter(pk=personas.department_b.pk).update(is_active=False)
    row = department_coverage(personas.region)[-1]
    assert (row.drawn, row.covered, row.departments) == (2, 1, 1)
    assert check.departments.count() == 2


# -- the pages ---------------------------------------------------------------------------------


def _post_draw(client, personas, follow=False, **data):
    payload = {
        "region": personas.region.pk,
        "year": 2023,
        "share_percent": "20",
        "min_count": 1,
        "threshold": "5",
        "scope": DEPARTMENTS,
        "history": H.EXCLUDE,
        "seed": 11,
    }
    payload.update(data)
    return client.post(reverse("review:spot_check_draw"), payload, follow=follow)


def test_a_department_draw_from_the_page_and_its_coverage_table(client, fifty_five):
    client.force_login(fifty_five.frank)
    for year in (2022, 2023, 2024):
        response = _post_draw(client, fifty_five, year=year, seed=year)
        assert response.status_code == 302
    check = SpotCheck.objects.get(year=2024)
    assert check.scope == DEPARTMENTS and check.history == H.EXCLUDE and check.seed == 2024
    assert check.departments.count() == 11
    html = client.get(reverse("review:spot_check_list"), {"year": 2024}).content.decode()
    coverage = html.split('id="department-coverage"', 1)[1].split("</table>", 1)[0]
    for cells in (
        '<td>2022年度</td><td class="num">11</td><td class="num">55</td>'
        '<td class="num">20.00%</td><td class="num">11</td><td class="num">20.00%</td>',
        '<td class="num">33</td><td class="num">60.00%</td>',
    ):
        assert cells in coverage
    assert "按部门 11 个" in html
    detail = client.get(reverse("review:spot_check_detail", args=[check.pk])).content.decode()
    assert 'id="spot-check-departments"' in detail and "按种子复现一致" in detail
    assert detail.count("尚无审核通过的自评") == 11  # no filing approved in 2024 here


def test_the_page_says_when_exclude_left_too_few(client, fifty_five):
    client.force_login(fifty_five.frank)
    for year in (2021, 2022, 2023):
        _post_draw(client, fifty_five, year=year, seed=year)
    response = _post_draw(client, fifty_five, year=2024, share_percent="50", follow=True)
    html = response.content.decode()
    assert "往年未抽查的部门仅剩 22 个，已全部抽取" in html and 'id="shortfall"' in html


@pytest.mark.parametrize(
    "field, value",
    [
        ("share_percent", "0"),
        ("share_percent", "150"),
        ("share_percent", "二十"),
        ("scope", "everything"),
        ("history", "sometimes"),
    ],
)
def test_bad_input_is_a_chinese_message_at_its_field(client, personas, field, value):
    client.force_login(personas.frank)
    response = _post_draw(client, personas, **{field: value})
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors), errors
    assert not SpotCheck.objects.exists()


def test_the_services_refusal_shows_on_the_page(client, personas):
    client.force_login(personas.frank)
    _post_draw(client, personas, year=2022, share_percent="100", history=H.IGNORE)
    response = _post_draw(client, personas, year=2023)
    assert response.status_code == 400
    assert "往年已抽查全部部门" in response.content.decode()
    assert SpotCheck.objects.count() == 1


def test_the_lists_queries_stay_flat_as_department_draws_accrue(client, fifty_five):
    client.force_login(fifty_five.frank)
    url = reverse("review:spot_check_list")
    counts = []
    for year in (2021, 2022, 2023):
        _draw(fifty_five, year, H.EXCLUDE, year)
        _draw(fifty_five, 2024, H.IGNORE, year)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"year": 2024}).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    # session, user, scope; the region; the years; the latest task's year, else filing's; the
    # page's count, the page, its departments; the coverage draws, the active departments; the
    # regions
    assert counts[0] == 13, counts


def test_the_details_queries_do_not_grow_with_the_departments_drawn(client, fifty_five):
    client.force_login(fifty_five.frank)
    small = _draw(fifty_five, 2023, H.IGNORE, 1, share="0.05")
    large = _draw(fifty_five, 2023, H.IGNORE, 1, share="0.5")
    counts = []
    for check in (small, large):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("review:spot_check_detail", args=[check.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# -- the result on the review page ----------------------------------------------------------------


@pytest.fixture
def reviewed(personas, filings):
    """Department A drawn whole; 甲一 re-scored 10 points below its self score (flagged)."""
    check = _draw(personas, 2023, H.IGNORE, 0, share="1")
    item = SpotCheckItem.objects.get(spot_check=check, evaluation=filings["a1"])
    results = {r.indicator.name: r for r in filings["a1"].results.select_related("indicator")}
    spot_check_score(
        item=item,
        user=personas.frank,
        scores={
            results["走访企业数量"].pk: Decimal("40"),
            results["营商环境满意度"].pk: Decimal("30"),
            results["企业满意度"].pk: Decimal("10"),
        },
        comments={results["走访企业数量"].pk: "走访台账只能证实1300家"},
    )
    return filings["a1"]


def _panel(html: str) -> str:
    return html.split('class="card mb-3 border-danger spot-check-result"', 1)[1].split(
        "</table>", 1
    )[0]


@pytest.mark.parametrize("persona", ["frank", "dora"])
def test_the_review_page_shows_the_spot_check_result_to_its_reviewers(
    client, personas, reviewed, persona
):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("review:evaluation_detail", args=[reviewed.pk]))
    assert response.status_code == 200
    panel = _panel(response.content.decode())
    assert "抽查复核结果" in panel
    assert "自评总分 <strong>98.43</strong>" in panel
    assert "复核总分 <strong>88.43</strong>" in panel
    assert "差异 <strong>10.00</strong>" in panel and "超出差异阈值" in panel
    assert "走访台账只能证实1300家" in panel
    assert '<td>走访企业数量</td><td class="num">50.00</td><td class="num">50.00</td>' in panel
    assert '<td class="num">40.00</td><td class="num">10.00</td>' in panel


def test_an_unscored_sample_says_so(client, personas, reviewed, filings):
    client.force_login(personas.frank)
    html = client.get(reverse("review:evaluation_detail", args=[filings["a2"].pk])).content
    assert "已抽中，尚未完成复核评分" in html.decode()


def test_the_filer_and_other_departments_do_not_see_the_result(client, personas, reviewed):
    url = reverse("review:evaluation_detail", args=[reviewed.pk])
    client.force_login(personas.alice)  # the filer: the page, without the bureau's re-scoring
    response = client.get(url)
    assert response.status_code == 200 and "spot-check-result" not in response.content.decode()
    reviewer_b = f.UserFactory(username="erin")
    f.membership(reviewer_b, Membership.Role.DEPARTMENT_REVIEWER, department=personas.department_b)
    for user in (personas.bob, reviewer_b, personas.other_region_finance):
        client.force_login(user)
        assert client.get(url).status_code == 404
    before = SpotCheckItem.objects.get(evaluation=reviewed).review_total
    client.force_login(reviewer_b)
    item = SpotCheckItem.objects.get(evaluation=reviewed)
    assert client.post(reverse("review:spot_check_item", args=[item.pk]), {}).status_code in (
        403,
        404,
    )
    assert SpotCheckItem.objects.get(evaluation=reviewed).review_total == before


def test_a_filing_never_sampled_has_no_panel(client, personas, filings):
    client.force_login(personas.frank)
    html = client.get(reverse("review:evaluation_detail", args=[filings["b1"].pk])).content
    assert "spot-check-result" not in html.decode()


def test_the_review_pages_queries_do_not_grow_with_the_draws_that_sampled_it(
    client, personas, reviewed
):
    client.force_login(personas.frank)
    url = reverse("review:evaluation_detail", args=[reviewed.pk])
    counts = []
    for seed in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
        _draw(personas, 2023, H.IGNORE, seed, share="1")
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert html.count("抽查复核结果") == 3
    assert counts[0] == counts[1] == len(queries), (counts, len(queries))


def test_the_demo_stages_three_years_of_department_draws_once(personas):
    from projects.review import demo_spot_checks

    for unit in (personas.unit_a, personas.unit_b):
        put_in(build_evaluation(unit, name="演示项目", year=2024), S.APPROVED)
    checks = demo_spot_checks.stage(region=personas.region, user=personas.frank)
    assert [c.year for c in checks] == [2022, 2023, 2024]
    assert all(c.scope == DEPARTMENTS and c.departments.count() == 1 for c in checks)
    table = department_coverage(personas.region)
    assert [r.cumulative for r in table] == [Decimal("50.00"), Decimal("100.00"), Decimal("100.00")]
    reviewed = SpotCheckItem.objects.get(reviewed_at__isnull=False)
    assert reviewed.review_total == reviewed.evaluation.claimed_total - 6
    again = demo_spot_checks.stage(region=personas.region, user=personas.frank)
    assert [c.pk for c in again] == [c.pk for c in checks]
    assert SpotCheck.objects.count() == 3
    assert SpotCheckItem.objects.filter(reviewed_at__isnull=False).count() == 1
