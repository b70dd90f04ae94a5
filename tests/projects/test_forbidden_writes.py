"""No forbidden POST changes a row: every state-changing URL against every persona who must not.

The status matrices (test_review_permissions, test_filing_permissions, reports/test_permissions)
pin 404 outside the scope and 403 inside it without the role. Here each of those refusals is also
checked against the database: a snapshot of every row of every table (the filings, their
history tables, reviews, tasks, spot checks, notifications, export jobs and the task queue)
before and after the POST must be identical. Payloads are the real thing (the evaluation page's
form as alice's browser posts it, a template workbook, a selfeval/1 export with changed
figures), and each writing URL has a control: the same POST by the authorised persona does
change rows (in the tables named for it), so a refusal here is the guard's doing, not a payload
the view would have ignored anyway. Uploads are followed through the preview's confirmation
when one is shown. Pages that only read but accept a POST are posted to as well.

Also here: alice's stale second tab may not overwrite the newer stored values; a preview token
confirms nothing from another session; the filer cannot change the approved budget or 预期目标
through the form, a selfeval/1 file or the workbook.

Personas: alice files for unit A (department A's own unit, so her filings go straight to the
finance bureau), carol for unit A1 under department A; dora reviews department A; frank is the
region's finance bureau; bob files for department B; zed is another region's finance bureau.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
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
    FundLine,
    Indicator,
    IndicatorResult,
    Membership,
    Notification,
    Project,
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
                k: (old[pk][k], new[pk].get(k)) for k in old[pk] if old[pk][k] != new[pk].get(k)
            }
            if changed:
                lines.append(f"{label} pk={pk} changed: {changed}")
    return lines


def _pk(label: str, row: dict):
    return row[apps.get_model(label)._meta.pk.attname]


def assert_nothing_changed(action: Callable):
    """Run `action` and fail, naming the rows, if any watched table differs afterwards; return
    what `action` returned."""
    before = snapshot()
    result = action()
    changed = differences(before, snapshot())
    shown = [line if len(line) < 400 else line[:400] + " …" for line in changed[:40]]
    assert not changed, "the POST changed the database:\n" + "\n".join(shown)
    return result


# ---------------------------------------------------------------- the rows the URLs point at


class _Forms(HTMLParser):
    """Every POST form of a page: its action and the fields a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self.current: dict | None = None
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {}
            self.forms.append((a.get("action") or "", self.current))
        if self.current is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "file"):
                self.current[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.current[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.current.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            self.current[self.select] = a.get("value") or ""

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            self.current[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def post_forms(html: str) -> list[tuple[str, dict]]:
    """(action, fields) of each POST form on the page."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class World:
    """Filings in every state the URLs act on, with a task, a spot check and a notification.

    alice's draft, carol, the year's task, dora's notification and an export job always exist;
    the review-stage filings, spot checks and the other region's rows are built when a case
    first touches them (before the snapshot is taken), which keeps each case's setup small.
    """

    def __init__(self, personas):
        p = self.personas = personas
        self.today = timezone.localdate()
        self.carol = subordinate_of_a(p).carol
        self.carol_unit = self.carol.memberships.get().unit
        self.region = p.region
        self.task = EvaluationTask.objects.create(
            region=self.region, year=2023, deadline=self.today + datetime.timedelta(days=3)
        )
        # alice's open draft (the filing URLs and the uploads), in the year's task.
        self.draft = business_env(p.unit_a)
        Evaluation.objects.filter(pk=self.draft.pk).update(task=self.task)
        self.note = Notification.objects.create(
            recipient=p.dora, kind=Notification.Kind.SUBMITTED, message="待审核"
        )
        self.job = ExportJob.objects.create(region=self.region, year=2023, requested_by=p.frank)
        self._pages: dict = {}

    @cached_property
    def unstarted(self):
        """A project of unit A with no evaluation yet (the start URL)."""
        project = f.ProjectFactory(unit=self.personas.unit_a, year=2023, name="尚未开始自评的项目")
        f.IndicatorFactory(project=project, name="尚未开始的指标")
        return project

    # carol's filings, clean (no finding), one per review step.

    @cached_property
    def submitted(self):
        return self._filing(self.carol_unit, S.SUBMITTED, "待主管部门审核的项目")

    @cached_property
    def forwarded(self):
        return self._filing(self.carol_unit, S.DEPARTMENT_APPROVED, "待财政审核的项目")

    @cached_property
    def approved(self):
        return self._filing(self.carol_unit, S.APPROVED, "已审核通过的项目")

    @cached_property
    def indicator(self):
        return self.submitted.project.indicators.order_by("order").first()

    @cached_property
    def frozen_indicator(self):
        return self.approved.project.indicators.order_by("order").first()

    @cached_property
    def spot(self):
        return SpotCheck.objects.create(region=self.region, year=2023, seed=1)

    @cached_property
    def item(self):
        return SpotCheckItem.objects.create(spot_check=self.spot, evaluation=self.approved)

    # Another region's filing, task and spot check: zed's, out of frank's reach.

    @cached_property
    def zed_region(self):
        return Membership.objects.get(user=self.personas.other_region_finance).region

    @cached_property
    def far_department(self):
        return f.DepartmentFactory(region=self.zed_region, name="外地区的部门")

    @cached_property
    def far(self):
        unit = f.UnitFactory(department=self.far_department)
        return self._filing(unit, S.APPROVED, "外地区的项目")

    @cached_property
    def far_task(self):
        return EvaluationTask.objects.create(
            region=self.zed_region, year=2023, deadline=self.today + datetime.timedelta(days=3)
        )

    @cached_property
    def far_item(self):
        spot = SpotCheck.objects.create(region=self.zed_region, year=2023, seed=2)
        return SpotCheckItem.objects.create(spot_check=spot, evaluation=self.far)

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
        sheet = next(s for s in book.worksheets if s["B4"].value == self.draft.project.code)
        for other in book.worksheets[1:]:
            if other is not sheet:
                book.remove(other)  # the draft alone: other subjects may be closed or unstarted
        first = self.draft.project.indicators.order_by("order", "pk").first()
        row = next(r for r in range(15, sheet.max_row + 1) if sheet[f"C{r}"].value == first.name)
        if purpose == "actuals":
            sheet[f"E{row}"] = "999个"
            sheet["G12"] = "乙单位改写的年度总体目标完成情况"
        else:
            sheet[f"D{row}"] = "≥1个"
        out = io.BytesIO()
        book.save(out)
        return {"file": SimpleUploadedFile("自评表.xlsx", out.getvalue()), "purpose": purpose}


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Queue tasks in the database (as in production) so an enqueue is a row the snapshot sees.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # Uploads kept for their confirmation go to the storage: keep them out of var/media.
    settings.MEDIA_ROOT = str(tmp_path)
    return World(personas)


# ---------------------------------------------------------------- what may come back

LOGIN = "redirect to login"
ADMIN_LOGIN = "redirect to the admin login"
NOT_FOUND = (404,)
DENIED = (403,)
NOT_ALLOWED = (405,)
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
    needs: tuple = ()  # rows of the world that must exist though neither URL nor data names them


def _u(name, attr=None):
    def url(w):
        return reverse(name, args=[getattr(w, attr).pk] if attr else [])

    return url


def _none(w):
    return {}


def _const(data):
    return lambda w: dict(data)


def _edited(attr, owner):
    return lambda w: w.edited(getattr(w, attr), owner)


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
        lambda w: w.page(w.draft, "alice"),
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
        needs=("approved",),
    ),
    Case(
        "draw spot check of another region",
        _u("review:spot_check_draw"),
        _draw("zed_region"),
        {"frank": NOT_FOUND},
        allowed="zed",
        needs=("far",),
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
    # The review page and its history answer a POST 405 before looking at the row.
    ("review:evaluation_detail", "submitted", {"bob": NOT_ALLOWED, "zed": NOT_ALLOWED}),
    ("review:evaluation_history", "submitted", {"bob": NOT_ALLOWED}),
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
        lambda w, name=name: reverse(f"review:{name}") + f"?region={w.region.pk}",
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


REASON = "按预算调整批复（相财〔2023〕12号）"


def confirm_form(response) -> dict | None:
    """The preview's 确认 form on an upload's answer (a further POST form back to the upload),
    filled as the uploader would: the preselected choices, and a reason typed into any empty
    text box (target uploads ask for one). None when the answer holds no such form."""
    upload = reverse("projects:upload")
    if response.status_code != 200:
        return None
    for action, fields in post_forms(response.content.decode()):
        if action in ("", upload) and set(fields) - {"csrfmiddlewaretoken", "purpose"}:
            return {key: value or REASON for key, value in fields.items()}
    return None


def _follow_upload_confirmation(client, response):
    """Confirm the preview the upload answered with, if any; return the confirmation's answer."""
    fields = confirm_form(response)
    return None if fields is None else client.post(reverse("projects:upload"), fields)


def _post(client, case: Case, world: World, who):
    """Log in as `who`, build the URL and payload (touching the rows they need), and return
    the POST, still to be made; an upload's POST confirms any preview it is shown."""
    for attr in case.needs:
        getattr(world, attr)
    if who is not None:
        client.force_login(world.user(who))
    url, data = case.url(world), case.data(world)

    def post():
        response = client.post(url, data, headers=case.headers)
        if url == reverse("projects:upload"):
            _follow_upload_confirmation(client, response)
        return response

    return post


@pytest.mark.parametrize(("case", "who", "expect"), MATRIX)
def test_a_forbidden_post_changes_no_row(client, world, case, who, expect):
    response = assert_nothing_changed(_post(client, case, world, who))
    check_status(response, expect)


def _main_text(response) -> str:
    """The page's main content as text, for a failure message."""
    html = response.content.decode()
    html = html[html.find("<main") :] if "<main" in html else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))[:3000]


@pytest.mark.parametrize("case", CONTROLS)
def test_the_same_post_by_the_authorised_persona_does_change_rows(client, world, case):
    """The control: the payload is one the view acts on, and the snapshot sees the act in the
    tables the act is about."""
    post = _post(client, case, world, case.allowed)
    before = snapshot()
    response = post()
    assert response.status_code in (200, 302), _main_text(response)
    changed = differences(before, snapshot())
    touched = {line.split(" ", 1)[0] for line in changed}
    expected = {f"projects.{label}" if "." not in label else label for label in TOUCHES[case.name]}
    assert expected <= touched, f"{case.name} by {case.allowed} touched only {sorted(touched)}"


# The tables each authorised POST writes to (projects. unless named).
TOUCHES = {
    "save draft": ("Evaluation", "IndicatorResult", "HistoricalIndicatorResult"),
    "autosave draft": ("Evaluation", "IndicatorResult"),
    "submit": ("Evaluation", "ReviewStep", "Notification"),
    "start": ("Evaluation", "IndicatorResult"),
    "upload json of unit A": ("Evaluation", "IndicatorResult"),
    "upload workbook of unit A": ("Evaluation", "IndicatorResult"),
    "upload targets workbook of region A": ("Indicator", "HistoricalIndicator"),
    "department approve": ("Evaluation", "ReviewStep"),
    "department return": ("Evaluation", "ReviewStep", "ReviewComment"),
    "finance approve": ("Evaluation", "ReviewStep"),
    "finance return": ("Evaluation", "ReviewStep", "ReviewComment"),
    "reopen": ("Evaluation", "ReviewStep"),
    "publish": ("Evaluation", "HistoricalEvaluation"),
    "publish of another region": ("Evaluation",),
    "target edit": ("Indicator", "HistoricalIndicator"),
    "bulk approve at department step": ("Evaluation", "ReviewStep"),
    "bulk approve at finance step": ("Evaluation", "ReviewStep"),
    "issue task": ("EvaluationTask",),
    "issue task of another region": ("EvaluationTask",),
    "extend deadline": ("DeadlineExtension",),
    "extend another region's task": ("DeadlineExtension",),
    "remind filers": ("Notification",),
    "draw spot check": ("SpotCheck", "SpotCheckItem"),
    "draw spot check of another region": ("SpotCheck", "SpotCheckItem"),
    "score spot check": ("SpotCheckScore",),
    "score another region's spot check": ("SpotCheckScore",),
    "mark read": ("Notification",),
    "mark all read": ("Notification",),
    "export region": ("reports.ExportJob", "django_tasks_database.DBTaskResult"),
}


def test_every_control_names_the_tables_it_writes():
    assert set(TOUCHES) == {case.name for case in CASES if case.allowed}


# ---------------------------------------------------------------- the preview's confirmation


def _confirm_fields(client, payload) -> dict:
    """Upload as the logged-in user and return the preview's confirm form (nothing written)."""
    response = assert_nothing_changed(lambda: client.post(reverse("projects:upload"), payload))
    assert response.status_code == 200, _main_text(response)
    fields = confirm_form(response)
    if fields is None:
        pytest.skip("the upload writes without a preview")
    return fields


@pytest.mark.parametrize("payload", ["json", "workbook"])
@pytest.mark.parametrize(
    "who",
    [
        *("bob", "carol", "frank", "zed", "dora"),
        pytest.param(None, id="anonymous"),
        pytest.param("alice", id="alice-in-another-browser"),
    ],
)
def test_nobody_else_can_confirm_alices_preview(client, world, who, payload):
    """alice's preview token, posted from another session (another user's, or her own second
    browser), confirms nothing."""
    client.force_login(world.personas.alice)
    data = world.json_upload(world.draft) if payload == "json" else world.workbook_upload()
    confirm = _confirm_fields(client, data)
    other = Client()
    if who is not None:
        other.force_login(world.user(who))
    response = assert_nothing_changed(lambda: other.post(reverse("projects:upload"), confirm))
    if who is None:
        check_status(response, LOGIN)
    else:
        assert response.status_code in UPLOAD_REFUSED


def test_a_preview_confirmed_after_the_filing_was_submitted_writes_nothing(client, world):
    client.force_login(world.personas.alice)
    confirm = _confirm_fields(client, world.workbook_upload())
    put_in(Evaluation.objects.get(pk=world.draft.pk), S.SUBMITTED)
    response = assert_nothing_changed(lambda: client.post(reverse("projects:upload"), confirm))
    assert response.status_code in UPLOAD_REFUSED


def test_alices_own_confirmation_does_write(client, world):
    """The control of the two above: the same confirm form, from alice's session, saves."""
    client.force_login(world.personas.alice)
    confirm = _confirm_fields(client, world.workbook_upload())
    before = snapshot()
    assert client.post(reverse("projects:upload"), confirm).status_code == 200
    touched = {line.split(" ", 1)[0] for line in differences(before, snapshot())}
    assert "projects.IndicatorResult" in touched


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
    assert "django_tasks_database.DBTaskResult" in labels


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
    "own_edit",
    [{"ind-1-actual": "170个"}, {"ind-0-actual": "310个"}],
    ids=["other field", "same field"],
)
@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("projects:evaluation_edit", {}),
        ("projects:evaluation_edit", HTMX),
        ("projects:evaluation_submit", {}),
    ],
    ids=["save", "autosave", "submit"],
)
def test_a_stale_second_tab_does_not_overwrite_the_newer_values(
    client, world, name, headers, own_edit
):
    """alice opens the form twice; the second tab saves; the first then posts its old page,
    still holding the old goal and actual, with an edit of its own (of another field, or of
    the very field the other tab changed: that one needs her choice, it may not just win)."""
    client.force_login(world.personas.alice)
    first_tab = world.page(world.draft, "alice")
    version = _stored(world)[3]
    assert first_tab["version"] == str(version)
    second_tab = {
        **first_tab,
        "ev-goal_actual": "另一个标签页写的完成情况",
        "ind-0-actual": "320个",
    }
    assert client.post(_edit(world), second_tab).status_code == 302
    newer = _stored(world)
    assert newer[:2] == ("另一个标签页写的完成情况", "320个") and newer[3] > version
    stale = {**first_tab, **own_edit}
    response = client.post(reverse(name, args=[world.draft.pk]), stale, headers=headers)
    assert response.status_code in (200, 204, 302, 409)  # merged, refreshed or the conflict page
    goal, first, _, _ = _stored(world)
    assert (goal, first) == ("另一个标签页写的完成情况", "320个")


# ---------------------------------------------------------------- what the filer may not touch


def _approved(world) -> dict:
    """What the budget approved for alice's project: budgets, weights, 预期目标, indicators."""
    project = Project.objects.get(pk=world.draft.project_id)
    return {
        "goal_expected": project.goal_expected,
        "funds": list(
            FundLine.objects.filter(project=project)
            .order_by("source")
            .values_list("source", "initial", "adjusted", "weight")
        ),
        "indicators": list(
            Indicator.objects.filter(project=project)
            .order_by("pk")
            .values_list("level1", "level2", "name", "target", "weight")
        ),
    }


def _budget_form(world):
    data = world.page(world.draft, "alice")
    for column in ("initial", "adjusted"):
        data[f"fund-current_year-{column}"] = "50"
    return data


def _budget_json(world):
    payload = world.json_upload(world.draft)
    document = export_document(Evaluation.objects.get(pk=world.draft.pk))
    for row in document["funds"]:
        row["initial"] = row["adjusted"] = "50"
    document["goal"]["expected"] = "改写后的预期目标"
    raw = json.dumps(document, ensure_ascii=False).encode()
    return {**payload, "file": SimpleUploadedFile("自评.json", raw)}


def _budget_workbook(world):
    payload = world.workbook_upload()
    book = load_workbook(io.BytesIO(payload["file"].read()))
    sheet = book.worksheets[1]
    row = next(r for r in range(1, 15) if sheet[f"A{r}"].value == "其中：当年财政拨款")
    sheet[f"B{row}"] = sheet[f"C{row}"] = 50
    out = io.BytesIO()
    book.save(out)
    return {**payload, "file": SimpleUploadedFile("自评表.xlsx", out.getvalue())}


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(_budget_form, id="form"),
        pytest.param(_budget_json, id="json"),
        pytest.param(_budget_workbook, id="workbook"),
    ],
)
def test_the_filer_cannot_change_the_approved_budget_or_goal(client, world, build):
    """Budgets and the 预期目标 are the finance bureau's: alice's own filing may change her
    figures, never those, whichever way she posts them (the form's locked fields sent anyway,
    a selfeval/1 file, the template workbook)."""
    data = build(world)
    client.force_login(world.personas.alice)
    before = _approved(world)
    if build is _budget_form:
        response = client.post(reverse("projects:evaluation_edit", args=[world.draft.pk]), data)
    else:
        response = client.post(reverse("projects:upload"), data)
        _follow_upload_confirmation(client, response)
    assert response.status_code < 500
    assert _approved(world) == before
