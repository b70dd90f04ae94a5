"""Whatever a filer types or uploads, every page of the filing still answers.

A single 元/万元 typo once made a filing unreadable for ever: 全年预算数 900 and 全年执行数
950000 saved, the stored execution rate no longer fitted its column, and the form, the workspace,
the review page, the 自评表, the template download, the admin and the region export all answered
500. These properties drive random amounts (0, 0.01 元, up to 10^16 − 0.01 元, in 元 and 万元
page units, typed with separators and full-width digits, or not numbers at all) and random texts
(unicode, %, ≥, up to and past the form's limits) through the evaluation form and the workbook
upload, then open every page of that evaluation.

Each example runs on a fresh evaluation inside a savepoint that is rolled back afterwards, so the
logged-in personas are created once per test and the examples never see each other's rows.
Hypothesis runs inside the test (`run()` below) rather than around it, so no function-scoped
fixture is shared across examples behind Hypothesis's back. PDF rendering is stubbed: the
export still builds every context, template, workbook and CSV from the stored rows, which is
where an unreadable figure fails; WeasyPrint would only add seconds per example.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from projects import importer
from projects.importer import ImportFailed, import_bytes
from projects.models import Evaluation, FundLine, FundSource
from projects.money import MAX_AMOUNT
from projects.upload import workbook
from projects.upload.workbook import read_workbook
from reports import pdf
from reports.models import ExportJob
from scoring.services import score_evaluation
from tests import factories as f
from tests.projects.test_filing_support import business_env, page_form_data

EXAMPLES = 25
# Each example makes about fifteen requests (a second or two): shrinking a failure would take
# minutes, so a failing example is reported as generated, with its traceback.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
SOURCES = ("current_year", "carryover", "other")
COLUMNS = ("initial", "adjusted", "executed")
MAX_CENTS = int(MAX_AMOUNT * 100) - 1  # 10 万亿元 − 0.01, the largest amount accepted
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")
# Limits of the evaluation form (projects/filing/forms.py: MAX_TEXT, MAX_REASON, MAX_NOTE).
ACTUAL_LIMIT, REASON_LIMIT, NOTE_LIMIT = 300, 2000, 20000


# ---------------------------------------------------------------- strategies


def _long(limit: int, *, over: bool = True) -> st.SearchStrategy[str]:
    """Text of about `limit` characters, a few under (or over) it, built by repetition (cheap)."""
    return st.builds(
        lambda piece, n: (piece * (n // len(piece) + 1))[:n],
        st.text(min_size=1, max_size=8),
        st.integers(limit - 3, limit + 3 if over else limit),
    )


TYPED_WORDS = st.sampled_from(
    [
        "≥95%", "95%", "%", "≥", "≤90万元", "＜220", "１６００家", "1500家", "100", "-5", "0",
        "2023年12月", "9月前", "达成", "部分达成", "按时完成", "1e400", "NaN", "Infinity", "∞",
        "9" * 40, "0." + "0" * 30 + "1", "=SUM(A1:A2)", "  ", "——", "/", "\u200b", "😀" * 5,
    ]
)  # fmt: skip
TEXTS = st.one_of(TYPED_WORDS, st.text(max_size=40))


def _texts(limit: int, *, over: bool = True) -> st.SearchStrategy[str]:
    return st.one_of(TEXTS, TEXTS, _long(limit, over=over))


CENTS = st.one_of(
    st.sampled_from([0, 1, 9 * 10**6, 95 * 10**8, MAX_CENTS]),  # 0, 0.01, 9万, 9500万, max
    st.integers(0, 10**8),
    st.integers(0, MAX_CENTS),
)


@dataclass(frozen=True)
class Amount:
    """An amount in 元 (exact to the 分) and how it is written in the page's unit."""

    yuan: Decimal
    page: Decimal
    text: str


@st.composite
def amounts(draw, unit: str) -> Amount:
    """An in-range amount typed the way people type it in the page unit."""
    yuan = Decimal(draw(CENTS)).scaleb(-2)
    page = yuan.scaleb(-4) if unit == "万元" else yuan
    plain = format(page, "f")
    style = draw(st.sampled_from(["plain", "grouped", "full-width", "spaced", "trimmed"]))
    text = {
        "plain": plain,
        "grouped": f"{page:,f}",
        "full-width": f"{page:,f}".translate(FULL_WIDTH),
        "spaced": f"  {plain}\u3000",
        "trimmed": plain.rstrip("0").rstrip(".") if "." in plain else plain,
    }[style]
    return Amount(yuan, page, text)


BAD_AMOUNTS = st.one_of(
    TEXTS,
    st.integers(int(MAX_AMOUNT), 10**40).map(str),  # 10 万亿元 and beyond: refused
    st.integers(1, 10**8).map(lambda n: f"-{n}"),
    st.integers(1, 10**6).map(lambda n: f"0.{n:07d}"),  # finer than the 分, even in 万元
)


def amount_texts(unit: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        amounts(unit).map(lambda a: a.text),
        amounts(unit).map(lambda a: a.text),
        amounts(unit).map(lambda a: a.text),
        BAD_AMOUNTS,
    )


# Budgets are approved by the finance bureau, never typed by the filer: each example stores its
# own, each source below a third of 10^16 元 so that their total fits a money column too.
BUDGET_CENTS = st.one_of(
    st.none(),
    st.sampled_from([0, 1, 46 * 10**6, 9 * 10**8, MAX_CENTS // 3]),
    st.integers(0, 10**8),
    st.integers(0, MAX_CENTS // 3),
)
BUDGETS = st.fixed_dictionaries({source: BUDGET_CENTS for source in SOURCES})


SCORE_TEXTS = st.one_of(
    st.just(""),
    st.decimals(min_value=0, max_value=100, places=2).map(str),
    st.decimals(min_value=-(10**20), max_value=10**20, places=4).map(str),
    TEXTS,
)
ACHIEVEMENTS = st.sampled_from(["", "met", "partial", "missed", "达成", "bogus"])


@st.composite
def form_posts(draw) -> dict:
    """Overrides of the evaluation page's POST: every figure and text the filer can type."""
    unit = draw(st.sampled_from(["万元", "元"]))
    data = {
        "budgets": draw(BUDGETS),
        "ev-money_unit": unit,
        "ev-goal_actual": draw(_texts(NOTE_LIMIT)),
        "ev-claimed_execution_score": draw(SCORE_TEXTS),
    }
    if draw(st.booleans()):
        data["ev-claimed_execution_auto"] = ""  # the filer typed their own execution score
    for source in SOURCES:
        for column in COLUMNS:
            data[f"fund-{source}-{column}"] = draw(amount_texts(unit))
    for index in range(6):  # the business-environment project's six indicators
        data[f"ind-{index}-actual"] = draw(_texts(ACTUAL_LIMIT))
        data[f"ind-{index}-achievement"] = draw(ACHIEVEMENTS)
        data[f"ind-{index}-claimed_score"] = draw(SCORE_TEXTS)
        data[f"ind-{index}-deviation_reason"] = draw(_texts(REASON_LIMIT))
        if draw(st.booleans()):
            data[f"ind-{index}-claimed_auto"] = ""
    return data


def _cell_amount(amount: Amount):
    """An amount as a spreadsheet holds it: a number of some type, or text someone typed.
    A float only where it holds the amount exactly (Excel's numbers are doubles)."""
    forms = [amount.page, int(amount.page), amount.text, str(amount.page)]
    if Decimal(repr(float(amount.page))) == amount.page:
        forms.append(float(amount.page))
    return st.sampled_from(forms)


@st.composite
def cell_amounts(draw, valid: bool):
    """What a 全年执行数 cell holds (the sheet's unit is the project's: 万元)."""
    kinds = ["amount", "amount", "empty"] + ([] if valid else ["bad", "bad"])
    kind = draw(st.sampled_from(kinds))
    if kind == "empty":
        return None
    if kind == "bad":
        return draw(st.one_of(BAD_AMOUNTS, st.floats(allow_nan=True, allow_infinity=True)))
    return draw(_cell_amount(draw(amounts("万元"))))


def _cell_text(text: str) -> str:
    """Text openpyxl can write (no control characters XML refuses), at most a cell's size."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:32767]


# Scores within every row's 分值 (the smallest is 10), as a number or as typed text.
VALID_SCORES = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=10, places=2),
    st.decimals(min_value=0, max_value=10, places=2).map(float),
    st.decimals(min_value=0, max_value=10, places=2).map(lambda d: f"{d}".translate(FULL_WIDTH)),
)
ANY_SCORES = st.one_of(
    VALID_SCORES,
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**20), max_value=10**20, places=4),
    SCORE_TEXTS,
)


@st.composite
def workbook_edits(draw) -> dict:
    """Cell values for the subject's sheet: 全年执行数, the goal and each indicator row.

    Half the examples keep every figure valid, so the upload saves and the pages show what it
    wrote; the other half mix in cells the reader must refuse (the whole file is then refused).
    """
    valid = draw(st.booleans())
    edits = {"budgets": draw(BUDGETS), "funds": {}, "rows": []}
    for row in (8, 9, 10):  # 当年财政拨款, 上年结转资金, 其他资金 (budgets are not the filer's)
        if draw(st.booleans()):
            edits["funds"][f"D{row}"] = draw(cell_amounts(valid))
    edits["goal"] = _cell_text(draw(_texts(NOTE_LIMIT, over=not valid)))
    achievements = ["", "达成", "部分达成", "未达成"] + ([] if valid else ["基本达成", "≥"])
    for _ in range(6):
        edits["rows"].append(
            {
                "E": _cell_text(draw(_texts(ACTUAL_LIMIT, over=not valid))),
                "G": draw(VALID_SCORES if valid else ANY_SCORES),
                "H": _cell_text(draw(_texts(REASON_LIMIT, over=not valid))),
                "I": draw(st.sampled_from(achievements)),
            }
        )
    return edits


# ---------------------------------------------------------------- the stack


@dataclass
class Stack:
    """The personas logged in once per test: each example builds and drops its own filing."""

    personas: object
    filer: Client
    finance: Client
    admin: Client


def _blank_pdf(pages: int) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def stack(personas, settings, tmp_path, monkeypatch) -> Stack:
    settings.MEDIA_ROOT = tmp_path

    # Layout is not what these examples test: every PDF is blank pages, laid out at once (one,
    # or as many as the page-number overlay of a package asks for).
    def layout(html):
        count = html.count("break-after: page") + 1
        blank = _blank_pdf(count)
        return SimpleNamespace(pages=[SimpleNamespace(anchors={})] * count, write_pdf=lambda: blank)

    monkeypatch.setattr(pdf, "html_to_document", layout)
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: layout(html).write_pdf())
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    clients = []
    for user in (personas.alice, personas.frank, root):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return Stack(personas, *clients)


@contextmanager
def fresh_evaluation(stack: Stack, budgets: dict | None = None):
    """Seed 001's business-environment filing, rolled back when the example ends; `budgets`
    ({source: 全年预算数 in 分, or None}) replaces its approved budget of 46 万元."""
    with transaction.atomic():
        evaluation = business_env(stack.personas.unit_a, score=budgets is None)
        if budgets is not None:
            _approve_budgets(evaluation, budgets)
        yield evaluation
        transaction.set_rollback(True)


def _approve_budgets(evaluation: Evaluation, budgets: dict) -> None:
    """Store the budgets as the finance bureau would: sources, the total as their sum."""
    project = evaluation.project
    total = Decimal(0) if any(c is not None for c in budgets.values()) else None
    for source, cents in budgets.items():
        amount = None if cents is None else Decimal(cents).scaleb(-2)
        FundLine.objects.update_or_create(
            project=project, source=source, defaults={"initial": amount, "adjusted": amount}
        )
        if amount is not None:
            total += amount
    FundLine.objects.filter(project=project, source=FundSource.TOTAL).update(
        initial=total, adjusted=total
    )
    score_evaluation(Evaluation.objects.get(pk=evaluation.pk))


def _ok(response, what: str) -> None:
    assert response.status_code == 200, f"{what}: {response.status_code}"


def _answered(response, what: str) -> None:
    """A POST may refuse what was sent (a 4xx page naming the fields), never fail (5xx)."""
    assert response.status_code < 500, f"{what}: {response.status_code}"


def every_page_answers(stack: Stack, evaluation: Evaluation) -> None:
    """Open each page that shows this evaluation, as the person who would open it."""
    pk = evaluation.pk
    _ok(stack.filer.get(reverse("projects:evaluation_edit", args=[pk])), "填报页")
    _ok(stack.filer.get(reverse("projects:workspace"), {"year": 2023}), "工作台")
    _ok(stack.finance.get(reverse("review:evaluation_detail", args=[pk])), "审核页")
    _ok(stack.finance.get(reverse("reports:evaluation_table", args=[pk])), "自评表")
    _ok(stack.finance.get(reverse("reports:evaluation_table_xlsx", args=[pk])), "自评表 Excel")
    _ok(stack.filer.get(reverse("projects:upload_template"), {"year": 2023}), "模板下载")
    _ok(stack.admin.get(reverse("admin:projects_evaluation_change", args=[pk])), "后台")
    _ok(stack.finance.get(reverse("reports:region_export")), "地区导出页")
    started = stack.finance.post(
        reverse("reports:region_export"), {"region": stack.personas.region.pk, "year": 2023}
    )
    assert started.status_code == 302, f"地区导出: {started.status_code}"
    job = ExportJob.objects.latest("pk")  # the test settings run the task at once
    assert job.status == ExportJob.Status.DONE, f"地区导出: {job.status} {job.message}"
    _ok(stack.finance.get(reverse("reports:export_job", args=[job.pk])), "导出进度页")


def _report(capsys, what: str, count: int) -> None:
    """Say how many examples ran (also when one failed), past pytest's capture, so the figure
    can be quoted."""
    with capsys.disabled():
        print(f"\n[hypothesis] {what}: {count} examples run")


# ---------------------------------------------------------------- the form


def _post_form(stack: Stack, evaluation: Evaluation, overrides: dict):
    """Post the page's own form (its version and hidden fields) with the typed values."""
    url = reverse("projects:evaluation_edit", args=[evaluation.pk])
    page = stack.filer.get(url)
    _ok(page, "填报页")
    data = {**page_form_data(page.content.decode()), **overrides}
    return stack.filer.post(url, data)


def test_the_reported_typo_saves_with_a_finding_at_the_field(stack) -> None:
    budget = {"current_year": 900 * 10**6, "carryover": None, "other": None}  # 900 万元
    with fresh_evaluation(stack, budget) as evaluation:
        response = _post_form(
            stack, evaluation, {"ev-money_unit": "万元", "fund-current_year-executed": "950000"}
        )
        _answered(response, "保存")
        saved = Evaluation.objects.get(pk=evaluation.pk)
        assert saved.execution_rate == Decimal("105555.56")
        codes = {f["code"] for f in saved.result["findings"]}
        assert "execution_rate_implausible" in codes
        html = stack.filer.get(reverse("projects:evaluation_edit", args=[evaluation.pk]))
        html = html.content.decode()
        # The finding links to the 全年执行数 input the filer typed the figure into.
        assert 'data-focus="id_fund-current_year-executed"' in html
        assert 'id="id_fund-current_year-executed"' in html
        assert "预算执行率 105,555.56% 超过 200%" in html
        every_page_answers(stack, evaluation)


def test_a_slip_between_yuan_and_wan_yuan_is_named_at_the_field(stack) -> None:
    with fresh_evaluation(stack) as evaluation:
        # 全年执行数 typed in 元 (387,600) on a page in 万元 beside a budget of 46 万元.
        _post_form(
            stack, evaluation, {"ev-money_unit": "万元", "fund-current_year-executed": "387600"}
        )
        html = stack.filer.get(reverse("projects:evaluation_edit", args=[evaluation.pk]))
        html = html.content.decode()
        assert "疑似元/万元单位错误" in html
        assert 'data-focus="id_fund-current_year-executed"' in html
        every_page_answers(stack, evaluation)


def test_random_form_posts_leave_every_page_answering(stack, capsys) -> None:
    count = 0

    @settings(max_examples=EXAMPLES, deadline=None, phases=PHASES)
    @given(overrides=form_posts())
    @example(
        overrides={
            "budgets": {"current_year": 900 * 10**6, "carryover": None, "other": None},
            "ev-money_unit": "万元",
            "fund-current_year-executed": "950000",
        }
    )
    @example(
        overrides={
            "budgets": {"current_year": 1, "carryover": None, "other": None},
            "ev-money_unit": "元",
            "fund-current_year-executed": "9,999,999,999,999.99",
        }
    )
    def run(overrides: dict) -> None:
        nonlocal count
        count += 1
        overrides = dict(overrides)
        with fresh_evaluation(stack, overrides.pop("budgets")) as evaluation:
            _answered(_post_form(stack, evaluation, overrides), "保存")
            every_page_answers(stack, evaluation)

    try:
        run()
    finally:
        _report(capsys, "form POST", count)


# ---------------------------------------------------------------- the upload


class _Forms(HTMLParser):
    """Every form of a page: its action and the fields a browser would post."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.inside = False
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
            self.inside = True
        if not self.inside:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            fields[name] = a.get("value") or ""
        elif tag == "button" and name:
            fields[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea and self.inside:
            self.forms[-1]["fields"][self.textarea] += data


def _upload(client: Client, data: bytes):
    """Upload the workbook; if the page answers with a confirmation (a form with an input
    named `confirm`, the preview-then-confirm flow), post that form too. Returns the last
    response, so the test holds whichever way the upload page works."""
    url = reverse("projects:upload")
    response = client.post(
        url, {"file": SimpleUploadedFile("自评表.xlsx", data), "purpose": "actuals"}
    )
    _answered(response, "上传")
    parser = _Forms()
    parser.feed(response.content.decode())
    confirm = next((form for form in parser.forms if "confirm" in form["fields"]), None)
    if confirm is None:
        return response
    response = client.post(confirm["action"] or url, confirm["fields"])
    _answered(response, "确认上传")
    return response


_ID_CELL = re.compile(r"^\d+$")


def _filled(template: bytes, evaluation: Evaluation, edits: dict) -> bytes:
    """The downloaded template with the example's values written into its cells."""
    book = load_workbook(io.BytesIO(template))
    sheet = next(s for s in book.worksheets if s["B4"].value == evaluation.project.code)
    for ref, value in edits["funds"].items():
        sheet[ref] = _cell_text(value) if isinstance(value, str) else value
    sheet["G12"] = _cell_text(edits["goal"])
    rows = [
        row
        for row in range(15, sheet.max_row + 1)
        if _ID_CELL.match(str(sheet[f"J{row}"].value or ""))
    ]
    for row, values in zip(rows, edits["rows"], strict=False):
        for letter, value in values.items():
            cell = sheet[f"{letter}{row}"]
            cell.value = _cell_text(value) if isinstance(value, str) else value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed text, as the template writes targets such as "=100%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_random_workbook_uploads_leave_every_page_answering(stack, capsys) -> None:
    count = 0

    @settings(max_examples=EXAMPLES, deadline=None, phases=PHASES)
    @given(edits=workbook_edits())
    @example(
        edits={
            "budgets": {"current_year": 900 * 10**6, "carryover": None, "other": None},
            "funds": {"D8": 950000},
            "goal": "全年执行数多填了",
            "rows": [{"E": "≥95%", "G": None, "H": "", "I": ""}] * 6,
        }
    )
    @example(
        edits={  # two sources of 9 × 10^15 元 each (an Excel number holds them exactly)
            "budgets": {"current_year": 1, "carryover": None, "other": None},
            "funds": {"D8": 900000000000, "D9": 900000000000},
            "goal": "",
            "rows": [{"E": "％" * ACTUAL_LIMIT, "G": None, "H": "≥" * REASON_LIMIT, "I": ""}] * 6,
        }
    )
    @example(
        edits={  # the largest amount, typed as text (a number cell cannot hold it exactly)
            "budgets": {"current_year": 1, "carryover": None, "other": None},
            "funds": {"D8": "999,999,999.999999"},
            "goal": "",
            "rows": [{"E": "", "G": None, "H": "", "I": ""}] * 6,
        }
    )
    @example(
        edits={  # refused cells: nothing is saved, and the pages still answer
            "budgets": {"current_year": None, "carryover": None, "other": None},
            "funds": {"D8": 1e300, "D9": float("nan"), "D10": "１２３,４５６.７８９"},
            "goal": "=SUM(A1:A2)",
            "rows": [{"E": "个" * (ACTUAL_LIMIT + 1), "G": 1e30, "H": "", "I": "基本达成"}] * 6,
        }
    )
    def run(edits: dict) -> None:
        nonlocal count
        count += 1
        with fresh_evaluation(stack, edits["budgets"]) as evaluation:
            template = stack.filer.get(reverse("projects:upload_template"), {"year": 2023})
            _ok(template, "模板下载")
            _upload(stack.filer, _filled(template.content, evaluation, edits))
            every_page_answers(stack, evaluation)

    try:
        run()
    finally:
        _report(capsys, "workbook upload", count)


# ---------------------------------------------------------------- bounds of the file readers


def _document(**changes) -> dict:
    """Seed 001's business-environment document (amounts in 万元) with `changes` applied:
    keys are paths such as "funds[1].executed" or "claimed.total"."""
    document = json.loads(SEED001.read_text(encoding="utf-8"))
    for path, value in changes.items():
        *parents, last = re.findall(r"[^.\[\]]+", path)
        node = document
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        node[int(last) if last.isdigit() else last] = value
    return document


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED001 = FIXTURES / "seed001-xiangshan-govoffice-2023-business-env.json"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("funds[1].executed", "1000000000000"),  # 10^12 万元 = 10^16 元
        ("funds[1].executed", "999999999999999"),  # the reader's widest number, in 万元
        ("funds[1].adjusted", "-1"),
        ("funds[1].initial", "0.0000001"),  # 0.001 元: finer than the 分
        ("funds[0].weight", "100.01"),
        ("funds[0].weight", "10.001"),
        ("funds[0].claimed_score", "100000"),
        ("indicators[0].weight", "-1"),
        ("indicators[2].weight", "101"),
        ("indicators[3].claimed_score", "99999.995"),  # 100000.00 once rounded to the 分
        ("indicators[3].claimed_score", "-0.01"),
        ("claimed.total", "100000"),
        ("claimed.execution_score", "123456789012345"),
        ("claimed.grade", "优秀优秀优"),
        ("region", "区" * 98),  # its finance bureau, "<地区>财政局", would not fit
        ("project.name", "项" * 301),
        ("indicators[0].level1", "产" * 51),
        ("indicators[4].actual", "个" * 301),
    ],
)
def test_the_importer_refuses_a_value_no_column_holds_naming_its_key(db, path, value) -> None:
    with pytest.raises(ImportFailed) as refused:
        import_bytes(json.dumps(_document(**{path: value})).encode(), source="seed001.json")
    assert path in str(refused.value)
    assert not Evaluation.objects.exists()


def test_the_importer_takes_the_largest_amount_and_score_that_fit(db) -> None:
    largest = importer.MAX_AMOUNT - Decimal("0.01")
    document = _document(
        **{
            "funds[1].executed": f"{largest / 10000:,f}",  # in 万元, as the document is
            "funds[1].adjusted": "0.000001",  # 0.01 元
            "indicators[0].claimed_score": "99999.99",
            "indicators[0].weight": "100",
            "claimed.total": "99999.99",
        }
    )
    evaluation = import_bytes(json.dumps(document).encode(), source="seed001.json")
    line = FundLine.objects.get(project=evaluation.project, source="current_year")
    assert (line.adjusted, line.executed) == (Decimal("0.01"), largest)
    # Every stored amount reads back: one outside its column would raise here.
    assert list(FundLine.objects.values_list("initial", "adjusted", "executed"))


def _sheet_with(values: dict) -> bytes:
    """A minimal 自评表 sheet as the template lays it out, with `values` in its cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = "01 项目"
    sheet["A3"], sheet["B3"] = "项目名称", "项目"
    sheet["A4"], sheet["B4"], sheet["H4"], sheet["I4"] = "项目编号", 1, "金额单位", "万元"
    sheet["A8"] = "其中：当年财政拨款"
    sheet["A14"] = "一级指标"
    for column, value in zip("ABCDEFGHIJ", ["产出指标", "数量指标", "指标", "≥1个"], strict=False):
        sheet[f"{column}15"] = value
    sheet["J15"] = 1
    sheet["A16"] = "总分"
    for ref, value in values.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("ref", "value", "message"),
    [
        ("D8", 10**12, "全年执行数过大"),  # 10^12 万元 = 10^16 元
        ("D8", 1e300, "全年执行数过大"),  # a float no quantize survives
        ("C8", "1" + "0" * 40, "全年预算数过大"),
        ("F15", 101, "分值应在 0 到 100 之间"),
        ("F15", -1, "分值应在 0 到 100 之间"),
        ("G15", 1e30, "得分过大"),
        ("G15", "100000", "得分过大"),
        ("A15", "产" * 51, "一级指标共 51 字"),
        ("E15", "个" * 301, "实际完成值共 301 字"),
    ],
)
def test_the_workbook_reader_refuses_a_value_no_column_holds(ref, value, message) -> None:
    sheets, errors = read_workbook(_sheet_with({ref: value}))
    assert any(message in str(e) and f" {ref[0]} 列" in str(e) for e in errors), errors


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Inf")])
def test_a_cell_holding_nan_or_infinity_is_not_a_number(value) -> None:
    # openpyxl writes these as empty cells, but a file from elsewhere may carry <v>nan</v>.
    with pytest.raises(ValidationError, match="应为数字"):
        workbook._number(value)


def test_the_workbook_reader_refuses_sources_whose_total_no_column_holds() -> None:
    # 6 × 10^12 元 (6 × 10^8 万元) twice: each fits, their 年度资金总额 (the sum) would not.
    book = _sheet_with(
        {"A7": "年度资金总额", "A9": "上年结转资金", "D8": 6 * 10**8, "D9": 6 * 10**8}
    )
    sheets, errors = read_workbook(book)
    assert [(e.row, e.column) for e in errors] == [(7, "D")], errors
    assert "各来源全年执行数合计须小于 10 万亿元" in str(errors[0])


def test_the_workbook_reader_takes_the_largest_amount_that_fits() -> None:
    largest = workbook.MAX_AMOUNT - Decimal("0.01")
    sheets, errors = read_workbook(_sheet_with({"D8": f"{largest / 10000:,f}", "G15": 99999.99}))
    assert errors == []
    assert sheets[0].funds["current_year"]["executed"] == largest
    assert sheets[0].indicators[0].claimed_score == Decimal("99999.99")
