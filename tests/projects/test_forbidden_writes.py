"""No forbidden POST changes a row: every state-changing URL against every persona who must not.

The status matrices (test_review_permissions, test_filing_permissions, reports/test_permissions)
pin 404 outside the scope and 403 inside it without the role. Here each of those refusals is also
checked against the database: a snapshot of every row of every table (the filings, their
history tables, reviews, tasks, spot checks, notifications, export jobs and the task queue)
before and after the POST must be identical. Payloads are the real thing (the evaluation page's
form as alice's browser posts it, a template workbook, a selfeval/1 export with changed
figures), and each URL has a control: the same POST by the authorised persona does change rows,
so a refusal here is the guard's doing, not a payload the view would have ignored anyway.

Personas: alice files for unit A (department A's own unit, so her filings go straight to the
finance bureau), carol for unit A1 under department A; dora reviews department A; frank is the
region's finance bureau; bob files for department B; zed is another region's finance bureau.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.exporter import export_document
from projects.models import (
    Evaluation,
    EvaluationStatus,
    EvaluationTask,
    IndicatorResult,
    Membership,
    Notification,
    SpotCheck,
    SpotCheckItem,
)
from reports.models import ExportJob
from tests import factories as f
from tests.projects.test_filing_support import business_env, page_form_data
from tests.projects.test_review_support import build_evaluation, put_in, subordinate_of_a

S = EvaluationStatus
HTMX = {"HX-Request": "true"}

# ---------------------------------------------------------------- the snapshot

# Sessions change with every request (logging in, messages); they hold no filing data.
UNWATCHED = {"sessions"}


def watched_models() -> list:
    """Every table of every installed app (many-to-many tables included) except sessions."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in UNWATCHED
    ]


def snapshot() -> dict[str, list[dict]]:
    """Every row of every watched table, in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in watched_models()
    }


def differences(before: dict, after: dict) -> list[str]:
    """Readable lines naming each row that was added, removed or changed (and how)."""
    lines = []
    for label in sorted(set(before) | set(after)):
        old = {row["pk"] if "pk" in row else _pk(label, row): row for row in before.get(label, [])}
        new = {row["pk"] if "pk" in row else _pk(label, row): row for row in after.get(label, [])}
        for pk in sorted(set(old) - set(new), key=str):
            lines.append(f"{label} pk={pk} deleted")
        for pk in sorted(set(new) - set(old), key=str):
            lines.append(f"{label} pk={pk} added: {new[pk]}")
        for pk in sorted(set(old) & set(new), key=str):
            changed = {
                k: (old[pk][k], new[pk].get(k))
                for k in old[pk]
                if old[pk][k] != new[pk].get(k)
            }
            if changed:
                lines.append(f"{label} pk={pk} changed: {changed}")
    return lines


def _pk(label: str, row: dict):
    return row[apps.get_model(label)._meta.pk.attname]


def assert_nothing_changed(action: Callable):
    """Run `action` and fail, naming the rows, if any watched table differs afterwards."""
    before = snapshot()
    result = action()
    changed = differences(before, snapshot())
    assert not changed, "the POST changed the database:\n" + "\n".join(changed[:40])
    return result


# ---------------------------------------------------------------- the rows the URLs point at


class _Forms(HTMLParser):
    """Every POST form of a page: its action and the fields a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {}
            self.forms.append((a.get("action") or "", self.current))
        elif tag == "input" and self.current is not None and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "file"):
                self.current[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def post_forms(html: str) -> list[tuple[str, dict]]:
    """(action, fields) of each POST form on the page."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@dataclass
class World:
    """Filings in every state the URLs act on, with a task, a spot check and a notification."""

    personas: object
    today: datetime.date = field(default_factory=timezone.localdate)

    def __post_init__(self):
        p = self.personas
        self.carol = subordinate_of_a(p).carol
        carol_unit = self.carol.memberships.get().unit
        self.region = p.region
        self.zed_region = Membership.objects.get(user=p.other_region_finance).region
        self.task = EvaluationTask.objects.create(
            region=self.region, year=2023, deadline=self.today + datetime.timedelta(days=3)
        )
        # alice's open draft (the filing URLs and the uploads), in the year's task.
        self.draft = business_env(p.unit_a)
        Evaluation.objects.filter(pk=self.draft.pk).update(task=self.task)
        # A project of unit A with no evaluation yet (the start URL).
        self.unstarted = f.ProjectFactory(unit=p.unit_a, year=2023, name="尚未开始自评的项目")
        f.IndicatorFactory(project=self.unstarted, name="尚未开始的指标")
        # carol's filings, clean (no finding), one per review step.
        self.submitted = self._filing(carol_unit, S.SUBMITTED, "待主管部门审核的项目")
        self.forwarded = self._filing(carol_unit, S.DEPARTMENT_APPROVED, "待财政审核的项目")
        self.approved = self._filing(carol_unit, S.APPROVED, "已审核通过的项目")
        self.indicator = self.submitted.project.indicators.order_by("order").first()
        self.frozen_indicator = self.approved.project.indicators.order_by("order").first()
        # Another region's filing, task and spot check (zed's, out of frank's reach).
        far_unit = f.UnitFactory(department=f.DepartmentFactory(region=self.zed_region))
        self.far_department = far_unit.department
        self.far = self._filing(far_unit, S.APPROVED, "外地区的项目")
        self.far_task = EvaluationTask.objects.create(
            region=self.zed_region, year=2023, deadline=self.today + datetime.timedelta(days=3)
        )
        self.spot = SpotCheck.objects.create(region=self.region, year=2023, seed=1)
        self.item = SpotCheckItem.objects.create(spot_check=self.spot, evaluation=self.approved)
        self.far_spot = SpotCheck.objects.create(region=self.zed_region, year=2023, seed=2)
        self.far_item = SpotCheckItem.objects.create(spot_check=self.far_spot, evaluation=self.far)
        self.note = Notification.objects.create(
            recipient=p.dora, kind=Notification.Kind.SUBMITTED, message="待审核", evaluation=None
        )
        self.job = ExportJob.objects.create(region=self.region, year=2023, requested_by=p.frank)
        self._pages: dict = {}

    @staticmethod
    def _filing(unit, status, name):
        return put_in(build_evaluation(unit, name=name), status)

    def user(self, name):
        if name == "carol":
            return self.carol
        return getattr(self.personas, "other_region_finance" if name == "zed" else name)

    def as_user(self, name) -> Client:
        browser = Client()
        browser.force_login(self.user(name))
        return browser

    # -- payloads built from the real pages and files

    def page(self, evaluation, owner) -> dict:
        """The evaluation page's form exactly as its filer's browser posts it."""
        key = (evaluation.pk, owner)
        if key not in self._pages:
            url = reverse("projects:evaluation_edit", args=[evaluation.pk])
            response = self.as_user(owner).get(url)
            assert response.status_code == 200
            self._pages[key] = page_form_data(response.content.decode())
        return dict(self._pages[key])

    def edited(self, evaluation, owner) -> dict:
        """The page's form with the goal and the first indicator's actual retyped."""
        data = self.page(evaluation, owner)
        assert "ev-goal_actual" in data and "ind-0-actual" in data, sorted(data)
        data["ev-goal_actual"] = "改写后的年度总体目标完成情况"
        data["ind-0-actual"] = "999个"
        return data

    def json_upload(self, evaluation, purpose="actuals") -> dict:
        """A selfeval/1 export of the evaluation with its goal and an indicator's actual changed."""
        document = export_document(Evaluation.objects.get(pk=evaluation.pk))
        document["goal"]["actual"] = "乙单位改写的年度总体目标完成情况"
        document["indicators"][0]["actual"] = "999个"
        raw = json.dumps(document, ensure_ascii=False).encode()
        return {"file": SimpleUploadedFile("自评.json", raw), "purpose": purpose}

    def workbook_upload(self, purpose="actuals", *, downloaded_by="alice") -> dict:
        """The upload page's own template, as `downloaded_by` gets it, with figures changed.

        For actuals the draft's first indicator actual and the goal are retyped; for targets
        (the finance bureau's template) its first target.
        """
        response = self.as_user(downloaded_by).get(
            reverse("projects:upload_template"), {"year": 2023, "purpose": purpose}
        )
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        sheet = next(s for s in book.worksheets if s["B4"].value == self.draft.project.pk)
        first = self.draft.project.indicators.order_by("order", "pk").first()
        row = next(
            r for r in range(15, sheet.max_row + 1) if sheet[f"C{r}"].value == first.name
        )
        if purpose == "actuals":
            sheet[f"E{row}"] = "999个"
            sheet["G12"] = "乙单位改写的年度总体目标完成情况"
        else:
            sheet[f"D{row}"] = "≥1个"
        out = io.BytesIO()
        book.save(out)
        return {"file": SimpleUploadedFile("自评表.xlsx", out.getvalue()), "purpose": purpose}


@pytest.fixture
def world(personas, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return World(personas)


# ---------------------------------------------------------------- what may come back

LOGIN = "redirect to login"
ADMIN_LOGIN = "redirect to the admin login"
NOT_FOUND = (404,)
DENIED = (403,)
# The view answers (a redirect with a message, a page naming the refusal) but writes nothing:
# bulk approval skips what is not the user's step; read-all marks only the user's own rows.
REDIRECT = (302,)
# An upload may refuse outright or show a page saying why (422 today; a preview is 200).
UPLOAD_REFUSED = (200, 403, 404, 409, 422)
PAGE = (200,)


def check_status(response, expect) -> None:
    if expect == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expect == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code in expect


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    """One state-changing POST: where, what, who must not, and who may (the control)."""

    name: str
    url: Callable[[World], str]
    data: Callable[[World], dict]
    forbidden: dict
    allowed: str | None = None
    headers: dict = field(default_factory=dict)


def _u(name, attr=None, query=""):
    def url(w):
        args = [getattr(w, attr).pk] if attr else []
        return reverse(name, args=args) + query

    return url


def _none(w):
    return {}


def _const(data):
    return lambda w: dict(data)


def _edited(attr, owner):
    return lambda w: w.edited(getattr(w, attr), owner)


RETURN = _const({"comment": "请补充佐证材料", "next": "/review/"})
REOPEN = _const({"reason": "审计发现执行数有误"})


def _return_with_indicator(attr):
    def data(w):
        evaluation = getattr(w, attr)
        indicator = evaluation.project.indicators.order_by("order").first()
        return {"comment": "请补充佐证材料", f"indicator_{indicator.pk}": "完成值缺少依据"}

    return data


def _target(w):
    return {"target": "≥2000家", "reason": "预算调整批复（相财〔2023〕12号）"}


def _bulk(attr):
    return lambda w: {"ids": [str(getattr(w, attr).pk)]}


def _issue(region_attr):
    def data(w):
        return {
            "region": getattr(w, region_attr).pk,
            "year": 2023,
            "deadline": (w.today + datetime.timedelta(days=30)).isoformat(),
            "note": "请按时完成自评",
        }

    return data


def _extend(department):
    def data(w):
        return {
            "department": department(w).pk,
            "deadline": (w.today + datetime.timedelta(days=20)).isoformat(),
            "reason": "机构改革",
        }

    return data


def _draw(region_attr):
    def data(w):
        return {
            "region": getattr(w, region_attr).pk,
            "year": 2023,
            "share_percent": "100",
            "min_count": 1,
            "threshold": "5",
            "seed": 7,
        }

    return data


def _scores(item_attr):
    def data(w):
        evaluation = getattr(w, item_attr).evaluation
        payload = {}
        for result in IndicatorResult.objects.filter(
            evaluation=evaluation, indicator__weight__isnull=False
        ):
            payload[f"score_{result.pk}"] = str(result.indicator.weight - 1)
            payload[f"comment_{result.pk}"] = "复核扣一分"
        return payload

    return data


def _export(region_attr):
    return lambda w: {"region": getattr(w, region_attr).pk, "year": 2023, "money_unit": "万元"}


def _admin_change(w):
    return {"goal_actual": "管理后台改写", "status": S.APPROVED, "year": 2023}


# Who must not, for the usual shapes of URL.
FILING = {None: LOGIN, "bob": NOT_FOUND, "carol": NOT_FOUND, "zed": NOT_FOUND}
FILING |= {"dora": DENIED, "frank": DENIED}
DEPARTMENT = {None: LOGIN, "bob": NOT_FOUND, "zed": NOT_FOUND, "alice": NOT_FOUND}
DEPARTMENT |= {"carol": DENIED, "frank": DENIED}
FINANCE = {None: LOGIN, "bob": NOT_FOUND, "zed": NOT_FOUND, "alice": NOT_FOUND}
FINANCE |= {"carol": DENIED, "dora": DENIED}
REGION = {None: LOGIN, "alice": DENIED, "bob": DENIED, "carol": DENIED, "dora": DENIED}
REGION |= {"zed": NOT_FOUND}

CASES = [
    # -- filing (projects/urls.py): alice's open draft
    Case(
        "save draft",
        _u("projects:evaluation_edit", "draft"),
        _edited("draft", "alice"),
        FILING,
        allowed="alice",
    ),
    Case(
        "autosave draft",
        _u("projects:evaluation_edit", "draft"),
        _edited("draft", "alice"),
        FILING,
        allowed="alice",
        headers=HTMX,
    ),
    Case(
        "recompute",
        _u("projects:evaluation_recompute", "draft"),
        _edited("draft", "alice"),
        FILING | {"alice": PAGE},  # live scoring writes nothing, even for the filer
        headers=HTMX,
    ),
    Case(
        "submit",
        _u("projects:evaluation_submit", "draft"),
        _edited("draft", "alice"),
        FILING,
        allowed="alice",
    ),
    Case(
        "narrative",
        _u("projects:evaluation_narrative", "draft"),
        lambda w: {**w.edited(w.draft, "alice"), "section": "all"},
        FILING | {"alice": PAGE},  # drafting fills the page, it saves nothing
        headers=HTMX,
    ),
    Case(
        "start",
        _u("projects:evaluation_start", "unstarted"),
        _none,
        FILING,
        allowed="alice",
    ),
    # -- filing a filing that is no longer open: carol's submitted one
    Case(
        "save submitted draft",
        _u("projects:evaluation_edit", "submitted"),
        _edited("submitted", "carol"),
        {"carol": DENIED, "alice": NOT_FOUND, "dora": DENIED},
    ),
    Case(
        "autosave submitted draft",
        _u("projects:evaluation_edit", "submitted"),
        _edited("submitted", "carol"),
        {"carol": PAGE},  # the htmx partial says the filing is locked
        headers=HTMX,
    ),
    Case(
        "submit submitted",
        _u("projects:evaluation_submit", "submitted"),
        _edited("submitted", "carol"),
        {"carol": DENIED},
    ),
    # -- uploads: unit A's figures in a selfeval/1 file and in the template workbook
    Case(
        "upload json of unit A",
        _u("projects:upload"),
        lambda w: w.json_upload(w.draft),
        {None: LOGIN, "bob": UPLOAD_REFUSED, "carol": UPLOAD_REFUSED, "dora": DENIED},
        allowed="alice",
    ),
    Case(
        "upload json of unit A as targets",
        _u("projects:upload"),
        lambda w: w.json_upload(w.draft, purpose="targets"),
        {"zed": UPLOAD_REFUSED, "alice": DENIED, "bob": DENIED},
    ),
    Case(
        "upload json over a submitted filing",
        _u("projects:upload"),
        lambda w: w.json_upload(w.submitted),
        {"carol": UPLOAD_REFUSED, "bob": UPLOAD_REFUSED},
    ),
    Case(
        "upload json over an approved filing",
        _u("projects:upload"),
        lambda w: w.json_upload(w.approved, purpose="targets"),
        {"frank": UPLOAD_REFUSED, "zed": UPLOAD_REFUSED},
    ),
    Case(
        "upload workbook of unit A",
        _u("projects:upload"),
        lambda w: w.workbook_upload(),
        {None: LOGIN, "bob": UPLOAD_REFUSED, "carol": UPLOAD_REFUSED, "dora": DENIED},
        allowed="alice",
    ),
    Case(
        "upload actuals workbook as targets",
        _u("projects:upload"),
        lambda w: {**w.workbook_upload(), "purpose": "targets"},
        {"alice": DENIED, "bob": DENIED},
    ),
    Case(
        "upload targets workbook of region A",
        _u("projects:upload"),
        lambda w: w.workbook_upload("targets", downloaded_by="frank"),
        {"zed": UPLOAD_REFUSED, "alice": DENIED, "dora": DENIED, None: LOGIN},
        allowed="frank",
    ),
    Case(
        "upload targets workbook as actuals",
        _u("projects:upload"),
        lambda w: {**w.workbook_upload("targets", downloaded_by="frank"), "purpose": "actuals"},
        {"alice": UPLOAD_REFUSED, "frank": DENIED},
    ),
    # -- review transitions (projects/review_urls.py) on carol's filings
    Case(
        "department approve",
        _u("review:evaluation_department_approve", "submitted"),
        _const({"comment": "同意"}),
        DEPARTMENT,
        allowed="dora",
    ),
    Case(
        "department return",
        _u("review:evaluation_department_return", "submitted"),
        _return_with_indicator("submitted"),
        DEPARTMENT,
        allowed="dora",
    ),
    Case(
        "finance approve",
        _u("review:evaluation_finance_approve", "forwarded"),
        _const({"comment": "同意"}),
        FINANCE,
        allowed="frank",
    ),
    Case(
        "finance approve of another region",
        _u("review:evaluation_finance_approve", "far"),
        _const({"comment": "同意"}),
        {"frank": NOT_FOUND, "dora": NOT_FOUND},
    ),
    Case(
        "finance return",
        _u("review:evaluation_finance_return", "forwarded"),
        _return_with_indicator("forwarded"),
        FINANCE,
        allowed="frank",
    ),
    Case(
        "reopen",
        _u("review:evaluation_reopen", "approved"),
        REOPEN,
        FINANCE,
        allowed="frank",
    ),
    Case(
        "publish",
        _u("review:evaluation_publish", "approved"),
        _none,
        FINANCE,
        allowed="frank",
    ),
    Case(
        "publish of another region",
        _u("review:evaluation_publish", "far"),
        _none,
        {"frank": NOT_FOUND},
        allowed="zed",
    ),
    Case(
        "target edit",
        _u("review:indicator_target_edit", "indicator"),
        _target,
        {None: LOGIN, "alice": DENIED, "bob": DENIED, "carol": DENIED, "dora": DENIED},
        allowed="frank",
    ),
    Case(
        "target edit of another region",
        _u("review:indicator_target_edit", "indicator"),
        _target,
        {"zed": NOT_FOUND},
    ),
    Case(
        "target edit of an approved filing",
        _u("review:indicator_target_edit", "frozen_indicator"),
        _target,
        {"frank": PAGE},  # the page says to reopen first
    ),
    Case(
        "bulk approve at department step",
        _u("review:evaluation_bulk_approve"),
        _bulk("submitted"),
        {None: LOGIN, "alice": DENIED, "bob": DENIED, "carol": DENIED, "zed": NOT_FOUND}
        | {"frank": REDIRECT},  # not the finance bureau's step: skipped with a reason
        allowed="dora",
    ),
    Case(
        "bulk approve at finance step",
        _u("review:evaluation_bulk_approve"),
        _bulk("forwarded"),
        {"carol": DENIED, "zed": NOT_FOUND, "dora": REDIRECT},  # dora's step is over
        allowed="frank",
    ),
    # -- tasks and deadlines
    Case(
        "issue task",
        _u("review:task_issue"),
        _issue("region"),
        REGION,
        allowed="frank",
    ),
    Case(
        "issue task of another region",
        _u("review:task_issue"),
        _issue("zed_region"),
        {"frank": NOT_FOUND},
        allowed="zed",
    ),
    Case(
        "extend deadline",
        _u("review:task_extend", "task"),
        _extend(lambda w: w.personas.department_b),
        REGION,
        allowed="frank",
    ),
    Case(
        "extend deadline of another region's department",
        _u("review:task_extend", "task"),
        _extend(lambda w: w.far_department),
        {"frank": NOT_FOUND},
    ),
    Case(
        "extend another region's task",
        _u("review:task_extend", "far_task"),
        _extend(lambda w: w.far_department),
        {"frank": NOT_FOUND},
        allowed="zed",
    ),
    Case(
        "remind filers",
        _u("review:task_remind", "task"),
        _none,
        REGION,
        allowed="frank",
    ),
    # -- spot checks
    Case(
        "draw spot check",
        _u("review:spot_check_draw"),
        _draw("region"),
        REGION,
        allowed="frank",
    ),
    Case(
        "draw spot check of another region",
        _u("review:spot_check_draw"),
        _draw("zed_region"),
        {"frank": NOT_FOUND},
        allowed="zed",
    ),
    Case(
        "score spot check",
        _u("review:spot_check_item", "item"),
        _scores("item"),
        {None: LOGIN, "alice": DENIED, "carol": DENIED, "dora": DENIED, "zed": NOT_FOUND},
        allowed="frank",
    ),
    Case(
        "score another region's spot check",
        _u("review:spot_check_item", "far_item"),
        _scores("far_item"),
        {"frank": NOT_FOUND},
        allowed="zed",
    ),
    # -- notifications: only one's own
    Case(
        "mark read",
        _u("review:notification_read", "note"),
        _none,
        {None: LOGIN, "frank": NOT_FOUND, "carol": NOT_FOUND, "bob": NOT_FOUND},
        allowed="dora",
    ),
    Case(
        "mark all read",
        _u("review:notifications_read_all"),
        _none,
        {None: LOGIN, "frank": REDIRECT, "carol": REDIRECT, "bob": REDIRECT},
        allowed="dora",
    ),
    # -- the region export (reports/urls.py) creates a job and enqueues a task
    Case(
        "export region",
        _u("reports:region_export"),
        _export("region"),
        REGION,
        allowed="frank",
    ),
    Case(
        "export another region",
        _u("reports:region_export"),
        _export("zed_region"),
        {"frank": NOT_FOUND},
    ),
    # -- the admin (selfeval/urls.py) refuses everyone without staff status
    Case(
        "admin change evaluation",
        lambda w: reverse("admin:projects_evaluation_change", args=[w.draft.pk]),
        _admin_change,
        {None: ADMIN_LOGIN, "alice": ADMIN_LOGIN, "frank": ADMIN_LOGIN},
    ),
    Case(
        "admin delete evaluation",
        lambda w: reverse("admin:projects_evaluation_delete", args=[w.draft.pk]),
        _const({"post": "yes"}),
        {"alice": ADMIN_LOGIN, "frank": ADMIN_LOGIN},
    ),
    Case(
        "admin change region",
        lambda w: reverse("admin:projects_region_change", args=[w.region.pk]),
        lambda w: {"name": w.region.name, "code": w.region.code, "rule_set_id": "x"},
        {"frank": ADMIN_LOGIN},
    ),
]

# Pages that only read but do not refuse a POST: a POST outside the scope writes nothing either.
READ_ONLY = [
    ("review:evaluation_detail", "submitted", {"bob": NOT_FOUND, "zed": NOT_FOUND}),
    ("review:evaluation_history", "submitted", {"bob": NOT_FOUND}),
    ("review:queue", None, {"carol": DENIED}),
    ("review:spot_check_detail", "spot", {"zed": NOT_FOUND, "dora": DENIED}),
    ("reports:evaluation_table", "draft", {"bob": NOT_FOUND, None: LOGIN}),
    ("reports:evaluation_table_pdf", "draft", {"bob": NOT_FOUND}),
    ("reports:evaluation_report", "draft", {"zed": NOT_FOUND}),
    ("reports:export_job", "job", {"bob": NOT_FOUND, "zed": NOT_FOUND}),
    ("reports:export_job_download", "job", {"zed": NOT_FOUND}),
]
for _name, _attr, _who in READ_ONLY:
    CASES.append(Case(f"post to {_name.split(':')[1]}", _u(_name, _attr), _none, _who))
CASES += [
    Case(
        f"post to {name}",
        lambda w, name=name: reverse(f"reports:{name}", args=[w.personas.department_a.pk, 2023]),
        _none,
        {"bob": NOT_FOUND},
    )
    for name in ("department_detail", "department_summary", "department_report")
]
CASES += [
    Case(
        f"post to {name} of region A",
        _u(f"review:{name}", query="?region={}"),
        _none,
        {"zed": NOT_FOUND},
    )
    for name in ("task_list", "spot_check_list", "overview")
]
CASES += [
    Case(
        "post to the public page of a draft",
        _u("publication_evaluation", "draft"),
        _none,
        {None: NOT_FOUND},
    ),
]

MATRIX = [
    pytest.param(case, who, expect, id=f"{case.name}-{who or 'anonymous'}")
    for case in CASES
    for who, expect in case.forbidden.items()
]
CONTROLS = [pytest.param(case, id=f"{case.name}-{case.allowed}") for case in CASES if case.allowed]


def _url(case: Case, world: World) -> str:
    url = case.url(world)
    return url.replace("{}", str(world.region.pk))


def _post(client, case: Case, world: World, who):
    if who is not None:
        client.force_login(world.user(who))
    url, data = _url(case, world), case.data(world)
    return lambda: client.post(url, data, headers=case.headers)


@pytest.mark.parametrize(("case", "who", "expect"), MATRIX)
def test_a_forbidden_post_changes_no_row(client, world, case, who, expect):
    response = assert_nothing_changed(_post(client, case, world, who))
    check_status(response, expect)


def _follow_upload_confirmation(client, response) -> None:
    """If the upload answered with a page holding a further form back to the upload (a preview
    to confirm), post that too, as the browser would on 确认."""
    upload = reverse("projects:upload")
    if response.status_code != 200:
        return
    for action, fields in post_forms(response.content.decode()):
        extra = set(fields) - {"csrfmiddlewaretoken", "purpose"}
        if action in ("", upload) and extra:
            client.post(upload, fields)


@pytest.mark.parametrize(
    ("case", "who"),
    [
        pytest.param(case, who, id=f"{case.name}-{who}")
        for case in CASES
        if case.name.startswith("upload")
        for who, expect in case.forbidden.items()
        if expect == UPLOAD_REFUSED
    ],
)
def test_confirming_a_refused_upload_changes_no_row_either(client, world, case, who):
    post = _post(client, case, world, who)
    assert_nothing_changed(lambda: _follow_upload_confirmation(client, post()))


@pytest.mark.parametrize("case", CONTROLS)
def test_the_same_post_by_the_authorised_persona_does_change_rows(client, world, case):
    """The control: the payload is one the view acts on, and the snapshot sees the act."""
    post = _post(client, case, world, case.allowed)
    before = snapshot()
    response = post()
    _follow_upload_confirmation(client, response)
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    assert differences(before, snapshot()), f"{case.name} by {case.allowed} changed nothing"


# ---------------------------------------------------------------- the snapshot itself


MUTATIONS = {
    "an evaluation field": lambda w: Evaluation.objects.filter(pk=w.draft.pk).update(
        goal_actual="悄悄改掉"
    ),
    "an indicator actual": lambda w: IndicatorResult.objects.filter(
        pk=w.draft.results.order_by("pk").first().pk
    ).update(actual="1个"),
    "a history row": lambda w: Evaluation.objects.get(pk=w.draft.pk).save(),
    "a new notification": lambda w: Notification.objects.create(
        recipient=w.personas.bob, kind=Notification.Kind.DEADLINE, message="新通知"
    ),
    "a deleted spot-check item": lambda w: SpotCheckItem.objects.filter(pk=w.item.pk).delete(),
    "a read mark": lambda w: Notification.objects.filter(pk=w.note.pk).update(
        read_at=timezone.now()
    ),
    "a fund line": lambda w: w.draft.project.fund_lines.update(executed=Decimal("1")),
    "an export job": lambda w: ExportJob.objects.create(region=w.region, year=2023),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS), ids=list(MUTATIONS))
def test_the_snapshot_sees_every_kind_of_change(world, mutation):
    with pytest.raises(AssertionError, match="the POST changed the database"):
        assert_nothing_changed(lambda: MUTATIONS[mutation](world))


def test_the_snapshot_covers_the_filings_history_and_queue_tables():
    labels = {model._meta.label for model in watched_models()}
    for name in (
        "Evaluation",
        "IndicatorResult",
        "FundLine",
        "Indicator",
        "Project",
        "ReviewStep",
        "ReviewComment",
        "EvaluationTask",
        "DeadlineExtension",
        "SpotCheck",
        "SpotCheckItem",
        "SpotCheckScore",
        "Notification",
        "HistoricalEvaluation",
        "HistoricalIndicatorResult",
        "HistoricalIndicator",
        "HistoricalFundLine",
        "HistoricalProject",
    ):
        assert f"projects.{name}" in labels
    assert "reports.ExportJob" in labels
    assert any(label.startswith("django_tasks_db.") for label in labels)


# ---------------------------------------------------------------- the second tab


def _edit(world):
    return reverse("projects:evaluation_edit", args=[world.draft.pk])


def _stored(world) -> tuple[str, str, str, int]:
    evaluation = Evaluation.objects.get(pk=world.draft.pk)
    actuals = [
        r.actual
        for r in IndicatorResult.objects.filter(evaluation=evaluation).order_by(
            "indicator__order", "indicator__pk"
        )
    ]
    return evaluation.goal_actual, actuals[0], actuals[1], evaluation.version


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("projects:evaluation_edit", {}),
        ("projects:evaluation_edit", HTMX),
        ("projects:evaluation_submit", {}),
    ],
    ids=["save", "autosave", "submit"],
)
def test_a_stale_second_tab_does_not_overwrite_the_newer_values(client, world, name, headers):
    """alice opens the form twice; the second tab saves; the first then posts its old page."""
    client.force_login(world.personas.alice)
    first_tab = world.page(world.draft, "alice")
    old_goal, old_first, old_second, version = _stored(world)
    assert first_tab["version"] == str(version)
    second_tab = {
        **first_tab,
        "ev-goal_actual": "另一个标签页写的完成情况",
        "ind-0-actual": "320个",
    }
    assert client.post(_edit(world), second_tab).status_code == 302
    newer = _stored(world)
    assert newer[:2] == ("另一个标签页写的完成情况", "320个") and newer[3] > version
    # The first tab still shows the old goal and actual and changes another field.
    stale = {**first_tab, "ind-1-actual": "170个"}
    response = client.post(reverse(name, args=[world.draft.pk]), stale, headers=headers)
    assert response.status_code in (200, 302, 409)
    goal, first, _, _ = _stored(world)
    assert (goal, first) == ("另一个标签页写的完成情况", "320个")
