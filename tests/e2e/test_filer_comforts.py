"""The filer's small comforts in Chromium: Ctrl+S saves the draft, a print preview of the 自评表
marked as a draft, bulk submit with its confirmation, and the pages at 390 px on a phone.

The filing is seed 001's 区创优营商环境服务中心工作经费, built by the review tests' builder.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import EvaluationStatus
from tests.e2e.conftest import ARTIFACTS, login, watch_csp
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-12345"
WORKSPACE = reverse("projects:workspace") + "?year=2023"


def _form(evaluation) -> str:
    return reverse("projects:evaluation_edit", args=[evaluation.pk])


GOAL = "#id_ev-goal_actual"


@pytest.fixture
def filing(review_people):
    centre, _ = review_people
    return build_evaluation(centre)


def _shot(page, name: str) -> None:
    folder = ARTIFACTS / "filer-comforts"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("keys", ["Control+s", "Meta+s"])
def test_ctrl_s_saves_the_draft_instead_of_the_browsers_save_dialog(
    live_server, page, filing, keys
):
    refused = watch_csp(page)
    login(page, live_server, "ys_filer", PASSWORD)
    page.goto(live_server.url + _form(filing))
    goal = page.locator(GOAL)
    text = f"按快捷键保存的实际完成情况（{keys}）"
    goal.fill(text)  # still focused: no blur, so no autosave has run
    with page.expect_navigation():
        goal.press(keys)
    # The full save's own message: the 保存草稿 button was pressed, not an autosave.
    expect(page.locator("main .alert-success")).to_contain_text("已保存")
    page.reload()
    expect(page.locator(GOAL)).to_have_value(text)
    filing.refresh_from_db()
    assert filing.goal_actual == text
    assert refused == []


def test_print_preview_opens_the_table_in_a_new_tab_marked_as_a_draft(live_server, page, filing):
    login(page, live_server, "ys_filer", PASSWORD)
    page.goto(live_server.url + _form(filing))
    link = page.locator("#print-preview")
    expect(link).to_have_text("打印预览（草稿）")
    with page.context.expect_page() as opened:
        link.click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.locator("section.evaluation-table h1")).to_have_text("项目支出绩效自评表")
    expect(preview.locator(".stamp-line")).to_contain_text("草稿")
    expect(preview.locator(".stamp-line")).to_contain_text("不作为正式文件")
    expect(preview.locator("section.evaluation-table")).to_contain_text(
        "区创优营商环境服务中心工作经费"
    )
    # Printed, the draft keeps its mark.
    preview.emulate_media(media="print")
    expect(preview.locator(".stamp-line")).to_be_visible()
    _shot(preview, "print-preview")
    preview.close()


def test_bulk_submit_lists_then_asks_with_the_count(live_server, page, review_people):
    centre, _ = review_people
    ready = build_evaluation(centre, name="准备好的项目")
    blocked = build_evaluation(centre, name="缺偏差原因的项目", actuals={0: "1500家"})
    questions = []
    page.on("dialog", lambda dialog: questions.append(dialog.message))
    login(page, live_server, "ys_filer", PASSWORD)
    page.goto(live_server.url + WORKSPACE)
    page.locator("#select-all").check()
    page.locator("#bulk-submit").click()
    expect(page.locator("#will-submit")).to_contain_text("准备好的项目")
    expect(page.locator("#will-refuse")).to_contain_text("缺偏差原因的项目")
    expect(page.locator("#will-refuse")).to_contain_text("偏差原因")
    _shot(page, "bulk-submit-preview")
    page.get_by_role("button", name="提交这 1 项（提交后不能再修改）").click()
    expect(page.locator("main .alert-success")).to_contain_text("已提交 1 项")
    assert questions == ["将提交 1 项自评，提交后不能再修改，确定提交吗？"]
    ready.refresh_from_db()
    blocked.refresh_from_db()
    assert ready.status == EvaluationStatus.SUBMITTED
    assert blocked.status == EvaluationStatus.DRAFT


# ---------------------------------------------------------------- 390 px

PAGE_WIDTH = "() => ({page: document.documentElement.scrollWidth, viewport: window.innerWidth})"

# Every element of the form's title block and head table that shows text and is squeezed: narrower
# than three characters of its own font while its text runs onto more than one line (a short
# label such as 版本 1 may be narrow; a name stacked one character per line may not).
NARROW = """
(selector) => Array.from(document.querySelectorAll(selector)).filter(
  (el) => el.innerText.trim() && el.getClientRects().length
).map((el) => {
  const size = parseFloat(getComputedStyle(el).fontSize);
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
  return {text: el.innerText.trim().slice(0, 20), width: el.getBoundingClientRect().width,
          min: 3 * size, lines: lines.size};
}).filter((box) => box.width < box.min && box.lines > 1)
"""
HEAD = ".filing-head > *, .filing-head h1, .head-table th, .head-table td"


@pytest.fixture
def phone(browser):
    """A fresh page at 390 × 844 with a phone's touch and pixel ratio."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_navbar_collapses_behind_a_toggler_at_390px(live_server, phone, filing):
    login(phone, live_server, "ys_filer", PASSWORD)
    phone.goto(live_server.url + WORKSPACE)
    toggler = phone.locator("nav .navbar-toggler")
    expect(toggler).to_be_visible()
    menu = phone.locator("nav .navbar-collapse")
    expect(menu.get_by_role("link", name="报告")).to_be_hidden()
    toggler.click()
    expect(menu.get_by_role("link", name="报告")).to_be_visible()
    expect(menu.get_by_role("link", name="填报")).to_be_visible()
    expect(menu.get_by_role("button", name="退出")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    _shot(phone, "navbar-open")
    sizes = phone.evaluate(PAGE_WIDTH)
    assert sizes["page"] <= sizes["viewport"], sizes


def test_the_filing_forms_header_reads_in_lines_at_390px(live_server, phone, filing):
    login(phone, live_server, "ys_filer", PASSWORD)
    phone.goto(live_server.url + _form(filing))
    expect(phone.locator(".filing-head h1")).to_contain_text("项目支出绩效自评表")
    _shot(phone, "filing-form")
    assert phone.evaluate(NARROW, HEAD) == []
    title = phone.locator(".filing-head h1").bounding_box()
    assert title["width"] >= 200, title  # the title is not squeezed beside the other items
    sizes = phone.evaluate(PAGE_WIDTH)
    assert sizes["page"] <= sizes["viewport"], sizes


def test_the_workspace_fits_390px(live_server, phone, filing):
    login(phone, live_server, "ys_filer", PASSWORD)
    phone.goto(live_server.url + WORKSPACE)
    expect(phone.locator("#workspace-table")).to_contain_text("区创优营商环境服务中心工作经费")
    _shot(phone, "workspace")
    sizes = phone.evaluate(PAGE_WIDTH)
    assert sizes["page"] <= sizes["viewport"], sizes
