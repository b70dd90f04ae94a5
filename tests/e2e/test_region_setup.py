"""The finance bureau's first day in the browser: it sets up a new department with two units and a
user for every role, creates a project for one unit, issues the year's self-evaluation task, and
the new filer signs in to find the filing waiting on their workspace. No superuser anywhere."""

import datetime

import pytest
from playwright.sync_api import expect

from projects.models import Evaluation, Membership
from tests import factories as f
from tests.e2e.conftest import ARTIFACTS, login

BUREAU_PASSWORD = "pass-12345"
NEW_PASSWORD = "Jiaoyu-Kaishi-2026"


@pytest.fixture
def bureau(transactional_db):
    region = f.RegionFactory(name="淮北市相山区", code="340603")
    user = f.UserFactory(username="xs_finance", first_name="范财政")
    f.membership(user, Membership.Role.FINANCE_REVIEWER, region=region)
    return region, user


def create_user(page, username, full_name, role, unit=None, department=None):
    page.click("text=用户与角色")
    page.click("text=新建用户")
    page.fill("input[name=username]", username)
    page.fill("input[name=full_name]", full_name)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.select_option("select[name=role]", label=role)
    if unit:
        page.select_option("select[name=unit]", label=unit)
    if department:
        page.select_option("select[name=department]", label=department)
    page.click("button:has-text('保存')")
    expect(page.locator(".alert-success")).to_contain_text(f"已新建用户：{username}")


def test_bureau_sets_up_a_department_and_its_filer_finds_the_task(
    page, browser, live_server, bureau, screenshot
):
    region, _ = bureau
    login(page, live_server, "xs_finance", BUREAU_PASSWORD)
    page.click("nav >> text=地区管理")
    expect(page.locator("h1")).to_contain_text("地区管理 · 淮北市相山区")

    page.fill("#department-create input[name=code]", "E")
    page.fill("#department-create input[name=name]", "相山区教育局")
    page.click("#department-create button")
    expect(page.locator("#org-tree")).to_contain_text("相山区教育局")

    for code, name, own in (("E0", "相山区教育局本级", True), ("E1", "相山区第一中学", False)):
        page.click("#org-tree >> text=新增单位")
        page.fill("input[name=code]", code)
        page.fill("input[name=name]", name)
        if own:
            page.check("input[name=is_department]")
        page.click("button:has-text('保存')")
        expect(page.locator("#org-tree")).to_contain_text(name)
    expect(page.locator("#org-tree .badge", has_text="本级")).to_have_count(1)
    screenshot("tree")

    create_user(page, "yz_filer", "张三", "单位填报人", unit="相山区教育局 · 相山区第一中学")
    create_user(page, "jy_reviewer", "李四", "主管部门审核人", department="相山区教育局")
    create_user(page, "cz_second", "王五", "财政局审核人")
    create_user(page, "rd_observer", "赵六", "监督查阅（人大、审计）")
    expect(page.locator("#accounts")).to_contain_text("单位填报人 · 相山区教育局 · 相山区第一中学")
    screenshot("users")

    page.click("text=项目")
    page.click("text=新建项目")
    page.select_option("select[name=unit]", label="相山区教育局 · 相山区第一中学")
    page.fill("input[name=year]", "2025")
    page.fill("input[name=code]", "E1-2025-001")
    page.fill("input[name=name]", "校舍维修改造")
    page.fill("textarea[name=goal_expected]", "完成教学楼屋面防水和外墙维修。")
    page.click("button:has-text('保存')")
    expect(page.locator("#projects")).to_contain_text("校舍维修改造")

    page.click("text=自评任务")
    deadline = datetime.date.today() + datetime.timedelta(days=30)
    page.fill("#task-issue-form input[name=year]", "2025")
    page.fill("#task-issue-form input[name=deadline]", deadline.isoformat())
    page.click("#task-issue-form button")
    expect(page.locator(".alert-success")).to_contain_text("新建自评 1 项")
    assert Evaluation.objects.filter(project__name="校舍维修改造", year=2025).count() == 1

    page.click("nav >> text=地区管理")
    page.click("text=变更记录")
    expect(page.locator("#history")).to_contain_text("新建主管部门")
    expect(page.locator("#history")).to_contain_text("范财政")

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    filer = context.new_page()
    filer.set_default_timeout(15000)
    try:
        login(filer, live_server, "yz_filer", NEW_PASSWORD)
        filer.goto(f"{live_server.url}/filing/")
        expect(filer.locator("main")).to_contain_text("校舍维修改造")
        expect(filer.locator("nav")).not_to_contain_text("地区管理")
        folder = ARTIFACTS / "test_region_setup"
        folder.mkdir(parents=True, exist_ok=True)
        filer.screenshot(path=str(folder / "filer_workspace.png"), full_page=True)
    finally:
        context.close()
