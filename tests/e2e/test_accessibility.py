"""Every page of every role passes axe-core's WCAG 2 A/AA rules in Chromium (issue 18, item 7).

axe-core comes from npm (package.json devDependencies, installed by `make vendor`'s `npm ci`) and
is read from node_modules/axe-core/axe.min.js; it is not served by the app. The pages' CSP
forbids inline script, so axe is not added as a <script> tag: its source goes in through
`page.evaluate`, which Chromium runs through the DevTools protocol outside the page's CSP. The
browser context keeps the CSP on, so the pages are checked exactly as users get them.

The pages are a registry, PAGES: one line per page, (role, name, url builder[, preparation]).
A new page is one more line; a new role is one more entry in World.users (see `world`).
The data is one review season built with the factories and the workflow services, so the pages
show their real tables: findings, review comments, history, a spot check and an export.
Each page states the HTTP status it answers with (200 unless said), so a URL builder that goes
astray fails rather than checking a 404 page in its place.
"""

import functools
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from projects.models import Membership
from tests import factories as f
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
YEAR = 2023
RETURN_COMMENT = "走访企业数量与台账不符，请核实后重新提交。"
INDICATOR_COMMENT = "请按走访台账填写实际走访企业数量。"


@dataclass
class World:
    """The season the pages show: people by role, filings by stage, and what hangs off them."""

    region: object
    department: object
    centre: object
    users: dict = field(default_factory=dict)  # role → user; "anonymous" is not logged in
    filings: dict = field(default_factory=dict)  # stage → evaluation
    spot_check: object = None
    export_job: object = None
    monitoring: dict = field(default_factory=dict)  # "draft" / "submitted" → MonitoringReport
    declarations: dict = field(default_factory=dict)  # "draft" / "submitted" → TargetDeclaration
    rectifications: dict = field(default_factory=dict)  # "open" / "reported" → Rectification


@dataclass(frozen=True)
class Page:
    """One page to check: who opens it, what it is called, where it is.

    `url` builds the path from the World; `prepare`, when given, gets the page there instead
    (an upload's preview, say) and is called as prepare(page, world, base_url).
    """

    role: str
    name: str
    url: Callable[[World], str] | None = None
    prepare: Callable | None = None
    status: int = 200


def _upload_preview(page, world: World, base: str, *, only_draft: bool = True) -> None:
    """Download the filer's workbook, change one actual value, upload it: the preview page.

    With every sheet left in, the submitted filings' sheets are refused: the error table."""
    page.goto(f"{base}/filing/upload/")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载模板（.xlsx）").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    draft = world.filings["draft"].project.name
    for sheet in list(book.worksheets):
        if only_draft and sheet["B3"].value != draft:  # the submitted filings cannot change
            book.remove(sheet)
            continue
        for row in range(15, sheet.max_row + 1):
            if sheet[f"C{row}"].value == "营商环境满意度":
                sheet[f"E{row}"] = "91%"
    path = Path(download.value.path()).with_suffix(".edited.xlsx")
    book.save(path)
    page.goto(f"{base}/filing/upload/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_selector("#upload-preview" if only_draft else "text=未保存任何内容")


def _conflict(page, world: World, base: str) -> None:
    """The filer saves over a newer version: another tab saved the same row in between."""
    url = f"{base}/filing/evaluations/{world.filings['draft'].pk}/"
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    other.locator("tr.ind-row input.actual-input").first.fill("他人填写的1550家")
    other.locator("#save-button").click()
    other.wait_for_load_state("networkidle")
    other.close()
    # Set without an input event, so no autosave runs: the full save below is the stale one.
    page.locator("tr.ind-row input.actual-input").first.evaluate("el => el.value = '我的1580家'")
    page.locator("#save-button").click()
    page.wait_for_selector("#conflict-table")


def _ev(stage: str, suffix: str = "") -> Callable[[World], str]:
    return lambda w: suffix.format(pk=w.filings[stage].pk)


def _dept(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/reports/department/{w.department.pk}/{YEAR}/{suffix}"


def _bulk(w: World, path: str, *stages: str) -> str:
    """A bulk action's confirmation page for the filings at `stages` (all, by default)."""
    chosen = stages or tuple(w.filings)
    return path + "?" + "&".join(f"ids={w.filings[s].pk}" for s in chosen)


def _admin(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/region/{w.region.pk}/{suffix}"


PAGES = [
    # Anonymous visitors.
    Page("anonymous", "登录", lambda w: "/login/"),
    Page("anonymous", "公开首页", lambda w: "/public/"),
    Page("anonymous", "公开地区年度", lambda w: f"/public/{w.region.code}/{YEAR}/"),
    Page(
        "anonymous",
        "公开部门",
        lambda w: f"/public/{w.region.code}/{YEAR}/{w.department.code}/",
    ),
    Page("anonymous", "公开自评表", _ev("published", "/public/evaluation/{pk}/")),
    Page("anonymous", "公开自评报告", _ev("published", "/public/evaluation/{pk}/report/")),
    Page("anonymous", "文件核验", lambda w: "/public/verify/"),
    Page("anonymous", "文件核验（验证码有误）", lambda w: "/public/verify/?code=12345"),
    Page("anonymous", "文件核验（未找到）", lambda w: "/public/verify/?code=7Q4M-K2ZD-9XHC"),
    Page("anonymous", "404 页面", lambda w: "/no-such-page/", status=404),
    # The filer of the subordinate unit.
    Page("filer", "403 页面", lambda w: "/review/", status=403),  # a filer in the review queue
    Page("filer", "填报工作台", lambda w: "/filing/"),
    Page("filer", "填报表（填报中）", _ev("draft", "/filing/evaluations/{pk}/")),
    Page("filer", "填报表（已退回）", _ev("returned", "/filing/evaluations/{pk}/")),
    Page("filer", "保存冲突", prepare=_conflict, status=409),
    Page("filer", "上传", lambda w: "/filing/upload/"),
    Page("filer", "上传预览", prepare=_upload_preview),
    Page(
        "filer",
        "上传错误",
        prepare=lambda page, w, base: _upload_preview(page, w, base, only_draft=False),
        status=422,
    ),
    Page("filer", "资料首页", lambda w: "/reports/"),
    Page("filer", "填报工作台（筛选）", lambda w: "/filing/?q=经费&sort=-year"),
    Page("filer", "批量提交确认", lambda w: _bulk(w, "/filing/bulk-submit/", "draft", "returned")),
    Page("filer", "自评表", _ev("draft", "/reports/evaluation/{pk}/table/")),
    Page("filer", "自评报告", _ev("draft", "/reports/evaluation/{pk}/report/")),
    # The department reviewer.
    Page("department_reviewer", "审核队列", lambda w: "/review/"),
    Page(
        "department_reviewer",
        "审核详情",
        _ev("submitted", "/review/evaluations/{pk}/"),
    ),
    Page(
        "department_reviewer",
        "审核记录",
        _ev("returned", "/review/evaluations/{pk}/history/"),
    ),
    # The finance bureau.
    Page("finance_reviewer", "首页", lambda w: "/"),
    Page("finance_reviewer", "审核队列", lambda w: "/review/"),
    Page(
        "finance_reviewer",
        "审核详情",
        _ev("department_approved", "/review/evaluations/{pk}/"),
    ),
    Page(
        "finance_reviewer",
        "审核记录",
        _ev("published", "/review/evaluations/{pk}/history/"),
    ),
    Page("finance_reviewer", "总览", lambda w: "/review/overview/"),
    Page("finance_reviewer", "绩效考核", lambda w: f"/results/scorecard/?year={YEAR}"),
    Page("finance_reviewer", "任务", lambda w: "/review/tasks/"),
    Page(
        "finance_reviewer",
        "审核详情（抽查复核结果）",
        _ev("approved", "/review/evaluations/{pk}/"),
    ),
    Page("finance_reviewer", "抽查列表", lambda w: "/review/spot-checks/"),
    Page("finance_reviewer", "抽查详情", lambda w: f"/review/spot-checks/{w.spot_check.pk}/"),
    Page(
        "finance_reviewer",
        "抽查项目",
        lambda w: f"/review/spot-checks/items/{w.spot_check.items.first().pk}/",
    ),
    Page("finance_reviewer", "通知", lambda w: "/review/notifications/"),
    Page(
        "finance_reviewer",
        "指标目标修改",
        lambda w: (
            f"/review/indicators/"
            f"{w.filings['department_approved'].project.indicators.first().pk}/target/"
        ),
    ),
    Page("finance_reviewer", "资料首页", lambda w: "/reports/"),
    Page("finance_reviewer", "部门资料", _dept("")),
    Page("finance_reviewer", "部门汇总", _dept("summary/")),
    Page("finance_reviewer", "部门自评报告", _dept("report/")),
    Page("finance_reviewer", "自评表", _ev("approved", "/reports/evaluation/{pk}/table/")),
    Page("finance_reviewer", "自评报告", _ev("approved", "/reports/evaluation/{pk}/report/")),
    Page("finance_reviewer", "导出", lambda w: "/reports/export/"),
    Page("finance_reviewer", "导出进度", lambda w: f"/reports/export/{w.export_job.pk}/"),
    Page("finance_reviewer", "批量审核通过确认", lambda w: _bulk(w, "/review/bulk-approve/")),
    Page("finance_reviewer", "批量公开确认", lambda w: _bulk(w, "/review/bulk-publish/")),
    # 结果应用: the decision list and one evaluation's decide page.
    Page("finance_reviewer", "结果应用", lambda w: "/results/decisions/"),
    Page("finance_reviewer", "结果应用决定", _ev("approved", "/results/decisions/{pk}/")),
    # The finance bureau's region administration.
    Page("finance_reviewer", "地区管理", _admin("")),
    Page("finance_reviewer", "部门修改", lambda w: _admin(f"departments/{w.department.pk}/")(w)),
    Page(
        "finance_reviewer",
        "新建单位",
        lambda w: _admin(f"departments/{w.department.pk}/units/new/")(w),
    ),
    Page("finance_reviewer", "用户", _admin("users/")),
    Page("finance_reviewer", "新建用户", _admin("users/new/")),
    Page(
        "finance_reviewer",
        "用户详情",
        lambda w: _admin(f"users/{w.users[Membership.Role.FILER].pk}/")(w),
    ),
    Page("finance_reviewer", "项目", _admin("projects/")),
    Page("finance_reviewer", "新建项目", _admin("projects/new/")),
    Page("finance_reviewer", "导入组织", _admin("import/")),
    Page("finance_reviewer", "接口客户端", _admin("api-clients/")),
    Page("finance_reviewer", "变更记录", _admin("history/")),
    # 绩效运行监控: the bureau's rounds, the lights list, a report at each side of the review.
    Page("finance_reviewer", "监控任务", lambda w: "/monitoring/rounds/"),
    Page("finance_reviewer", "监控预警列表", lambda w: "/monitoring/review/"),
    Page("filer", "监控填报（红灯）", lambda w: f"/monitoring/report/{w.monitoring['draft'].pk}/"),
    Page("filer", "监控上传", lambda w: f"/monitoring/report/{w.monitoring['draft'].pk}/upload/"),
    Page("filer", "填报工作台（含监控）", lambda w: "/filing/"),
    Page("department_reviewer", "监控预警列表", lambda w: "/monitoring/review/"),
    Page(
        "department_reviewer",
        "监控审核",
        lambda w: f"/monitoring/review/{w.monitoring['submitted'].pk}/",
    ),
    Page("observer", "监控预警列表（只读）", lambda w: "/monitoring/review/"),
    Page("finance_reviewer", "监控总览", lambda w: "/monitoring/overview/"),
    Page(
        "finance_reviewer",
        "项目支出绩效监控表",
        lambda w: f"/reports/monitoring/{w.monitoring['submitted'].pk}/table/",
    ),
    # 绩效目标: declaring, reviewing, the library, the rollover, the printed 申报表.
    Page("filer", "申报新项目", lambda w: "/targets/new/"),
    Page(
        "filer",
        "绩效目标申报表单",
        lambda w: f"/targets/declaration/{w.declarations['draft'].pk}/",
    ),
    Page("department_reviewer", "目标审核列表", lambda w: "/targets/review/"),
    Page(
        "department_reviewer",
        "目标审核",
        lambda w: f"/targets/review/{w.declarations['submitted'].pk}/",
    ),
    Page("finance_reviewer", "共性指标库", lambda w: "/targets/library/"),
    Page("finance_reviewer", "新增共性指标", lambda w: "/targets/library/new/"),
    Page("finance_reviewer", "年度结转", lambda w: f"/targets/rollover/?from_year={YEAR}"),
    Page(
        "finance_reviewer",
        "项目支出绩效目标申报表",
        lambda w: f"/reports/target/{w.declarations['draft'].pk}/table/",
    ),
    Page("observer", "目标审核列表（只读）", lambda w: "/targets/review/"),
    # 整改: the list, an item with the unit's report form, one with the reviewer's forms, raising.
    Page("filer", "整改事项列表", lambda w: "/results/rectifications/"),
    Page(
        "filer",
        "整改事项（报告）",
        lambda w: f"/results/rectifications/{w.rectifications['open'].pk}/",
    ),
    Page(
        "department_reviewer",
        "整改事项（销号）",
        lambda w: f"/results/rectifications/{w.rectifications['reported'].pk}/",
    ),
    Page(
        "department_reviewer",
        "列为整改事项",
        _ev("returned", "/results/rectifications/new/?evaluation={pk}&source=finding&problem=x"),
    ),
    Page("observer", "整改事项列表（只读）", lambda w: "/results/rectifications/"),
    # The region's observer (人大, 审计): reads everything, changes nothing.
    Page("observer", "首页", lambda w: "/"),
    Page("observer", "资料首页", lambda w: "/reports/"),
    Page("observer", "审核队列（只读）", lambda w: "/review/"),
    Page("observer", "审核详情（只读）", _ev("approved", "/review/evaluations/{pk}/")),
    Page("observer", "总览（只读）", lambda w: "/review/overview/"),
]


@pytest.fixture
def world(transactional_db) -> World:
    """Seed 001's 相山区 office and its service centre, with one filing at every stage.

    The stored PDFs a workflow step queues are not rendered (a second a filing): these tests
    read pages, and the pages link the documents whether or not they are stored yet.
    """
    from projects.signals import workflow_step
    from reports.stored.triggers import on_workflow_step

    workflow_step.disconnect(dispatch_uid="reports.stored.refresh")
    try:
        return _build_world()
    finally:
        workflow_step.connect(on_workflow_step, dispatch_uid="reports.stored.refresh")


def _build_world() -> World:
    from django.utils import timezone

    from projects.review.services import spot_checks, tasks, workflow
    from reports.models import ExportJob

    region = f.RegionFactory(name="淮北市相山区", code="340603")
    department = f.DepartmentFactory(region=region, name="淮北市相山区人民政府办公室", code="001")
    f.UnitFactory(department=department, name=department.name, code="001000", is_department=True)
    centre = f.UnitFactory(department=department, name="相山区创优营商环境服务中心", code="001001")
    w = World(region, department, centre)
    for role, scope in (
        (Membership.Role.FILER, {"unit": centre}),
        (Membership.Role.DEPARTMENT_REVIEWER, {"department": department}),
        (Membership.Role.FINANCE_REVIEWER, {"region": region}),
        (Membership.Role.OBSERVER, {"region": region}),
    ):
        w.users[role] = f.UserFactory(username=f"a11y_{role}", first_name=role.label)
        f.membership(w.users[role], role, **scope)
    filer = w.users[Membership.Role.FILER]
    dept = w.users[Membership.Role.DEPARTMENT_REVIEWER]
    finance = w.users[Membership.Role.FINANCE_REVIEWER]

    tasks.evaluation_tasks_issue(
        region=region, year=YEAR, deadline=timezone.localdate(), user=finance, note="按时填报"
    )
    names = {
        "draft": "区创优营商环境服务中心工作经费",
        "returned": "政务服务大厅运行经费",
        "submitted": "企业走访专项经费",
        "department_approved": "营商环境评价经费",
        "approved": "12345热线运行经费",
        "published": "营商环境宣传经费",
    }
    # The draft falls short of a target without a reason: the form shows its findings.
    w.filings["draft"] = build_evaluation(centre, name=names["draft"], actuals={0: "1500家"})
    for stage in list(names)[1:]:
        evaluation = build_evaluation(centre, name=names[stage])
        workflow.evaluation_submit(evaluation=evaluation, user=filer)
        if stage == "returned":
            indicator = evaluation.project.indicators.first()
            workflow.evaluation_department_return(
                evaluation=evaluation,
                user=dept,
                comment=RETURN_COMMENT,
                indicator_comments={str(indicator.pk): INDICATOR_COMMENT},
            )
        if stage in ("department_approved", "approved", "published"):
            workflow.evaluation_department_approve(evaluation=evaluation, user=dept)
        if stage in ("approved", "published"):
            workflow.evaluation_finance_approve(evaluation=evaluation, user=finance)
        if stage == "published":
            workflow.evaluation_publish(evaluation=evaluation, user=finance)
        evaluation.refresh_from_db()
        w.filings[stage] = evaluation
    _monitoring(w, filer, finance)
    _declarations(w, filer, finance)
    _rectifications(w, filer, dept)
    # A department draw: the list shows its coverage table, the detail its departments.
    w.spot_check = spot_checks.spot_check_draw(
        region=region,
        year=YEAR,
        user=finance,
        share=Decimal("1"),
        seed=7,
        scope="departments",
        history="exclude",
    )
    w.export_job = ExportJob.objects.create(
        region=region,
        year=YEAR,
        requested_by=finance,
        status=ExportJob.Status.DONE,
        total=6,
        done=6,
        evaluation_count=6,
        file_name="exports/a11y.zip",
        file_size=2048,
        message="已完成",
    )
    return w


def _monitoring(w: World, filer, finance) -> None:
    """A mid-year round: the draft filing's report lit red, the submitted one's awaiting review."""
    import datetime

    from projects.models import MonitoringReport
    from projects.monitoring.services import monitoring_round_issue, monitoring_save_draft
    from projects.review.services import workflow

    issued = monitoring_round_issue(
        region=w.region,
        as_of=datetime.date(YEAR, 6, 30),
        deadline=datetime.date(YEAR, 7, 15),
        user=finance,
    )
    for stage in ("draft", "submitted"):
        report = MonitoringReport.objects.get(round=issued.round, project=w.filings[stage].project)
        first = report.project.indicators.order_by("order", "pk").first()
        report = monitoring_save_draft(
            report=report,
            user=filer,
            version=None,
            content={
                "funds.current_year.executed": "1000",
                f"entries.{first.pk}.value": "1",
                f"entries.{first.pk}.likelihood": "possible",
                f"entries.{first.pk}.reason": "上半年企业走访集中在二季度后",
                f"entries.{first.pk}.measures": "下半年按月走访",
            },
        )
        if stage == "submitted":
            report = workflow.filing_submit(filing=report, user=filer)
        w.monitoring[stage] = report


def _declarations(w: World, filer, finance) -> None:
    """Next year's targets: the centre's draft with two rows, another one submitted."""
    from django.utils import timezone

    from projects.models import EvaluationStatus, TargetDeclaration
    from projects.targets.library_seed import seed_library
    from projects.targets.services import declaration_add_indicator, project_declare

    seed_library(w.region, user=finance)
    year = timezone.localdate().year + 1
    draft = project_declare(
        unit=w.centre, user=filer, year=year, code="001001-T1", name="政务服务便民化改造"
    )
    for level1, level2 in (("产出指标", "数量指标"), ("满意度指标", "服务对象满意度指标")):
        declaration_add_indicator(declaration=draft, user=filer, level1=level1, level2=level2)
    w.declarations["draft"] = TargetDeclaration.objects.get(pk=draft.pk)
    submitted = f.ProjectFactory(unit=w.centre, year=year, code="001001-T2", name="企业服务专项")
    f.IndicatorFactory(project=submitted, name="走访企业数量", target="≥500家")
    w.declarations["submitted"] = TargetDeclaration.objects.create(
        project=submitted, status=EvaluationStatus.SUBMITTED
    )


def _rectifications(w: World, filer, dept) -> None:
    """Two 整改 items of the returned filing: one open, one reported awaiting 销号."""
    import datetime

    from django.utils import timezone

    from projects.rectifications import services as rs

    returned = w.filings["returned"]
    for stage in ("open", "reported"):
        item = rs.rectification_raise(
            user=dept, unit=w.centre, year=returned.year, source="return",
            problem=RETURN_COMMENT, evaluation=returned,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
        )  # fmt: skip
        if stage == "reported":
            item = rs.rectification_report(
                item=item, user=filer, measures="补齐走访台账", evidence="台账", text="已完成"
            )
        w.rectifications[stage] = item


def _report(violations: list[dict]) -> str:
    """The violations as a reader fixing them wants them: rule, impact, where, what to do."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}  {summary[:200]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules over the page as it stands."""
    if not AXE.exists():
        pytest.fail(f"找不到 axe-core：{AXE}（npm ci）")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


@pytest.mark.parametrize("entry", PAGES, ids=[f"{p.role}-{p.name}" for p in PAGES])
def test_page_has_no_wcag_violation(entry, world, browser, live_server):
    """axe-core, put in by page.evaluate under the page's own CSP, finds no WCAG 2 A/AA violation."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("dialog", lambda dialog: dialog.accept())
        if entry.role != "anonymous":
            sign_in(context, live_server.url, world.users[entry.role])
        if entry.prepare:
            entry.prepare(page, world, live_server.url)
        else:
            page.goto(f"{live_server.url}{entry.url(world)}")
        page.wait_for_load_state("networkidle")
        status = page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
        assert status == entry.status, f"{entry.role} {entry.name} ({page.url}): HTTP {status}"
        violations = axe_violations(page)
        assert not violations, (
            f"{entry.role} {entry.name} ({page.url}): {len(violations)} 条 WCAG 违规\n"
            + _report(violations)
        )
    finally:
        context.close()


def sign_in(context, base: str, user) -> None:
    """Give the browser a session of `user` without the login form (the form is checked as a
    page of its own; skipping it saves a second a page)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])


def test_the_500_page_has_no_wcag_violation(browser, live_server, settings, transactional_db):
    """The error page a bug produces is checked like every other page (it has its own layout,
    rendered without a request), through a URL that fails on purpose."""
    settings.ROOT_URLCONF = "tests.e2e.failing_urls"
    settings.DEBUG = False
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = context.new_page()
        response = page.goto(f"{live_server.url}/deliberate-failure/")
        assert response.status == 500
        assert "系统错误" in page.title()
        violations = axe_violations(page)
        assert not violations, _report(violations)
    finally:
        context.close()
