"""A year's targets in the browser: a unit declares a new project, the 主管部门 returns one target
with a comment, the unit fixes it, the finance bureau approves, and the self-evaluation of that
year is filed against the approved targets."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import Evaluation, Membership, TargetDeclaration
from projects.review.services.tasks import evaluation_tasks_issue
from tests import factories as f
from tests.e2e.conftest import login

PASSWORD = "pass-12345"
YEAR = datetime.date.today().year + 1
ROWS = [  # 一级|二级, 三级指标, 年度指标值, 分值, 评价方法 (national rule set: 50 / 30 / 10)
    ("产出指标|数量指标", "维修校舍面积", "≥1800平方米", "30", "竣工验收单"),
    ("产出指标|质量指标", "验收合格率", "≥95%", "20", "竣工验收报告"),
    ("效益指标|社会效益指标", "安全隐患消除率", "=100%", "30", "安全检查记录"),
    ("满意度指标|服务对象满意度指标", "师生满意度", "≥90%", "10", "问卷调查"),
]


@pytest.fixture
def people(transactional_db):
    region = f.RegionFactory(name="淮北市相山区", code="340603")
    department = f.DepartmentFactory(region=region, name="相山区教育局", code="E")
    unit = f.UnitFactory(department=department, name="相山区第一中学", code="E1")
    for username, role, scope in (
        ("cz", Membership.Role.FINANCE_REVIEWER, {"region": region}),
        ("jy", Membership.Role.DEPARTMENT_REVIEWER, {"department": department}),
        ("yz", Membership.Role.FILER, {"unit": unit}),
    ):
        f.membership(f.UserFactory(username=username), role, **scope)
    return region


def _as(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username, PASSWORD)


def test_a_unit_declares_its_targets_and_they_pass_into_the_years_self_evaluation(
    page, browser, live_server, people, screenshot
):
    # The unit declares a new project for next year and its targets.
    _as(page, live_server, "yz")
    page.goto(f"{live_server.url}/targets/new/")
    page.get_by_label("申报年度").fill(str(YEAR))
    page.get_by_label("项目编码").fill("E1-001")
    page.get_by_label("项目名称").fill("校舍维修改造")
    page.get_by_label("金额单位").select_option(label="元")
    page.click("#declare-button")
    expect(page.locator("h1")).to_contain_text(f"{YEAR}年度项目支出绩效目标申报表")
    for level, name, _, _, _ in ROWS:
        page.locator("#add-level").select_option(level)
        page.locator("#add-name").fill(name)
        page.click("#add-button")
        expect(page.get_by_label(f"{name} 年度指标值")).to_be_visible()
    page.get_by_label("年度总体目标").fill("完成教学楼屋面防水和外墙维修。")
    page.get_by_label("当年财政拨款 年初预算数").fill("800000")
    for _, name, target, weight, method in ROWS:
        page.get_by_label(f"{name} 年度指标值").fill(target)
        page.get_by_label(f"{name} 分值").fill(weight)
        page.get_by_label(f"{name} 评价方法").fill(method)
    page.click("#submit-button")
    expect(page.locator("#status-badge")).to_contain_text("待主管部门审核")
    screenshot("declared")
    declaration = TargetDeclaration.objects.get(project__code="E1-001")

    # The 主管部门 returns one target with a comment on its row.
    _as(page, live_server, "jy")
    page.goto(f"{live_server.url}/targets/review/{declaration.pk}/")
    page.get_by_label("对“维修校舍面积”的意见").fill("面积应按2025年维修计划的2000平方米申报")
    page.fill("#return-comment", "请按维修计划调整目标")
    page.click("#return-button")
    expect(page.locator("#declaration-status")).to_contain_text("已退回")

    # The unit reads the comment beside the row and fixes the target.
    _as(page, live_server, "yz")
    page.goto(f"{live_server.url}/targets/declaration/{declaration.pk}/")
    expect(page.locator("#indicator-table")).to_contain_text("面积应按2025年维修计划")
    page.get_by_label("维修校舍面积 年度指标值").fill("≥2000平方米")
    page.click("#submit-button")
    expect(page.locator("#status-badge")).to_contain_text("待主管部门审核")

    # The 主管部门 and then the finance bureau approve.
    _as(page, live_server, "jy")
    page.goto(f"{live_server.url}/targets/review/{declaration.pk}/")
    page.click("#approve-button")
    expect(page.locator("#declaration-status")).to_contain_text("待财政审核")
    _as(page, live_server, "cz")
    page.goto(f"{live_server.url}/targets/review/{declaration.pk}/")
    page.click("#approve-button")
    expect(page.locator("#declaration-status")).to_contain_text("审核通过")
    screenshot("approved")

    # The year's self-evaluation is issued and pre-filled with the approved targets.
    cz = Membership.objects.get(user__username="cz").user
    evaluation_tasks_issue(
        region=people, year=YEAR, deadline=datetime.date(YEAR + 1, 3, 31), user=cz
    )
    evaluation = Evaluation.objects.get(project=declaration.project)
    _as(page, live_server, "yz")
    page.goto(f"{live_server.url}/filing/evaluations/{evaluation.pk}/")
    table = page.locator("table").filter(has_text="维修校舍面积")
    expect(table.first).to_contain_text("≥2000平方米")
    plan = {line.source: line.initial for line in declaration.project.fund_lines.all()}
    assert plan["current_year"] == Decimal("800000") and plan["total"] == Decimal("800000")
