"""A filer uploads an older workbook in Chromium: the preview shows only what the file changes,
the newer browser edit is not among the changes and survives the confirmation.

Golden figure (domain.md §4): 走访企业数量 at 1500家 against ≥1600家, weight 20, scores
20 × 1500 / 1600 = 18.75.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from projects.models import Evaluation, IndicatorResult
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROJECT = "区创优营商环境服务中心工作经费"


def _edit_workbook(data: bytes, path) -> None:
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        if sheet["B3"].value == PROJECT:
            for row in range(15, sheet.max_row + 1):
                if sheet[f"C{row}"].value == "走访企业数量":
                    sheet[f"E{row}"] = "1500家"
                    sheet[f"H{row}"] = "部分企业停产搬迁"
    book.save(path)


def test_an_older_workbook_is_previewed_and_keeps_the_newer_browser_edit(
    live_server, page, screenshot, tmp_path
):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    login(page, live_server, "xs_gov_filer", "demo2024!")
    page.goto(f"{live_server.url}/filing/upload/")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载模板（.xlsx）").click()
    old = download.value.path().read_bytes()

    # After the download, the filer edits another row in the browser and saves.
    page.goto(f"{live_server.url}/filing/")
    page.get_by_role("link", name=PROJECT).first.click()
    row = page.locator("tr.ind-row", has_text="解决企业难题")
    row.locator("input.actual-input").fill("浏览器里改的320个")
    page.locator("#save-button").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")

    path = tmp_path / "自评表.xlsx"
    _edit_workbook(old, path)
    page.goto(f"{live_server.url}/filing/upload/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并检查").click()
    preview = page.locator("#upload-preview")
    expect(preview).to_contain_text("1 个评价对象将被修改，尚未保存")
    changes = page.locator("table.upload-changes")
    expect(changes).to_contain_text("1500家")
    expect(changes).not_to_contain_text("浏览器里改的320个")
    screenshot("01-preview")
    evaluation = Evaluation.objects.get(project__name=PROJECT)
    assert evaluation.results.get(indicator__name="走访企业数量").actual == "1600家"

    page.get_by_role("button", name="确认保存").click()
    expect(page.locator("#upload-saved")).to_contain_text("已保存 1 个评价对象")
    screenshot("02-saved")
    visits = IndicatorResult.objects.get(evaluation=evaluation, indicator__name="走访企业数量")
    assert (visits.actual, visits.computed_score) == ("1500家", Decimal("18.75"))
    problems = IndicatorResult.objects.get(evaluation=evaluation, indicator__name="解决企业难题")
    assert problems.actual == "浏览器里改的320个"


def test_the_finance_bureau_previews_a_target_change_and_gives_its_reason(
    live_server, page, screenshot, tmp_path
):
    from projects.models import Indicator

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    login(page, live_server, "xs_finance", "demo2024!")
    page.goto(f"{live_server.url}/filing/upload/")
    # The finance bureau's only purpose here is 下达目标: the page asks only for the year.
    page.select_option("#tpl-year", "2023")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载模板（.xlsx）").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    for sheet in list(book.worksheets):
        if sheet["B3"].value == PROJECT:
            for row in range(15, sheet.max_row + 1):
                if sheet[f"C{row}"].value == "走访企业数量":
                    sheet[f"D{row}"] = "≥1500家"
        elif sheet["B3"].value:
            # The demo has other 2023 subjects already submitted: upload this subject alone.
            book.remove(sheet)
    path = tmp_path / "目标.xlsx"
    book.save(path)

    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并检查").click()
    changes = page.locator("table.upload-changes")
    expect(changes).to_contain_text("≥1600家")
    expect(changes).to_contain_text("≥1500家")
    screenshot("01-target-preview")
    indicator = Indicator.objects.get(project__name=PROJECT, name="走访企业数量")
    assert indicator.target == "≥1600家"

    page.locator("#upload-reason").fill("年中预算调整，走访目标相应下调")
    page.get_by_role("button", name="确认保存").click()
    expect(page.locator("#upload-saved")).to_contain_text("已保存")
    screenshot("02-target-saved")
    indicator.refresh_from_db()
    assert indicator.target == "≥1500家"
    assert "年中预算调整" in indicator.history.first().history_change_reason
