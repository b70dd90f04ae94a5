"""Irreversible actions ask first, in words that say what will happen; saying no changes nothing.

The question comes from static/js/confirm.js reading data-confirm (no inline script). The filing
is seed 001's 区创优营商环境服务中心工作经费, built by the review tests' builder.
"""

import pytest
from playwright.sync_api import expect

from projects.models import EvaluationStatus
from projects.review.services import workflow
from tests.e2e.conftest import login, watch_csp
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
)

PASSWORD = "pass-12345"


@pytest.fixture
def season(review_people):
    return review_people


@pytest.fixture
def fresh_page(browser):
    """A page of its own, without the shared fixture's habit of accepting every dialog."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _answer(page, *answers: bool) -> list[str]:
    """Answer the coming dialogs in turn (True = 确定); the returned list collects their messages."""
    messages = []
    pending = list(answers)

    def handle(dialog):
        messages.append(dialog.message)
        if pending.pop(0):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", handle)
    return messages


@pytest.mark.e2e
def test_submit_asks_first_and_no_leaves_the_filing_a_draft(live_server, season, fresh_page):
    centre, _ = season
    evaluation = build_evaluation(centre)
    page = fresh_page
    login(page, live_server, "ys_filer", PASSWORD)
    page.goto(f"{live_server.url}/filing/evaluations/{evaluation.pk}/")

    asked = _answer(page, False, True)
    page.click("#submit-button")
    page.wait_for_timeout(500)
    assert asked == ["提交后不能再修改，确定提交审核吗？"]
    expect(page.locator("#submit-button")).to_be_visible()  # still on the editable form
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT

    # 确定 submits, and is asked once only.
    page.click("#submit-button")
    expect(page.locator("#status-badge")).to_have_text("待主管部门审核")
    assert len(asked) == 2


@pytest.mark.e2e
def test_bulk_approve_names_the_number_checked_and_no_approves_nothing(
    live_server, season, fresh_page
):
    centre, users = season
    filings = [build_evaluation(centre, name=f"区营商环境服务项目{i}") for i in (1, 2, 3)]
    for filing in filings:
        workflow.evaluation_submit(evaluation=filing, user=users["ys_filer"])
    page = fresh_page
    refused = watch_csp(page)
    login(page, live_server, "xs_gov_reviewer", PASSWORD)
    page.goto(f"{live_server.url}/review/")
    boxes = page.locator("input.bulk-select")
    expect(boxes).to_have_count(3)
    # 全选 (static/js/behaviors.js, no inline script) ticks all three, and unticks them again.
    page.check("#select-all")
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    page.uncheck("#select-all")
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()
    boxes.nth(0).check()
    boxes.nth(2).check()

    # The queue's button only opens the list of what will be approved.
    page.click("#bulk-approve")
    expect(page.locator("#bulk-ready tbody tr")).to_have_count(2)
    for filing in filings:
        filing.refresh_from_db()
        assert filing.status == EvaluationStatus.SUBMITTED

    asked = _answer(page, False, True)
    page.click("#bulk-confirm")
    page.wait_for_timeout(500)
    assert asked == ["将审核通过 2 项自评，此操作不能撤销，确定吗？"]
    for filing in filings:
        filing.refresh_from_db()
        assert filing.status == EvaluationStatus.SUBMITTED

    page.click("#bulk-confirm")
    expect(page.locator(".alert-success")).to_be_visible()
    assert len(asked) == 2
    statuses = []
    for filing in filings:
        filing.refresh_from_db()
        statuses.append(filing.status)
    assert statuses.count(EvaluationStatus.SUBMITTED) == 1
    assert refused == []
