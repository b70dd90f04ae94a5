"""A review season in the browser: submit, return with an indicator comment, fix, diff, approve.

The filer uses the filing form (projects:evaluation_edit) and its 提交审核 button; the
department reviewer and the finance bureau use the review pages. Figures are seed 001's
区创优营商环境服务中心工作经费 (46 / 46 / 38.76 万元) with three indicators worth 90.
"""

import re

import pytest
from playwright.sync_api import expect

from projects.models import EvaluationStatus
from tests.e2e.conftest import ARTIFACTS, login
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
)

PASSWORD = "pass-12345"
RETURN_COMMENT = "走访企业数量与台账不符，请核实后重新提交。"
INDICATOR_COMMENT = "请按走访台账填写实际走访企业数量。"


@pytest.fixture
def season(review_people):
    centre, _ = review_people
    return build_evaluation(centre)


@pytest.fixture
def as_user(browser, live_server):
    """Open a fresh browser context per user (each keeps its own session), closed at the end."""
    contexts = []

    def open_as(username):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("dialog", lambda dialog: dialog.accept())  # 确定 to 提交审核, 退回, 审核通过
        login(page, live_server, username, PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def shoot(request):
    """Save a full-page screenshot of one user's page under artifacts/e2e/<test>/."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.e2e
def test_review_season_in_the_browser(live_server, season, as_user, shoot):
    evaluation = season
    visits = evaluation.project.indicators.get(name="走访企业数量")
    form_url = f"{live_server.url}/filing/evaluations/{evaluation.pk}/"
    review_url = f"{live_server.url}/review/evaluations/{evaluation.pk}/"

    # 1. The filer submits the filing from the form.
    filer = as_user("ys_filer")
    filer.goto(form_url)
    filer.click("#submit-button")
    expect(filer.locator("#status-badge")).to_have_text("待主管部门审核")

    # 2. The department reviewer finds it in the queue and returns it, commenting on one row.
    reviewer = as_user("xs_gov_reviewer")
    reviewer.goto(f"{live_server.url}/")
    expect(reviewer.locator("#review-queue")).to_contain_text(evaluation.project.name)
    expect(reviewer.locator("#notifications")).to_contain_text("待主管部门审核")
    reviewer.click(f"#review-queue a:has-text('{evaluation.project.name}')")
    expect(reviewer.locator("#computed-total")).to_contain_text("98.43")
    reviewer.fill(f"textarea[name=indicator_{visits.pk}]", INDICATOR_COMMENT)
    reviewer.fill("#return-comment", RETURN_COMMENT)
    shoot(reviewer, "1-department-return")
    reviewer.click("#return-button")
    expect(reviewer.locator(".alert-success")).to_contain_text("已退回填报单位")

    # 3. The filer sees the comments, fixes the row and resubmits.
    filer.goto(form_url)
    expect(filer.locator("#status-badge")).to_have_text("已退回")
    expect(filer.locator("#return-comment")).to_contain_text(RETURN_COMMENT)
    expect(filer.locator(f"#row-{visits.pk} .review-comment")).to_contain_text(INDICATOR_COMMENT)
    actual = filer.locator(f"#row-{visits.pk} input[name$='-actual']")
    actual.fill("1700家")
    actual.press("Tab")
    filer.wait_for_load_state("networkidle")
    filer.wait_for_timeout(800)  # let the live recomputation settle before submitting
    filer.wait_for_load_state("networkidle")
    filer.click("#submit-button")
    expect(filer.locator("#status-badge")).to_have_text("待主管部门审核")

    # 4. The reviewer sees exactly what changed since the return, and approves.
    reviewer.goto(review_url)
    diff = reviewer.locator("#diff")
    expect(diff).to_contain_text("走访企业数量·实际完成值")
    expect(diff.locator("del")).to_contain_text(["1650家"])
    expect(diff.locator("ins")).to_contain_text(["1700家"])
    shoot(reviewer, "2-diff")
    reviewer.click("#approve-button")
    expect(reviewer.locator(".alert-success")).to_contain_text("主管部门审核通过")

    # 5. The finance bureau approves from its queue.
    finance = as_user("xs_finance")
    finance.goto(f"{live_server.url}/review/")
    row = finance.locator(f"#review-queue tr[data-evaluation='{evaluation.pk}']")
    expect(row).to_contain_text("待财政审核")
    row.locator("a").first.click()
    finance.click("#approve-button")
    expect(finance.locator(".alert-success")).to_contain_text("财政审核通过")

    # 6. 审核通过 everywhere: the review page, both queues, the filer's form and workspace.
    finance.goto(review_url)
    expect(finance.locator("#evaluation-status")).to_have_text("审核通过")
    shoot(finance, "3-approved")
    finance.goto(f"{live_server.url}/review/?todo=all")
    expect(finance.locator(f"tr[data-evaluation='{evaluation.pk}']")).to_contain_text("审核通过")
    reviewer.goto(f"{live_server.url}/review/?todo=all")
    expect(reviewer.locator(f"tr[data-evaluation='{evaluation.pk}']")).to_contain_text("审核通过")
    filer.goto(form_url)
    expect(filer.locator("#status-badge")).to_have_text("审核通过")
    filer.goto(f"{live_server.url}/filing/?year={evaluation.year}")
    expect(filer.locator("#workspace-table").get_by_text(re.compile("^审核通过$"))).to_be_visible()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.APPROVED
    assert [s.action for s in evaluation.review_steps.all()] == [
        "submit",
        "department_return",
        "submit",
        "department_approve",
        "finance_approve",
    ]
