"""A mid-year round in the browser: the finance bureau issues it, a filer reports a red light,
the 主管部门 returns the report, the filer fixes it, the finance bureau records its follow-up of
the red light, and the monitoring overview shows it. Each step is what a person clicks."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import Membership, MonitoringFollowUp, MonitoringReport
from tests import factories as f
from tests.e2e.conftest import login

PASSWORD = "pass-12345"


@pytest.fixture
def region_2024(transactional_db):
    """A region, a department with a subordinate unit and its 2024 project, and one account
    per role (the factories' password is PASSWORD)."""
    region = f.RegionFactory(name="淮北市相山区", code="340603")
    department = f.DepartmentFactory(region=region, name="相山区教育局", code="E")
    unit = f.UnitFactory(department=department, name="相山区第一中学", code="E1")
    project = f.ProjectFactory(unit=unit, year=2024, name="校舍维修改造", money_unit="元")
    f.FundLineFactory(
        project=project, source="total", initial=Decimal("800000"), adjusted=Decimal("800000"),
        executed=None,
    )  # fmt: skip
    f.IndicatorFactory(project=project, order=1, name="维修校舍面积", target="≥2000平方米")
    f.IndicatorFactory(
        project=project, order=2, level2="质量指标", name="验收合格率", target="≥95%"
    )
    for username, role, scope in (
        ("cz", Membership.Role.FINANCE_REVIEWER, {"region": region}),
        ("jy", Membership.Role.DEPARTMENT_REVIEWER, {"department": department}),
        ("yz", Membership.Role.FILER, {"unit": unit}),
    ):
        f.membership(f.UserFactory(username=username), role, **scope)
    return project


def test_a_round_from_issue_to_the_follow_up_of_its_red_light(
    page, browser, live_server, region_2024, screenshot
):
    # The finance bureau issues the round as of 30 June.
    login(page, live_server, "cz", PASSWORD)
    page.goto(f"{live_server.url}/monitoring/rounds/")
    page.get_by_label("监控时点").fill("2024-06-30")
    page.get_by_label("截止日期").fill("2024-07-15")
    page.click("#round-issue-form button:has-text('下发')")
    expect(page.locator("body")).to_contain_text("2024年1-6月绩效运行监控")
    report = MonitoringReport.objects.get(project=region_2024)
    page.context.clear_cookies()

    # The filer: 80,000 of 800,000 spent by 30 June is 10% against 50% of the year → red;
    # 300 m² of ≥2000 × 50% = 30% → red. The light turns red while typing.
    login(page, live_server, "yz", PASSWORD)
    expect(page.locator("body")).to_contain_text("校舍维修改造")
    page.goto(f"{live_server.url}/monitoring/report/{report.pk}/")
    page.get_by_label("当年财政拨款 截至监控时点执行数").fill("80000")
    page.get_by_label("维修校舍面积 截至监控时点完成值").fill("300平方米")
    page.get_by_label("验收合格率 截至监控时点完成值").fill("98%")
    page.get_by_label("验收合格率 完成目标可能性").select_option(label="确定能")
    page.get_by_label("维修校舍面积 完成目标可能性").select_option(label="有可能")
    page.get_by_label("执行情况说明").click()
    row = page.locator(f"#row-{region_2024.indicators.get(order=1).pk}")
    expect(row).to_contain_text("红灯")
    # 有可能 without a reason blocks the submission, named at the row.
    page.click("#submit-button")
    expect(page.locator("#submit-blocked")).to_contain_text("须说明原因")
    page.get_by_label("维修校舍面积 偏差原因", exact=True).fill("暑期方可施工")
    page.get_by_label("维修校舍面积 拟采取的措施").fill("7月起集中施工")
    page.click("#submit-button")
    expect(page.locator("#status-badge")).to_contain_text("待主管部门审核")
    screenshot("submitted")
    page.context.clear_cookies()

    # The 主管部门 sees the red light in its list and returns the report with a comment.
    login(page, live_server, "jy", PASSWORD)
    page.goto(f"{live_server.url}/monitoring/review/")
    expect(page.locator("main")).to_contain_text("维修校舍面积")
    page.goto(f"{live_server.url}/monitoring/review/{report.pk}/")
    page.fill("#return-comment", "请补充施工合同签订情况")
    page.click("#return-button")
    expect(page.locator("#report-status")).to_contain_text("已退回")
    page.context.clear_cookies()

    # The filer reads the comment, adds what was asked and submits again; the 主管部门 approves.
    login(page, live_server, "yz", PASSWORD)
    page.goto(f"{live_server.url}/monitoring/report/{report.pk}/")
    expect(page.locator("#return-comment")).to_contain_text("请补充施工合同签订情况")
    page.get_by_label("执行情况说明").fill("施工合同已于6月签订，7月进场。")
    page.click("#submit-button")
    expect(page.locator("#status-badge")).to_contain_text("待主管部门审核")
    page.context.clear_cookies()
    login(page, live_server, "jy", PASSWORD)
    page.goto(f"{live_server.url}/monitoring/review/{report.pk}/")
    page.click("#approve-button")
    expect(page.locator("#report-status")).to_contain_text("待财政审核")
    page.context.clear_cookies()

    # The finance bureau records its decision on the red execution light and approves.
    login(page, live_server, "cz", PASSWORD)
    page.goto(f"{live_server.url}/monitoring/review/{report.pk}/")
    decision = page.locator("form[aria-label='预算执行进度红灯处理决定']")
    decision.get_by_label("处理决定").select_option(label="督促整改")
    decision.get_by_label("说明").fill("8月底前报送支付计划")
    decision.locator("button").click()
    expect(page.locator("#execution")).to_contain_text("督促整改")
    page.click("#approve-button")
    expect(page.locator("#report-status")).to_contain_text("审核通过")
    follow_up = MonitoringFollowUp.objects.get()
    assert follow_up.decision == "urge" and follow_up.decided_by.username == "cz"

    # The overview counts the red report and its decision.
    page.goto(f"{live_server.url}/monitoring/overview/")
    expect(page.locator("main")).to_contain_text("相山区教育局")
    expect(page.locator("main")).to_contain_text("红灯")
    screenshot("overview")
    page.context.clear_cookies()

    # The filer sees the decision, with who and when.
    login(page, live_server, "yz", PASSWORD)
    page.goto(f"{live_server.url}/monitoring/report/{report.pk}/")
    expect(page.locator("#follow-ups")).to_contain_text("督促整改")
