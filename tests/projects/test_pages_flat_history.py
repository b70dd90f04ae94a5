"""The review and filing pages read the same amount with one past year as with four.

A region's history piles up: every year brings its task with extensions, thousands of filings
published, spot-check draws, notifications. None of it is on this year's pages, so none of it may
cost a query or a row there. Each test builds this year's filings and one past year, reads a page,
adds three more past years (with more draws of this year as well), reads it again, and compares
the queries and the model rows they brought into Python, by model.

The builders here are shared with tests/reports/test_pages_flat_history.py.
"""

from __future__ import annotations

import datetime
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import (
    DeadlineExtension,
    EvaluationStatus,
    EvaluationTask,
    Notification,
)
from projects.review.services.spot_checks import spot_check_draw
from tests.projects.test_review_support import (
    Spec,
    build_evaluation,
    bulk_filings,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

pytestmark = pytest.mark.django_db

S = EvaluationStatus
YEAR = 2023
DEADLINE = datetime.date.today() + datetime.timedelta(days=10)
# This year's filings beside the three full ones: every status, scored figures, some overdue.
THIS_YEAR = [
    Spec(S.DRAFT),
    Spec(S.SUBMITTED, "95.00", "96.00", "优", "95.00"),
    Spec(S.DEPARTMENT_APPROVED, "85.00", "85.00", "良", "80.00", warnings=1),
    Spec(S.APPROVED, "72.50", "80.00", "中", "55.00", warnings=2),
    Spec(S.PUBLISHED, "91.00", "91.00", "优", "99.00"),
    Spec(S.RETURNED, "60.00", "62.00", "中", "40.00", errors=1),
]
PAST_YEAR = [Spec(S.PUBLISHED, "88.00", "90.00", "良", "92.00")] * 4
# A year's messages to each persona: more than the latest few a page shows, from the first year.
NOTIFICATIONS = 10


@dataclass
class Season:
    """This year's filings the pages open, and how much history has been added so far."""

    personas: object
    draft: object  # alice's open filing: the filing form
    under_review: object  # waiting for the finance bureau: the review page
    published: object  # on the public pages and in the 自评表
    past_years: list[int] = field(default_factory=list)
    draws: int = 0


def this_year(personas) -> Season:
    """2023: the task (department B has an extension), three scored filings of unit A with
    seed 001's figures, six more per unit in every status, and one spot-check draw."""
    task = EvaluationTask.objects.create(
        region=personas.region, year=YEAR, deadline=DEADLINE, issued_by=personas.frank
    )
    DeadlineExtension.objects.create(
        task=task, department=personas.department_b, deadline=DEADLINE + datetime.timedelta(7)
    )
    draft = build_evaluation(personas.unit_a, name="区创优营商环境服务中心工作经费")
    under_review = put_in(
        build_evaluation(personas.unit_a, name="区政府工作经费"), S.DEPARTMENT_APPROVED
    )
    published = put_in(build_evaluation(personas.unit_a, name="政务公开经费"), S.PUBLISHED)
    for evaluation in (draft, under_review, published):
        evaluation.task = task
        evaluation.save(update_fields=["task"])
    bulk_filings(task, [personas.unit_a], THIS_YEAR)
    bulk_filings(task, [personas.unit_b], THIS_YEAR, start=100)
    season = Season(personas, draft, under_review, published)
    add_draws(season, 1)
    return season


def add_draws(season: Season, count: int) -> None:
    """More spot-check draws of this year's approved filings."""
    for _ in range(count):
        spot_check_draw(
            region=season.personas.region,
            year=YEAR,
            user=season.personas.frank,
            share=Decimal("1"),
            seed=season.draws,
        )
        season.draws += 1


def add_past_year(season: Season) -> int:
    """One more year before the earliest: its task with an extension, a scored filing and four
    more per unit all published, a spot-check draw, and notifications for every persona."""
    p = season.personas
    year = min([YEAR, *season.past_years]) - 1
    task = EvaluationTask.objects.create(
        region=p.region, year=year, deadline=datetime.date(year + 1, 5, 31), issued_by=p.frank
    )
    for department in (p.department_a, p.department_b):
        DeadlineExtension.objects.create(
            task=task, department=department, deadline=datetime.date(year + 1, 6, 30)
        )
    old = put_in(
        build_evaluation(p.unit_a, year=year, name="区创优营商环境服务中心工作经费"), S.PUBLISHED
    )
    old.task = task
    old.save(update_fields=["task"])
    bulk_filings(task, [p.unit_a, p.unit_b], PAST_YEAR * 2, start=1000 * (YEAR - year))
    spot_check_draw(region=p.region, year=year, user=p.frank, share=Decimal("1"), seed=year)
    for user in (p.alice, p.dora, p.frank):
        Notification.objects.bulk_create(
            Notification(recipient=user, kind=Notification.Kind.APPROVED, message=f"{year}年度")
            for _ in range(NOTIFICATIONS)
        )
    season.past_years.append(year)
    return year


def grow_history(season: Season) -> None:
    """Three more past years and three more draws of this year."""
    for _ in range(3):
        add_past_year(season)
    add_draws(season, 3)


@dataclass
class Reads:
    """What one block read: its queries, and the model rows they became, by model."""

    queries: CaptureQueriesContext
    rows: Counter

    @property
    def count(self) -> int:
        return len(self.queries)


@contextmanager
def reading():
    """Count the queries of a block and every model instance it loads (post_init)."""
    rows: Counter = Counter()

    def loaded(sender, **kwargs):
        rows[sender._meta.label] += 1

    post_init.connect(loaded, weak=False, dispatch_uid="pages-flat-history")
    try:
        with CaptureQueriesContext(connection) as queries:
            yield Reads(queries, rows)
    finally:
        post_init.disconnect(dispatch_uid="pages-flat-history")


def read_page(client, user, url: str) -> tuple[Reads, str]:
    """GET `url` as `user` (anonymous when None); what it read and its HTML."""
    client.logout()
    if user is not None:
        client.force_login(user)
    with reading() as reads:
        response = client.get(url)
    assert response.status_code == 200, url
    return reads, response.content.decode()


def assert_flat(before: Reads, after: Reads) -> None:
    """The same queries, and not one model row more of any model."""
    assert after.count == before.count, (
        [q["sql"][:200] for q in before.queries],
        [q["sql"][:200] for q in after.queries],
    )
    assert after.rows == before.rows


# --- the pages ---------------------------------------------------------------------------------

PAGES = {
    "finance queue": ("frank", lambda s: reverse("review:queue")),
    "department queue": ("dora", lambda s: reverse("review:queue")),
    "queue, every year": ("frank", lambda s: reverse("review:queue") + "?todo=all"),
    "review page": (
        "frank",
        lambda s: reverse("review:evaluation_detail", args=[s.under_review.pk]),
    ),
    "review page (department)": (
        "dora",
        lambda s: reverse("review:evaluation_detail", args=[s.under_review.pk]),
    ),
    "filing form": ("alice", lambda s: reverse("projects:evaluation_edit", args=[s.draft.pk])),
    "overview": ("frank", lambda s: reverse("review:overview") + f"?year={YEAR}"),
    "tasks": ("frank", lambda s: reverse("review:task_list") + f"?year={YEAR}"),
    "tasks, latest year": ("frank", lambda s: reverse("review:task_list")),
    "spot-check list": ("frank", lambda s: reverse("review:spot_check_list") + f"?year={YEAR}"),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_reads_no_more_with_four_past_years_than_with_one(
    client, personas, monkeypatch, page
):
    # Short pages, so a list of every year (or of every draw) is full before the history grows.
    monkeypatch.setattr("projects.review.views.queue.PER_PAGE", 3)
    monkeypatch.setattr("projects.review.selectors.spot_checks.PER_PAGE", 1)
    season = this_year(personas)
    add_past_year(season)
    persona, url = PAGES[page]
    user = getattr(personas, persona)
    before, _ = read_page(client, user, url(season))
    grow_history(season)
    after, html = read_page(client, user, url(season))
    assert_flat(before, after)
    if page == "tasks, latest year":
        assert f"{YEAR}年度" in html and f"{min(season.past_years)}年度</a>" in html
