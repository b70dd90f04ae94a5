"""佐证材料 in the browser: the filer attaches a file to an indicator while typing on the form
(nothing typed is lost, a wrong file is refused at its control), submits, and the department
reviewer opens the file from the review page."""

import hashlib

import pytest
from playwright.sync_api import expect

from projects.models import EvidenceFile
from tests.e2e.conftest import login
from tests.projects.evidence_support import PDF
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
)

PASSWORD = "pass-12345"
TYPED = "全年走访企业1700家，台账见佐证材料。"


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def start(username):
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("dialog", lambda dialog: dialog.accept())
        login(page, live_server, username, PASSWORD)
        return page

    yield start
    for context in contexts:
        context.close()


@pytest.mark.e2e
def test_a_filer_attaches_evidence_that_the_reviewer_opens(live_server, review_people, open_as):
    centre, _ = review_people
    evaluation = build_evaluation(centre)
    visits = evaluation.project.indicators.get(name="走访企业数量")

    filer = open_as("ys_filer")
    filer.goto(f"{live_server.url}/filing/evaluations/{evaluation.pk}/")
    goal = filer.locator("textarea[name='ev-goal_actual']")
    goal.fill(TYPED)
    row = filer.locator(f"#row-{visits.pk}")
    row.locator("summary").click()

    # A program renamed .pdf is refused beside the control; what was typed stays on the page.
    row.locator(f"#evidence-file-ind{visits.pk}").set_input_files(
        {"name": "台账.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 8}
    )
    row.locator(".evidence-upload-button").click()
    expect(row.locator(".evidence-error")).to_contain_text("内容与扩展名不符")
    expect(goal).to_have_value(TYPED)

    row.locator(f"#evidence-file-ind{visits.pk}").set_input_files(
        {"name": "走访台账.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    row.locator(".evidence-upload-button").click()
    expect(row.locator(".evidence-list")).to_contain_text("走访台账.pdf")
    expect(goal).to_have_value(TYPED)
    stored = EvidenceFile.objects.get()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()

    filer.wait_for_load_state("networkidle")
    filer.wait_for_timeout(800)
    filer.click("#submit-button")
    expect(filer.locator("#status-badge")).to_have_text("待主管部门审核")
    expect(filer.locator("#goal-actual, textarea[name='ev-goal_actual']").first).to_contain_text(
        TYPED
    )

    reviewer = open_as("xs_gov_reviewer")
    reviewer.goto(f"{live_server.url}/review/evaluations/{evaluation.pk}/")
    link = reviewer.locator(f"tr[data-indicator='{visits.pk}'] a.evidence-download")
    expect(link).to_have_text("走访台账.pdf")
    with reviewer.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "走访台账.pdf"
    with open(download.path(), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == stored.sha256
