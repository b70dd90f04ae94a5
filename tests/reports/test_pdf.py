"""PDF quality: the text reads back with every figure, the CJK font is embedded, pages render."""

import re

import pytest
from django.urls import reverse

from reports import pdf
from tests.reports import pdftools


def _get_pdf(client, user, url) -> bytes:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return response.content


def test_the_cjk_font_is_found_on_this_machine():
    pdf.cjk_font_installed.cache_clear()
    assert pdf.cjk_font_installed()


def test_table_pdf_reads_back_name_amounts_scores_and_grade(client, personas, business_env):
    data = _get_pdf(
        client, personas.alice, reverse("reports:evaluation_table_pdf", args=[business_env.pk])
    )
    text = pdftools.text(data)
    for words in (
        "项目支出绩效自评表",
        "（2023年度）",
        "区创优营商环境服务中心工作经费",
        "相山区人民政府办公室",
        "年度资金总额",
        "其中：当年财政拨款",
        "走访企业数量",
        "≥1600家",
        "1600家",
        "保障单位日常工作正常运转",
    ):
        assert words in text, words
    # every amount (万元), the rate, the execution score, every indicator score, total and grade
    for figure in ("46.00", "38.76", "84.26%", "8.43", "10.00", "20.00", "30.00", "98.43"):
        assert figure in text, figure
    assert "自评等级：优" in text
    assert "\ufffd" not in text


def test_table_pdf_embeds_only_noto_cjk_subsets(client, personas, business_env):
    data = _get_pdf(
        client, personas.alice, reverse("reports:evaluation_table_pdf", args=[business_env.pk])
    )
    fonts = pdftools.fonts(data)
    assert fonts
    for font in fonts:
        # A subset (ABCDEF+Name) of Noto CJK, embedded, with a ToUnicode map so text extracts.
        assert re.match(r"^/[A-Z]{6}\+Noto-Sans-CJK-SC", font["name"]), font
        assert font["embedded"] and font["to_unicode"], font


def test_department_overall_pdf_reads_back_the_seed_002_figures(client, personas, urumqi_overall):
    data = _get_pdf(
        client, personas.bob, reverse("reports:evaluation_table_pdf", args=[urumqi_overall.pk])
    )
    text = pdftools.text(data)
    assert "部门整体支出绩效自评表" in text
    for figure in ("367.19", "556.83", "554.23", "99.53%", "9.95", "189.64", "51.65%"):
        assert figure in text, figure
    for score in ("0.00", "5.89", "25.00", "15.00", "85.84"):
        assert score in text, score
    assert "年中监控值" in text and "163.93万元" in text
    assert "自评等级：良" in text


def test_pdf_pages_render_to_png_artifacts(client, personas, business_env, urumqi_overall):
    client.force_login(personas.frank)
    for name, url in (
        ("evaluation-table", reverse("reports:evaluation_table_pdf", args=[business_env.pk])),
        (
            "department-overall-table",
            reverse("reports:evaluation_table_pdf", args=[urumqi_overall.pk]),
        ),
        ("evaluation-report", reverse("reports:evaluation_report_pdf", args=[business_env.pk])),
    ):
        data = client.get(url).content
        pngs = pdftools.render_pngs(data, name)
        assert pngs and all(p.stat().st_size > 5000 for p in pngs), name


def test_missing_font_gives_a_clear_chinese_error_page(client, personas, business_env, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_installed", lambda: False)
    client.force_login(personas.alice)
    response = client.get(reverse("reports:evaluation_table_pdf", args=[business_env.pk]))
    assert response.status_code == 503
    html = response.content.decode()
    assert "缺少中文字体" in html and "fonts-noto-cjk" in html
    # the page and the workbook still work without the font
    assert (
        client.get(reverse("reports:evaluation_table", args=[business_env.pk])).status_code == 200
    )
    assert (
        client.get(reverse("reports:evaluation_table_xlsx", args=[business_env.pk])).status_code
        == 200
    )


def test_render_pdf_refuses_without_the_font(monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_installed", lambda: False)
    with pytest.raises(pdf.FontMissing, match="fonts-noto-cjk"):
        pdf.html_to_pdf("<p>测试</p>")
