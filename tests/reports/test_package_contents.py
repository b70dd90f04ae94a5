"""What a department package holds: the right documents, statistics of exactly those, one bookmark
per document named after it, and each document's state.

Figures are seed 000's published ones (fixtures/README.md): 公车采购项目 491,400 / 480,400 元,
97.76%, 99.78 优; 审计、评估等相关费用 800,000 / 672,362 元, 84.05%, 98.40 优; 工会活动经费
900,000 / 895,157 元, 99.46%, 99.95 优; 武装工作经费 100,000 / 0 元, 85.00 良.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from projects.models import EvaluationStatus
from reports.selectors.package import OMITTED_NOTE, omit_lines
from tests.reports import pdftools
from tests.reports.conftest import _project


def outline(data: bytes) -> list[str]:
    """The PDF's bookmarks, depth first, as a reader's side panel lists them."""

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(PdfReader(io.BytesIO(data)).outline))


def contents(pages: list[str]) -> dict[str, int]:
    """The contents page's entries: title (with its state) → page number."""
    return {
        title: int(page)
        for title, page in re.findall(r"([^.]+?)\.{3,}第(\d+)页", pages[1].removeprefix("目录"))
    }


def test_public_package_counts_and_lists_only_published_projects(client, personas, kfq_department):
    url = reverse(
        "publication_department_pdf", args=[personas.region.code, 2024, personas.department_b.code]
    )
    response = client.get(url)
    assert response.status_code == 200
    pages = pdftools.pages_text(response.content)
    text = "".join(pages)

    # the summary's rows are the two published projects, totalled: 491,400 + 800,000 元 =
    # 129.14 万元; 480,400 + 672,362 = 1,152,762 元 = 115.28 万元; 1,152,762 / 1,291,400 = 89.26%
    entries = contents(pages)
    summary_title = next(t for t in entries if "项目支出绩效自评结果汇总表" in t)
    summary = pages[entries[summary_title] - 1]
    for figure in ("公车采购项目", "99.78", "审计、评估等相关费用", "98.40"):
        assert figure in summary, figure
    for figure in ("129.14", "115.28", "89.26%"):
        assert figure in summary, figure

    # the generated counts say the same: 2 projects, both 优, 评优率 100%
    assert re.findall(r"纳入绩效自评的项目(\d+)个", text) == ["2"]
    assert "“优”2个，“良”0个" in text
    assert "评优率为100%" in text

    # one 自评表 per published project, none for the others
    assert [t for t in outline(response.content) if t.startswith("项目支出绩效自评表")] == [
        "项目支出绩效自评表：公车采购项目",
        "项目支出绩效自评表：审计、评估等相关费用",
    ]
    # nothing of the unpublished projects, not even from the filer's own 17-row table
    for unpublished in ("武装工作经费", "工会活动经费", "85.00", "99.95", "895,157"):
        assert unpublished not in text, unpublished
    # while the filer's rows of published projects stay, and the omission is said
    # (the pasted table prints as a table: its cells read back as separate runs)
    assert "公车采购项目 491,400 480,400 97.76 99.78 优" in pdftools.spaced_text(response.content)
    assert "本汇编未收录项目" in text


def test_department_with_overall_evaluation_outline_names_every_document(
    client, personas, kfq_department
):
    client.force_login(personas.frank)
    url = reverse("reports:department_package", args=[personas.department_b.pk, 2024])
    response = client.get(url)
    assert response.status_code == 200
    assert outline(response.content) == [
        "部门整体支出绩效自评报告",
        "部门整体支出绩效自评表",
        "项目支出绩效自评结果汇总表",
        "项目支出绩效自评表：公车采购项目",
        "项目支出绩效自评表：武装工作经费",
        "项目支出绩效自评表：工会活动经费",
        "项目支出绩效自评表：审计、评估等相关费用",
    ]


def test_signed_in_package_says_each_documents_state(client, personas, kfq_department):
    client.force_login(personas.frank)
    url = reverse("reports:department_package", args=[personas.department_b.pk, 2024])
    content = client.get(url).content
    pages = pdftools.pages_text(content)
    entries = contents(pages)
    states = {
        name: next(t for t in entries if name in t)
        for name in ("公车采购项目", "武装工作经费", "工会活动经费", "结果汇总表")
    }
    assert states["公车采购项目"].endswith("（已公开）")
    assert states["武装工作经费"].endswith("（审核通过）")
    assert states["工会活动经费"].endswith("（草稿）")
    # the summary holds a draft row, so it is no more final than its weakest row
    assert states["结果汇总表"].endswith("（草稿）")
    # the finance reviewer sees every project, so the filer's table is printed whole
    assert "本汇编未收录项目" not in "".join(pages)
    assert "工会活动经费 900,000 895,157 99.46 99.95 优" in pdftools.spaced_text(content)


def test_department_without_overall_evaluation_gets_each_projects_report_and_table(
    client, personas, business_env, work_funds
):
    client.force_login(personas.dora)
    url = reverse("reports:department_package", args=[personas.department_a.pk, 2023])
    response = client.get(url)
    pages = pdftools.pages_text(response.content)
    text = "".join(pages)

    assert "部门整体支出绩效自评报告" not in text  # no stub of a report nobody filed
    titles = outline(response.content)
    assert sorted(titles) == sorted(
        [
            "项目支出绩效自评结果汇总表",
            "项目支出绩效自评报告：区政府工作经费",
            "项目支出绩效自评表：区政府工作经费",
            "项目支出绩效自评报告：区创优营商环境服务中心工作经费",
            "项目支出绩效自评表：区创优营商环境服务中心工作经费",
        ]
    )
    # each project's report is followed by its own table
    for name in ("区政府工作经费", "区创优营商环境服务中心工作经费"):
        at = titles.index(f"项目支出绩效自评报告：{name}")
        assert titles[at + 1] == f"项目支出绩效自评表：{name}"

    entries = contents(pages)
    report = next(t for t in entries if t.startswith("区政府工作经费2023年度项目支出绩效自评报告"))
    page = pages[entries[report] - 1]
    assert "区政府工作经费2023年度项目支出绩效自评报告" in page
    # the report quotes its own table: 134.64 of 220 万元 executed, total 96.12 (seed 001)
    assert "134.64万元" in page and "96.12分" in page


@pytest.mark.parametrize("more", [0, 2])
def test_package_query_count_does_not_grow_with_its_projects(
    client, personas, kfq_department, django_assert_num_queries, more
):
    # two more of seed 000's projects (invented indicator rows, scored as the seed publishes)
    extra = [
        ("08-statistics-census", "100.00", "10.00", "100.00"),
        ("14-advertising-publicity", "100.00", "10.00", "100.00"),
    ]
    for slug, rate, execution, total in extra[:more]:
        result = {
            "execution_rate": rate,
            "execution_score": execution,
            "indicator_total": "90.00",
            "total": total,
            "grade": "优",
        }
        _project(slug, personas.unit_b, result, EvaluationStatus.DRAFT)
    client.force_login(personas.frank)
    url = reverse("reports:department_package", args=[personas.department_b.pk, 2024])
    # 10 to build the package (one of them the year's filed monitoring values), and 3 to decide between a stored file and a render: what the
    # reviewer sees and what the department has (a draft among them: rendered now), and the
    # department for the renderer
    with django_assert_num_queries(13):
        response = client.get(url)
    assert len(pdftools.pages_text(response.content)) > 8


def test_filer_text_keeps_lines_of_printed_projects_whose_name_holds_a_left_out_one():
    notes = {
        "budget": "招商工作经费（追加）｜50｜50｜100｜优\n招商工作经费｜300｜233｜77.68｜95.95｜优",
        "other": "无",
    }
    kept = omit_lines(notes, left_out=["招商工作经费"], printed=["招商工作经费（追加）"])
    assert kept["budget"].split("\n") == ["招商工作经费（追加）｜50｜50｜100｜优", OMITTED_NOTE]
    assert kept["other"] == "无"
