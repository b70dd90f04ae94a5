"""The evaluation form: the table as printed, live scoring, drafts, conflicts, submission.

Golden figures are hand arithmetic from domain.md §4 on seed 001's business-environment project:
38.76 / 46 = 84.26% → execution score 8.43; all six indicators met → 90; total 98.43 (优).
走访企业数量 at 1500家 against ≥1600家 (weight 20) scores 20 × 1500 / 1600 = 18.75, so the
indicators make 88.75 and the total 97.18.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import (
    Evaluation,
    EvaluationStatus,
    FundLine,
    Indicator,
    IndicatorResult,
    ReviewComment,
    ReviewStep,
)
from tests.projects.test_filing_support import business_env, form_data, page_form_data, row_of

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def evaluation(personas):
    return business_env(personas.unit_a)


def input_tag(html: str, name: str) -> str:
    """The <input …> tag of the field posted as `name`."""
    at = html.index(f'name="{name}"')
    return html[html.rindex("<", 0, at) : html.index(">", at) + 1]


def edit_url(evaluation):
    return reverse("projects:evaluation_edit", args=[evaluation.pk])


def test_form_is_laid_out_like_the_printed_table(client, personas, evaluation):
    client.force_login(personas.alice)
    response = client.get(edit_url(evaluation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "项目支出绩效自评表" in html and "（2023年度）" in html
    for label in ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金", "年度总体目标"):
        assert label in html
    # Targets and weights were approved with the budget: shown, never an input.
    assert "≥1600家" in html
    assert 'name="ind-2-target"' not in html and 'name="ind-2-weight"' not in html
    # The total row is derived, never typed twice.
    assert 'id="fund-total-executed">38.76<' in html
    assert 'name="fund-total-executed"' not in html
    assert 'id="total-score">98.43<' in html
    assert "84.26%" in html


def test_claimed_score_is_prefilled_with_the_computed_one(client, personas, evaluation):
    IndicatorResult.objects.filter(evaluation=evaluation).update(claimed_score=None)
    client.force_login(personas.alice)
    html = client.get(edit_url(evaluation)).content.decode()
    index, _ = row_of(evaluation, "走访企业数量")
    assert f'name="ind-{index}-claimed_score" value="20.00"' in html


def test_amounts_switch_to_yuan_with_thousands_separators(client, personas, evaluation):
    client.force_login(personas.alice)
    html = client.get(edit_url(evaluation) + "?unit=元").content.decode()
    assert 'value="387,600.00"' in html
    assert 'id="fund-total-initial">460,000.00<' in html


def test_recompute_scores_the_typed_actual_and_writes_nothing(client, personas, evaluation):
    index, indicator = row_of(evaluation, "走访企业数量")
    client.force_login(personas.alice)
    response = client.post(
        reverse("projects:evaluation_recompute", args=[evaluation.pk]),
        form_data(evaluation, **{f"ind-{index}-actual": "1500家"}),
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="score-{indicator.pk}"' in html
    assert 'data-score="18.75"' in html
    assert 'id="total-score">97.18<' in html
    assert "deviation_missing" in html
    stored = IndicatorResult.objects.get(evaluation=evaluation, indicator=indicator)
    assert stored.actual == "1600家"
    assert Evaluation.objects.get(pk=evaluation.pk).version == 1


def test_save_keeps_valid_fields_and_reports_the_invalid_one_in_chinese(
    client, personas, evaluation
):
    client.force_login(personas.alice)
    data = form_data(
        evaluation, **{"ind-0-actual": "310个", "fund-current_year-executed": "三十八万"}
    )
    response = client.post(edit_url(evaluation), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "请输入数字" in html
    assert 'value="三十八万"' in html  # what was typed stays on the page
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.version == 2
    assert saved.results.get(indicator__name="解决企业难题").actual == "310个"
    line = FundLine.objects.get(project=evaluation.project, source="current_year")
    assert line.executed == Decimal("387600")


def test_a_clean_save_redirects_and_bumps_the_version(client, personas, evaluation):
    client.force_login(personas.alice)
    response = client.post(
        edit_url(evaluation), form_data(evaluation, **{"ev-goal_actual": "完成"})
    )
    assert response.status_code == 302
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert (saved.version, saved.goal_actual) == (2, "完成")


def test_autosave_answers_with_the_new_version_and_the_scores(client, personas, evaluation):
    index, _ = row_of(evaluation, "走访企业数量")
    client.force_login(personas.alice)
    response = client.post(
        edit_url(evaluation), form_data(evaluation, **{f"ind-{index}-actual": "1500家"}), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="version-input" value="2"' in html
    assert "已自动保存" in html
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.computed_total == Decimal("97.18")
    # The claimed score followed the computed one, since the filer typed none.
    assert saved.results.get(indicator__name="走访企业数量").claimed_score == Decimal("18.75")
    assert saved.claimed_total == Decimal("97.18")


def test_a_stale_save_gets_the_conflict_page_and_overwrites_nothing(client, personas, evaluation):
    client.force_login(personas.alice)
    stale = form_data(evaluation, **{"ind-0-actual": "我的数字 305个"})
    client.post(edit_url(evaluation), form_data(evaluation, **{"ind-0-actual": "他人的数字 301个"}))
    response = client.post(edit_url(evaluation), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "保存冲突" in html
    assert "我的数字 305个" in html and "他人的数字 301个" in html
    assert "没有写入任何内容" in html
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.version == 2
    assert saved.results.get(indicator__name="解决企业难题").actual == "他人的数字 301个"


def test_keeping_my_version_from_the_conflict_page_saves_it(client, personas, evaluation):
    client.force_login(personas.alice)
    stale = form_data(evaluation, **{"ind-0-actual": "我的数字 305个"})
    client.post(edit_url(evaluation), form_data(evaluation, **{"ind-0-actual": "301个"}))
    client.post(edit_url(evaluation), stale)
    key = f"results.{row_indicator(evaluation, 0).pk}.actual"
    stale[f"resolve:{key}"] = "mine"  # the conflict page re-posts my fields with my choice
    assert client.post(edit_url(evaluation), stale).status_code == 302
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.results.get(indicator__name="解决企业难题").actual == "我的数字 305个"


def test_choosing_theirs_keeps_the_stored_value(client, personas, evaluation):
    client.force_login(personas.alice)
    stale = form_data(evaluation, **{"ind-0-actual": "我的数字 305个"})
    client.post(edit_url(evaluation), form_data(evaluation, **{"ind-0-actual": "301个"}))
    key = f"results.{row_indicator(evaluation, 0).pk}.actual"
    stale[f"resolve:{key}"] = "theirs"
    assert client.post(edit_url(evaluation), stale).status_code == 302
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.results.get(indicator__name="解决企业难题").actual == "301个"


def test_the_conflict_page_lists_only_fields_both_sides_changed(client, personas, evaluation):
    client.force_login(personas.alice)
    stale = form_data(evaluation, **{"ind-0-actual": "我的数字 305个"})
    client.post(
        edit_url(evaluation),
        form_data(evaluation, **{"ind-0-actual": "301个", "ev-goal_actual": "他人写的"}),
    )
    response = client.post(edit_url(evaluation), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert html.count('type="radio"') == 2  # one field, two choices
    assert "他人写的" not in html.split('id="conflict-table"')[1]


def test_a_stale_save_of_other_fields_merges_both(client, personas, evaluation):
    client.force_login(personas.alice)
    stale = form_data(evaluation, **{"ind-0-actual": "我的数字 305个"})
    client.post(edit_url(evaluation), form_data(evaluation, **{"ev-goal_actual": "他人写的"}))
    response = client.post(edit_url(evaluation), stale, follow=True)
    assert "双方的修改已逐项合并" in response.content.decode()
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.goal_actual == "他人写的"
    assert saved.results.get(indicator__name="解决企业难题").actual == "我的数字 305个"
    assert saved.version == 3


def row_indicator(evaluation, index):
    """The indicator of the form's row `index` (the table's order)."""
    return list(evaluation.project.indicators.order_by("order", "pk"))[index]


def test_a_stale_autosave_shows_a_banner_and_writes_nothing(client, personas, evaluation):
    client.force_login(personas.alice)
    stale = form_data(evaluation, **{"ind-0-actual": "305个"})
    Evaluation.objects.filter(pk=evaluation.pk).update(version=5)
    response = client.post(edit_url(evaluation), stale, **HTMX)
    assert response.status_code == 409
    assert "查看两个版本的差异" in response.content.decode()
    assert IndicatorResult.objects.get(indicator__name="解决企业难题").actual == "300个"


def test_claimed_score_above_the_weight_is_refused_at_the_field(client, personas, evaluation):
    index, _ = row_of(evaluation, "走访企业数量")
    client.force_login(personas.alice)
    data = form_data(
        evaluation, **{f"ind-{index}-claimed_score": "25", f"ind-{index}-claimed_auto": "False"}
    )
    response = client.post(edit_url(evaluation), data, **HTMX)
    assert "得分不能超过分值 20 分" in response.content.decode()
    stored = IndicatorResult.objects.get(indicator__name="走访企业数量")
    assert stored.claimed_score == Decimal("20")


def test_a_lower_claimed_score_is_kept_and_a_higher_one_warns(client, personas, evaluation):
    index, _ = row_of(evaluation, "走访企业数量")
    client.force_login(personas.alice)
    lower = form_data(
        evaluation, **{f"ind-{index}-claimed_score": "19", f"ind-{index}-claimed_auto": "False"}
    )
    client.post(edit_url(evaluation), lower)
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.results.get(indicator__name="走访企业数量").claimed_score == Decimal("19")
    assert saved.claimed_total == Decimal("97.43")  # 8.43 + 10 + 10 + 19 + 10 + 30 + 10
    higher = form_data(
        saved,
        **{
            f"ind-{index}-actual": "1500家",
            f"ind-{index}-claimed_score": "20",
            f"ind-{index}-claimed_auto": "False",
            f"ind-{index}-deviation_reason": "部分企业停产",
        },
    )
    client.post(edit_url(evaluation), higher)
    codes = [f["code"] for f in Evaluation.objects.get(pk=evaluation.pk).result["findings"]]
    assert "claimed_score_above_computed" in codes


def test_the_total_row_is_the_sum_of_its_sources(client, personas, evaluation):
    client.force_login(personas.alice)
    data = form_data(
        evaluation,
        **{
            "fund-carryover-initial": "4",  # a budget: not the filer's to change
            "fund-carryover-adjusted": "4",
            "fund-carryover-executed": "4",
        },
    )
    client.post(edit_url(evaluation), data)
    total = FundLine.objects.get(project=evaluation.project, source="total")
    assert (total.initial, total.adjusted, total.executed) == (
        Decimal("460000"),
        Decimal("460000"),
        Decimal("427600"),
    )
    # 427,600 / 460,000 = 92.96% → 9.30 points.
    assert Evaluation.objects.get(pk=evaluation.pk).execution_rate == Decimal("92.96")


def test_amounts_typed_in_yuan_with_separators_are_stored_exactly(client, personas, evaluation):
    client.force_login(personas.alice)
    data = form_data(
        evaluation,
        **{
            "ev-money_unit": "元",
            "fund-current_year-initial": "460,000.00",
            "fund-current_year-adjusted": "460,000",
            "fund-current_year-executed": "１２３,４５６.７８",
        },
    )
    assert client.post(edit_url(evaluation), data).status_code == 302
    line = FundLine.objects.get(project=evaluation.project, source="current_year")
    assert line.executed == Decimal("123456.78")


def test_amounts_finer_than_a_fen_are_refused(client, personas, evaluation):
    client.force_login(personas.alice)
    data = form_data(evaluation, **{"fund-current_year-executed": "38.7612345"})
    html = client.post(edit_url(evaluation), data).content.decode()
    assert "金额最多精确到分" in html


def test_submit_is_refused_while_errors_remain_then_goes_through(client, personas, evaluation):
    index, indicator = row_of(evaluation, "走访企业数量")
    client.force_login(personas.alice)
    submit = reverse("projects:evaluation_submit", args=[evaluation.pk])
    response = client.post(submit, form_data(evaluation, **{f"ind-{index}-actual": "1500家"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "提交未成功" in html
    assert f'href="#id_ind-{index}-deviation_reason"' in html  # linked to its field
    assert "deviation_missing" in html
    assert Evaluation.objects.get(pk=evaluation.pk).status == EvaluationStatus.DRAFT

    data = form_data(evaluation, **{f"ind-{index}-deviation_reason": "部分企业停产，走访未完成"})
    response = client.post(submit, data)
    assert response.status_code == 302
    submitted = Evaluation.objects.get(pk=evaluation.pk)
    # unit A is its department's own unit: department review is skipped.
    assert submitted.status == EvaluationStatus.DEPARTMENT_APPROVED
    stored = submitted.results.get(indicator=indicator)
    assert stored.deviation_reason == "部分企业停产，走访未完成"

    page = client.get(edit_url(evaluation)).content.decode()
    assert "填报内容只读" in page
    assert 'id="submit-button"' not in page
    assert " disabled" in input_tag(page, f"ind-{index}-actual")
    assert client.post(edit_url(evaluation), form_data(evaluation)).status_code == 403


def test_returned_filing_shows_the_reviewers_comments_at_their_indicators(
    client, personas, evaluation
):
    _, indicator = row_of(evaluation, "就业岗位")
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.RETURNED)
    step = ReviewStep.objects.create(
        evaluation=evaluation,
        action=ReviewStep.Action.FINANCE_RETURN,
        from_status=EvaluationStatus.DEPARTMENT_APPROVED,
        to_status=EvaluationStatus.RETURNED,
        actor=personas.frank,
        comment="请核实就业岗位数据",
        version=1,
    )
    ReviewComment.objects.create(step=step, indicator=indicator, text="600个岗位的统计口径请说明")
    client.force_login(personas.alice)
    html = client.get(edit_url(evaluation)).content.decode()
    assert "请核实就业岗位数据" in html
    row_start = html.index(f'id="row-{indicator.pk}"')
    row_html = html[row_start : html.index("</tr>", row_start)]
    assert "600个岗位的统计口径请说明" in row_html
    # Returned filings are editable again.
    assert 'id="submit-button"' in html


def test_the_report_is_drafted_from_the_figures(client, personas, evaluation):
    client.force_login(personas.alice)
    html = client.get(edit_url(evaluation)).content.decode()
    assert "自评得分98.43分" in html
    assert "预算执行率84.26%" in html
    index, _ = row_of(evaluation, "走访企业数量")
    data = form_data(
        evaluation,
        **{
            f"ind-{index}-actual": "1500家",
            f"ind-{index}-deviation_reason": "部分企业停产",
            "section": "all",
        },
    )
    response = client.post(
        reverse("projects:evaluation_narrative", args=[evaluation.pk]), data, **HTMX
    )
    drafted = response.content.decode()
    assert "「走访企业数量」年度指标值≥1600家，实际完成值1500家" in drafted
    assert "得分18.75分（分值20分）" in drafted
    assert "部分企业停产" in drafted
    assert "自评得分97.18分" in drafted
    assert Evaluation.objects.get(pk=evaluation.pk).notes == {}  # drafting writes nothing


def test_drafting_empty_sections_keeps_what_the_filer_wrote(client, personas, evaluation):
    client.force_login(personas.alice)
    data = form_data(evaluation, **{"nr-note_overview": "我自己写的概况", "section": "empty"})
    response = client.post(
        reverse("projects:evaluation_narrative", args=[evaluation.pk]), data, **HTMX
    )
    html = response.content.decode()
    assert "我自己写的概况" in html
    assert "绩效指标得分90分" in html  # 二、绩效目标实现情况 was empty and is drafted


def test_report_sections_are_saved_with_the_draft(client, personas, evaluation):
    client.force_login(personas.alice)
    client.post(edit_url(evaluation), form_data(evaluation, **{"nr-note_other": "无其他说明"}))
    assert Evaluation.objects.get(pk=evaluation.pk).notes["other"] == "无其他说明"


def test_untouched_drafted_sections_follow_the_figures(client, personas, evaluation):
    index, _ = row_of(evaluation, "走访企业数量")
    client.force_login(personas.alice)
    page = client.get(edit_url(evaluation)).content.decode()
    assert 'name="nr-auto_achievement" value="True"' in page
    changed = {
        f"ind-{index}-actual": "1500家",
        f"ind-{index}-deviation_reason": "部分企业停产",
        "nr-auto_achievement": "True",
        "nr-auto_other": "False",
        "nr-note_other": "本单位补充说明",
    }
    recomputed = client.post(
        reverse("projects:evaluation_recompute", args=[evaluation.pk]),
        form_data(evaluation, **changed),
        **HTMX,
    ).content.decode()
    assert 'id="section-achievement" data-section="achievement" hx-swap-oob="true"' in recomputed
    assert "自评得分97.18分" in recomputed
    client.post(edit_url(evaluation), form_data(evaluation, **changed))
    notes = Evaluation.objects.get(pk=evaluation.pk).notes
    assert "自评得分97.18分" in notes["achievement"]
    assert notes["other"] == "本单位补充说明"  # the filer's words are never redrafted


def test_a_section_the_filer_edited_is_kept_and_checked_against_the_table(
    client, personas, evaluation
):
    Evaluation.objects.filter(pk=evaluation.pk).update(
        notes={"achievement": "项目绩效自评得分98.43分。"}
    )
    index, _ = row_of(evaluation, "走访企业数量")
    client.force_login(personas.alice)
    data = form_data(
        evaluation,
        **{f"ind-{index}-actual": "1500家", f"ind-{index}-deviation_reason": "部分企业停产"},
    )
    client.post(edit_url(evaluation), data)
    assert (
        Evaluation.objects.get(pk=evaluation.pk).notes["achievement"] == "项目绩效自评得分98.43分。"
    )
    page = client.get(edit_url(evaluation)).content.decode()
    assert "总分为98.43分，与表中的97.18分不一致" in page


def test_saving_the_page_as_shown_changes_no_score(client, personas, evaluation):
    # A qualitative row imported with its printed score and no achievement chosen: the score
    # is the filer's and must survive a save of the untouched page.
    IndicatorResult.objects.filter(indicator__name="就业岗位").update(actual="有效提升")
    Indicator.objects.filter(name="就业岗位").update(target="有效提升", target_kind="")
    from scoring.services import score_evaluation

    score_evaluation(Evaluation.objects.get(pk=evaluation.pk))
    client.force_login(personas.alice)
    data = page_form_data(client.get(edit_url(evaluation)).content.decode())
    assert client.post(edit_url(evaluation), data, **HTMX).status_code == 200
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.version == 2
    assert saved.computed_total == Decimal("98.43")
    assert saved.results.get(indicator__name="就业岗位").claimed_score == Decimal("30")


def test_the_form_never_shows_a_findings_internal_code(client, personas):
    """Filers read the findings in Chinese; codes such as deviation_missing stay machine-side."""
    import re

    from tests.projects.test_review_support import build_evaluation

    # an actual left blank: the error actual_missing, which blocks submission
    evaluation = build_evaluation(personas.unit_a, actuals={0: ""})
    client.force_login(personas.alice)
    html = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk])).content.decode()
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))
    assert "findings-list" in html and 'data-code="actual_missing"' in html
    assert not re.search(r"\b[a-z]+(?:_[a-z]+)+\b", visible), re.findall(
        r"\b[a-z]+(?:_[a-z]+)+\b", visible
    )
