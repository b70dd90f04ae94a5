"""python manage.py render_report: the same documents from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.reports import pdftools


def _run(*args) -> str:
    out = io.StringIO()
    call_command("render_report", *args, stdout=out)
    return out.getvalue()


def test_evaluation_table_as_pdf(tmp_path, business_env):
    out = tmp_path / "table.pdf"
    message = _run("--evaluation", str(business_env.pk), "--format", "pdf", "--out", str(out))
    assert "已生成" in message
    text = pdftools.text(out.read_bytes())
    assert "区创优营商环境服务中心工作经费" in text and "98.43" in text


def test_evaluation_table_as_xlsx_and_html(tmp_path, business_env):
    xlsx, html = tmp_path / "t.xlsx", tmp_path / "t.html"
    _run("--evaluation", str(business_env.pk), "--format", "xlsx", "--out", str(xlsx))
    _run("--evaluation", str(business_env.pk), "--format", "html", "--out", str(html))
    sheet = load_workbook(xlsx).worksheets[0]
    assert sheet["A1"].value == "项目支出绩效自评表"
    page = html.read_text(encoding="utf-8")
    # one self-contained file: the print stylesheet is inlined
    assert "<style>" in page and "@page" in page and "98.43" in page


def test_evaluation_report_in_yuan(tmp_path, business_env):
    out = tmp_path / "report.pdf"
    _run("--evaluation", str(business_env.pk), "--report", "--money-unit", "元", "--out", str(out))
    text = pdftools.text(out.read_bytes())
    assert "项目支出绩效自评报告" in text and "460,000.00" in text


def test_department_package(tmp_path, personas, business_env, work_funds):
    out = tmp_path / "package.pdf"
    _run(
        "--department", personas.department_a.code, "--year", "2023", "--package", "--out", str(out)
    )
    pages = pdftools.pages_text(out.read_bytes())
    assert "目录" in pages[1] and f"第2页共{len(pages)}页" in pages[1]
    assert "区政府工作经费" in "".join(pages) and "96.12" in "".join(pages)


def test_department_summary_workbook(tmp_path, personas, business_env, work_funds):
    out = tmp_path / "summary.xlsx"
    _run(
        "--department",
        personas.department_a.code,
        "--year",
        "2023",
        "--summary",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    assert load_workbook(out)["项目自评汇总"].freeze_panes == "A4"


def test_a_user_option_applies_the_gate(tmp_path, personas, business_env):
    with pytest.raises(CommandError, match="未找到"):
        _run("--evaluation", str(business_env.pk), "--user", "bob", "--out", str(tmp_path / "x"))


def test_errors_are_explained(tmp_path, personas, business_env):
    with pytest.raises(CommandError, match="--evaluation"):
        _run("--out", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="--year"):
        _run("--department", personas.department_a.code, "--package", "--out", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="没有自评"):
        _run(
            "--department",
            personas.department_a.code,
            "--year",
            "2019",
            "--package",
            "--out",
            str(tmp_path / "x"),
        )
