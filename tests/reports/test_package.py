"""The department package: cover, contents with page numbers, reports, summary, every 自评表."""

import re

import pytest
from django.urls import reverse

from tests.reports import pdftools


@pytest.fixture(params=["whole", "in small runs"])
def assembly(request, monkeypatch):
    """The package as it is assembled: a few documents per part and 50 page numbers per run,
    or (to cross every seam in a small package) one document per part and 3 numbers per run."""
    if request.param == "in small runs":
        monkeypatch.setattr("reports.stored.package_pdf.PART_SIZE", 1)
        monkeypatch.setattr("reports.stored.package_pdf.NUMBER_RUN", 3)
    return request.param


def test_package_has_cover_contents_summary_and_every_projects_report_and_table(
    client, personas, business_env, work_funds, assembly
):
    client.force_login(personas.dora)
    url = reverse("reports:department_package", args=[personas.department_a.pk, 2023])
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = pdftools.pages_text(response.content)
    total = len(pages)

    cover, contents = pages[0], pages[1]
    assert "相山区人民政府办公室" in cover and "2023年度预算绩效自评资料" in cover
    assert "第1页" not in cover  # the cover carries no page number
    assert "本汇编含草稿文件，不作为正式文件" in cover  # both projects are drafts
    assert "目录" in contents

    # every page after the cover: 第 N 页 共 M 页
    for number, page in enumerate(pages[1:], start=2):
        assert f"第{number}页共{total}页" in page, number

    # the contents give each part's page (and its state), and that page holds the part; no
    # department report: the department filed no 部门整体 evaluation, so each project's report
    entries = dict(
        (title.removesuffix("（草稿）"), int(page))
        for title, page in re.findall(r"([^.]+?)\.{3,}第(\d+)页", contents.removeprefix("目录"))
    )
    expected = {
        "相山区人民政府办公室2023年度项目支出绩效自评结果汇总表": "项目支出绩效自评结果汇总表",
        "区政府工作经费2023年度项目支出绩效自评报告": "区政府工作经费2023年度项目支出绩效自评报告",
        "区政府工作经费项目支出绩效自评表": "区政府工作经费",
        "区创优营商环境服务中心工作经费2023年度项目支出绩效自评报告": (
            "区创优营商环境服务中心工作经费2023年度项目支出绩效自评报告"
        ),
        "区创优营商环境服务中心工作经费项目支出绩效自评表": "区创优营商环境服务中心工作经费",
    }
    assert len(entries) == len(expected), entries
    for title, marker in expected.items():
        assert title in entries, (title, entries)
        assert marker in pages[entries[title] - 1], title
    table_page = pages[entries["区创优营商环境服务中心工作经费项目支出绩效自评表"] - 1]
    assert "项目支出绩效自评表" in table_page and "98.43" in table_page

    # the summary lists both projects with their figures (万元)
    summary = pages[entries["相山区人民政府办公室2023年度项目支出绩效自评结果汇总表"] - 1]
    for figure in ("220.00", "134.64", "61.20%", "96.12", "46.00", "38.76", "84.26%", "98.43"):
        assert figure in summary, figure
    pdftools.render_pngs(response.content, "department-package")


def test_package_of_a_department_without_evaluations_is_404(client, personas, business_env):
    client.force_login(personas.dora)
    url = reverse("reports:department_package", args=[personas.department_a.pk, 2019])
    assert client.get(url).status_code == 404
