"""The spot-check list: one year's draws, counted in SQL, flat as the years of history grow."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import EvaluationStatus, SpotCheck
from projects.review.services.spot_checks import spot_check_draw, spot_check_score
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

pytestmark = pytest.mark.django_db


def _rows(html: str) -> str:
    return html.split('id="spot-checks"', 1)[1].split("</table>", 1)[0]


def test_the_list_counts_reviewed_and_flagged_items_as_the_review_does(client, personas):
    evaluation = put_in(build_evaluation(personas.unit_a), EvaluationStatus.APPROVED)
    check = spot_check_draw(
        region=personas.region, year=2023, user=personas.frank, share=Decimal("1"), seed=1
    )
    item = check.items.get(evaluation=evaluation)
    scores = {
        r.pk: {"走访企业数量": Decimal("40"), "营商环境满意度": Decimal("30")}.get(
            r.indicator.name, Decimal("10")
        )
        for r in evaluation.results.select_related("indicator").filter(
            indicator__weight__isnull=False
        )
    }
    spot_check_score(item=item, user=personas.frank, scores=scores)
    client.force_login(personas.frank)
    html = client.get(reverse("review:spot_check_list"), {"year": 2023}).content.decode()
    table = _rows(html)
    # self 98.43 against review 88.43: a gap of 10 above the threshold of 5 is flagged
    assert '<span class="badge text-bg-danger">1</span>' in table
    assert table.count("2023年度") == 1


def test_the_list_shows_one_year_and_pages_through_it(client, personas):
    put_in(build_evaluation(personas.unit_a), EvaluationStatus.APPROVED)
    for seed in range(25):
        spot_check_draw(
            region=personas.region, year=2023, user=personas.frank, share=Decimal("1"), seed=seed
        )
    SpotCheck.objects.create(region=personas.region, year=2022, seed=99, drawn_by=personas.frank)
    client.force_login(personas.frank)
    url = reverse("review:spot_check_list")
    first = client.get(url, {"year": 2023}).content.decode()
    assert _rows(first).count("<tr>") == 1 + 20  # the head and a page of 20
    assert "第 1 / 2 页，共 25 条" in first and "2022年度</a>" in first  # the other year's tab
    second = client.get(url, {"year": 2023, "page": 2}).content.decode()
    assert _rows(second).count("<tr>") == 1 + 5
    other = client.get(url, {"year": 2022}).content.decode()
    assert _rows(other).count("<tr>") == 1 + 1


def test_the_lists_queries_neither_grow_nor_load_items_as_draws_and_years_accrue(client, personas):
    put_in(build_evaluation(personas.unit_a), EvaluationStatus.APPROVED)
    client.force_login(personas.frank)
    url = reverse("review:spot_check_list")
    counts = []
    for year in (2020, 2021, 2022, 2023):
        for seed in range(3):
            spot_check_draw(
                region=personas.region,
                year=2023,
                user=personas.frank,
                share=Decimal("1"),
                seed=seed,
            )
        SpotCheck.objects.create(region=personas.region, year=year, seed=1, drawn_by=personas.frank)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"year": 2023}).status_code == 200
        counts.append(len(queries))
        # Items are counted by the database, never fetched row by row into the page.
        item_reads = [q["sql"] for q in queries if "projects_spotcheckitem" in q["sql"]]
        assert item_reads and all("COUNT(" in sql for sql in item_reads), item_reads
    assert len(set(counts)) == 1, counts
