"""People read words, not codes: no internal identifier (deviation_missing, achievement, …) in the
visible text of the pages filers and reviewers use. Codes stay in attributes, JSON and exports."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from projects.models import Achievement, EvaluationStatus
from projects.narrative import DEPARTMENT_SECTIONS, OTHER_LABELS, PROJECT_SECTIONS
from projects.review.selectors.history import filing_diff
from projects.review.services import workflow
from projects.review.services.spot_checks import spot_check_draw
from scoring.engine.findings import CATALOGUE
from scoring.services import score_evaluation
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)

S = EvaluationStatus
CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# Codes of one word (a section key such as `achievement`, a choice such as `met`) have no
# underscore to give them away, so the detector also looks for every known key by name.
KNOWN = (
    set(CATALOGUE)
    | {key for key, _ in PROJECT_SECTIONS + DEPARTMENT_SECTIONS}
    | set(OTHER_LABELS)
    | {value for value, _ in Achievement.choices}
    | {value for value, _ in EvaluationStatus.choices}
)
WORD = re.compile(r"(?<![A-Za-z0-9_])[a-z]+(?![A-Za-z0-9_])")
# Genuinely not codes: e-mail addresses and file names may hold an underscore.
ALLOWED = re.compile(r"[\w.+-]+@[\w.-]+|\b[\w-]+\.(?:json|xlsx|pdf|csv|zip)\b")


class _Visible(HTMLParser):
    """The text a person reads: outside tags, scripts, styles and <template> blocks."""

    SKIP = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def codes_in(html: str) -> list[str]:
    """Every code-shaped token a person would read on the page."""
    parser = _Visible()
    parser.feed(html)
    text = ALLOWED.sub(" ", " ".join(parser.parts))
    found = set(CODE.findall(text)) | {w for w in WORD.findall(text) if w in KNOWN}
    return sorted(found)


def test_the_detector_sees_a_code_in_text_but_not_in_attributes():
    html = '<p data-code="deviation_missing" title="x">deviation_missing</p><a href="a_b">ok</a>'
    assert codes_in(html) == ["deviation_missing"]
    assert codes_in("<td>achievement</td><td>met</td><td>carol</td>") == ["achievement", "met"]
    assert codes_in('<input type="hidden" name="fund-current_year-executed">') == []
    assert codes_in("<p>联系 report_owner@example.org，文件 seed_001.json</p>") == []


@pytest.fixture
def filing(personas):
    """A filing with a finding (a claimed score above the computed one), returned with an indicator comment, then changed in a report section and resubmitted."""
    sub = subordinate_of_a(personas)
    evaluation = put_in(
        build_evaluation(
            sub.unit,
            actuals={0: "1500家"},
            reasons={0: "企业数量减少"},
            claimed={0: Decimal("50")},
        ),
        S.SUBMITTED,
    )
    indicator = evaluation.project.indicators.get(name="走访企业数量")
    workflow.evaluation_department_return(
        evaluation=evaluation,
        user=personas.dora,
        comment="请补充绩效目标实现情况",
        indicator_comments={indicator.pk: "请附走访台账"},
    )
    evaluation.refresh_from_db()
    evaluation.notes = {**(evaluation.notes or {}), "achievement": "全年走访企业1500家。"}
    evaluation._history_user = sub.carol
    evaluation.save()
    workflow.evaluation_submit(evaluation=evaluation, user=sub.carol)
    evaluation.refresh_from_db()
    return sub, evaluation


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_review_page_and_history_show_no_codes(client, personas, filing):
    sub, evaluation = filing
    detail = _page(client, personas.dora, reverse("review:evaluation_detail", args=[evaluation.pk]))
    assert "二、绩效目标实现情况" in detail  # the section's title in the diff, not its key
    assert codes_in(detail) == []
    history = _page(
        client, personas.dora, reverse("review:evaluation_history", args=[evaluation.pk])
    )
    assert "二、绩效目标实现情况" in history
    assert codes_in(history) == []
    assert codes_in(_page(client, personas.dora, reverse("review:queue") + "?todo=all")) == []
    filer_view = _page(client, sub.carol, reverse("review:evaluation_detail", args=[evaluation.pk]))
    assert codes_in(filer_view) == []


def test_filing_form_and_workspace_show_no_codes(client, personas, filing):
    sub, evaluation = filing
    workflow.evaluation_department_return(
        evaluation=evaluation, user=personas.dora, comment="再核实", indicator_comments={}
    )
    result = evaluation.results.get(indicator__name="走访企业数量")
    result.deviation_reason = ""  # a shortfall without its reason: an error finding
    result.save()
    score_evaluation(evaluation)
    form = _page(client, sub.carol, reverse("projects:evaluation_edit", args=[evaluation.pk]))
    assert "须填写偏差原因" in form  # the finding in words
    assert codes_in(form) == []
    assert codes_in(_page(client, sub.carol, reverse("projects:workspace"))) == []


def test_table_and_report_show_no_codes(client, personas, filing):
    _, evaluation = filing
    for name in ("reports:evaluation_table", "reports:evaluation_report"):
        assert codes_in(_page(client, personas.dora, reverse(name, args=[evaluation.pk]))) == []


def test_spot_check_overview_and_notification_pages_show_no_codes(client, personas, filing):
    _, evaluation = filing
    put_in(evaluation, S.APPROVED)
    check = spot_check_draw(region=personas.region, year=2023, user=personas.frank, seed=1)
    item = check.items.first()
    for url in (
        reverse("review:spot_check_list"),
        reverse("review:spot_check_detail", args=[check.pk]),
        reverse("review:spot_check_item", args=[item.pk]),
        reverse("review:overview"),
        reverse("review:notification_list"),
    ):
        assert codes_in(_page(client, personas.frank, url)) == [], url
    assert codes_in(_page(client, personas.dora, reverse("review:notification_list"))) == []


def test_an_unknown_section_key_reads_as_chinese_in_the_diff():
    rows = filing_diff({"notes": {}}, {"notes": {"zz_new_part": "文字"}}, {})
    assert [r.label for r in rows] == ["其他说明"]


def test_a_finding_with_an_unknown_code_and_no_message_reads_as_chinese(client, personas, filing):
    """A result stored by a newer rule set may carry a code this version has no words for."""
    sub, evaluation = filing
    stray = {"code": "zz_future_check", "severity": "warning", "message": "", "indicator_id": None}
    evaluation.result = {**evaluation.result, "findings": [*evaluation.result["findings"], stray]}
    evaluation.save()
    detail = _page(client, personas.dora, reverse("review:evaluation_detail", args=[evaluation.pk]))
    assert 'data-code="zz_future_check"' in detail  # the code stays for machines
    assert "其他提示" in detail and codes_in(detail) == []


def test_an_unknown_report_section_reads_as_chinese_on_the_report_and_the_form(
    client, personas, filing
):
    """A section key from an imported file that this version has no title for."""
    sub, evaluation = filing
    evaluation.notes = {**evaluation.notes, "zz_custom": "自定义部分文字"}
    evaluation.save()
    report = _page(
        client, personas.dora, reverse("reports:evaluation_report", args=[evaluation.pk])
    )
    assert "自定义部分文字" in report and "其他说明" in report
    assert codes_in(report) == []
    workflow.evaluation_department_return(
        evaluation=evaluation, user=personas.dora, comment="再核实", indicator_comments={}
    )
    form = _page(client, sub.carol, reverse("projects:evaluation_edit", args=[evaluation.pk]))
    assert codes_in(form) == []


def test_the_diff_names_sections_for_the_kind_and_achievement_in_words():
    before = {"notes": {}, "indicators": {"7": {"name": "满意度", "achievement": "partial"}}}
    after = {
        "notes": {"overview": "概况"},
        "indicators": {"7": {"name": "满意度", "achievement": "met"}},
    }
    rows = filing_diff(before, after, {}, kind="department_overall")
    assert [(r.label, r.before, r.after) for r in rows] == [
        ("满意度·完成程度", "部分达成", "达成"),
        ("一、基本概况", "—", "概况"),  # 部门整体's heading, not the project report's 一、基本情况
    ]


def test_a_finding_with_an_unknown_severity_reads_as_a_word(client, personas, filing):
    """A severity this version does not know is named 提示, never printed as its code."""
    sub, evaluation = filing
    stray = {"code": "deviation_missing", "severity": "critical", "message": "示例提示"}
    evaluation.result = {**evaluation.result, "findings": [*evaluation.result["findings"], stray]}
    evaluation.save()
    detail = _page(client, personas.dora, reverse("review:evaluation_detail", args=[evaluation.pk]))
    assert "【提示】示例提示" in detail
    assert "critical" not in " ".join(codes_in(detail)) and "【critical】" not in detail
