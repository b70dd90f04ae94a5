"""The report pages read the same amount with one past year as with four (see the builders in
tests/projects/test_pages_flat_history.py): the 自评表, a department's documents, the reports
index, and the public index and department page."""

import pytest
from django.urls import reverse

from tests.projects.test_pages_flat_history import (
    YEAR,
    add_past_year,
    assert_flat,
    grow_history,
    read_page,
    this_year,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "自评表 HTML": (
        "frank",
        lambda s: reverse("reports:evaluation_table", args=[s.published.pk]),
    ),
    "department detail": (
        "frank",
        lambda s: reverse("reports:department_detail", args=[s.personas.department_a.pk, YEAR]),
    ),
    "reports index": ("frank", lambda s: reverse("reports:index")),
    "reports index (filer)": ("alice", lambda s: reverse("reports:index")),
    "public index": (None, lambda s: reverse("publication_index")),
    "public department": (
        None,
        lambda s: reverse(
            "publication_department",
            args=[s.personas.region.code, YEAR, s.personas.department_a.code],
        ),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_report_page_reads_no_more_with_four_past_years_than_with_one(
    client, personas, monkeypatch, page
):
    # Short lists, so the ones that span every year are full before the history grows.
    monkeypatch.setattr("reports.views.INDEX_PAGE_SIZE", 2)
    monkeypatch.setattr("reports.selectors.publication.INDEX_PAGE_SIZE", 3)
    season = this_year(personas)
    add_past_year(season)
    persona, url = PAGES[page]
    user = getattr(personas, persona) if persona else None
    before, html_before = read_page(client, user, url(season))
    grow_history(season)
    after, html_after = read_page(client, user, url(season))
    assert_flat(before, after)
    # The lists that span years show as many lines as before: a page of them. (The public index
    # also browses by year, one line per published year, counted by the database.)
    if page != "public index":
        assert html_after.count("<tr") == html_before.count("<tr")
