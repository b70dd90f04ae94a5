"""The workspace's search, filters and sorting: GET parameters, so a link keeps them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, Membership
from tests import factories as f

URL = reverse("projects:workspace")
S = EvaluationStatus


@pytest.fixture
def season(personas):
    """Alice files for unit A and a second unit of department A; Bob's unit B is elsewhere."""
    second = f.UnitFactory(department=personas.department_a, name="相山区档案馆")
    f.membership(personas.alice, Membership.Role.FILER, unit=second)
    rows = {
        "甲项目": (personas.unit_a, "XS-001", S.DRAFT, "91.50"),
        "乙项目": (personas.unit_a, "XS-002", S.SUBMITTED, "75.00"),
        "丙项目": (second, "DA-003", S.RETURNED, "88.00"),
    }
    made = {}
    for name, (unit, code, status, total) in rows.items():
        project = f.ProjectFactory(unit=unit, year=2023, name=name, code=code)
        made[name] = f.EvaluationFactory(
            project=project, status=status, computed_total=Decimal(total)
        )
    f.ProjectFactory(unit=personas.unit_a, year=2023, name="丁项目", code="XS-004")
    f.EvaluationFactory(
        project=f.ProjectFactory(unit=personas.unit_b, year=2023, name="开发区项目")
    )
    return second, made


def _names(client, **params) -> list[str]:
    """The subjects listed, in order."""
    html = client.get(URL, {"year": 2023, **params}).content.decode()
    body = html[html.index('id="workspace-table"') :]
    body = body[body.index("<tbody") :]
    names = []
    for name in ("甲项目", "乙项目", "丙项目", "丁项目", "开发区项目"):
        if name in body:
            names.append((body.index(name), name))
    return [n for _, n in sorted(names)]


def test_search_finds_a_subject_by_name_or_by_code(client, personas, season):
    client.force_login(personas.alice)
    assert _names(client, q="乙") == ["乙项目"]
    assert _names(client, q="da-003") == ["丙项目"]
    assert _names(client, q="开发区") == []


def test_status_filter_includes_not_started(client, personas, season):
    client.force_login(personas.alice)
    assert _names(client, status="returned") == ["丙项目"]
    assert _names(client, status="not_started") == ["丁项目"]
    assert sorted(_names(client, status="")) == ["丁项目", "丙项目", "乙项目", "甲项目"]


def test_unit_filter_offers_only_the_filers_own_units(client, personas, season):
    second, _ = season
    client.force_login(personas.alice)
    html = client.get(URL, {"year": 2023}).content.decode()
    select = html[html.index('name="unit"') :]
    select = select[: select.index("</select>")]
    assert personas.unit_a.name in select and "相山区档案馆" in select
    assert personas.unit_b.name not in select
    assert _names(client, unit=second.pk) == ["丙项目"]
    # Another unit's id is not a choice: a field error, and nothing of unit B shows.
    response = client.get(URL, {"year": 2023, "unit": personas.unit_b.pk})
    assert response.status_code == 200
    assert "开发区项目" not in response.content.decode()


def test_columns_sort_in_both_directions_with_subjects_not_started_last(client, personas, season):
    client.force_login(personas.alice)
    assert _names(client, sort="score") == ["乙项目", "丙项目", "甲项目", "丁项目"]
    assert _names(client, sort="-score") == ["甲项目", "丙项目", "乙项目", "丁项目"]
    assert _names(client, sort="project") == sorted(["甲项目", "乙项目", "丙项目", "丁项目"])
    assert _names(client, sort="-project") == sorted(["甲项目", "乙项目", "丙项目", "丁项目"])[::-1]
    # 相山区档案馆 against unit A's name: the second unit's one subject sits at one end.
    assert _names(client, sort="unit").index("丙项目") in (0, 3)
    assert _names(client, sort="-unit").index("丙项目") in (0, 3)
    assert _names(client, sort="unit") != _names(client, sort="-unit")
    # Status: draft, returned, submitted by their stored codes; 未开始 last either way.
    assert _names(client, sort="status") == ["甲项目", "丙项目", "乙项目", "丁项目"]
    assert _names(client, sort="-status") == ["乙项目", "丙项目", "甲项目", "丁项目"]
    assert sorted(_names(client, sort="year")) == ["丁项目", "丙项目", "乙项目", "甲项目"]


def test_updated_sort_puts_the_latest_change_first(client, personas, season):
    _, made = season
    made["乙项目"].save()  # auto_now: the newest update time
    client.force_login(personas.alice)
    assert _names(client, sort="-updated") == ["乙项目", "丙项目", "甲项目", "丁项目"]
    assert _names(client, sort="updated")[-2:] == ["乙项目", "丁项目"]


def test_filters_and_sort_survive_in_the_links(client, personas, season):
    client.force_login(personas.alice)
    html = client.get(URL, {"year": 2023, "q": "项目", "status": "draft"}).content.decode()
    # The sort links keep the filters, so a link to a sorted, filtered list reproduces it.
    assert "q=%E9%A1%B9%E7%9B%AE" in html and "status=draft" in html and "sort=score" in html
    assert 'value="项目"' in html
    assert "符合条件的1 个评价对象" in html


def test_bad_parameters_never_fail(client, personas, season):
    client.force_login(personas.alice)
    for params in ({"status": "nonsense"}, {"sort": "nonsense"}, {"unit": "x"}, {"year": "x"}):
        assert client.get(URL, params).status_code == 200


def test_a_filtered_sorted_list_makes_the_pinned_queries_however_many_subjects(
    client, personas, season, django_assert_num_queries
):
    client.force_login(personas.alice)
    params = {"year": 2023, "q": "项目", "status": "draft", "sort": "-score"}
    # session, user, memberships, years, the units of the unit filter, subjects, their
    # evaluations, task (none: no extensions query), notifications and their unread count, the
    # unit's open monitoring reports, its target declarations and its open 整改 items
    with django_assert_num_queries(13):
        client.get(URL, params)
    for i in range(30):
        f.EvaluationFactory(
            project=f.ProjectFactory(unit=personas.unit_a, year=2023, name=f"项目{i}")
        )
    with django_assert_num_queries(13):
        client.get(URL, params)
