"""Pinned query counts of the review and filing pages, the same with 12 filings as with 132.

Each count is listed query by query, so a change that adds one has to say which. The history
side (past years, draws, tasks) is in test_pages_flat_history.py.
"""

import datetime

import pytest
from django.urls import reverse

from projects.models import EvaluationTask
from tests.projects.test_pages_flat_history import (
    PAGES,
    THIS_YEAR,
    YEAR,
    add_past_year,
    this_year,
)
from tests.projects.test_review_support import bulk_filings

pytestmark = pytest.mark.django_db

SIGNED_IN = 3  # the session, the user, the user's memberships (the scope)
QUEUE = SIGNED_IN + 6  # count, unread notifications, latest notifications, departments, the page
# … and the 整改 items awaiting 销号 beside the notifications
# … + 1: the region's rule sets by year, to name the rules in force for the filing's year
# … + 1: the filing's spot-check items (reviewers only; + 1 more for their scores when sampled)
# … + 1: the filing's evidence files (佐证材料), listed beside their indicators
REVIEW_PAGE = SIGNED_IN + 11
QUERIES = {
    "finance queue": QUEUE,
    "department queue": QUEUE,
    "queue, every year": QUEUE,
    # the filing with project, unit, department, region and task; its indicators, fund lines,
    # results and the task's extensions; comments on indicators; target corrections; review
    # steps with their actors; the steps' comments
    "review page": REVIEW_PAGE,
    "review page (department)": REVIEW_PAGE,
    # the filing with everything it shows, fund lines, indicators, results; the filer's right to
    # file it; the task's extensions (the unit's deadline); the region's rule sets by year; the
    # year's filed monitoring, read by the live score (its year-end findings) and again for the
    # values shown beside the actuals; the filing's evidence files (佐证材料)
    "filing form": SIGNED_IN + 10,
    # the region, the latest task's year, every count by department in one, the extensions of
    # the year's task, lowest rates, filings with findings, largest gaps, the regions
    "overview": SIGNED_IN + 8,
    # the region, the latest tasks' years, the chosen task with its issuer, its extensions,
    # coverage by department, the regions, the departments for the extension form
    "tasks": SIGNED_IN + 7,
    "tasks, latest year": SIGNED_IN + 7,
}


@pytest.mark.parametrize("page", QUERIES)
@pytest.mark.parametrize("more", [0, 10])
def test_a_page_makes_its_pinned_queries_however_many_filings(
    client, personas, django_assert_num_queries, page, more
):
    season = this_year(personas)
    add_past_year(season)
    task = EvaluationTask.objects.get(region=personas.region, year=YEAR)
    for i in range(more):
        bulk_filings(task, [personas.unit_a, personas.unit_b], THIS_YEAR * 2, start=200 + 12 * i)
    persona, url = PAGES[page]
    client.force_login(getattr(personas, persona))
    with django_assert_num_queries(QUERIES[page]):
        response = client.get(url(season))
    assert response.status_code == 200


def _queue_ids(client, query: str) -> list[int]:
    html = client.get(reverse("review:queue") + query).content.decode()
    return [int(part.split('"', 1)[0]) for part in html.split('data-evaluation="')[1:]]


def test_every_filing_shows_on_exactly_one_page_of_the_queue(client, personas):
    """Forty drafts share a blank 提交时间: paging the default order lists each once."""
    task = EvaluationTask.objects.create(
        region=personas.region, year=YEAR, deadline="2024-05-31", issued_by=personas.frank
    )
    drafts = bulk_filings(task, [personas.unit_a, personas.unit_b], THIS_YEAR[:1] * 40)
    client.force_login(personas.frank)
    seen = [i for page in (1, 2) for i in _queue_ids(client, f"?todo=all&page={page}")]
    assert sorted(seen) == sorted(d.pk for d in drafts)


SORTS = [
    "year",
    "department",
    "unit",
    "project",
    "status",
    "computed_total",
    "claimed_total",
    "computed_grade",
    "findings",
    "deadline",
    "submitted_at",
]


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{s}" for s in SORTS)])
def test_every_order_of_the_queue_ends_on_the_filings_id(client, personas, sort):
    """Ties (a grade, a blank date) would otherwise come back in any order, page by page."""
    client.force_login(personas.frank)
    response = client.get(reverse("review:queue"), {"todo": "all", "sort": sort})
    order = response.context["table"].data.data.query.order_by
    assert order[-1] in ("pk", "-pk"), order


def test_the_queue_prints_the_submission_time_in_the_sites_time_zone(client, personas):
    task = EvaluationTask.objects.create(
        region=personas.region, year=YEAR, deadline="2024-05-31", issued_by=personas.frank
    )
    (filing,) = bulk_filings(task, [personas.unit_a], THIS_YEAR[1:2])
    filing.submitted_at = datetime.datetime(2024, 3, 1, 2, 30, tzinfo=datetime.UTC)
    filing.save(update_fields=["submitted_at"])
    client.force_login(personas.frank)
    html = client.get(reverse("review:queue"), {"todo": "all"}).content.decode()
    assert ">03-01 10:30<" in html  # 02:30 UTC is 10:30 in Asia/Shanghai
