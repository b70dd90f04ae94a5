"""The demo loader: every seed document and account, a review season in which every account has
work on its first page, a wholly published department, and loading twice changes nothing."""

import io

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from projects.demo import ACCOUNTS, DEMO_PASSWORD
from projects.models import (
    Department,
    Evaluation,
    EvaluationStatus,
    FundLine,
    HistoryEntry,
    Indicator,
    IndicatorResult,
    LibraryIndicator,
    Membership,
    MonitoringFollowUp,
    MonitoringReport,
    MonitoringStep,
    Project,
    Region,
    ReviewComment,
    ReviewStep,
    TargetDeclaration,
    TargetStep,
    Unit,
)

S = EvaluationStatus
KFQ = "安徽淮北相山经济开发区管理委员会"
CHANGLI = "昌黎县招商中心"
# What each role's first page must offer: the status words of the rows it has to act on.
WORK = {
    Membership.Role.FILER: {S.DRAFT: "填报中", S.RETURNED: "已退回"},
    Membership.Role.DEPARTMENT_REVIEWER: {S.SUBMITTED: "待主管部门审核"},
    Membership.Role.FINANCE_REVIEWER: {S.DEPARTMENT_APPROVED: "待财政审核"},
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(demo, db):
    """Each test runs in its own savepoint over the loaded demo."""


def _counts():
    return tuple(
        model.objects.count()
        for model in (
            Project,
            Evaluation,
            FundLine,
            Indicator,
            IndicatorResult,
            Membership,
            ReviewStep,
            ReviewComment,
            Unit,
            MonitoringReport,
            MonitoringStep,
            MonitoringFollowUp,
            TargetDeclaration,
            TargetStep,
            LibraryIndicator,
        )
    ) + (get_user_model().objects.count(),)


def _rows(response) -> list[str]:
    """The text of each table row of a page, as a user reads it."""
    page = lxml.html.fromstring(response.content.decode())
    return [" ".join(row.text_content().split()) for row in page.xpath("//tbody/tr")]


def test_demo_loads_the_seed_documents_and_accounts(demo_db):
    # Seed 001's 2 tables, seed 000's 17 projects + 1 department, seed 002, seed 003's two,
    # and 7 invented (示例) filings.
    assert Evaluation.objects.count() == 30
    assert Evaluation.objects.filter(project__kind="department_overall").count() == 3
    business = Evaluation.objects.get(project__name="区创优营商环境服务中心工作经费")
    assert business.project.unit.department.region.name == "淮北市相山区"
    # Seed 001: 38.76 / 46 = 84.26% → 8.43, and the indicators at full marks → 98.43 优.
    assert str(business.execution_rate) == "84.26"
    assert str(business.computed_total) == "98.43"
    assert business.computed_grade == "优"
    user = get_user_model().objects.get(username="xs_gov_filer")
    assert user.check_password(DEMO_PASSWORD)
    assert Evaluation.objects.for_user(user).filter(pk=business.pk).exists()
    assert {a.username for a in ACCOUNTS} <= set(
        get_user_model().objects.values_list("username", flat=True)
    )
    # Invented filings say so in their name.
    invented = Evaluation.objects.filter(project__code__startswith="DEMO-")
    assert invented.count() == 7
    assert all(e.project.name.startswith("示例：") for e in invented)


@pytest.mark.parametrize(
    "account",
    [a for a in ACCOUNTS if a.role != Membership.Role.OBSERVER],
    ids=lambda a: a.username,
)
def test_every_account_finds_work_on_its_first_page(client, demo_db, account):
    user = get_user_model().objects.get(username=account.username)
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    rows = _rows(response)
    words = WORK[account.role]
    if account.role == Membership.Role.FILER:
        waiting = Evaluation.objects.filter(
            project__unit__name=account.scope, status__in=list(words)
        )
    elif account.role == Membership.Role.DEPARTMENT_REVIEWER:
        waiting = Evaluation.objects.filter(
            project__unit__department__name=account.scope, status__in=list(words)
        )
    else:
        waiting = Evaluation.objects.filter(
            project__unit__department__region__name=account.scope, status__in=list(words)
        )
    assert waiting.exists(), account.username
    for evaluation in waiting.select_related("project"):
        word = words[evaluation.status]
        # The evaluation's own row (its 年度 column), not a monitoring or declaration row of the
        # same project, which the first page also lists with the same status words.
        year = f"{evaluation.year}年度" if account.role == Membership.Role.FILER else ""
        assert any(
            evaluation.project.name in row and word in row and year in row for row in rows
        ), (
            evaluation.project.name,
            word,
            rows,
        )


def test_the_observer_reads_its_region_and_reviews_nothing(client, demo_db):
    observer = get_user_model().objects.get(username="xs_renda")
    membership = observer.memberships.get()
    assert membership.role == Membership.Role.OBSERVER
    assert membership.region.name == "淮北市相山区"
    in_region = Evaluation.objects.filter(project__unit__department__region=membership.region)
    assert set(Evaluation.objects.for_user(observer)) == set(in_region)
    client.force_login(observer)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    # The first page is the region's filings to read, with no action to take on them.
    shown = [e.project.name for e in in_region.select_related("project") if e.project.name in page]
    assert len(shown) >= 5, shown
    assert "批量审核通过" not in page and 'name="ids"' not in page


def test_the_department_has_subordinate_units_with_filings_at_every_stage(demo_db):
    department = Department.objects.get(name=KFQ)
    units = list(department.units.all())
    assert sum(1 for unit in units if unit.is_department) == 1
    subordinate = [unit for unit in units if not unit.is_department]
    assert len(subordinate) >= 2
    filings = Evaluation.objects.filter(project__unit__department=department)
    assert set(filings.values_list("status", flat=True)) == set(S.values)
    # Every subordinate unit files, and the department's own reviewer moved its filings.
    for unit in subordinate:
        assert filings.filter(project__unit=unit).exclude(status=S.DRAFT).exists(), unit
    reviewed = ReviewStep.objects.filter(
        evaluation__project__unit__department=department,
        action=ReviewStep.Action.DEPARTMENT_APPROVE,
    )
    assert set(reviewed.values_list("actor__username", flat=True)) == {"xs_kfq_reviewer"}


def test_every_stage_was_reached_through_the_workflow(demo_db):
    """No status was set by hand: each filing past draft has the steps that lead there."""
    expected = {
        S.SUBMITTED: ["submit"],
        S.RETURNED: ["submit", "department_return"],
        S.APPROVED: ["submit", "finance_approve"],
        S.PUBLISHED: ["submit", "finance_approve", "publish"],
    }
    for evaluation in Evaluation.objects.exclude(status=S.DRAFT).select_related("project__unit"):
        actions = list(evaluation.review_steps.order_by("pk").values_list("action", flat=True))
        if evaluation.status == S.DEPARTMENT_APPROVED:
            wanted = ["submit"] if evaluation.project.unit.is_department else None
            wanted = wanted or ["submit", "department_approve"]
        else:
            wanted = list(expected[evaluation.status])
            if not evaluation.project.unit.is_department and evaluation.status in (
                S.APPROVED,
                S.PUBLISHED,
            ):
                wanted.insert(1, "department_approve")
        assert actions == wanted, (evaluation, actions)
        assert evaluation.review_steps.last().to_status == evaluation.status
    assert not Evaluation.objects.filter(status=S.DRAFT, review_steps__isnull=False).exists()


def test_the_returned_filing_carries_a_comment_on_an_indicator(client, demo_db):
    returned = Evaluation.objects.get(project__name="招商工作经费", status=S.RETURNED)
    step = returned.review_steps.get(action=ReviewStep.Action.DEPARTMENT_RETURN)
    assert step.actor.username == "xs_kfq_reviewer"
    assert step.comment.startswith("示例：")
    comment = step.comments.get()
    assert comment.indicator.name == "示例：新引进工业项目"
    assert comment.text.startswith("示例：")
    # Its filer sees the filing as returned on the first page.
    client.force_login(get_user_model().objects.get(username="xs_kfq_zs_filer"))
    rows = _rows(client.get("/", follow=True))
    assert any("招商工作经费" in row and "已退回" in row for row in rows)


def test_a_whole_department_is_published_on_the_public_page(client, demo_db):
    department = Department.objects.get(name=CHANGLI)
    year_2023 = Evaluation.objects.filter(project__unit__department=department, year=2023)
    assert year_2023.count() == 2
    assert set(year_2023.values_list("status", flat=True)) == {S.PUBLISHED}
    index = client.get(reverse("publication_index"))
    assert "暂无已公开的自评报告" not in index.content.decode()
    page = client.get(
        reverse("publication_department", args=[department.region.code, 2023, department.code])
    )
    assert page.status_code == 200
    text = page.content.decode()
    # Each filing is linked from the page; the project is listed by name.
    for evaluation in year_2023:
        assert reverse("publication_evaluation", args=[evaluation.pk]) in text
    assert "招商引资工作经费" in text
    assert "昌黎县招商中心 部门整体支出绩效自评" in text


def test_the_region_lets_its_departments_publish(demo_db):
    assert Region.objects.get(name="淮北市相山区").department_publishes


def test_loading_twice_is_idempotent(demo_db):
    first = _counts()
    statuses = dict(Evaluation.objects.values_list("pk", "status"))
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first
    assert dict(Evaluation.objects.values_list("pk", "status")) == statuses


def test_the_demos_history_chain_verifies_and_names_an_edited_step(demo_db):
    """Issue 17: every demo step went through the workflow, so its region's chain holds; a
    review comment changed in the database is then named by verify_history."""
    out = io.StringIO()
    call_command("verify_history", stdout=out)
    assert "留痕链完整" in out.getvalue()
    kinds = set(HistoryEntry.objects.values_list("kind", flat=True))
    assert kinds == {
        "review_step",
        "monitoring_step",
        "target_step",
        "monitoring_follow_up",
        "result_decision",
        "rectification_step",
    }
    call_command("load_demo", stdout=io.StringIO())  # loading again appends nothing stray
    call_command("verify_history", stdout=io.StringIO())
    step = ReviewStep.objects.filter(action=ReviewStep.Action.DEPARTMENT_RETURN).first()
    ReviewStep.objects.filter(pk=step.pk).update(comment="已改")
    with pytest.raises(CommandError, match=f"自评审核记录 #{step.pk}"):
        call_command("verify_history", stdout=io.StringIO(), stderr=io.StringIO())


def test_loading_over_an_older_demo_files_each_subject_once(demo_db):
    """An older demo filed 招商工作经费 under the 开发区's own unit: loading again moves it."""
    moved = Evaluation.objects.get(project__name="招商工作经费")
    own = Unit.objects.get(name=KFQ, is_department=True)
    older = Project.objects.create(
        unit=own, year=2024, name="招商工作经费", code=moved.project.code, money_unit="元"
    )
    Evaluation.objects.create(project=older, year=2024)
    call_command("load_demo", stdout=io.StringIO())
    assert list(Evaluation.objects.filter(project__name="招商工作经费")) == [moved]
    assert not Project.objects.filter(pk=older.pk).exists()


def test_the_demo_round_has_red_lights_at_every_step_of_review(client, demo_db):
    """相山区's mid-year round: a red light waiting for the 开发区, one returned, one decided by
    the finance bureau, on-track reports approved; every reviewer finds it in the lights list."""
    reports = MonitoringReport.objects.filter(round__region__name="淮北市相山区", round__year=2024)
    statuses = set(reports.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "department_approved", "approved"} <= statuses
    assert reports.filter(light="red", status="submitted").exists()
    decided = MonitoringFollowUp.objects.get()
    assert (
        decided.decided_by.username == "xs_finance" and decided.get_decision_display() == "督促整改"
    )
    for username in ("xs_kfq_reviewer", "xs_finance", "xs_renda"):
        client.force_login(get_user_model().objects.get(username=username))
        page = client.get("/monitoring/review/").content.decode()
        assert "红灯" in page, username
    client.force_login(get_user_model().objects.get(username="xs_kfq_zs_filer"))
    assert "2024年1-6月绩效运行监控" in client.get("/filing/").content.decode()


def test_the_demo_declares_next_years_targets_at_every_step_of_review(client, demo_db):
    """相山区's 2024 subjects carried into 2025 by the year rollover: drafts for the units, one
    waiting for the 开发区, one returned with a comment on a target, one with the finance bureau,
    one approved; every region keeps a common indicator library."""
    declarations = TargetDeclaration.objects.filter(project__year=2025)
    assert declarations.exists() and not declarations.filter(rolled_from__isnull=True).exists()
    statuses = set(declarations.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "department_approved", "approved"} <= statuses
    returned = declarations.get(status="returned").steps.last()
    assert list(returned.indicator_comments.values()) == ["示例：请按2025年入驻计划填写租赁面积。"]
    assert not Evaluation.objects.filter(year=2025).exists()  # targets, never actuals
    assert set(LibraryIndicator.objects.values_list("region__name", flat=True)) == {
        r.name for r in Region.objects.filter(code__in=["340603", "650104", "130322"])
    }
    client.force_login(get_user_model().objects.get(username="xs_kfq_reviewer"))
    assert "招商引资企业政策奖补" in client.get("/targets/review/").content.decode()
    client.force_login(get_user_model().objects.get(username="xs_kfq_js_filer"))
    assert "厂房租赁费用" in client.get("/filing/").content.decode()


def test_the_demos_scorecard_has_every_column_from_the_stages(demo_db):
    """Issue 16: after load_demo the bureau's scorecard reads real draws, decisions and 整改."""
    from projects.results.scorecard_selectors import scorecard

    region = Region.objects.get(name="淮北市相山区")
    card = scorecard(region=region, year=2024)
    assert card.spot_check_share is not None and card.spot_check_cumulative is not None
    assert card.reduction > 0
    assert card.totals.closure_rate is not None and card.totals.overdue >= 1
    assert card.task_deadline is not None
