"""Suggestions on the declaration form: the region's library and the unit's own earlier years;
and, for a rolled-over declaration, last year's actual, score and 偏差原因 beside each row."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Indicator, IndicatorResult, LibraryIndicator
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(name, declaration):
    return reverse(f"targets:{name}", args=[declaration.pk])


@pytest.fixture
def library(declaration_world):
    region = declaration_world["p"].region
    kept = LibraryIndicator.objects.create(
        region=region, function="一般公共服务", level1="产出指标", level2="时效指标",
        name="按时办结率", unit_of_measure="%", suggested_target="≥95%", policy_source="财预〔2020〕10号",
    )  # fmt: skip
    LibraryIndicator.objects.create(
        region=region, function="一般公共服务", level1="产出指标", level2="时效指标",
        name="按时办结率（停用）", is_active=False,
    )  # fmt: skip
    LibraryIndicator.objects.create(
        region=declaration_world["p"].region.__class__.objects.exclude(pk=region.pk).first(),
        function="一般公共服务", level1="产出指标", level2="时效指标", name="外地区指标",
    )  # fmt: skip
    return kept


def test_the_library_suggests_active_indicators_of_the_region_by_level2_and_text(
    client, declaration_world, library
):
    w = declaration_world
    client.force_login(w["carol"])
    page = client.get(
        url("declaration_suggest", w["declaration"]), {"q": "办结", "level2": "时效指标"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "按时办结率" in text and "≥95%" in text and "财预〔2020〕10号" in text
    assert "停用" not in text and "外地区指标" not in text
    other = client.get(url("declaration_suggest", w["declaration"]), {"level2": "数量指标"})
    assert "按时办结率" not in other.content.decode()


def test_choosing_a_library_item_adds_its_row_with_the_suggested_target(
    client, declaration_world, library
):
    w = declaration_world
    client.force_login(w["carol"])
    response = client.post(
        url("declaration_indicator_add", w["declaration"]), {"library": library.pk}
    )
    row = Indicator.objects.get(project=w["project"], library=library)
    assert response.status_code == 302
    assert (row.name, row.level2, row.target) == ("按时办结率", "时效指标", "≥95%")


def test_the_units_history_is_suggested_with_its_target(client, declaration_world):
    w = declaration_world
    old = f.ProjectFactory(unit=w["unit"], year=2024, name="政务服务运行经费")
    f.IndicatorFactory(project=old, level2="数量指标", name="网上办件量", target="≥5000件")
    elsewhere = f.ProjectFactory(unit=w["p"].unit_b, year=2024)
    f.IndicatorFactory(project=elsewhere, level2="数量指标", name="别人的办件量")
    client.force_login(w["carol"])
    page = client.get(
        url("declaration_suggest", w["declaration"]),
        {"level2": "数量指标", "q": "办件", "row": w["count"].pk},
    )
    text = page.content.decode()
    assert "网上办件量" in text and "≥5000件" in text and "填入本行" in text
    assert "别人的办件量" not in text


def test_a_rolled_over_declaration_shows_last_years_actual_score_and_reason(
    client, declaration_world
):
    w = declaration_world
    last = f.ProjectFactory(unit=w["unit"], year=2024, name="政务服务运行经费")
    old_count = f.IndicatorFactory(project=last, order=1, name="办理事项", target="≥900件")
    evaluation = f.EvaluationFactory(project=last)
    IndicatorResult.objects.create(
        evaluation=evaluation, indicator=old_count, actual="850件",
        computed_score=Decimal("25.5"), deviation_reason="系统升级停办两周",
    )  # fmt: skip
    declaration = w["declaration"]
    declaration.rolled_from = last
    declaration.save(update_fields=["rolled_from"])
    client.force_login(w["carol"])
    text = client.get(url("declaration_edit", declaration)).content.decode()
    assert "上年情况" in text and "实际：850件" in text and "得分：25.5" in text
    assert "偏差原因：系统升级停办两周" in text
