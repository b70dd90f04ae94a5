"""The 绩效目标申报表: drafts, live checks, merges of a second tab, rows, submit, scope."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import FundLine, Indicator, TargetDeclaration
from projects.targets.services import declaration_queryset, declaration_save_draft
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(name, declaration):
    return reverse(f"targets:{name}", args=[declaration.pk])


def fresh(declaration):
    return declaration_queryset().get(pk=declaration.pk)


def form_data(world, **fields):
    """The page's fields as the browser posts them, with `fields` laid over."""
    d = fresh(world["declaration"])
    data = {"version": d.version, "goal_expected": "全年办理政务服务事项不少于1000件。"}
    data.update({"fund-current_year-initial": "100", "fund-carryover-initial": ""})
    data.update({"fund-other-initial": ""})
    for ind in d.project.indicators.all():
        for name in ("level1", "level2", "name", "target", "weight", "method"):
            value = getattr(ind, name)
            data[f"ind-{ind.pk}-{name}"] = "" if value is None else str(value)
    data.update(fields)
    return data


def test_the_form_shows_goal_funds_in_the_money_unit_and_indicators(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    page = client.get(url("declaration_edit", w["declaration"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "2025年度项目支出绩效目标申报表" in text
    assert "年初预算数（万元）" in text and 'value="100.00"' in text
    assert "办理事项" in text and "≥1000件" in text and "业务系统统计" in text
    assert "分值合计 <strong>90</strong>" in text
    assert "新增一行" in text and "保存草稿" in text


def test_a_draft_is_saved_in_yuan_and_the_version_moves_on(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(
        w, **{"fund-current_year-initial": "120.5", f"ind-{w['count'].pk}-target": "≥1200件"}
    )
    response = client.post(url("declaration_edit", w["declaration"]), data)
    assert response.status_code == 302
    line = FundLine.objects.get(project=w["project"], source="current_year")
    assert line.initial == Decimal("1205000")
    assert Indicator.objects.get(pk=w["count"].pk).target == "≥1200件"
    assert fresh(w["declaration"]).version == w["declaration"].version + 1
    assert FundLine.objects.get(project=w["project"], source="total").initial == Decimal("1205000")


def test_a_bad_amount_is_refused_at_its_field_and_nothing_is_saved(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(w, **{"fund-current_year-initial": "一百万", "goal_expected": "改了"})
    response = client.post(url("declaration_edit", w["declaration"]), data)
    text = response.content.decode()
    assert response.status_code == 422
    assert 'id="err-id_fund-current_year-initial">' in text and "没有保存任何内容" in text
    assert fresh(w["declaration"]).project.goal_expected != "改了"


def test_the_live_check_shows_a_finding_about_the_typed_weights(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(w, **{f"ind-{w['count'].pk}-weight": "5"})
    response = client.post(
        url("declaration_preview", w["declaration"]), data, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "分值合计 <strong>65</strong>" in text and "（不一致）" in text
    assert 'class="finding finding-error"' in text
    assert Indicator.objects.get(pk=w["count"].pk).weight == Decimal("30")  # nothing written


def test_a_stale_save_of_other_fields_is_merged(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    opened = form_data(w)
    declaration_save_draft(
        declaration=w["declaration"], user=w["carol"], version=opened["version"],
        content={f"indicators.{w['rate'].pk}.target": "≥99%"},
    )  # fmt: skip
    opened[f"ind-{w['count'].pk}-target"] = "≥1100件"
    opened[f"ind-{w['rate'].pk}-target"] = "≥98%"  # unchanged on this page
    response = client.post(url("declaration_edit", w["declaration"]), opened)
    assert response.status_code == 302
    assert Indicator.objects.get(pk=w["count"].pk).target == "≥1100件"
    assert Indicator.objects.get(pk=w["rate"].pk).target == "≥99%"


def test_a_stale_save_of_the_same_field_asks_which_to_keep(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    opened = form_data(w)
    declaration_save_draft(
        declaration=w["declaration"], user=w["carol"], version=opened["version"],
        content={f"indicators.{w['rate'].pk}.target": "≥99%"},
    )  # fmt: skip
    opened[f"ind-{w['rate'].pk}-target"] = "≥97%"
    response = client.post(url("declaration_edit", w["declaration"]), opened)
    text = response.content.decode()
    assert response.status_code == 409
    assert "保存冲突" in text and "≥97%" in text and "≥99%" in text
    assert Indicator.objects.get(pk=w["rate"].pk).target == "≥99%"
    opened[f"resolve:indicators.{w['rate'].pk}.target"] = "mine"
    assert client.post(url("declaration_edit", w["declaration"]), opened).status_code == 302
    assert Indicator.objects.get(pk=w["rate"].pk).target == "≥97%"


def test_a_row_is_added_under_a_chosen_level_keeping_the_typing(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(
        w, goal_expected="新的目标", level="成本指标|经济成本指标", name="人均办件成本"
    )
    data["target"] = "≤50元/件"
    response = client.post(url("declaration_indicator_add", w["declaration"]), data)
    row = Indicator.objects.get(project=w["project"], name="人均办件成本")
    assert response.status_code == 302 and response.url.endswith(f"#row-{row.pk}")
    assert (row.level1, row.level2, row.target) == ("成本指标", "经济成本指标", "≤50元/件")
    assert fresh(w["declaration"]).project.goal_expected == "新的目标"


def test_a_row_is_removed(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(w, indicator=str(w["rate"].pk))
    response = client.post(url("declaration_indicator_remove", w["declaration"]), data)
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=w["rate"].pk).exists()
    assert Indicator.objects.filter(project=w["project"]).count() == 2


def test_the_level_choices_come_from_the_rule_sets_tree(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    text = client.get(url("declaration_edit", w["declaration"])).content.decode()
    assert '<optgroup label="产出指标">' in text and 'value="产出指标|数量指标"' in text


def test_submit_is_blocked_by_an_error_finding_then_goes_through(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(w, **{f"ind-{w['count'].pk}-weight": "5"})
    blocked = client.post(url("declaration_submit", w["declaration"]), data)
    text = blocked.content.decode()
    assert blocked.status_code == 422
    assert "提交未成功" in text and 'class="finding-link"' in text
    assert fresh(w["declaration"]).status == "draft"
    data = form_data(w, **{f"ind-{w['count'].pk}-weight": "30"})
    response = client.post(url("declaration_submit", w["declaration"]), data)
    assert response.status_code == 302, _errors(response)
    submitted = fresh(w["declaration"])
    assert submitted.get_status_display() == "待主管部门审核"
    page = client.get(url("declaration_edit", submitted)).content.decode()
    assert 'id="read-only-note"' in page and "新增一行" not in page


def _errors(response):
    return [f["message"] for f in (response.context or {}).get("findings", [])]


def test_another_units_filer_gets_not_found_and_nothing_changes(client, declaration_world):
    w = declaration_world
    client.force_login(w["p"].bob)
    d = w["declaration"]
    data = form_data(
        w, goal_expected="篡改", indicator=str(w["rate"].pk), level="产出指标|数量指标"
    )
    for name in ("declaration_edit", "declaration_preview", "declaration_submit",
                 "declaration_indicator_add", "declaration_indicator_remove"):  # fmt: skip
        assert client.post(url(name, d), data).status_code == 404, name
    assert client.get(url("declaration_edit", d)).status_code == 404
    assert client.get(url("declaration_suggest", d)).status_code == 404
    after = fresh(d)
    assert after.version == d.version and after.project.goal_expected != "篡改"
    assert Indicator.objects.filter(project=w["project"]).count() == 3
    assert TargetDeclaration.objects.get(pk=d.pk).status == "draft"


def test_the_department_reviewer_reads_the_form_without_inputs(client, declaration_world):
    w = declaration_world
    client.force_login(w["p"].dora)
    page = client.get(url("declaration_edit", w["declaration"]))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="read-only-note"' in text and "保存草稿" not in text


def _count(client, declaration) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("declaration_edit", declaration)).status_code == 200
    return len(captured)


def test_the_form_page_query_count_does_not_grow_with_rows(
    client, declaration_world, django_assert_num_queries
):
    w = declaration_world
    client.force_login(w["carol"])
    few = _count(client, w["declaration"])
    for i in range(20):
        f.IndicatorFactory(project=w["project"], order=10 + i, name=f"新增指标{i}")
    assert _count(client, w["declaration"]) == few
    # session, user, the declaration with its project, fund lines, indicators, the filer's
    # memberships, the filer check, the region's rule set, last year's open 整改 items
    with django_assert_num_queries(9):
        client.get(url("declaration_edit", w["declaration"]))


def test_the_live_check_puts_a_rows_finding_beside_the_row(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(w, **{f"ind-{w['count'].pk}-target": "1000"})
    response = client.post(
        url("declaration_preview", w["declaration"]), data, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    beside = text[text.index(f'id="row-findings-{w["count"].pk}"') :]
    assert "没有度量单位" in beside[: beside.index("</div></div>") + 1]
    assert f'href="#id_ind-{w["count"].pk}-target"' in text


def test_the_blocked_submit_links_the_weight_finding_to_the_weight_total(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(w, **{f"ind-{w['count'].pk}-weight": "5"})
    text = client.post(url("declaration_submit", w["declaration"]), data).content.decode()
    assert 'href="#weight-total"' in text and 'id="weight-total"' in text


def test_autosave_through_htmx_answers_with_the_new_version(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    data = form_data(w, goal_expected="自动保存的目标")
    response = client.post(url("declaration_edit", w["declaration"]), data, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    saved = fresh(w["declaration"])
    assert response.status_code == 200 and saved.project.goal_expected == "自动保存的目标"
    assert f'id="version-input" value="{saved.version}" hx-swap-oob="true"' in text
    assert "已自动保存" in text


def test_a_conflicting_autosave_shows_the_banner_and_writes_nothing(client, declaration_world):
    w = declaration_world
    client.force_login(w["carol"])
    opened = form_data(w)
    declaration_save_draft(
        declaration=w["declaration"], user=w["carol"], version=opened["version"],
        content={"goal_expected": "另一个标签页的目标"},
    )  # fmt: skip
    opened["goal_expected"] = "本页的目标"
    response = client.post(
        url("declaration_edit", w["declaration"]), opened, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409 and "自动保存已暂停" in response.content.decode()
    assert fresh(w["declaration"]).project.goal_expected == "另一个标签页的目标"


def test_a_returned_declaration_shows_the_comment_beside_its_row(client, declaration_world):
    from projects.review.services.workflow import filing_department_return, filing_submit

    w = declaration_world
    filing_submit(filing=w["declaration"], user=w["carol"])
    filing_department_return(
        filing=fresh(w["declaration"]), user=w["p"].dora, comment="请修改办结率",
        indicator_comments={w["rate"].pk: "办结率目标偏低，应不低于99%"},
    )  # fmt: skip
    client.force_login(w["carol"])
    text = client.get(url("declaration_edit", w["declaration"])).content.decode()
    assert "已退回" in text and "请修改办结率" in text
    assert "审核意见：办结率目标偏低，应不低于99%" in text and "保存草稿" in text
