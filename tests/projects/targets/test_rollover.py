"""The year rollover on the demo regions: continuing subjects carried into 2024 with their
targets and none of their actuals, nothing carried twice, ended subjects reported; the finance
bureau's page previews a run without writing and then runs it."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from projects.models import (
    Evaluation,
    EvaluationStatus,
    FundLine,
    Indicator,
    IndicatorResult,
    Project,
    Region,
    TargetDeclaration,
)
from tests.projects.test_load_demo import demo, demo_db  # noqa: F401  (the module's demo)

pytestmark = pytest.mark.usefixtures("demo_db")

TARGET_FIELDS = ("order", "level1", "level2", "name", "target", "weight", "method")


def _counts():
    return tuple(
        model.objects.count()
        for model in (Project, Indicator, FundLine, TargetDeclaration, Evaluation, IndicatorResult)
    )


def _rollover(code: str) -> str:
    out = io.StringIO()
    call_command("rollover_year", region=code, from_year=2023, to_year=2024, stdout=out)
    return out.getvalue()


def _targets(project) -> list[tuple]:
    return list(project.indicators.order_by("order", "pk").values_list(*TARGET_FIELDS))


def _continuing_2023(code: str):
    return Project.objects.filter(unit__department__region__code=code, year=2023)


@pytest.mark.parametrize("code", ["340603", "130322"])
def test_the_command_carries_continuing_projects_with_their_targets_and_no_actuals(code):
    before = set(Project.objects.filter(year=2024).values_list("pk", flat=True))
    sources = list(_continuing_2023(code))
    twinned = {old.pk for old in sources if _has_twin(old)}
    output = _rollover(code)
    # (the demo already carried 相山区's 2024 subjects into 2025: only 2023's count here)
    carried = TargetDeclaration.objects.filter(
        rolled_from__unit__department__region__code=code, rolled_from__year=2023
    ).select_related("project", "rolled_from")
    # Every 2023 subject without a 2024 twin is carried now; the others are left as they are.
    assert {d.rolled_from_id for d in carried} == {old.pk for old in sources} - twinned
    assert carried.exists()
    assert f"新建 {carried.count()} 个项目" in output
    assert f"已存在 {len(twinned)} 个" in output
    for declaration in carried:
        old, new = declaration.rolled_from, declaration.project
        assert new.pk not in before
        assert (new.year, new.name, new.code, new.unit_id) == (
            2024,
            old.name,
            old.code,
            old.unit_id,
        )
        assert new.goal_expected == old.goal_expected
        assert _targets(new) == _targets(old)
        assert declaration.status == EvaluationStatus.DRAFT
        # Nothing filed is copied: no evaluation, no results, a blank fund plan.
        assert not Evaluation.objects.filter(project=new).exists()
        assert not IndicatorResult.objects.filter(indicator__project=new).exists()
        assert not new.fund_lines.exclude(initial=None, adjusted=None).exists()


def _has_twin(old) -> bool:
    same = Project.objects.filter(unit_id=old.unit_id, year=2024)
    if old.kind == Project.Kind.DEPARTMENT_OVERALL:
        return same.filter(kind=old.kind).exists()
    return same.filter(code=old.code).exists()


def test_the_demo_region_gets_new_2024_subjects_with_indicators():
    count = Project.objects.filter(year=2024).count()
    _rollover("340603")
    carried = TargetDeclaration.objects.filter(rolled_from__year=2023)
    assert Project.objects.filter(year=2024).count() == count + carried.count() > count
    assert Indicator.objects.filter(project__declaration__in=carried).exists()


@pytest.mark.parametrize("code", ["340603", "130322"])
def test_a_second_run_creates_nothing(code):
    _rollover(code)
    counts = _counts()
    output = _rollover(code)
    assert _counts() == counts
    assert "新建 0 个项目" in output


def test_a_project_that_ended_in_2023_is_reported_and_not_carried():
    ended = _continuing_2023("340603").order_by("pk").first()
    Project.objects.filter(pk=ended.pk).update(end_year=2023)
    output = _rollover("340603")
    assert "已到期" in output and ended.name in output
    assert not TargetDeclaration.objects.filter(rolled_from=ended).exists()


def _user(username):
    return get_user_model().objects.get(username=username)


def _text(response) -> str:
    return re.sub(r"\s+", "", response.content.decode())


def test_the_page_previews_a_run_without_writing_anything(client):
    region = Region.objects.get(code="340603")
    ended = _continuing_2023("340603").order_by("pk").first()
    Project.objects.filter(pk=ended.pk).update(end_year=2023)
    counts = _counts()
    client.force_login(_user("xs_finance"))
    url = reverse("targets:rollover")
    assert client.get(url, {"region": region.pk}).status_code == 200
    response = client.get(url, {"region": region.pk, "from_year": 2023})
    assert response.status_code == 200
    text = _text(response)
    assert "预览" in text and "2023→2024" in text
    assert "实施期已结束" in text and ended.name in text
    assert response.context["created"]
    assert _counts() == counts


def test_the_page_runs_the_rollover_and_lists_what_it_did(client):
    region = Region.objects.get(code="340603")
    client.force_login(_user("xs_finance"))
    url = reverse("targets:rollover") + f"?region={region.pk}"
    preview = client.get(url + "&from_year=2023").context["created"]
    response = client.post(url, {"region": region.pk, "from_year": 2023})
    assert response.status_code == 200
    assert "已完成" in _text(response)
    assert [r["name"] for r in response.context["created"]] == [r["name"] for r in preview]
    assert TargetDeclaration.objects.filter(rolled_from__year=2023).count() == len(preview)
    first = response.context["created"][0]["declaration"]
    assert reverse("reports:target_table", args=[first]) in response.content.decode()
    again = client.post(url, {"region": region.pk, "from_year": 2023})
    assert again.context["created"] == []
    assert len(again.context["existing"]) >= len(preview)


def test_a_bad_year_is_refused_at_the_field(client):
    region = Region.objects.get(code="340603")
    client.force_login(_user("xs_finance"))
    response = client.get(reverse("targets:rollover"), {"region": region.pk, "from_year": "abc"})
    assert response.status_code == 422
    assert "起始年度应为四位数字年份" in response.content.decode()


def test_a_filer_gets_403_and_another_regions_finance_bureau_404(client):
    region = Region.objects.get(code="340603")
    counts = _counts()
    url = reverse("targets:rollover") + f"?region={region.pk}"
    client.force_login(_user("xs_gov_filer"))
    assert client.get(url).status_code == 403
    assert client.post(url, {"region": region.pk, "from_year": 2023}).status_code == 403
    client.force_login(_user("cl_finance"))
    assert client.get(url + "&from_year=2023").status_code == 404
    assert client.post(url, {"region": region.pk, "from_year": 2023}).status_code == 404
    assert _counts() == counts


def test_the_preview_takes_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    region = Region.objects.get(code="340603")
    client.force_login(_user("xs_finance"))
    url = reverse("targets:rollover")
    client.get(url, {"region": region.pk, "from_year": 2023})
    created = Project.objects.filter(unit__department__region=region, year=2023).count()
    # The rollover writes per subject (a run is rare); the page itself adds a fixed few.
    with django_assert_max_num_queries(20 + 12 * created):
        client.get(url, {"region": region.pk, "from_year": 2023})
