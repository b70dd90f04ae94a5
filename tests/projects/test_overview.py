"""The finance bureau's overview: figures by hand, and a query count flat at 10 and 1,000."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, EvaluationTask
from projects.review.selectors import finance_overview
from tests.projects.test_review_queries import region_with
from tests.projects.test_review_support import (
    Spec,
    bulk_filings,
    fast_password_hashing,  # noqa: F401  (autouse)
)

S = EvaluationStatus
TODAY = datetime.date(2024, 6, 1)


@pytest.fixture
def season(personas):
    """Department A: four filings, department B: two; the deadline passed yesterday."""
    task = EvaluationTask.objects.create(
        region=personas.region, year=2023, deadline=TODAY - datetime.timedelta(days=1)
    )
    bulk_filings(
        task,
        [personas.unit_a],
        [
            Spec(S.APPROVED, "95.00", "95.00", "优", "95.00"),
            Spec(S.APPROVED, "85.00", "88.00", "良", "80.00"),
            Spec(S.SUBMITTED, "70.00", "78.50", "中", "55.00", warnings=1),
            Spec(S.DRAFT),
        ],
    )
    bulk_filings(
        task,
        [personas.unit_b],
        [
            Spec(S.DEPARTMENT_APPROVED, "92.00", "92.00", "优", "100.00"),
            Spec(S.RETURNED, "60.00", "60.00", "中", "40.00", errors=1),
        ],
        start=100,
    )
    return task


def test_overview_figures(personas, season):
    o = finance_overview(region=personas.region, year=2023, today=TODAY)
    a, b = o.coverage
    assert (a.name, a.issued, a.submitted, a.approved, a.overdue) == (
        "相山区人民政府办公室",
        4,
        3,
        2,
        1,
    )
    assert (b.issued, b.submitted, b.approved, b.overdue) == (2, 1, 0, 1)
    assert (o.total.issued, o.total.submitted, o.total.approved, o.total.overdue) == (6, 4, 2, 2)
    assert o.total.submitted_rate == Decimal("66.67")  # 4 / 6
    # Grades of the four submitted filings: 优 95 and 92, 良 85, 中 70 → 评优率 2 / 4 = 50%.
    assert [(g.label, g.count) for g in o.grades] == [("优", 2), ("良", 1), ("中", 1), ("差", 0)]
    assert o.excellent_rate == Decimal("50.00")
    assert [(band.label, band.count) for band in o.rate_bands] == [
        ("低于60%", 1),
        ("60%–80%", 0),
        ("80%–90%", 1),
        ("90%–100%", 1),
        ("100%及以上", 1),
    ]
    assert [e.execution_rate for e in o.lowest_rates] == [
        Decimal("55.00"),
        Decimal("80.00"),
        Decimal("95.00"),
        Decimal("100.00"),
    ]
    # The returned filing (an error) is back with the filer; only submitted ones are listed.
    assert o.with_findings_count == 1 and o.with_findings[0].computed_total == Decimal("70.00")
    # Gaps claimed − computed: 78.50 − 70 = 8.50, 88 − 85 = 3.00; equal totals are left out.
    assert [(e.claimed_total, e.gap) for e in o.largest_gaps] == [
        (Decimal("78.50"), Decimal("8.50")),
        (Decimal("88.00"), Decimal("3.00")),
    ]


def test_overview_page_renders_tables_and_svg_charts(client, personas, season):
    client.force_login(personas.frank)
    html = client.get(reverse("review:overview") + "?year=2023").content.decode()
    assert html.count("<svg") == 3
    assert "50.00%" in html  # 评优率
    assert "cdn" not in html.lower()


# session, user, memberships, the finance region, the latest task's year, every count by
# department (coverage, grades, execution-rate bands, findings) in one, the extensions of the
# year's task, lowest rates, filings with findings, largest gaps, the regions for the switcher.
OVERVIEW_QUERIES = 11


@pytest.mark.parametrize("n", [10, 1000])
def test_overview_query_count_is_flat(client, personas, django_assert_num_queries, n):
    region_with(personas, n)
    client.force_login(personas.frank)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(reverse("review:overview"))
    assert response.status_code == 200
    assert f'data-figure="issued">{n}<' in response.content.decode()


def test_overview_prints_a_gap_as_its_decimal_difference(client, personas):
    """98.43 − 95.42 is 3.01 exactly; a float subtraction in the database gave 3.01000000000001."""
    task = EvaluationTask.objects.create(region=personas.region, year=2023, deadline=TODAY)
    bulk_filings(task, [personas.unit_a], [Spec(S.SUBMITTED, "95.42", "98.43", "优", "90.00")])
    o = finance_overview(region=personas.region, year=2023, today=TODAY)
    assert [e.gap for e in o.largest_gaps] == [Decimal("3.01")]
    client.force_login(personas.frank)
    html = client.get(reverse("review:overview") + "?year=2023").content.decode()
    assert ">3.01<" in html and "3.0100" not in html
