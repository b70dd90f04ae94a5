"""整改 in the browser: a return listed as 整改事项 → the filer reports on the workspace's item →
the department reviewer closes it (销号) → the list shows 已销号."""

import pytest
from playwright.sync_api import expect

from projects.models.results import Rectification
from projects.review.services.workflow import evaluation_submit
from tests.e2e import test_review as review
from tests.projects.test_review_support import fast_password_hashing  # noqa: F401  (autouse)

as_user, season, shoot = review.as_user, review.season, review.shoot  # fixtures
RETURN_COMMENT = "走访企业数量与台账不符，请核实后重新提交。"
INDICATOR_COMMENT = "请按走访台账补齐走访记录。"


@pytest.mark.e2e
def test_a_return_is_tracked_to_closure_in_the_browser(
    live_server, review_people, season, as_user, shoot
):
    evaluation = season
    _, users = review_people
    evaluation_submit(evaluation=evaluation, user=users["ys_filer"])
    visits = evaluation.project.indicators.get(name="走访企业数量")
    base = live_server.url

    # 1. The department reviewer returns the filing and lists the comment as a 整改 item.
    reviewer = as_user("xs_gov_reviewer")
    reviewer.goto(f"{base}/review/evaluations/{evaluation.pk}/")
    reviewer.fill(f"textarea[name=indicator_{visits.pk}]", INDICATOR_COMMENT)
    reviewer.fill("#return-comment", RETURN_COMMENT)
    reviewer.check("#return-rectify-check")
    expect(reviewer.locator("#return-rectify-deadline")).not_to_have_value("")
    shoot(reviewer, "1-return-with-rectification")
    reviewer.click("#return-button")
    expect(reviewer.locator(".alert-success")).to_contain_text("已退回填报单位")
    item = Rectification.objects.get()
    assert item.source == "return" and INDICATOR_COMMENT in item.problem

    # 2. The filer finds the item on the workspace and reports what was done.
    filer = as_user("ys_filer")
    filer.goto(f"{base}/filing/?year={evaluation.year}")
    panel = filer.locator("#unit-rectifications")
    expect(panel).to_contain_text(INDICATOR_COMMENT)
    expect(panel).to_contain_text("整改中")
    panel.locator("a", has_text="走访企业数量").click()
    filer.fill("#id_measures", "逐户核对走访台账，补录漏记的走访记录。")
    filer.fill("#id_evidence", "走访台账（补录后）")
    filer.fill("#id_text", "已补齐全部走访记录。")
    shoot(filer, "2-report")
    filer.click("#report-button")
    expect(filer.locator(".alert-success")).to_contain_text("已报告整改情况")
    expect(filer.locator("#rectification-badges")).to_contain_text("待销号")

    # 3. The reviewer sees it awaiting 销号 on the first page and closes it.
    reviewer.goto(f"{base}/")
    awaiting = reviewer.locator("#rectifications-awaiting")
    expect(awaiting).to_contain_text(INDICATOR_COMMENT)
    awaiting.locator("a", has_text="走访企业数量").click()
    expect(reviewer.locator("#rectification-evidence")).to_contain_text("走访台账（补录后）")
    reviewer.fill("#id_comment", "佐证齐全，同意销号。")
    reviewer.click("#close-button")
    expect(reviewer.locator(".alert-success")).to_contain_text("已销号")

    # 4. The list shows 已销号, for the reviewer and for the unit.
    for page in (reviewer, filer):
        page.goto(f"{base}/results/rectifications/")
        row = page.locator("#rectifications .rectification-row").first
        expect(row).to_contain_text("已销号")
    shoot(filer, "3-closed")
    item.refresh_from_db()
    assert item.status == "closed"
    assert [s.action for s in item.steps.all()] == ["raise", "report", "close"]
