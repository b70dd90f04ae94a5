"""A filer's afternoon in Chromium: open the business-environment project of the demo, report a
shortfall, watch the score fall, be refused at submission, give the reason, bring the report's
text in line with the table, submit.

Golden figure (domain.md §4): 走访企业数量 at 1500家 against ≥1600家, weight 20, scores
20 × 1500 / 1600 = 18.75. Screenshots of every step are kept under artifacts/e2e/.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Evaluation, EvaluationStatus
from tests.e2e.conftest import login, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROJECT = "区创优营商环境服务中心工作经费"
REASON = "走访企业较计划少100家：部分企业停产搬迁无法走访；下年度将提前制定走访计划并按季度督办。"


def test_filer_reports_a_shortfall_is_refused_then_submits(live_server, page, screenshot):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    refused = watch_csp(page)  # htmx swaps and filing.js run under the policy without a refusal
    login(page, live_server, "xs_gov_filer", "demo2024!")
    expect(page.locator("h1")).to_contain_text("年度绩效自评填报")
    screenshot("01-workspace")

    page.get_by_role("link", name=PROJECT).first.click()
    expect(page.locator("h1")).to_contain_text("项目支出绩效自评表")
    expect(page.locator("#total-score")).to_have_text("98.43")
    screenshot("02-form")

    row = page.locator("tr.ind-row", has_text="走访企业数量")
    actual = row.locator("input.actual-input")
    actual.fill("1500家")
    actual.press("Enter")  # moves down the actual column; the change is scored on the server
    expect(row.locator(".row-score")).to_have_text("18.75")
    expect(page.locator("#findings")).to_contain_text("须填写偏差原因分析及改进措施")
    expect(page.locator("#findings")).not_to_contain_text("deviation_missing")  # no codes shown
    expect(page.locator("#total-score")).to_have_text("97.18")
    expect(page.locator("#save-status")).to_contain_text("已自动保存")
    # The report's untouched draft follows the table.
    expect(page.locator("#id_nr-note_achievement")).to_have_value(re.compile("自评得分97.18分"))
    screenshot("03-score-fell")

    page.locator("#submit-button").click()
    blocked = page.locator("#submit-blocked")
    expect(blocked).to_contain_text("提交未成功")
    expect(blocked).to_contain_text("须填写偏差原因分析及改进措施")
    expect(page.locator("#status-badge")).to_have_text("填报中")
    screenshot("04-submit-refused")

    blocked.locator("a.finding-link").first.click()  # the link leads to the reason field
    reason = page.locator("tr.ind-row", has_text="走访企业数量").locator("textarea")
    expect(reason).to_be_focused()
    reason.fill(REASON)
    screenshot("05-reason-written")

    # The seed's own report text still says 98.43 (and 84.25%): it contradicts the table now.
    page.locator("#submit-button").click()
    blocked = page.locator("#submit-blocked")
    expect(blocked).to_contain_text("与表中的97.18分不一致")
    expect(blocked).to_contain_text("与表中的84.26%不一致")
    expect(page.locator("#section-conclusion")).to_contain_text("与表中的97.18分不一致")
    screenshot("05b-report-contradicts-table")
    page.locator("#section-overview").get_by_role("button", name="重新起草此部分").click()
    expect(page.locator("#id_nr-note_overview")).to_have_value(re.compile("预算执行率84.26%"))
    conclusion = page.locator("#id_nr-note_conclusion")
    conclusion.fill(conclusion.input_value().replace("98.43", "97.18"))

    page.locator("#submit-button").click()
    expect(page.locator("#status-badge")).to_have_text("待财政审核")
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(
        page.locator("tr.ind-row", has_text="走访企业数量").locator("input.actual-input")
    ).to_be_disabled()
    screenshot("06-submitted")

    evaluation = Evaluation.objects.get(project__name=PROJECT)
    assert evaluation.status == EvaluationStatus.DEPARTMENT_APPROVED
    assert str(evaluation.computed_total) == "97.18"
    result = evaluation.results.get(indicator__name="走访企业数量")
    assert (result.actual, result.deviation_reason) == ("1500家", REASON)
    assert refused == []


def _open_form(page, live_server):
    login(page, live_server, "xs_gov_filer", "demo2024!")
    page.get_by_role("link", name=PROJECT).first.click()
    expect(page.locator("#total-score")).to_have_text("98.43")


def test_amounts_switch_units_and_keys_move_down_the_actual_column(live_server, page, screenshot):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _open_form(page, live_server)
    executed = page.locator("#id_fund-current_year-executed")
    expect(executed).to_have_value("38.76")
    page.locator("input[name='ev-money_unit'][value='元']").check()
    expect(executed).to_have_value("387,600.00")
    expect(page.locator("#fund-total-executed")).to_have_text("387,600.00")
    expect(page.locator(".money-unit-label")).to_have_text("元")
    screenshot("01-yuan")

    first = page.locator("#id_ind-0-actual")
    first.focus()
    first.press("ArrowDown")
    expect(page.locator("#id_ind-1-actual")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_ind-2-actual")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#id_ind-1-actual")).to_be_focused()
    # Numbers sit on the right of their cells, as in the printed table.
    align = first.evaluate("el => getComputedStyle(el).textAlign")
    assert align == "right"
    # Nothing of the table spills beyond a 1366-pixel screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366


def test_a_later_save_meets_the_conflict_page_and_loses_nothing(
    live_server, page, browser, screenshot
):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _open_form(page, live_server)

    other = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    _open_form(other, live_server)
    other.locator("#id_ev-goal_actual").fill("另一位同事写的完成情况")
    other_row = other.locator("tr.ind-row", has_text="解决企业难题")
    other_row.locator("input.actual-input").fill("同事填的305个")
    other.locator("#save-button").click()
    expect(other.locator(".alert-success")).to_contain_text("已保存（版本 2）")
    other.context.close()

    row = page.locator("tr.ind-row", has_text="解决企业难题")
    row.locator("input.actual-input").fill("我填的310个")
    row.locator("input.actual-input").press("Tab")  # leaving the field autosaves
    banner = page.locator("#save-status")
    expect(banner).to_contain_text("他人已修改并保存了本自评")
    screenshot("01-autosave-conflict")

    banner.get_by_role("button", name="查看两个版本的差异").click()
    expect(page.locator("h1")).to_contain_text("保存冲突")
    table = page.locator("#conflict-table")
    expect(table).to_contain_text("我填的310个")
    expect(table).to_contain_text("同事填的305个")
    # Only the field both changed is asked about; the colleague's goal text merges by itself.
    expect(table).not_to_contain_text("另一位同事写的完成情况")
    screenshot("02-conflict-page")
    evaluation = Evaluation.objects.get(project__name=PROJECT)
    assert evaluation.version == 2
    assert evaluation.results.get(indicator__name="解决企业难题").actual == "同事填的305个"

    page.get_by_label("保留我的：实际完成值").check()
    page.get_by_role("button", name="按所选逐项保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存（版本 3）")
    evaluation = Evaluation.objects.get(project__name=PROJECT)
    assert evaluation.results.get(indicator__name="解决企业难题").actual == "我填的310个"
    assert evaluation.goal_actual == "另一位同事写的完成情况"
    screenshot("03-mine-kept")
