"""The finance bureau in Chromium: browse a department's documents, open a 自评表, export the
region's year in the background and download the zip; then the public page lists what was
published. Screenshots of every step are kept under artifacts/e2e/.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Evaluation, EvaluationStatus
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEPARTMENT = "淮北市相山区人民政府办公室"
PROJECT = "区创优营商环境服务中心工作经费"


def test_finance_reviewer_reads_exports_and_the_public_sees_what_was_published(
    live_server, page, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    login(page, live_server, "xs_finance", "demo2024!")

    page.goto(f"{live_server.url}/reports/")
    row = page.locator("tr", has_text=DEPARTMENT).filter(has_text="2023")
    row.get_by_role("link", name="查看资料").click()
    expect(page.locator("h1")).to_contain_text(f"{DEPARTMENT} · 2023年度绩效自评资料")
    screenshot("01-department")

    page.locator("tr", has_text=PROJECT).get_by_role("link", name="自评表").click()
    table = page.locator("section.evaluation-table")
    expect(table.locator("h1")).to_have_text("项目支出绩效自评表")
    expect(table).to_contain_text("（2023年度）")
    expect(table.locator(".total-score")).to_have_text("98.43")
    screenshot("02-evaluation-table")

    page.get_by_role("link", name="元", exact=True).click()
    expect(table).to_contain_text("387,600.00")
    screenshot("03-evaluation-table-yuan")

    page.goto(f"{live_server.url}/reports/export/")
    page.select_option("#id_region", label="淮北市相山区")
    page.select_option("#id_year", "2023")
    page.get_by_role("button", name="开始导出").click()
    progress = page.locator("#export-job")
    expect(progress).to_contain_text("已完成", timeout=60000)
    expect(progress.locator(".progress-bar")).to_have_text("100%")
    screenshot("04-export-done")
    with page.expect_download() as download:
        progress.get_by_role("link", name="下载压缩包").click()
    assert download.value.suggested_filename == "淮北市相山区_2023年度绩效自评资料.zip"

    Evaluation.objects.filter(project__name=PROJECT).update(status=EvaluationStatus.PUBLISHED)
    page.goto(f"{live_server.url}/public/")
    expect(page.locator("main")).to_contain_text("淮北市相山区")
    # The demo publishes other departments too: open 淮北市相山区's 2023 row, then its department.
    page.locator("tr", has_text="淮北市相山区").filter(has_text="2023").get_by_role(
        "link", name="查看"
    ).click()
    page.get_by_role("link", name="查看").first.click()
    expect(page.locator("main")).to_contain_text(PROJECT)
    expect(page.locator("main")).not_to_contain_text("区政府工作经费")
    screenshot("05-public-department")
