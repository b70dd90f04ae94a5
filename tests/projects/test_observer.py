"""The read-only observer (人大, 审计): every page of the project, walked from the root URL resolver,
opened and posted to by an observer of the region and by an observer of department A.

- GET: never a 500; the read pages of the observer's scope answer 200 (the queue as a list of
  every filing there, a filing's review page and history, the overview, tasks and spot-check
  results for the region's observer, the reports and their downloads); a page shows no form that
  posts (only 退出); what lies outside the scope is a 404.
- POST, with a payload every view would act on (ids, comments, reasons, targets, region, year…):
  403, 404, 405 or a redirect to a login page, and not one row of any table changed (the whole
  database is compared before and after, as in test_forbidden_writes).

Path parameters are filled with real rows: evaluations of department A's subordinate unit at
every stage (draft to published), department B's filing, the region's task, spot check and its
item, an export job, frank's notification; another region's rows for the 404 checks. A URL added
later is walked too; a parameter this file cannot fill fails the test, naming it.

Personas: rita observes the region (人大); olga observes department A (审计); frank is the
region's finance bureau, dora reviews department A, carol files for A's subordinate unit.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from projects.evidence.services import evidence_attach
from projects.interchange.api.clients import api_client_create
from projects.models import (
    EvaluationStatus,
    EvaluationTask,
    LibraryIndicator,
    Membership,
    MonitoringReport,
    Notification,
    SpotCheck,
    SpotCheckItem,
    TargetDeclaration,
)
from projects.models.results import Rectification
from projects.monitoring.services import monitoring_round_issue
from projects.review.services import workflow
from reports.models import ExportJob
from tests import factories as f
from tests.projects.test_forbidden_writes import differences, snapshot
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)

S = EvaluationStatus
YEAR = 2023
pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- every URL of the project


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full name (namespace:name, "" when unnamed) and its full pattern."""

    name: str
    parts: tuple  # the pattern objects from the root down


def routes() -> list[Route]:
    """Every URL pattern, walked from the root resolver (admin included)."""
    found = []

    def walk(patterns, parts, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                walk(pattern.url_patterns, (*parts, pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else ""
                found.append(Route(name or pattern.name or "", (*parts, pattern.pattern)))

    walk(get_resolver().url_patterns, (), "")
    return found


_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def build_url(route: Route, value) -> str:
    """The route's URL with each parameter filled by `value(route_name, parameter_name)`."""
    url = "/"
    for part in route.parts:
        if isinstance(part, RegexPattern):
            text = part._regex.lstrip("^").rstrip("$").replace("\\", "")
            text = _REGEX_PARAM.sub(lambda m: str(value(route.name, m.group(1))), text)
        else:
            text = _ROUTE_PARAM.sub(lambda m: str(value(route.name, m.group(2))), str(part))
        url += text
    return url


# ---------------------------------------------------------------- the rows the URLs point at


class World:
    """Department A's filings at every stage, department B's, another region's, and the
    region's task, spot check, export job and a notification, with the two observers."""

    def __init__(self, personas):
        p = self.personas = personas
        sub = subordinate_of_a(personas)
        self.carol, unit = sub.carol, sub.unit
        self.draft = build_evaluation(unit, name="草稿项目")
        self.submitted = put_in(build_evaluation(unit, name="待主管部门审核的项目"), S.SUBMITTED)
        self.forwarded = put_in(
            build_evaluation(unit, name="待财政审核的项目"), S.DEPARTMENT_APPROVED
        )
        self.returned = put_in(build_evaluation(unit, name="已退回的项目"), S.RETURNED)
        self.approved = put_in(build_evaluation(unit, name="审核通过的项目"), S.APPROVED)
        published = put_in(build_evaluation(unit, name="已公开的项目"), S.APPROVED)
        self.published = workflow.evaluation_publish(evaluation=published, user=p.frank)
        self.of_b = put_in(build_evaluation(p.unit_b, name="开发区项目"), S.APPROVED)
        zed_region = Membership.objects.get(user=p.other_region_finance).region
        far_unit = f.UnitFactory(department=f.DepartmentFactory(region=zed_region, code="Z"))
        self.far = put_in(build_evaluation(far_unit, name="外地项目"), S.APPROVED)
        self.far_region, self.far_department = zed_region, far_unit.department
        self.indicator = self.submitted.project.indicators.first()
        self.evidence = evidence_attach(
            evaluation=self.draft,
            user=self.carol,
            file=SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
        self.task = EvaluationTask.objects.create(
            region=p.region, year=YEAR, deadline=datetime.date(2030, 6, 30), issued_by=p.frank
        )
        self.spot = SpotCheck.objects.create(region=p.region, year=YEAR, seed=7, drawn_by=p.frank)
        self.item = SpotCheckItem.objects.create(spot_check=self.spot, evaluation=self.approved)
        self.job = ExportJob.objects.create(
            region=p.region, year=YEAR, requested_by=p.frank, status=ExportJob.Status.FAILED
        )
        self.note = Notification.objects.create(
            recipient=p.frank, kind=Notification.Kind.SUBMITTED, message="待财政审核"
        )
        # A mid-year round: department A's submitted subject's report awaits its reviewer.
        issued = monitoring_round_issue(
            region=p.region,
            as_of=datetime.date(YEAR, 6, 30),
            deadline=datetime.date(YEAR, 7, 15),
            user=p.frank,
        )
        self.round = issued.round
        self.report = workflow.filing_submit(
            filing=MonitoringReport.objects.get(round=self.round, project=self.submitted.project),
            user=self.carol,
        )
        # Next year's target declaration of department A, and a row of the region's library.
        self.declaration = TargetDeclaration.objects.create(
            project=f.ProjectFactory(unit=unit, year=YEAR + 1, name="明年申报的项目"),
            status=S.SUBMITTED,
        )
        self.declared_indicator = f.IndicatorFactory(project=self.declaration.project)
        # A 整改 item of department A's returned filing, waiting for the unit.
        self.rectification = Rectification.objects.create(
            unit=unit, project=self.returned.project, evaluation=self.returned, year=YEAR,
            source="return", problem="台账不全", deadline=datetime.date(2030, 6, 30),
        )  # fmt: skip
        self.library = LibraryIndicator.objects.create(
            region=p.region, function="通用", level1="产出指标", level2="数量指标", name="培训人次"
        )
        self.api_client, _ = api_client_create(
            region=p.region, name="预算管理一体化系统", role="finance", user=p.frank
        )
        self.rita = f.UserFactory(username="rita")
        f.membership(self.rita, Membership.Role.OBSERVER, region=p.region)
        self.olga = f.UserFactory(username="olga")
        f.membership(self.olga, Membership.Role.OBSERVER, department=p.department_a)

    # The path parameters: by parameter name, and for `pk` by what the URL names.
    def value(self, name: str, param: str, *, evaluation=None, department=None):
        evaluation = evaluation or self.approved
        department = department or evaluation.project.unit.department
        project = evaluation.project
        alice = self.personas.alice
        if param == "pk":
            for word, row in (
                ("results:rectification", self.rectification),
                # the finance bureau's region administration (/region/…)
                ("administration:unit", project.unit),
                ("administration:account", alice),
                ("administration:membership", alice),
                ("administration:project", project),
                ("administration:api_client", self.api_client),
                ("indicator", self.indicator),
                ("evidence", self.evidence),
                ("task", self.task),
                ("spot_check_item", self.item),
                ("spot_check", self.spot),
                ("notification", self.note),
                ("monitoring:round", self.round),
                ("reports:monitoring", self.report),
                ("reports:target", self.declaration),
                ("monitoring:", self.report),
                ("targets:library", self.library),
                ("targets:", self.declaration),
                ("export_job", self.job),
                ("results:decision", evaluation),
                ("department", department),
                ("evaluation", evaluation),
            ):
                if word in name:
                    return row.pk
            raise AssertionError(f"no row for the pk of {name!r}")
        simple = {
            "year": YEAR,
            "project_pk": project.pk,
            "indicator_pk": self.declared_indicator.pk,
            "region_code": department.region.code,
            "department_code": department.code,
            "unit_code": project.unit.code,
            "project_code": project.code,
            # admin
            "app_label": "projects",
            "object_id": evaluation.pk,
            "content_type_id": 1,
            "url": "projects/",
            "id": self.rita.pk,
            # region administration
            "region_pk": department.region.pk,
            "membership_pk": alice.memberships.first().pk,
            # the JSON API (a session is no token: 401)
            "evaluation_id": evaluation.pk,
            "report_id": self.report.pk,
        }
        if param not in simple:
            raise AssertionError(f"{name!r} has a parameter {param!r} this test cannot fill")
        return simple[param]

    def payload(self) -> dict:
        """Fields that every writing view of the project reads, filled as their users would."""
        ids = [self.submitted.pk, self.forwarded.pk, self.approved.pk]
        return {
            "ids": [str(pk) for pk in ids],
            "confirm": "1",
            "comment": "同意",
            "reason": "复核发现数据有误",
            "target": "≥1家",
            "region": str(self.personas.region.pk),
            "year": str(YEAR),
            "deadline": "2030-12-31",
            "department": str(self.personas.department_a.pk),
            "share": "50",
            "min_count": "1",
            "threshold": "5",
            "seed": "3",
            "note": "请按时完成",
            "money_unit": "万元",
            "goal_actual": "已完成",
        }


@pytest.fixture
def world(personas):
    return World(personas)


def _url(world, route, **rows):
    return build_url(route, lambda name, param: world.value(name, param, **rows))


# The JSON API answers a session without a client's token 401 (projects.interchange.api).
API = "/api/"

# URLs that are the sign-in machinery, not the project's: posting to them signs in or out.
AUTH = {"login", "logout", "admin:login", "admin:logout"}


class _PostForms(HTMLParser):
    """The actions of a page's forms that post."""

    def __init__(self):
        super().__init__()
        self.actions: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.actions.append(attrs.get("action") or "")


def post_forms(html: str) -> list[str]:
    """The actions of the page's POST forms, the sign-out form left out."""
    parser = _PostForms()
    parser.feed(html)
    return [a for a in parser.actions if a != reverse("logout")]


def _is_login(location: str) -> bool:
    return location.startswith((reverse("login"), reverse("admin:login")))


# ---------------------------------------------------------------- what each observer reads


def region_reads(w: World) -> set[str]:
    """Pages rita must be able to read (200)."""
    pages = {
        reverse("review:queue"),
        reverse("review:overview"),
        reverse("review:task_list"),
        reverse("review:spot_check_list"),
        reverse("review:spot_check_detail", args=[w.spot.pk]),
        reverse("review:notification_list"),
        reverse("reports:index"),
        reverse("projects:evidence_download", args=[w.evidence.pk]),
    }
    for evaluation in (w.draft, w.submitted, w.approved, w.published, w.of_b):
        pages |= evaluation_reads(evaluation)
    for department in (w.personas.department_a, w.personas.department_b):
        pages |= department_reads(department)
    return pages


def department_reads(w_or_department) -> set[str]:
    pk = w_or_department.pk
    names = ("department_detail", "department_summary", "department_report")
    pages = {reverse(f"reports:{n}", args=[pk, YEAR]) for n in names}
    pages |= {reverse(f"reports:{n}_xlsx", args=[pk, YEAR]) for n in ("department_summary",)}
    return pages


def evaluation_reads(evaluation) -> set[str]:
    pk = evaluation.pk
    names = (
        "review:evaluation_detail",
        "review:evaluation_history",
        "reports:evaluation_table",
        "reports:evaluation_table_xlsx",
        "reports:evaluation_report",
    )
    return {reverse(n, args=[pk]) for n in names}


def _login(client, user):
    client.force_login(user)
    return client


def _get_everything(client, world, **rows) -> dict[str, tuple[str, object]]:
    """GET every route's URL; returns url -> (route name, response)."""
    answers = {}
    for route in routes():
        url = _url(world, route, **rows)
        if url not in answers:
            answers[url] = (route.name, client.get(url))
    return answers


# A document rendered on its first download is stored for every later reader (reports.stored),
# with the sign-off of a final filing's own document: a cache of what anyone may read (and the
# record of the code printed on it), not a change to a filing.
RENDER_CACHE = ("reports.StoredDocument", "reports.SignOff")


def read_changes(before) -> list[str]:
    """What reading changed, the render cache left out."""
    after = snapshot()
    for label in RENDER_CACHE:
        before.pop(label, None)
        after.pop(label, None)
    return differences(before, after)


def _get_problems(answers) -> list[str]:
    problems = []
    for url, (name, response) in answers.items():
        status = response.status_code
        if status == 401 and url.startswith(API):
            continue
        if status >= 500 or status not in (200, 302, 403, 404, 405):
            problems.append(f"GET {url} ({name}) answered {status}")
        elif status == 200 and name not in AUTH and "text/html" in response.get("Content-Type", ""):
            html = b"".join(response).decode() if response.streaming else response.content.decode()
            forms = post_forms(html)
            if forms:
                problems.append(f"GET {url} ({name}) shows forms that post: {forms}")
    return problems


# ---------------------------------------------------------------- the matrix: GET


def test_region_observer_reads_every_page_of_the_region_and_sees_no_action(client, world):
    _login(client, world.rita)
    before = snapshot()
    answers = _get_everything(client, world)
    for url in sorted(region_reads(world) - set(answers)):
        answers[url] = ("", client.get(url))
    problems = _get_problems(answers)
    for url in sorted(region_reads(world)):
        if answers[url][1].status_code != 200:
            problems.append(f"rita cannot read {url}: {answers[url][1].status_code}")
    assert not problems, "\n".join(problems)
    assert not read_changes(before), "reading changed the database"


def test_region_observer_sees_nothing_of_another_region(client, world):
    _login(client, world.rita)
    far = {"evaluation": world.far, "department": world.far_department}
    for url in sorted(evaluation_reads(world.far) | department_reads(world.far_department)):
        assert client.get(url).status_code == 404, url
    for route in routes():
        if (
            "evaluation" in route.name
            and "bulk" not in route.name
            and route.name.startswith(("review:", "reports:"))
        ):
            url = _url(world, route, **far)
            assert client.get(url).status_code in (404, 405), url
    overview = client.get(reverse("review:overview") + f"?region={world.far_region.pk}")
    assert overview.status_code == 404


def test_department_observer_reads_its_department_and_nothing_of_another(client, world):
    _login(client, world.olga)
    before = snapshot()
    answers = _get_everything(client, world)
    problems = _get_problems(answers)
    reads = {reverse("review:queue"), reverse("reports:index"), reverse("review:notification_list")}
    for evaluation in (world.draft, world.submitted, world.approved, world.published):
        reads |= evaluation_reads(evaluation)
    reads |= department_reads(world.personas.department_a)
    for url in sorted(reads):
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"olga cannot read {url}: {response.status_code}")
    # Department B, through every evaluation and department URL: not found.
    b = {"evaluation": world.of_b, "department": world.personas.department_b}
    for route in routes():
        if route.name.startswith(("review:", "reports:")) and any(
            w in route.name for w in ("evaluation_", "department_")
        ):
            if "bulk" in route.name:
                continue
            response = client.get(_url(world, route, **b))
            if response.status_code not in (404, 405):
                problems.append(f"olga reached B: {route.name} answered {response.status_code}")
    assert not problems, "\n".join(problems)
    assert not read_changes(before), "reading changed the database"


def test_department_observer_is_refused_the_region_wide_pages(client, world):
    _login(client, world.olga)
    for name in ("review:overview", "review:task_list", "review:spot_check_list"):
        assert client.get(reverse(name)).status_code == 403, name
    detail = reverse("review:spot_check_detail", args=[world.spot.pk])
    assert client.get(detail).status_code == 403


def test_department_observers_queue_lists_only_its_department(client, world):
    html = _login(client, world.olga).get(reverse("review:queue")).content.decode()
    for evaluation in (world.draft, world.submitted, world.approved, world.published):
        assert evaluation.project.name in html
    assert world.of_b.project.name not in html
    assert world.far.project.name not in html
    assert 'id="read-only-note"' in html
    assert "bulk-select" not in html and 'id="bulk-approve"' not in html


# ---------------------------------------------------------------- the matrix: POST


@pytest.mark.parametrize("observer", ["rita", "olga"])
def test_every_post_by_an_observer_is_refused_and_changes_nothing(client, world, observer):
    _login(client, getattr(world, observer))
    problems = []
    posted = []
    # One snapshot around the whole walk (a per-URL snapshot costs minutes): any row changed
    # fails the test, and the changed rows name their table and values.
    before = snapshot()
    for route in routes():
        if route.name in AUTH:
            continue
        for rows in ({}, {"evaluation": world.submitted}, {"evaluation": world.forwarded}):
            url = _url(world, route, **rows)
            if url in posted:
                continue
            posted.append(url)
            response = client.post(url, world.payload())
            status = response.status_code
            refused = (
                status in (403, 404, 405)
                or (status == 401 and url.startswith(API))
                or (status == 302 and _is_login(response["Location"]))
            )
            if not refused:
                where = response.get("Location", "")
                problems.append(f"POST {url} ({route.name}) answered {status} {where}")
    changed = differences(before, snapshot())
    assert len(posted) > 150
    assert not problems, "\n".join(problems)
    assert not changed, "posts changed the database:\n" + "\n".join(changed[:20])


# ---------------------------------------------------------------- the first page and the nav


def test_observers_first_page_is_the_list_of_its_scope(client, world):
    response = _login(client, world.rita).get(reverse("home"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("review:queue")
    for evaluation in (world.draft, world.submitted, world.published, world.of_b):
        assert evaluation.project.name in html
    assert world.far.project.name not in html
    assert "监督查看" in html  # the nav names the observer's pages
    assert ">审核</a>" not in html and ">填报</a>" not in html
    # The region's pages are one click away.
    for name in ("review:task_list", "review:spot_check_list", "review:overview"):
        assert reverse(name) in html


def test_observer_review_page_has_no_decision_and_no_publish(client, world):
    _login(client, world.rita)
    for evaluation in (world.submitted, world.forwarded, world.approved):
        html = client.get(reverse("review:evaluation_detail", args=[evaluation.pk])).content
        html = html.decode()
        assert evaluation.project.name in html
        for marker in ("approve-form", "return-form", "publish-form", "reopen-form"):
            assert f'id="{marker}"' not in html


# Each review view refuses the observer on its own too; the middleware is the second lock, not
# the only one. Marking one's own notifications read is left out: it changes only the user's
# own inbox, and observers receive no notification.
OWN_INBOX = {"review:notification_read", "review:notifications_read_all"}


@pytest.mark.parametrize("observer", ["rita", "olga"])
def test_review_views_refuse_observers_posts_without_the_middleware(
    client, settings, world, observer
):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "selfeval.observers.ObserverReadOnlyMiddleware"
    ]
    _login(client, getattr(world, observer))
    before = snapshot()
    problems = []
    for route in routes():
        if not route.name.startswith("review:") or route.name in OWN_INBOX:
            continue
        for rows in ({}, {"evaluation": world.submitted}, {"evaluation": world.forwarded}):
            url = _url(world, route, **rows)
            status = client.post(url, world.payload()).status_code
            if status not in (403, 404, 405):
                problems.append(f"POST {url} ({route.name}) answered {status}")
    assert not problems, "\n".join(problems)
    assert not differences(before, snapshot())
