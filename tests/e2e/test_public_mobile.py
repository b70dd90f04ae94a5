"""A citizen on a 390 × 844 phone (an iPhone 12–14 class screen) reads a published 自评表 and the
public index in Chromium: the 总分 row's cells hold their figures without spilling into their
neighbours, and nothing but a table's own scroll container is wider than the screen.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from projects.models import EvaluationStatus
from tests.e2e.conftest import ARTIFACTS
from tests.reports.conftest import BUSINESS_ENV_RESULT, build_evaluation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROJECT = "区创优营商环境服务中心工作经费"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# For each cell of the 总分 row: its box, the box of its text, and whether its content is wider
# than the cell (a figure squeezed into a 25 px column spills over the next cell).
TOTAL_ROW_BOXES = """
() => {
  const row = document.querySelector("table.totals tr.total-row");
  return Array.from(row.cells).map((cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const box = cell.getBoundingClientRect();
    const text = range.getBoundingClientRect();
    return {
      text: cell.innerText.trim(),
      cell: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
      content: {left: text.left, right: text.right, top: text.top, bottom: text.bottom},
      spills: cell.scrollWidth > cell.clientWidth + 1,
    };
  });
}
"""

PAGE_OVERFLOW = """
() => ({
  page: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  body: document.body.scrollWidth,
})
"""


@pytest.fixture
def phone(browser):
    """A fresh page at 390 × 844, touch and a phone's pixel ratio."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def published(personas):
    """Seed 001's 区创优营商环境服务中心工作经费, scored as published (98.43 优) and published."""
    evaluation = build_evaluation(
        "seed001-xiangshan-govoffice-2023-business-env.json",
        personas.unit_a,
        result=dict(BUSINESS_ENV_RESULT),
        status=EvaluationStatus.PUBLISHED,
    )
    evaluation.approved_at = datetime.datetime(2024, 6, 20, 9, 0, tzinfo=SHANGHAI)
    evaluation.published_at = datetime.datetime(2024, 6, 28, 9, 0, tzinfo=SHANGHAI)
    evaluation.save()
    return evaluation


def _shot(page, name: str) -> None:
    folder = ARTIFACTS / "public-mobile"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    )


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] >= outer["left"] - 0.5
        and inner["right"] <= outer["right"] + 0.5
        and inner["top"] >= outer["top"] - 0.5
        and inner["bottom"] <= outer["bottom"] + 0.5
    )


def test_total_row_does_not_overlap_on_a_390px_phone(live_server, phone, published):
    phone.goto(f"{live_server.url}/public/evaluation/{published.pk}/")
    total = phone.locator("section.evaluation-table .total-score")
    expect(total).to_have_text("98.43")
    total.scroll_into_view_if_needed()
    _shot(phone, "table")

    cells = phone.evaluate(TOTAL_ROW_BOXES)
    assert cells[0]["text"] == "总分"
    score = next(c for c in cells if c["text"] == "98.43")
    for cell in cells:
        assert not cell["spills"], cell
        assert _inside(cell["content"], cell["cell"]), cell
    for other in cells:
        if other is not score:
            assert not _overlaps(score["content"], other["content"]), (score, other)
            assert not _overlaps(score["content"], other["cell"]), (score, other)

    # The form scrolls sideways inside its container; the page itself is as wide as the screen.
    sizes = phone.evaluate(PAGE_OVERFLOW)
    assert sizes["page"] <= sizes["viewport"], sizes
    container = phone.locator(".public-doc.table-responsive")
    assert container.evaluate("(el) => getComputedStyle(el).overflowX") == "auto"


def test_public_index_fits_a_390px_phone(live_server, phone, published):
    phone.goto(f"{live_server.url}/public/?q=营商环境")
    expect(phone.locator("table.public-list")).to_contain_text(PROJECT)
    expect(phone.locator("table.public-list")).to_contain_text("淮北市相山区财政局")
    expect(phone.locator("table.public-list")).to_contain_text("2024年6月28日")
    _shot(phone, "index")
    sizes = phone.evaluate(PAGE_OVERFLOW)
    assert sizes["page"] <= sizes["viewport"], sizes
    phone.get_by_role("link", name=PROJECT).click()
    expect(phone.locator("section.evaluation-table h1")).to_have_text("项目支出绩效自评表")
    expect(phone.locator("main")).to_contain_text("全国通用（2020年）第1版")
