"""The bureau's scorecard: seed 004's region figures from real rows, one department by hand, who
may read it, and a query count that does not grow with the region."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    DeadlineExtension,
    Decision,
    EvaluationStatus,
    EvaluationTask,
    Light,
    Membership,
    MonitoringEntry,
    MonitoringReport,
    MonitoringRound,
    Project,
    Rectification,
    RectificationSource,
    RectificationStatus,
    ResultDecision,
    ReviewStep,
    SpotCheck,
    SpotCheckDepartment,
    SpotCheckItem,
)
from projects.results.scorecard_selectors import (
    PUBLICATION_WORKING_DAYS,
    scorecard,
    working_days_after,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

S = EvaluationStatus
A = ReviewStep.Action
YEAR = 2024
URL = reverse("results:scorecard")
TODAY = datetime.date(2025, 9, 1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """An aware moment of a day in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def subject(unit, *, status=S.DRAFT, year=YEAR, **fields):
    """A project of the year with its evaluation."""
    project = f.ProjectFactory(unit=unit, year=year)
    return f.EvaluationFactory(project=project, status=status, **fields)


def step(evaluation, action, day: datetime.date, hour: int = 10):
    """A recorded transition on a given day (created_at is set by the database, so updated)."""
    row = ReviewStep.objects.create(
        evaluation=evaluation, action=action, from_status=S.DRAFT, to_status=S.SUBMITTED, version=1
    )
    ReviewStep.objects.filter(pk=row.pk).update(created_at=at(day, hour))
    return row


def draw(region, year, departments):
    """A department draw of `year` holding `departments`."""
    check = SpotCheck.objects.create(
        region=region, year=year, seed=year, scope=SpotCheck.Scope.DEPARTMENTS
    )
    SpotCheckDepartment.objects.bulk_create(
        SpotCheckDepartment(spot_check=check, department=d) for d in departments
    )
    return check


def decide(evaluation, base, next_year, decision=Decision.CUT):
    return ResultDecision.objects.create(
        evaluation=evaluation,
        decision=decision,
        base_amount=Decimal(base),
        next_year_amount=Decimal(next_year),
    )


# --- seed 004: 55 departments, 11 drawn in 2024 (20%), 33 covered since 2022 (60%) -------------


@pytest.fixture
def liedshan(db):
    """A region shaped like 烈山区 in 2024 (seed 004), with its finance reviewer."""
    region = f.RegionFactory(name="淮北市烈山区", code="340604", finance_bureau="烈山区财政局")
    departments = [
        f.DepartmentFactory(region=region, name=f"烈山区部门{i:02d}", code=f"L{i:02d}")
        for i in range(55)
    ]
    evaluations = []
    for i, department in enumerate(departments):
        unit = f.UnitFactory(department=department, code=f"L{i:02d}0", is_department=True)
        # 22 优, 30 良, 3 中: every subject submitted or beyond (自评全覆盖).
        grade = "优" if i < 22 else "良" if i < 52 else "中"
        status = S.APPROVED if i % 2 else S.SUBMITTED
        evaluations.append(subject(unit, status=status, computed_grade=grade))
    draw(region, 2022, departments[0:11])
    draw(region, 2023, departments[11:22])
    # 2024 draws 11 not checked before: 33 of 55 covered since 2022.
    draw(region, YEAR, departments[22:33])
    decide(evaluations[0], "1000000.00", "800000.00")  # 200,000.00 压减
    decide(evaluations[1], "500000.50", "250000.25")  # 250,000.25 压减
    decide(evaluations[2], "100.00", "200.00", Decision.PRIORITISE)  # no reduction
    decide(evaluations[3], "300000.00", "300000.00", Decision.KEEP)
    frank = f.UserFactory(username="liedshan-finance")
    f.membership(frank, Membership.Role.FINANCE_REVIEWER, region=region)
    return region, departments, frank


def figure(html: str, name: str) -> str:
    """The text of the region table's cell marked data-figure=`name`."""
    match = re.search(rf'id="region-figures".*?data-figure="{name}">([^<]*)<', html, re.S)
    assert match, name
    return match.group(1).strip()


def test_the_region_figures_are_seed_004s(liedshan):
    region, departments, _ = liedshan
    card = scorecard(region=region, year=YEAR, today=TODAY)
    assert card.departments == 55
    assert card.drawn == 11
    assert card.covered == 33
    assert card.spot_check_share == Decimal("20.00")
    assert card.spot_check_cumulative == Decimal("60.00")
    assert card.evaluation_coverage == Decimal("100.00")
    assert card.excellent_rate == Decimal("40.00")  # 22 优 of 55 graded
    assert card.reduction == Decimal("450000.25")
    assert len(card.rows) == 55


def test_the_page_shows_seed_004s_figures(client, liedshan):
    region, _, frank = liedshan
    client.force_login(frank)
    html = client.get(URL, {"year": YEAR}).content.decode()
    assert figure(html, "spot-check-share") == "20.00%"
    assert figure(html, "spot-check-cumulative") == "60.00%"
    assert figure(html, "evaluation-coverage") == "100.00%（全覆盖）"
    assert figure(html, "excellent-rate") == "40.00%"
    assert figure(html, "reduction") == "45.00"  # 万元 by default
    html = client.get(URL, {"year": YEAR, "money_unit": "元"}).content.decode()
    assert figure(html, "reduction") == "450,000.25"
    assert "烈山区2024年度预算绩效管理工作考核" in html.replace("淮北市", "")
    assert html.count("<svg") == 2


def test_a_year_without_a_draw_keeps_the_cumulative_coverage(liedshan):
    region, _, _ = liedshan
    card = scorecard(region=region, year=2025, today=TODAY)
    assert card.spot_check_share == Decimal("0.00")
    assert card.spot_check_cumulative == Decimal("60.00")
    card = scorecard(region=region, year=2023, today=TODAY)
    assert card.spot_check_share == Decimal("20.00")
    assert card.spot_check_cumulative == Decimal("40.00")


# --- one department by hand ---------------------------------------------------------------------


@pytest.fixture
def department_a(personas):
    """Department A's 2024: four subjects, returns, a spot check, monitoring, 整改, publication.

    The task's deadline is 2025-04-30; department B has an extension to 2025-05-31.
    """
    p = personas
    task = EvaluationTask.objects.create(
        region=p.region, year=YEAR, deadline=datetime.date(2025, 4, 30)
    )
    DeadlineExtension.objects.create(
        task=task, department=p.department_b, deadline=datetime.date(2025, 5, 31)
    )
    # On time: first submitted on the deadline day, returned, resubmitted late; published 10
    # working days after approval.
    on_time = subject(
        p.unit_a,
        status=S.PUBLISHED,
        task=task,
        claimed_total=Decimal("90.00"),
        computed_total=Decimal("88.00"),
        computed_grade="优",
        approved_at=at(datetime.date(2025, 6, 2)),  # a Monday
        published_at=at(datetime.date(2025, 6, 16)),  # two weeks later: 10 working days
    )
    step(on_time, A.SUBMIT, datetime.date(2025, 4, 30), hour=23)
    step(on_time, A.DEPARTMENT_RETURN, datetime.date(2025, 5, 2))
    step(on_time, A.SUBMIT, datetime.date(2025, 5, 5))
    # Late: first submitted after the deadline, returned twice; published 30 days after approval.
    late = subject(
        p.unit_a,
        status=S.PUBLISHED,
        task=task,
        claimed_total=None,
        computed_total=Decimal("80.00"),
        computed_grade="良",
        approved_at=at(datetime.date(2025, 6, 2)),
        published_at=at(datetime.date(2025, 7, 2)),
    )
    step(late, A.SUBMIT, datetime.date(2025, 5, 1))
    step(late, A.DEPARTMENT_RETURN, datetime.date(2025, 5, 3))
    step(late, A.FINANCE_RETURN, datetime.date(2025, 5, 10))
    never = subject(p.unit_a, status=S.DRAFT, task=task)
    # Department B submits late by the task's date but within its extension.
    b = subject(p.unit_b, status=S.SUBMITTED, task=task, computed_grade="中")
    step(b, A.SUBMIT, datetime.date(2025, 5, 20))

    check = SpotCheck.objects.create(region=p.region, year=YEAR, seed=7)
    SpotCheckItem.objects.create(spot_check=check, evaluation=on_time, review_total=Decimal("85"))
    SpotCheckItem.objects.create(spot_check=check, evaluation=late, review_total=Decimal("83"))
    SpotCheckItem.objects.create(spot_check=check, evaluation=never)  # not yet reviewed

    monitoring = MonitoringRound.objects.create(
        region=p.region,
        year=YEAR,
        as_of=datetime.date(2024, 6, 30),
        deadline=datetime.date(2024, 7, 31),
    )
    extra = f.ProjectFactory(unit=p.unit_a, year=YEAR)
    projects = [on_time.project, late.project, never.project, extra]
    states = [(S.SUBMITTED, Light.RED), (S.APPROVED, Light.GREEN), (S.SUBMITTED, Light.YELLOW)]
    states.append((S.DRAFT, Light.RED))  # a draft's red light is not counted yet
    for project, (status, light) in zip(projects, states, strict=True):
        report = MonitoringReport.objects.create(
            round=monitoring, project=project, status=status, light=light
        )
        for row_light in (Light.RED, Light.RED, Light.GREEN):
            MonitoringEntry.objects.create(
                report=report, indicator=f.IndicatorFactory(project=project), light=row_light
            )
    # Each report has two red rows: the three filed reports' count, the draft's do not.

    for status, deadline in (
        (RectificationStatus.CLOSED, datetime.date(2025, 3, 1)),
        (RectificationStatus.CLOSED, datetime.date(2025, 12, 1)),
        (RectificationStatus.OPEN, datetime.date(2025, 8, 1)),  # overdue on TODAY
        (RectificationStatus.REPORTED, datetime.date(2025, 12, 1)),
    ):
        Rectification.objects.create(
            unit=p.unit_a,
            year=YEAR,
            source=RectificationSource.RETURN,
            problem="绩效指标未细化",
            deadline=deadline,
            status=status,
        )
    decide(on_time, "460000.00", "414000.00")  # 46,000.00 压减
    return p


def row_of(card, department):
    return next(r for r in card.rows if r.department_id == department.pk)


def test_a_departments_figures_are_counted_as_by_hand(department_a):
    p = department_a
    card = scorecard(region=p.region, year=YEAR, today=TODAY)
    a = row_of(card, p.department_a)
    assert a.deadline == datetime.date(2025, 4, 30)
    # four subjects: three evaluations and a project only monitored so far
    assert (a.subjects, a.submitted, a.on_time) == (4, 2, 1)
    assert a.on_time_rate == Decimal("25.00")
    assert (a.department_returns, a.finance_returns, a.returns) == (2, 1, 3)
    assert a.checked == 2
    assert a.deviation == Decimal("4.00")  # |90 − 85| and |80 − 83|, the mean
    assert (a.reports, a.reports_filed, a.monitoring_coverage) == (4, 3, Decimal("75.00"))
    assert (a.red_reports, a.red_entries) == (1, 3 * 2)  # the draft's two rows wait
    assert (a.raised, a.closed, a.overdue, a.closure_rate) == (4, 2, 1, Decimal("50.00"))
    assert (a.approved, a.published, a.published_on_time) == (2, 2, 1)
    assert a.reduction == Decimal("46000.00")


def test_an_extension_moves_the_departments_deadline(department_a):
    p = department_a
    b = row_of(scorecard(region=p.region, year=YEAR, today=TODAY), p.department_b)
    assert b.deadline == datetime.date(2025, 5, 31)
    assert (b.subjects, b.on_time, b.on_time_rate) == (1, 1, Decimal("100.00"))


def test_the_region_totals_sum_the_departments(department_a):
    p = department_a
    card = scorecard(region=p.region, year=YEAR, today=TODAY)
    t = card.totals
    assert (t.subjects, t.submitted, t.on_time) == (5, 3, 2)
    assert t.evaluation_coverage == Decimal("60.00")
    assert (t.excellent, t.graded, t.excellent_rate) == (1, 3, Decimal("33.33"))
    assert card.reduction == Decimal("46000.00")
    assert card.spot_check_share == Decimal("0.00")  # an evaluation draw, not a department one


def test_the_page_shows_the_departments_row(client, department_a):
    p = department_a
    client.force_login(p.frank)
    html = client.get(URL, {"year": YEAR}).content.decode()
    row = re.search(rf'<tr data-department="{p.department_a.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = dict(re.findall(r'data-figure="([a-z-]+)">([^<]*)<', row))
    assert cells["on-time"] == "25.00%"
    assert cells["returns"] == "2 / 1"
    assert cells["deviation"] == "4.00"
    assert cells["monitoring"] == "75.00%"
    assert cells["red"] == "1 / 6"
    assert cells["closure"] == "50.00%"
    # the page counts against today's date: the open and the reported item once past theirs
    late = [
        d
        for d in (datetime.date(2025, 8, 1), datetime.date(2025, 12, 1))
        if d < timezone.localdate()
    ]
    assert cells["overdue"] == str(len(late))
    assert cells["published"] == "2 / 2"
    assert cells["published-on-time"] == "1"
    assert cells["reduction"] == "4.60"


def test_publication_counts_working_days_from_approval():
    monday = datetime.date(2025, 6, 2)
    assert working_days_after(monday, monday) == 0
    assert working_days_after(monday, datetime.date(2025, 6, 6)) == 4  # Friday
    assert working_days_after(monday, datetime.date(2025, 6, 8)) == 4  # Sunday
    assert working_days_after(monday, datetime.date(2025, 6, 30)) == PUBLICATION_WORKING_DAYS
    assert working_days_after(datetime.date(2025, 6, 7), datetime.date(2025, 6, 9)) == 1


# --- who may read it ------------------------------------------------------------------------------


def test_filers_and_department_reviewers_are_refused(client, department_a):
    p = department_a
    for user in (p.alice, p.bob, p.dora):
        client.force_login(user)
        assert client.get(URL, {"year": YEAR}).status_code == 403
        assert client.get(URL, {"region": p.region.pk}).status_code == 403


def test_another_regions_bureau_cannot_open_this_region(client, department_a):
    p = department_a
    client.force_login(p.other_region_finance)
    assert client.get(URL, {"region": p.region.pk, "year": YEAR}).status_code == 404
    own = client.get(URL, {"year": YEAR})
    assert own.status_code == 200
    assert p.department_a.name not in own.content.decode()


def test_an_observer_of_the_region_reads_it(client, department_a):
    p = department_a
    observer = f.UserFactory(username="renda")
    f.membership(observer, Membership.Role.OBSERVER, region=p.region)
    client.force_login(observer)
    response = client.get(URL, {"year": YEAR})
    assert response.status_code == 200
    assert p.department_a.name in response.content.decode()
    assert 'href="/results/scorecard/"' in response.content.decode()  # 绩效考核 in the navigation


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response.url


def test_a_bad_year_falls_back_instead_of_failing(client, department_a):
    client.force_login(department_a.frank)
    response = client.get(URL, {"year": "二〇二四"})
    assert response.status_code == 200
    assert "年度应为2000至2100之间的四位数字" in response.content.decode()
    assert client.get(URL, {"year": "99999"}).status_code == 200
    assert client.get(URL, {"region": "x"}).status_code == 404


# --- queries flat in the region's size ------------------------------------------------------------


def grow(region, n: int):
    """n more departments, each with a subject filed, returned, checked, monitored and cut."""
    monitoring = MonitoringRound.objects.get_or_create(
        region=region,
        as_of=datetime.date(YEAR, 6, 30),
        defaults={"year": YEAR, "deadline": datetime.date(YEAR, 7, 31)},
    )[0]
    check = SpotCheck.objects.get_or_create(region=region, year=YEAR, seed=1)[0]
    for i in range(n):
        department = f.DepartmentFactory(region=region)
        unit = f.UnitFactory(department=department, is_department=True)
        evaluation = subject(
            unit,
            status=S.PUBLISHED,
            computed_total=Decimal("80"),
            approved_at=at(datetime.date(2025, 6, 2)),
            published_at=at(datetime.date(2025, 6, 3)),
        )
        step(evaluation, A.SUBMIT, datetime.date(2025, 4, 1))
        step(evaluation, A.FINANCE_RETURN, datetime.date(2025, 4, 2))
        SpotCheckItem.objects.create(spot_check=check, evaluation=evaluation, review_total=70)
        report = MonitoringReport.objects.create(
            round=monitoring, project=evaluation.project, status=S.SUBMITTED, light=Light.RED
        )
        MonitoringEntry.objects.create(
            report=report, indicator=f.IndicatorFactory(project=evaluation.project), light="red"
        )
        Rectification.objects.create(
            unit=unit, year=YEAR, source="other", problem="问题", deadline=TODAY
        )
        decide(evaluation, "100", "50")
        draw(region, YEAR - i % 3, [department])


def test_the_page_makes_the_same_queries_for_a_larger_region(client, department_a):
    p = department_a
    client.force_login(p.frank)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"year": YEAR}).status_code == 200
        return len(queries)

    grow(p.region, 2)
    small = count()
    grow(p.region, 12)
    assert count() == small
    assert Project.objects.filter(unit__department__region=p.region).count() > 15


# the session, the user, the memberships; the regions (chosen, then listed); the latest task's
# year; departments, task deadline, extensions, subjects, returns, first submits, checked items,
# monitoring, red rows, 整改, publications, decisions; department_coverage's draws and count
PAGE_QUERIES = 3 + 3 + 14


def test_the_page_query_count_is_pinned(client, department_a, django_assert_num_queries):
    grow(department_a.region, 5)
    client.force_login(department_a.frank)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(URL, {"year": YEAR})


def test_the_page_shows_words_not_codes(client, department_a):
    from tests.test_words_not_codes import codes_in

    client.force_login(department_a.frank)
    assert codes_in(client.get(URL, {"year": YEAR}).content.decode()) == []


# --- the workbook -----------------------------------------------------------------------------------


def test_the_workbook_holds_the_pages_figures(client, liedshan):
    import io

    from openpyxl import load_workbook

    _, _, frank = liedshan
    client.force_login(frank)
    response = client.get(reverse("results:scorecard_xlsx"), {"year": YEAR, "money_unit": "元"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    region = {row[0]: row[1:] for row in book["地区情况"].iter_rows(min_row=3, values_only=True)}
    # Excel keeps numbers as floats: compared at the two places the cells show
    assert region["抽查复核部门 / 抽查比例"] == ("11 / 55", pytest.approx(0.2))
    assert region["累计部门覆盖率"] == ("33 / 55", pytest.approx(0.6))
    assert region["压减资金（元）"][0] == pytest.approx(450000.25)
    departments = list(book["各部门情况"].iter_rows(min_row=3, values_only=True))
    assert len(departments) == 55 + 1
    assert departments[-1][0] == "合计"


def test_the_workbook_is_refused_like_the_page(client, department_a):
    p = department_a
    client.force_login(p.bob)
    assert client.get(reverse("results:scorecard_xlsx")).status_code == 403
    client.force_login(p.other_region_finance)
    url = reverse("results:scorecard_xlsx")
    assert client.get(url, {"region": p.region.pk}).status_code == 404
