"""The 自评报告 never contradicts its tables: the check, and the submit and publish guards.

Golden figures: seed 002's report says "综合得分91.95分，评价结果为“优”" and "预算经费…自评得分
12分" where the national rules give 85.84 良 and 5.89 (tests/reports/conftest.py URUMQI_RESULT,
worked by hand); seed 000's department report lists 17 projects with their published scores;
seed 001's business-environment project is 38.76 / 46 万元 = 84.26%, 8.43 + 90 = 98.43 优.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from projects import narrative_check as check
from projects.models import Evaluation, EvaluationStatus
from projects.narrative import IndicatorFacts, NarrativeData, draft_sections
from projects.report_check import report_findings
from projects.review.services import workflow
from tests.projects.test_filing_support import business_env, form_data, page_form_data
from tests.projects.test_review_support import fast_password_hashing, put_in  # noqa: F401

S = EvaluationStatus
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
D = Decimal


def _notes(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["notes"]


# ---------------------------------------------------------------- the pure check

URUMQI_SCORES = ("0.00", "5.89", "10.00", "10.00", "25.00", "15.00", "10.00")
URUMQI_RESULT = {
    "execution_rate": "99.53",
    "execution_score": "9.95",
    "indicator_total": "75.89",
    "total": "85.84",
    "grade": "良",
    "indicators": [{"score": s, "status": "met"} for s in URUMQI_SCORES],
}


def _urumqi_data() -> NarrativeData:
    doc = json.loads(
        (FIXTURES / "seed002-urumqi-hitech-industrial-park-2023-department.json").read_text()
    )
    facts = tuple(
        IndicatorFacts(
            i,
            row["level1"],
            row.get("level2") or "",
            row["name"],
            row.get("target") or "",
            row.get("actual") or "",
            D(row["weight"]),
            row.get("deviation") or "",
            row.get("midyear_actual") or "",
        )
        for i, row in enumerate(doc["indicators"])
    )
    name = "乌鲁木齐高新技术产业开发区（乌鲁木齐市新市区）工业园区管理办公室"
    return NarrativeData(
        kind="department_overall",
        year=2023,
        subject_name=name,
        unit_name=name,
        department_name=name,
        money_unit="万元",
        initial=D("3671900"),
        adjusted=D("5568300"),
        executed=D("5542300"),
        indicators=facts,
    )


def _messages(findings) -> list[str]:
    return [f["message"] for f in findings]


def test_seed_002s_report_contradicts_its_table_three_times_and_only_there():
    figures = check.table_figures(URUMQI_RESULT, _urumqi_data(), ())
    findings = check.check_report(
        _notes("seed002-urumqi-hitech-industrial-park-2023-department.json"), figures
    )
    assert {(f["code"], f["severity"]) for f in findings} == {(check.MISMATCH, "error")}
    assert _messages(findings) == [
        "自评报告“三、整体支出绩效分析”中指标“预算经费”的得分为12分，与表中的5.89分不一致，"
        "请按表格修改文字（或修改表格）。",
        "自评报告“四、评价结论”中总分为91.95分，与表中的85.84分不一致，"
        "请按表格修改文字（或修改表格）。",
        "自评报告“四、评价结论”中等级为“优”，与表中的“良”不一致，请按表格修改文字（或修改表格）。",
    ]
    # Its budget paragraphs (367.19 → 556.83 → 554.23 万元, 99.53%) agree with the table, and
    # 基本支出's own 350.93万元 / 99.26% are a part, not the whole: no finding for them.
    assert all(f["section"] in ("performance_analysis", "conclusion") for f in findings)


def test_the_drafted_text_agrees_with_its_table():
    data = _urumqi_data()
    figures = check.table_figures(URUMQI_RESULT, data, ())
    assert check.check_report(draft_sections(URUMQI_RESULT, data), figures) == []


def _kfq_figures(car_total="99.78", car_grade="优", count=17) -> check.TableFigures:
    projects = [check.ProjectFigures("公车采购项目", D(car_total), car_grade, D("97.76"))]
    projects += [
        check.ProjectFigures(f"项目{i}", D("100"), "优", D("100")) for i in range(count - 1)
    ]
    return check.TableFigures(
        kind="department_overall",
        money_unit="万元",
        total=D("96.50"),
        grade="优",
        execution_rate=D("94.71"),
        adjusted=D("98938900"),
        executed=D("93708600"),
        projects=tuple(projects),
    )


def test_a_department_report_quoting_a_projects_old_score_is_caught():
    # Seed 000: the pasted table says 公车采购项目 99.78 优; its live score is 86.27 良.
    notes = _notes("seed000-kfq-2024-department.json")
    findings = check.check_report(notes, _kfq_figures("86.27", "良"))
    assert _messages(findings) == [
        "自评报告“预算规模及资金使用”中表中项目“公车采购项目”的得分为99.78分，与表中的86.27分"
        "不一致，请按表格修改文字（或修改表格）。",
        "自评报告“预算规模及资金使用”中表中项目“公车采购项目”的等级为“优”，与表中的“良”不一致，"
        "请按表格修改文字（或修改表格）。",
    ]
    # With the live figures equal to the published ones the same text passes.
    assert check.check_report(notes, _kfq_figures()) == []


def test_a_project_named_in_prose_is_checked_against_its_own_score():
    text = "公车采购项目自评得分99.78分，评价等级为“优”。部门整体自评得分96.5分。"
    findings = check.check_section("conclusion", text, _kfq_figures("86.27", "良"))
    assert [(f["quoted"], f["expected"]) for f in findings] == [
        ("99.78分", "86.27分"),
        ("“优”", "“良”"),
    ]


def test_the_number_of_projects_is_checked():
    notes = {"budget": "纳入绩效考评的项目共计17个（含追加项目）。"}
    assert check.check_report(notes, _kfq_figures()) == []
    findings = check.check_report(notes, _kfq_figures(count=15))
    assert [(f["quoted"], f["expected"]) for f in findings] == [("17个", "15个")]


def test_amounts_compare_at_the_tables_precision_in_either_unit():
    figures = check.TableFigures(
        kind="project", money_unit="万元", adjusted=D("600000"), executed=D("579948")
    )
    # 579,948 元 is 57.9948万元, printed 57.99 (half-up): each way of writing it agrees.
    for text in ("全年执行数57.99万元。", "全年执行数57.9948万元。", "全年执行数579,948元。"):
        assert check.check_section("overview", text, figures) == [], text
    findings = check.check_section("overview", "全年执行数58万元。", figures)
    assert [(f["quoted"], f["expected"]) for f in findings] == [("58万元", "57.99万元")]


def test_placeholders_warn_while_drafting_and_block_publication():
    figures = check.TableFigures(kind="project")
    for text in ("（未填写预期目标）", "建设XX个站点", "完成××项", "【请填写】"):
        assert [f["severity"] for f in check.check_section("other", text, figures)] == [
            "warning"
        ], text
        findings = check.check_section("other", text, figures, publishing=True)
        assert [(f["code"], f["severity"]) for f in findings] == [(check.PLACEHOLDER, "error")]


# ---------------------------------------------------------------- submit and publish

WRONG_TOTAL = "项目绩效自评得分99分，等级为“优”。"


@pytest.fixture
def filing(personas):
    """Seed 001's business-environment project in alice's unit (its own department): 98.43 优."""
    return business_env(personas.unit_a)


@pytest.mark.django_db
def test_a_report_stating_a_total_its_table_contradicts_cannot_be_submitted(personas, filing):
    filing.notes = {"achievement": WRONG_TOTAL}
    filing.save()
    with pytest.raises(workflow.SubmissionBlocked) as blocked:
        workflow.evaluation_submit(evaluation=filing, user=personas.alice)
    assert [f["code"] for f in blocked.value.findings] == [check.MISMATCH]
    assert "总分为99分，与表中的98.43分不一致" in blocked.value.findings[0]["message"]
    assert "自评报告与表格不一致" in blocked.value.messages[0]
    assert Evaluation.objects.get(pk=filing.pk).status == S.DRAFT


@pytest.mark.django_db
def test_the_same_filing_with_the_drafted_text_can_be_submitted(personas, filing):
    filing.notes = {}
    filing.save()
    workflow.evaluation_submit(evaluation=filing, user=personas.alice)
    assert Evaluation.objects.get(pk=filing.pk).status == S.DEPARTMENT_APPROVED


@pytest.mark.django_db
def test_a_placeholder_does_not_stop_submission_but_stops_publication(personas, filing):
    filing.notes = {"other": "（未填写其他需要说明的问题）"}
    filing.save()
    workflow.evaluation_submit(evaluation=filing, user=personas.alice)
    put_in(Evaluation.objects.get(pk=filing.pk), S.APPROVED)
    with pytest.raises(ValidationError) as refused:
        workflow.evaluation_publish(evaluation=filing, user=personas.frank)
    assert "暂不能公开" in refused.value.messages[0]
    assert "（未填写其他需要说明的问题）" in refused.value.messages[1]
    assert Evaluation.objects.get(pk=filing.pk).status == S.APPROVED


@pytest.mark.django_db
def test_an_approved_filing_with_the_drafted_text_is_published(personas, filing):
    put_in(filing, S.APPROVED)
    workflow.evaluation_publish(evaluation=filing, user=personas.frank)
    assert Evaluation.objects.get(pk=filing.pk).status == S.PUBLISHED


@pytest.mark.django_db
def test_submitting_the_page_with_a_wrong_total_shows_the_finding_at_the_section(
    client, personas, filing
):
    client.force_login(personas.alice)
    url = reverse("projects:evaluation_submit", args=[filing.pk])
    response = client.post(url, form_data(filing, **{"nr-note_achievement": WRONG_TOTAL}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "提交未成功" in html
    assert 'href="#id_nr-note_achievement"' in html
    section = html[html.index('id="section-achievement"') :]
    section = section[: section.index("</textarea>")]
    assert "总分为99分，与表中的98.43分不一致" in section
    assert Evaluation.objects.get(pk=filing.pk).status == S.DRAFT


@pytest.mark.django_db
def test_submitting_the_page_as_drafted_succeeds(client, personas, filing):
    client.force_login(personas.alice)
    page = client.get(reverse("projects:evaluation_edit", args=[filing.pk])).content.decode()
    data = page_form_data(page)
    assert "98.43" in data["nr-note_achievement"]
    response = client.post(reverse("projects:evaluation_submit", args=[filing.pk]), data)
    assert response.status_code == 302
    assert Evaluation.objects.get(pk=filing.pk).status == S.DEPARTMENT_APPROVED


@pytest.mark.django_db
def test_publishing_through_the_page_with_a_placeholder_is_refused(client, personas, filing):
    filing.notes = {"overview": "（三）绩效目标。（未填写预期目标）"}
    filing.save()
    put_in(filing, S.APPROVED)
    client.force_login(personas.frank)
    response = client.post(reverse("review:evaluation_publish", args=[filing.pk]), follow=True)
    html = response.content.decode()
    assert "暂不能公开" in html and "（未填写预期目标）" in html
    assert Evaluation.objects.get(pk=filing.pk).status == S.APPROVED


@pytest.mark.django_db
def test_the_review_page_lists_the_reports_findings(client, personas, filing):
    filing.notes = {"achievement": WRONG_TOTAL}
    filing.save()
    put_in(filing, S.DEPARTMENT_APPROVED)
    client.force_login(personas.frank)
    html = client.get(reverse("review:evaluation_detail", args=[filing.pk])).content.decode()
    assert "自评报告“二、绩效目标实现情况”中总分为99分，与表中的98.43分不一致" in html


@pytest.mark.django_db
def test_a_department_report_is_checked_against_the_live_project_scores(personas, filing):
    # The department's own 部门整体 filing quotes the project at a score it no longer has.
    from tests import factories as f

    overall = f.EvaluationFactory(
        project=f.ProjectFactory(
            unit=personas.unit_a, year=2023, kind="department_overall", name="部门整体"
        ),
        notes={"conclusion": "区创优营商环境服务中心工作经费自评得分99.5分，评价等级为“优”。"},
    )
    findings = report_findings(overall)
    assert [(f["quoted"], f["expected"]) for f in findings] == [("99.5分", "98.43分")]


PIECES = st.sampled_from(
    [
        "自评得分",
        "总分",
        "综合得分",
        "得分",
        "分",
        "等级为",
        "“优”",
        "良",
        "预算执行率",
        "%",
        "年初预算数",
        "全年执行数",
        "万元",
        "元",
        "共",
        "个项目",
        "项目共计",
        "｜",
        "|",
        "\t",
        "\n",
        "。",
        "，",
        "预算经费",
        "公车采购项目",
        "（未填写",
        "）",
        "XX",
        "【请填写】",
        "9" * 40,
        "1,234,567,890,123,456",
        "0.0000001",
        "99.999",
        "12",
        "-",
        ".",
        "１２",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=30))
def test_no_text_makes_the_check_fail(pieces):
    text = "".join(pieces)
    for publishing in (False, True):
        for finding in check.check_section(
            "conclusion", text, _kfq_figures(), publishing=publishing
        ):
            assert finding["message"].startswith("自评报告“")
    figures = check.table_figures(URUMQI_RESULT, _urumqi_data(), ())
    check.check_report({"performance_analysis": text}, figures)


def test_a_total_after_an_indicators_sentence_is_the_projects_total():
    figures = check.TableFigures(
        kind="project", total=D("98.43"), indicators=(("走访企业数量", D("50")),)
    )
    text = "走访企业数量完成1650家。该项目绩效自评得分为98.43分。"
    assert check.check_section("achievement", text, figures) == []
    wrong = check.check_section("achievement", text.replace("98.43", "96"), figures)
    assert [(f["quoted"], f["expected"]) for f in wrong] == [("96分", "98.43分")]


def test_a_bare_score_of_an_unnamed_item_is_not_read_as_the_total():
    # Seed 001's report, copied from another project: "“人大会议费”项目评价得分10分".
    figures = check.TableFigures(kind="project", total=D("98.43"))
    text = "“人大会议费”项目评价得分10分，该项目决策依据充分。"
    assert check.check_section("indicator_analysis", text, figures) == []


@pytest.mark.django_db
def test_the_demos_urumqi_report_shows_its_contradictions_and_cannot_be_submitted(client):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    evaluation = Evaluation.objects.get(
        project__kind="department_overall", project__unit__department__region__name="乌鲁木齐高新区"
    )
    assert (str(evaluation.computed_total), evaluation.computed_grade) == ("85.84", "良")
    client.force_login(get_user_model().objects.get(username="wlmq_filer"))
    html = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk])).content.decode()
    conclusion = html[html.index('id="section-conclusion"') :]
    conclusion = conclusion[: conclusion.index("</textarea>")]
    assert "总分为91.95分，与表中的85.84分不一致" in conclusion
    assert "等级为“优”，与表中的“良”不一致" in conclusion
    assert "指标“预算经费”的得分为12分，与表中的5.89分不一致" in html
    with pytest.raises(workflow.SubmissionBlocked) as blocked:
        workflow.evaluation_submit(
            evaluation=evaluation, user=get_user_model().objects.get(username="wlmq_filer")
        )
    codes = [f["code"] for f in blocked.value.findings]
    assert codes.count(check.MISMATCH) == 3
