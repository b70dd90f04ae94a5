"""The 自评表 workbook is the printed form: merged blocks and level cells, the PDF's figures and
formats, A4 page set-up, its standing on its face, and no database id anywhere.

Figures are the seeds' published ones (seed 001: 38.76 / 46 万元, 84.26%, 8.43, 98.43 优; seed
000: 672,362 of 800,000 元 prints as 67.24 万元, 84.05%, 8.40, 98.40 优).
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import Evaluation, EvaluationStatus, Indicator, Project
from projects.upload.workbook import read_workbook
from tests import factories as f
from tests.reports.conftest import BUSINESS_ENV_RESULT, build_evaluation


def _sheet(client, user, evaluation, name="reports:evaluation_table_xlsx", **params):
    client.force_login(user)
    response = client.get(reverse(name, args=[evaluation.pk]), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def _find(sheet, text):
    """(row, column) of the first cell reading `text`."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise KeyError(text)


def _merged(sheet) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def test_level_cells_are_merged_down_their_rows_as_in_the_pdf(client, personas, business_env):
    sheet = _sheet(client, personas.alice, business_env)
    header, level1 = _find(sheet, "一级指标")
    assert sheet.cell(header, level1 + 1).value == "二级指标"
    first = header + 1
    merged = _merged(sheet)
    # Seed 001: 产出指标 over four rows (数量 ×3, 时效 ×1); 效益 and 满意度 one row each.
    col1 = sheet.cell(first, level1).column_letter
    col2 = sheet.cell(first, level1 + 1).column_letter
    assert f"{col1}{first}:{col1}{first + 3}" in merged
    assert f"{col2}{first}:{col2}{first + 2}" in merged
    assert sheet.cell(first, level1).value == "产出指标"
    assert sheet.cell(first + 4, level1).value == "效益指标"
    # The blocks above the table are merged as the form prints them.
    assert "A1:I1" in merged and "A2:I2" in merged  # title and 年度 across the table
    assert _find(sheet, "项目名称") == (4, 1) and "A4:B4" in merged and "C4:I4" in merged
    funds_label = _find(sheet, "项目资金\n（万元）")
    assert f"A{funds_label[0]}:A{funds_label[0] + 4}" in merged  # header + four fund rows
    goal = _find(sheet, "年度总体目标")
    assert f"A{goal[0]}:A{goal[0] + 1}" in merged


def test_figures_are_stored_as_the_pdf_prints_them(client, personas, kfq_projects):
    audit, _ = kfq_projects
    sheet = _sheet(client, personas.bob, audit)
    row, label = _find(sheet, "年度资金总额")
    budget, adjusted, executed, weight, rate, score = (
        sheet.cell(row, label + i) for i in range(1, 7)
    )
    assert Decimal(str(budget.value)) == Decimal("80")
    # 672,362 元 is 67.2362 万元; the PDF prints 67.24, and so does the cell, to the figure.
    assert Decimal(str(executed.value)) == Decimal("67.24")
    assert executed.number_format == "#,##0.00"
    assert rate.number_format == "0.00%" and Decimal(str(rate.value)) == Decimal("0.8405")
    assert score.number_format == "0.00" and Decimal(str(score.value)) == Decimal("8.40")
    total_row, _ = _find(sheet, "总分")
    values = [c.value for c in sheet[total_row] if c.value is not None]
    assert 98.4 in values and "自评等级：优" in values
    for cell in sheet[total_row]:
        if cell.value == 98.4:
            assert cell.number_format == "0.00"


def test_the_sheet_is_set_up_for_a4_one_page_wide_with_the_indicator_header_repeated(
    client, personas, business_env
):
    sheet = _sheet(client, personas.alice, business_env)
    header, _ = _find(sheet, "一级指标")
    setup = sheet.page_setup
    assert int(setup.paperSize) == 9  # A4
    assert setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.orientation == "portrait"
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.print_area.endswith("$A$1:$I$" + str(sheet.max_row))


def test_the_department_overall_sheet_is_the_form_too(client, personas, urumqi_overall):
    sheet = _sheet(client, personas.bob, urumqi_overall)
    assert sheet["A1"].value == "部门整体支出绩效自评表"
    header, level1 = _find(sheet, "一级指标")
    merged = _merged(sheet)
    col1 = sheet.cell(header, level1).column_letter
    # Seed 002: 产出指标 over five rows, 成本指标 over the first two.
    assert f"{col1}{header + 1}:{col1}{header + 5}" in merged
    row, label = _find(sheet, "年度预算总额")
    assert Decimal(str(sheet.cell(row, label + 3).value)) == Decimal("554.23")
    assert Decimal(str(sheet.cell(row, label + 5).value)) == Decimal("0.9953")
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == f"${header}:${header}"
    total_row, _ = _find(sheet, "总分")
    assert 85.84 in [c.value for c in sheet[total_row]]
    assert "自评等级：良" in [c.value for c in sheet[total_row]]


def test_a_drafts_workbook_says_draft_and_an_approved_one_names_its_approver(
    client, personas, business_env
):
    sheet = _sheet(client, personas.alice, business_env)
    assert "草稿" in sheet["A3"].value
    assert sheet.oddHeader.center.text == "草稿"
    assert "草稿" in sheet.oddFooter.left.text
    business_env.status = EvaluationStatus.APPROVED
    business_env.approved_at = timezone.make_aware(datetime.datetime(2024, 5, 20, 10))
    business_env.save()
    sheet = _sheet(client, personas.alice, business_env)
    assert "草稿" not in sheet["A3"].value and "未审核" not in sheet["A3"].value
    assert "审核机关" in sheet["A3"].value and "2024年5月20日" in sheet["A3"].value
    assert not sheet.oddHeader.center.text


def test_a_submitted_evaluations_report_workbook_says_not_reviewed(client, personas, business_env):
    business_env.status = EvaluationStatus.SUBMITTED
    business_env.save()
    client.force_login(personas.alice)
    response = client.get(reverse("reports:evaluation_report_xlsx", args=[business_env.pk]))
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        assert "未审核" in sheet["A3"].value, sheet.title
        assert int(sheet.page_setup.paperSize) == 9  # A4


FAR = 1000


@pytest.fixture
def far_ids(personas):
    """Seed 001's evaluation, created after enough throwaway rows that its database ids
    (project, indicators, evaluation) cannot be mistaken for a 序号, a score or a year."""
    filler = f.ProjectFactory(unit=personas.unit_b, year=2022, name="占位项目")
    Indicator.objects.bulk_create(
        Indicator(project=filler, order=n, level1="产出指标", name=f"占位{n}") for n in range(FAR)
    )
    projects = Project.objects.bulk_create(
        Project(unit=personas.unit_b, year=2021, name=f"占位{n}", code=f"X{n}") for n in range(FAR)
    )
    Evaluation.objects.bulk_create(Evaluation(project=p, year=2021) for p in projects)
    evaluation = build_evaluation(
        "seed001-xiangshan-govoffice-2023-business-env.json",
        personas.unit_a,
        result=dict(BUSINESS_ENV_RESULT),
    )
    Indicator.objects.filter(project=filler).delete()
    Evaluation.objects.filter(year=2021).delete()
    Project.objects.filter(year=2021).delete()
    ids = {evaluation.pk, evaluation.project_id}
    ids |= set(Indicator.objects.filter(project=evaluation.project).values_list("pk", flat=True))
    assert min(ids) > FAR
    return evaluation, ids


def _cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


def test_no_workbook_carries_a_database_id(client, personas, far_ids):
    evaluation, ids = far_ids
    client.force_login(personas.alice)
    downloads = {
        "table": reverse("reports:evaluation_table_xlsx", args=[evaluation.pk]),
        "report": reverse("reports:evaluation_report_xlsx", args=[evaluation.pk]),
        "template": reverse("projects:upload_template") + "?year=2023",
    }
    books = {}
    for name, url in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, name
        books[name] = load_workbook(io.BytesIO(response.content))
    evaluation.status = EvaluationStatus.PUBLISHED
    evaluation.approved_at = evaluation.published_at = timezone.now()
    evaluation.save()
    client.logout()
    public = client.get(reverse("publication_evaluation_xlsx", args=[evaluation.pk]))
    assert public.status_code == 200
    books["public"] = load_workbook(io.BytesIO(public.content))
    for name, book in books.items():
        for title, cell in _cells(book):
            assert cell.value not in ("项目编号", "指标编号", "指标编号（勿改）"), (name, title)
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert cell.value not in ids, (name, title, cell.coordinate, cell.value)
            elif isinstance(cell.value, str):
                shown = re.findall(r"\d+", cell.value)
                assert not any(str(i) in shown for i in ids), (name, title, cell.coordinate)
        sheet = next(s for s in book.worksheets if s.title != "填写说明" and s.title != "自评报告")
        row, column = _find(sheet, "项目编码")
        key = sheet.cell(row, column + (1 if name == "template" else 2)).value
        assert key == evaluation.project.code, name


def test_a_table_of_the_largest_size_reads_back_whole_with_its_merged_levels(client, personas):
    """1,000 indicator rows (the upload's limit), ten 一级 of 100 rows, 二级 of 10: the 总分 row
    right after the last one is no 1,001st row, and every level reads back from its merge."""
    project = f.ProjectFactory(unit=personas.unit_a, year=2023, name="大表")
    Indicator.objects.bulk_create(
        Indicator(
            project=project,
            order=n,
            level1=f"一级{n // 100}",
            level2=f"二级{n // 10}",
            name=f"指标{n}",
            target="≥1个",
            weight=Decimal("0.09"),
        )
        for n in range(1000)
    )
    evaluation = f.EvaluationFactory(project=project)
    client.force_login(personas.alice)
    data = client.get(reverse("reports:evaluation_table_xlsx", args=[evaluation.pk])).content
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header, level1 = _find(sheet, "一级指标")
    assert f"B{header + 101}:B{header + 200}" in _merged(sheet)
    (read,), errors = read_workbook(data)
    assert errors == []
    assert len(read.indicators) == 1000
    assert [(r.level1, r.level2, r.seq) for r in read.indicators[555:557]] == [
        ("一级5", "二级55", 556),
        ("一级5", "二级55", 557),
    ]


def test_the_workbook_prints_the_regions_signature_block_as_the_pdf_does(
    client, personas, business_env
):
    """Seed 002's layout: 部门单位名称（公章） and 填报时间, configured for the region in data."""
    personas.region.signature_fields = ["部门单位名称（公章）", "填报时间"]
    personas.region.save(update_fields=["signature_fields"])
    client.force_login(personas.alice)
    response = client.get(reverse("reports:evaluation_table_xlsx", args=[business_env.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "部门单位名称（公章）：________________" in texts
    assert "填报时间：________________" in texts
    assert not any(t.startswith("单位负责人") for t in texts)  # the national default is replaced
