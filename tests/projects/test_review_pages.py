"""The review pages as a reviewer reads them: queue, review page, diff, history, notifications."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, Notification, ReviewStep
from projects.review.services import workflow
from tests.projects.test_review_support import (
    CLEAN_TOTAL,
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)

S = EvaluationStatus


@pytest.fixture
def sub(personas):
    return subordinate_of_a(personas)


def login(client, user):
    client.force_login(user)
    return client


def test_queue_lists_the_filings_waiting_for_the_department_reviewer(client, personas, sub):
    waiting = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    build_evaluation(sub.unit, name="尚未提交的项目")
    other = put_in(build_evaluation(personas.unit_b, name="开发区项目"), S.SUBMITTED)
    page = login(client, personas.dora).get(reverse("review:queue")).content.decode()
    assert waiting.project.name in page
    assert "待我审核" in page
    assert "尚未提交的项目" not in page  # only the filings in dora's step by default
    assert other.project.name not in page


def test_queue_all_shows_the_department_subtree_only(client, personas, sub):
    build_evaluation(sub.unit, name="尚未提交的项目")
    build_evaluation(personas.unit_b, name="开发区项目")
    page = login(client, personas.dora).get(reverse("review:queue") + "?todo=all")
    assert "尚未提交的项目" in page.content.decode()
    assert "开发区项目" not in page.content.decode()


def test_queue_filters_by_findings_and_grade(client, personas, sub):
    clean = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    flawed = put_in(
        build_evaluation(
            sub.unit,
            name="走访不足的项目",
            actuals={0: "1500家"},
            reasons={0: "企业数量减少"},
            claimed={0: Decimal("50")},
        ),
        S.SUBMITTED,
    )
    login(client, personas.dora)
    page = client.get(reverse("review:queue") + "?has_findings=1").content.decode()
    assert flawed.project.name in page and clean.project.name not in page
    page = client.get(reverse("review:queue") + "?has_findings=0").content.decode()
    assert clean.project.name in page and flawed.project.name not in page
    # 95.31 is 优 too (≥ 90), so grade 良 finds nothing.
    page = client.get(reverse("review:queue") + "?grade=良").content.decode()
    assert clean.project.name not in page and flawed.project.name not in page


def test_review_page_shows_claimed_and_computed_side_by_side(client, personas, sub):
    evaluation = put_in(
        build_evaluation(
            sub.unit,
            actuals={0: "1500家"},
            reasons={0: "企业数量减少"},
            claimed={0: Decimal("50")},
        ),
        S.SUBMITTED,
    )
    page = login(client, personas.dora).get(
        reverse("review:evaluation_detail", args=[evaluation.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    # 50 × 1500 / 1600 = 46.875 → 46.88 computed beside the claimed 50; difference 3.12.
    row = html[html.index(f'data-indicator="{evaluation.project.indicators.first().pk}"') :]
    row = row[: row.index("</tr>")]
    assert "50.00" in row and "46.88" in row and "3.12" in row
    # Totals: claimed 8.43 + 50 + 30 + 10 = 98.43; computed 8.43 + 46.88 + 40 = 95.31.
    assert "98.43" in html and "95.31" in html
    assert "claimed_score_above_computed" in html  # the finding, listed with its code
    assert "审核通过" in html and "退回修改" in html


def test_review_page_explains_each_computed_score(client, personas, sub):
    evaluation = put_in(
        build_evaluation(sub.unit, actuals={0: "1500家"}, reasons={0: "企业数量减少"}),
        S.SUBMITTED,
    )
    html = (
        login(client, personas.dora)
        .get(reverse("review:evaluation_detail", args=[evaluation.pk]))
        .content.decode()
    )
    explanation = html[html.index('id="score-explanation"') :]
    explanation = explanation[: explanation.index("</details>")]
    # the rule set in words, never its internal id
    assert "评分规则：全国通用（2020年）第1版" in explanation and "national-2020" not in html
    # domain.md §4, higher is better: 50 × 1500 / 1600 = 46.875 → 46.88.
    assert "「走访企业数量」目标 ≥1600家，实际 1500家，部分达成；50 × 1500 / 1600" in explanation
    assert "等级：优（总分 95.31）" in explanation
    row = html[html.index(f'data-indicator="{evaluation.project.indicators.first().pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'title="「走访企业数量」目标 ≥1600家' in row  # the row's own lines on its score


def test_resubmission_shows_the_diff_against_the_returned_version(client, personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    indicator = evaluation.project.indicators.get(name="走访企业数量")
    workflow.evaluation_department_return(
        evaluation=evaluation,
        user=personas.dora,
        comment="请核实走访企业数量",
        indicator_comments={indicator.pk: "请附走访台账"},
    )
    result = evaluation.results.get(indicator=indicator)
    result.actual = "1700家"
    result.save()
    evaluation.refresh_from_db()
    workflow.evaluation_submit(evaluation=evaluation, user=sub.carol)
    html = (
        login(client, personas.dora)
        .get(reverse("review:evaluation_detail", args=[evaluation.pk]))
        .content.decode()
    )
    diff = html[html.index('id="diff"') :]
    diff = diff[: diff.index("</table>")]
    assert "走访企业数量·实际完成值" in diff
    assert "1650家" in diff and "1700家" in diff
    assert "请附走访台账" in html  # the indicator comment stays beside its row


def test_filer_reads_the_return_comment_on_the_review_record(client, personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    indicator = evaluation.project.indicators.get(name="企业满意度")
    workflow.evaluation_department_return(
        evaluation=evaluation,
        user=personas.dora,
        comment="满意度调查方法未说明",
        indicator_comments={indicator.pk: "请说明调查样本量"},
    )
    response = login(client, sub.carol).get(
        reverse("review:evaluation_detail", args=[evaluation.pk])
    )
    html = response.content.decode()
    assert "满意度调查方法未说明" in html and "请说明调查样本量" in html
    assert "退回修改" not in html  # no decision forms for a filer


def test_history_shows_who_changed_what_and_a_target_correction(client, personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    indicator = evaluation.project.indicators.get(name="走访企业数量")
    workflow.indicator_target_correct(
        indicator=indicator,
        user=personas.frank,
        target="≥1500家",
        reason="预算调整批复（相财〔2023〕12号）",
    )
    html = (
        login(client, personas.dora)
        .get(reverse("review:evaluation_history", args=[evaluation.pk]))
        .content.decode()
    )
    entry = html[html.index("target-correction") :]
    entry = entry[: entry.index("</li>")]
    assert "批复后调整" in entry and "≥1600家" in entry and "≥1500家" in entry
    assert "frank" in entry and "相财〔2023〕12号" in entry
    detail = client.get(reverse("review:evaluation_detail", args=[evaluation.pk])).content
    assert "批复后调整" in detail.decode()


def test_history_shows_the_filers_change_with_before_and_after(client, personas, sub):
    evaluation = build_evaluation(sub.unit)
    result = evaluation.results.get(indicator__name="走访企业数量")
    result.actual = "1700家"
    result._history_user = sub.carol  # what the history middleware does within a request
    result.save()
    html = (
        login(client, personas.dora)
        .get(reverse("review:evaluation_history", args=[evaluation.pk]))
        .content.decode()
    )
    entry = html[html.index("修改指标完成情况“走访企业数量”") :]
    entry = entry[: entry.index("</li>")]
    assert "carol" in entry and "实际完成值" in entry
    assert '<del class="text-danger">1650家</del>' in entry
    assert '<ins class="text-success">1700家</ins>' in entry
    assert "新建绩效指标 3 项：走访企业数量、营商环境满意度、企业满意度" in html


def test_queue_shows_the_reviewers_notifications(client, personas, sub):
    evaluation = build_evaluation(sub.unit)
    workflow.evaluation_submit(evaluation=evaluation, user=sub.carol)
    html = login(client, personas.dora).get(reverse("review:queue")).content.decode()
    assert "待主管部门审核" in html
    assert Notification.objects.filter(recipient=personas.dora, read_at__isnull=True).count() == 1
    note = Notification.objects.get(recipient=personas.dora)
    client.post(reverse("review:notification_read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


def test_bulk_approval_approves_clean_filings_and_skips_the_rest(client, personas, sub):
    clean = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    flawed = put_in(
        build_evaluation(
            sub.unit,
            name="走访不足的项目",
            actuals={0: "1500家"},
            reasons={0: "企业数量减少"},
            claimed={0: Decimal("50")},
        ),
        S.SUBMITTED,
    )
    response = login(client, personas.dora).post(
        reverse("review:evaluation_bulk_approve"), {"ids": [clean.pk, flawed.pk]}, follow=True
    )
    clean.refresh_from_db()
    flawed.refresh_from_db()
    assert clean.status == S.DEPARTMENT_APPROVED
    assert flawed.status == S.SUBMITTED
    assert "需逐项审核" in response.content.decode()
    assert clean.computed_total == CLEAN_TOTAL


def test_return_without_comment_is_refused_with_a_message(client, personas, sub):
    evaluation = put_in(build_evaluation(sub.unit), S.SUBMITTED)
    response = login(client, personas.dora).post(
        reverse("review:evaluation_department_return", args=[evaluation.pk]),
        {"comment": " "},
        follow=True,
    )
    evaluation.refresh_from_db()
    assert evaluation.status == S.SUBMITTED
    assert "退回时必须填写退回意见" in response.content.decode()
    assert not ReviewStep.objects.filter(evaluation=evaluation).exists()
