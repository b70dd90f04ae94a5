"""Pinned query counts of the report pages, the same with 12 filings as with 132; a department's
projects and the reports index are listed a page at a time."""

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, EvaluationTask
from tests.projects.test_pages_flat_history import THIS_YEAR, YEAR, add_past_year, this_year
from tests.projects.test_review_support import Spec, bulk_filings
from tests.reports.test_pages_flat_history import PAGES

pytestmark = pytest.mark.django_db

SIGNED_IN = 3  # the session, the user, the user's memberships (the scope)
QUERIES = {
    # the filing with its project, unit, department and region; fund lines, indicators, results;
    # the year's filed monitoring values (年中监控值)
    "自评表 HTML": SIGNED_IN + 5,
    # the department; the count of its projects; a page of them; their fund lines; the
    # department-overall filings
    "department detail": SIGNED_IN + 5,
    # the count of department-years; a page of them
    "reports index": SIGNED_IN + 2,
    "reports index (filer)": SIGNED_IN + 2,
}
# The public pages are another module's; their counts may fall, never rise.
MAX_QUERIES = {"public index": 5, "public department": 7}


@pytest.mark.parametrize("page", [*QUERIES, *MAX_QUERIES])
@pytest.mark.parametrize("more", [0, 10])
def test_a_report_page_makes_its_pinned_queries_however_many_filings(
    client, personas, django_assert_num_queries, django_assert_max_num_queries, page, more
):
    season = this_year(personas)
    add_past_year(season)
    task = EvaluationTask.objects.get(region=personas.region, year=YEAR)
    for i in range(more):
        bulk_filings(task, [personas.unit_a, personas.unit_b], THIS_YEAR * 2, start=200 + 12 * i)
    persona, url = PAGES[page]
    if persona:
        client.force_login(getattr(personas, persona))
    if page in QUERIES:
        with django_assert_num_queries(QUERIES[page]):
            response = client.get(url(season))
    else:
        with django_assert_max_num_queries(MAX_QUERIES[page]):
            response = client.get(url(season))
    assert response.status_code == 200


def _rows(html: str) -> list[str]:
    body = html.split('id="department-projects"', 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr>")[2:]  # after the head's row


def test_a_large_departments_projects_are_listed_fifty_to_a_page(client, personas):
    task = EvaluationTask.objects.create(
        region=personas.region, year=YEAR, deadline="2024-05-31", issued_by=personas.frank
    )
    bulk_filings(task, [personas.unit_a], [Spec(EvaluationStatus.PUBLISHED, "90.00")] * 60)
    client.force_login(personas.frank)
    url = reverse("reports:department_detail", args=[personas.department_a.pk, YEAR])
    first = client.get(url).content.decode()
    rows = _rows(first)
    assert len(rows) == 50
    assert rows[0].startswith("<td>1</td>") and rows[-1].startswith("<td>50</td>")
    assert "共 60 项" in first and "第 1 / 2 页，共 60 条" in first
    second = client.get(url, {"page": 2}).content.decode()
    rows = _rows(second)
    # The numbering runs on from the first page, as in the printed summary.
    assert len(rows) == 10
    assert rows[0].startswith("<td>51</td>") and rows[-1].startswith("<td>60</td>")


def test_the_reports_index_lists_department_years_a_page_at_a_time(client, personas, monkeypatch):
    monkeypatch.setattr("reports.views.INDEX_PAGE_SIZE", 2)
    season = this_year(personas)
    add_past_year(season)  # 2022: two more department-years, four in all
    client.force_login(personas.frank)
    first = client.get(reverse("reports:index")).content.decode()
    assert first.count("查看资料") == 2 and "第 1 / 2 页，共 4 条" in first
    assert "2023" in first.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    second = client.get(reverse("reports:index"), {"page": 2}).content.decode()
    assert second.count("查看资料") == 2
    assert f"<td>{YEAR - 1}</td>" in second and f"<td>{YEAR}</td>" not in second
