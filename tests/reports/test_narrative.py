"""The 自评报告: drafted from the same figures as the table, the filer's text first."""

from decimal import Decimal

from django.urls import reverse

from projects.models import Evaluation, FundLine
from reports import narrative
from reports.selectors import department_report, evaluation_report
from tests.reports import pdftools


def _report(evaluation):
    return evaluation_report(Evaluation.objects.all(), pk=evaluation.pk)


def _text(report) -> str:
    return "\n".join(p for s in report.sections for p in s.paragraphs)


def test_project_report_has_the_outline_of_domain_3_3(work_funds):
    headings = [s.heading for s in _report(work_funds).sections if s.level == 1]
    assert headings == [
        "一、基本情况",
        "二、绩效目标实现情况",
        "三、偏离目标的原因和改进措施",
        "四、结果应用",
        "五、其他需要说明的问题",
    ]


def test_drafted_text_quotes_the_tables_figures(work_funds):
    text = _text(_report(work_funds))
    # Seed 001: 220 / 220 / 134.64 万元, 61.2%, 6.12 points, total 96.12, 优.
    for words in ("220万元", "134.64万元", "61.2%", "6.12", "96.12", "“优”", "区政府工作经费"):
        assert words in text, words


def test_changing_the_executed_amount_changes_the_text(work_funds):
    FundLine.objects.filter(
        project=work_funds.project, source__in=["total", "current_year"]
    ).update(executed=Decimal("1500000"))
    text = _text(_report(work_funds))
    # (the filer's own 实际完成情况 still says 134.64: that is their text, not a drafted figure)
    assert "全年执行数150万元" in text and "全年执行数134.64万元" not in text


def test_rescoring_after_a_change_moves_every_figure_in_the_text(work_funds):
    from scoring.services import score_evaluation

    FundLine.objects.filter(
        project=work_funds.project, source__in=["total", "current_year"]
    ).update(executed=Decimal("1500000"))
    score_evaluation(Evaluation.objects.get(pk=work_funds.pk))
    report = _report(work_funds)
    text = _text(report)
    # 150 / 220 = 68.1818…% → 68.18%; 10 × 0.681818 → 6.82 points (domain.md §4)
    assert "68.18%" in text and "6.82" in text
    assert "61.2%" not in text
    assert report.table.execution_rate == Decimal("68.18")
    assert f"{report.table.total:.2f}".rstrip("0").rstrip(".") in text


def test_the_filers_own_text_replaces_the_draft(work_funds):
    work_funds.notes = {"deviations": "本项目预算执行率偏低，系部分会议改为线上召开。"}
    work_funds.save()
    section = next(s for s in _report(work_funds).sections if s.key == "deviations")
    assert section.edited
    assert section.paragraphs == ["本项目预算执行率偏低，系部分会议改为线上召开。"]


def test_a_blank_edit_keeps_the_draft(work_funds):
    work_funds.notes = {"deviations": "   "}
    work_funds.save()
    section = next(s for s in _report(work_funds).sections if s.key == "deviations")
    assert not section.edited and "61.2%" in "".join(section.paragraphs)


def test_imported_sections_go_under_the_section_they_belong_to(business_env):
    sections = _report(business_env).sections
    keys = [s.key for s in sections]
    # seed 001's report: 评价工作 under 基本情况, 经验做法 before 其他, problems under 偏离目标
    assert keys.index("overview") < keys.index("evaluation_work") < keys.index("achievement")
    assert keys.index("deviations") < keys.index("problems") < keys.index("application")
    assert keys.index("experience") < keys.index("other")
    work = next(s for s in sections if s.key == "evaluation_work")
    # 基本情况 itself opens with "（一）项目概况。": the sub-section follows it as （二), not a
    # second （一）; its own （一）（二）（三） move down a level (一、 / （一） / 1. / （1）).
    assert work.level == 2 and work.heading == "（二）绩效评价工作开展情况"
    assert work.paragraphs[0].startswith("1.绩效评价目的、对象和范围。")
    assert work.paragraphs[2].startswith("3.绩效评价工作过程。")


def test_department_report_adds_the_projects_and_the_attachments(personas, urumqi_overall):
    report = department_report(
        Evaluation.objects.all(), department=personas.department_b, year=2023
    )
    headings = [s.heading for s in report.sections if s.level == 1]
    assert headings[0] == "一、基本概况" and headings[-1].endswith("、附表")
    assert any(h.endswith("项目支出绩效自评情况") for h in headings)
    subsections = [s.heading for s in report.sections if s.level == 2]
    assert "（一）部门职能" in subsections and "（二）机构与人员" in subsections
    attachments = report.sections[-1].paragraphs[0]
    assert "《部门整体支出绩效自评表》" in attachments


def test_report_page_shows_sections_and_marks_edits_on_screen(client, personas, business_env):
    client.force_login(personas.alice)
    html = client.get(reverse("reports:evaluation_report", args=[business_env.pk])).content.decode()
    assert "区创优营商环境服务中心工作经费2023年度项目支出绩效自评报告" in html
    assert "一、基本情况" in html and "（填报人编辑）" in html


# Seed 000's department report pastes its 17-row table as "｜" lines (fixtures/README.md).
PASTED = (
    "各项目预算执行情况如下表：\n"
    "序号｜名称｜当年预算数（元）｜全年执行数（元）｜预算执行率（%）｜得分｜自评结论\n"
    "1｜公车采购项目｜491,400｜480,400｜97.76｜99.78｜优\n"
    "5｜武装工作经费｜100,000｜0｜0｜85｜良"
)


def _with_pasted_table(evaluation):
    evaluation.notes = {**evaluation.notes, "budget": PASTED}
    evaluation.save()
    return evaluation


def test_a_pasted_table_prints_as_a_table_in_the_html(client, personas, urumqi_overall):
    _with_pasted_table(urumqi_overall)
    client.force_login(personas.bob)
    url = reverse("reports:evaluation_report", args=[urumqi_overall.pk])
    html = client.get(url).content.decode()
    assert "序号｜名称" not in html and "1｜公车采购项目" not in html
    table = html[html.index('<table class="form-table narrative-table">') :]
    table = table[: table.index("</table>")]
    assert "<th>序号</th><th>名称</th><th>当年预算数（元）</th>" in table
    assert '<td class="center">公车采购项目</td><td class="center">491,400</td>' in table
    assert table.count("<tr>") == 3  # the header and two projects
    assert '<p class="para">各项目预算执行情况如下表：</p>' in html


def test_a_pasted_table_prints_as_a_table_in_the_pdf(client, personas, urumqi_overall):
    _with_pasted_table(urumqi_overall)
    client.force_login(personas.bob)
    response = client.get(reverse("reports:evaluation_report_pdf", args=[urumqi_overall.pk]))
    assert response.status_code == 200
    text = pdftools.text(response.content)
    assert "｜" not in text
    for cell in ("当年预算数（元）", "公车采购项目", "491,400", "480,400", "武装工作经费"):
        assert cell in text, cell


def test_paragraphs_that_only_mention_a_bar_stay_paragraphs():
    blocks = narrative.blocks(["甲｜乙", "预算执行率为99.53%。"])
    assert [b.is_table for b in blocks] == [False, False]
