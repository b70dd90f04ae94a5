"""The queue's query count does not grow with the number of filings (10 and 1,000)."""

import datetime
import itertools

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, EvaluationTask
from tests import factories as f
from tests.projects.test_review_support import (
    Spec,
    bulk_filings,
    fast_password_hashing,  # noqa: F401  (autouse)
)

S = EvaluationStatus
SPECS = [
    Spec(S.DRAFT),
    Spec(S.SUBMITTED, "95.00", "96.00", "优", "95.00"),
    Spec(S.DEPARTMENT_APPROVED, "85.00", "85.00", "良", "80.00", warnings=1),
    Spec(S.APPROVED, "72.50", "80.00", "中", "55.00", errors=0, warnings=2),
    Spec(S.RETURNED, "91.00", "91.00", "优", "99.00"),
]


def region_with(personas, n: int):
    """n filings spread over five departments (two units each) with a past deadline."""
    task = EvaluationTask.objects.create(
        region=personas.region,
        year=2023,
        deadline=datetime.date.today() - datetime.timedelta(days=1),
        issued_by=personas.frank,
    )
    units = [personas.unit_a, personas.unit_b]
    for i in range(3):
        department = f.DepartmentFactory(region=personas.region, code=f"X{i}")
        units += [f.UnitFactory(department=department) for _ in range(2)]
    specs = list(itertools.islice(itertools.cycle(SPECS), n))
    return task, bulk_filings(task, units, specs)


# session, user, memberships (scope), count for the paginator, the page of rows (one join with
# the extension subquery), departments for the filter's choices, unread count and latest
# notifications, the 整改 items awaiting 销号 (rectifications.selectors.awaiting_close).
QUEUE_QUERIES = 9


@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize(
    "query, share",
    [
        ("?todo=all", 1),
        # draft and returned filings past the deadline: 2 of every 5
        ("?todo=all&sort=-computed_total&overdue=1", 0.4),
    ],
)
def test_queue_query_count_is_flat(client, personas, django_assert_num_queries, n, query, share):
    region_with(personas, n)
    client.force_login(personas.frank)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("review:queue") + query)
    assert response.status_code == 200
    assert response.content.decode().count('data-evaluation="') == min(int(n * share), 25)
