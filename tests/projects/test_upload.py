"""Uploading filled tables: the 自评表 workbook and selfeval/1 JSON, all or nothing.

The workbook comes from the page's own template download, filled the way a filer fills it in
Excel; scores are hand arithmetic (走访企业数量 1500 of ≥1600家, weight 20 → 18.75).
"""

import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Evaluation, EvaluationStatus, Indicator, IndicatorResult
from tests import factories as f
from tests.projects.test_filing_support import business_env

UPLOAD = reverse("projects:upload")
TEMPLATE = reverse("projects:upload_template")


@pytest.fixture
def evaluation(personas):
    return business_env(personas.unit_a)


def template(client, **params) -> bytes:
    response = client.get(TEMPLATE, {"year": 2023, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def subject_sheet(book, name):
    for sheet in book.worksheets:
        if sheet["B3"].value == name:
            return sheet
    raise KeyError(name)


def indicator_row(sheet, name) -> int:
    for row in range(15, sheet.max_row + 1):
        if sheet[f"C{row}"].value == name:
            return row
    raise KeyError(name)


def filled(data: bytes, edits) -> bytes:
    """Open the workbook, let `edits(book)` change cells, return the saved bytes."""
    book = load_workbook(io.BytesIO(data))
    edits(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def preview(client, data: bytes, name="自评表.xlsx", purpose="actuals"):
    """Post the file: the page checks it and previews the changes, writing nothing."""
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), "purpose": purpose})


def confirm(client, response, reason="按批复下达", **choices):
    """Press 确认保存 on a preview (with any conflict choices); returns the response."""
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post(UPLOAD, {"token": token, "confirm": "1", "reason": reason, **choices})


def upload(client, data: bytes, name="自评表.xlsx", purpose="actuals"):
    """Upload and confirm, as a person who accepts the preview does."""
    response = preview(client, data, name, purpose)
    if 'id="confirm-form"' not in response.content.decode():
        return response
    return confirm(client, response)


def stored_actual(name) -> str:
    return IndicatorResult.objects.get(indicator__name=name).actual


def test_the_template_has_one_sheet_per_subject_prefilled_with_targets(
    client, personas, evaluation
):
    f.ProjectFactory(unit=personas.unit_b, year=2023, name="另一单位的项目")
    client.force_login(personas.alice)
    book = load_workbook(io.BytesIO(template(client)))
    assert book.sheetnames[0] == "填写说明"
    sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
    assert sheet["A1"].value == "项目支出绩效自评表"
    assert sheet["A4"].value == "项目编码" and sheet["B4"].value == evaluation.project.code
    assert sheet["I4"].value == "万元"
    assert sheet["D8"].value == pytest.approx(38.76)
    row = indicator_row(sheet, "走访企业数量")
    assert (sheet[f"D{row}"].value, sheet[f"E{row}"].value) == ("≥1600家", "1600家")
    assert sheet[f"F{row}"].value == 20
    assert len(book.sheetnames) == 2  # the other unit's project is not in it


def test_a_good_workbook_fills_the_actuals(client, personas, evaluation):
    client.force_login(personas.alice)

    def edits(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        row = indicator_row(sheet, "走访企业数量")
        sheet[f"E{row}"] = "1500家"
        sheet[f"H{row}"] = "部分企业停产"
        sheet["G12"] = "全年支付经费38.76万元"

    response = upload(client, filled(template(client), edits))
    assert response.status_code == 200
    assert "已保存 1 个评价对象" in response.content.decode()
    saved = Evaluation.objects.get(pk=evaluation.pk)
    result = saved.results.get(indicator__name="走访企业数量")
    assert (result.actual, result.deviation_reason) == ("1500家", "部分企业停产")
    assert result.computed_score == result.claimed_score == Decimal("18.75")
    assert saved.goal_actual == "全年支付经费38.76万元"
    assert saved.version == 2  # a form left open on the old figures now meets the conflict page


def test_a_workbook_with_a_bad_row_saves_nothing_and_names_sheet_row_and_column(
    client, personas, evaluation
):
    second = f.ProjectFactory(unit=personas.unit_a, year=2023, name="第二个项目")
    f.IndicatorFactory(project=second, name="第二个项目的指标", target="≥10个", weight=90)
    client.force_login(personas.alice)

    def edits(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        sheet[f"E{indicator_row(sheet, '解决企业难题')}"] = "310个"
        bad = indicator_row(sheet, "走访企业数量")
        sheet[f"G{bad}"] = "二十分"
        sheet[f"I{bad}"] = "差不多"
        sheet["D8"] = "很多"
        other = subject_sheet(book, "第二个项目")
        other[f"E{indicator_row(other, '第二个项目的指标')}"] = "12个"

    response = upload(client, filled(template(client), edits))
    assert response.status_code == 422
    html = response.content.decode()
    assert "未保存任何内容" in html
    sheet_name = next(
        n for n in load_workbook(io.BytesIO(template(client))).sheetnames if "区创优" in n
    )
    bad_row = 15 + 2
    assert f'<td>{sheet_name}</td><td class="num">{bad_row}</td><td>G</td>' in html
    assert f'<td>{sheet_name}</td><td class="num">{bad_row}</td><td>I</td>' in html
    assert f'<td>{sheet_name}</td><td class="num">8</td><td>D</td>' in html
    assert "应为 达成、部分达成 或 未达成" in html
    assert stored_actual("解决企业难题") == "300个"
    assert not IndicatorResult.objects.filter(indicator__name="第二个项目的指标").exists()
    assert Evaluation.objects.get(pk=evaluation.pk).version == 1


def test_a_filer_cannot_change_a_target_through_the_workbook(client, personas, evaluation):
    client.force_login(personas.alice)

    def edits(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        sheet[f"D{indicator_row(sheet, '走访企业数量')}"] = "≥1000家"

    html = upload(client, filled(template(client), edits)).content.decode()
    assert "填报人不能修改目标" in html
    assert Indicator.objects.get(name="走访企业数量").target == "≥1600家"


def test_another_units_project_code_in_a_sheet_is_refused(client, personas, evaluation):
    client.force_login(personas.alice)
    data = template(client)
    client.force_login(personas.bob)
    response = upload(client, data)
    assert response.status_code == 422
    code = evaluation.project.code
    assert f"项目编码 {code} 不存在或您无权填报" in response.content.decode()


def test_a_submitted_evaluation_cannot_be_overwritten_by_upload(client, personas, evaluation):
    client.force_login(personas.alice)
    data = template(client)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SUBMITTED)
    html = upload(client, data).content.decode()
    assert "不能再修改" in html


def _with_cached_formula(data: bytes, cell: str, formula: str, cached: str | None) -> bytes:
    """Put a formula in `cell` of the subject sheet, with Excel's cached value (or none)."""

    def edits(book):
        book.worksheets[1][cell] = f"={formula}"

    raw = filled(data, edits)
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml" and cached is not None:
                text = content.decode()
                text = re.sub(
                    # openpyxl writes an empty value as <v/>, <v></v> or not at all (with lxml)
                    rf'(<c r="{cell}"[^>]*>)<f>{re.escape(formula)}</f>(?:<v\s*/>|<v></v>)?',
                    rf"\1<f>{formula}</f><v>{cached}</v>",
                    text,
                )
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_formula_cells_are_read_as_their_cached_values(client, personas, evaluation):
    client.force_login(personas.alice)
    row = 15 + 2  # 走访企业数量
    data = _with_cached_formula(template(client), f"E{row}", "1400+100", "1500")
    response = upload(client, data)
    assert response.status_code == 200, response.content.decode()
    assert stored_actual("走访企业数量") == "1500"


def test_a_formula_without_a_cached_value_is_an_error_in_its_cell(client, personas, evaluation):
    client.force_login(personas.alice)
    row = 15 + 2
    data = _with_cached_formula(template(client), f"E{row}", "1400+100", None)
    html = upload(client, data).content.decode()
    assert "公式但没有计算结果" in html
    assert stored_actual("走访企业数量") == "1600家"


def test_a_file_renamed_to_xlsx_is_refused(client, personas, evaluation):
    client.force_login(personas.alice)
    response = upload(
        client, "项目名称,实际完成值\n走访企业数量,1500家\n".encode(), name="改名.xlsx"
    )
    assert response.status_code == 422
    assert "不是有效的 Excel 工作簿" in response.content.decode()


def test_an_oversized_file_is_refused(client, personas, evaluation):
    client.force_login(personas.alice)
    response = upload(client, b"PK\x03\x04" + b"0" * (5 * 1024 * 1024), name="大文件.xlsx")
    assert response.status_code == 422
    assert "超过 5 MB" in response.content.decode()


def test_macro_workbooks_and_other_types_are_refused(client, personas, evaluation):
    client.force_login(personas.alice)
    good = template(client)
    assert "不接受含宏的工作簿" in upload(client, good, name="宏.xlsm").content.decode()
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00VBA")
    html = upload(client, out.getvalue(), name="藏了宏.xlsx").content.decode()
    assert "含有宏" in html
    assert "只接受 .xlsx" in upload(client, b"a,b\n", name="表.csv").content.decode()
    assert "只接受 .xlsx" in upload(client, b"\xd0\xcf\x11\xe0", name="旧版.xls").content.decode()


# ---------------------------------------------------------------- selfeval/1 JSON


def _document(**changes) -> dict:
    path = (
        Path(settings.BASE_DIR) / "fixtures" / "seed001-xiangshan-govoffice-2023-business-env.json"
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    # The personas' department carries a shorter name than the seed's.
    document["department"]["name"] = document["unit"]["name"] = "相山区人民政府办公室"
    document.update(changes)
    return document


def test_a_filer_imports_her_own_subjects_figures_from_json(client, personas, evaluation):
    document = _document()
    row = next(r for r in document["indicators"] if r["name"] == "走访企业数量")
    row.update(actual="1500家", claimed_score="18.75", deviation="部分企业停产")
    client.force_login(personas.alice)
    response = upload(client, json.dumps(document, ensure_ascii=False).encode(), name="自评.json")
    assert response.status_code == 200, response.content.decode()
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.results.get(indicator__name="走访企业数量").actual == "1500家"
    assert saved.computed_total == Decimal("97.18")
    assert saved.version == 2


def test_a_filer_cannot_import_another_units_subject(client, personas, evaluation):
    client.force_login(personas.bob)
    data = json.dumps(_document(), ensure_ascii=False).encode()
    html = upload(client, data, name="自评.json").content.decode()
    assert "不在您的填报范围内" in html
    assert stored_actual("走访企业数量") == "1600家"


def test_a_filer_cannot_change_targets_through_json(client, personas, evaluation):
    document = _document()
    document["indicators"][2]["target"] = "≥1000家"
    client.force_login(personas.alice)
    html = upload(client, json.dumps(document).encode(), name="自评.json").content.decode()
    assert "填报人不能修改目标" in html
    assert Indicator.objects.get(name="走访企业数量").target == "≥1600家"


def test_json_errors_name_the_place(client, personas, evaluation):
    client.force_login(personas.alice)
    html = upload(client, b'{"format": "selfeval/1",\n  "kind": }', name="坏.json").content.decode()
    assert "不是有效的 JSON（第 2 行" in html
    document = _document(money_unit="美元")
    html = upload(client, json.dumps(document).encode(), name="单位.json").content.decode()
    assert "money_unit" in html


# ---------------------------------------------------------------- targets (finance)


def test_the_finance_reviewer_sets_targets_for_many_units(client, personas, evaluation):
    other = f.ProjectFactory(unit=personas.unit_b, year=2023, name="开发区项目")
    f.IndicatorFactory(project=other, name="开发区指标", target="≥5个", weight=90)
    client.force_login(personas.frank)
    data = template(client, purpose="targets")
    book = load_workbook(io.BytesIO(data))
    assert {"区创优营商环境服务中心工作经费", "开发区项目"} <= {
        s["B3"].value for s in book.worksheets
    }

    def edits(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        sheet[f"D{indicator_row(sheet, '走访企业数量')}"] = "≥1500家"
        sheet2 = subject_sheet(book, "开发区项目")
        new = indicator_row(sheet2, "开发区指标") + 1
        for letter, value in zip(
            "ABCDF", ("产出指标", "质量指标", "新增的指标", "≥100%", 10), strict=True
        ):
            sheet2[f"{letter}{new}"] = value

    response = upload(client, filled(data, edits), purpose="targets")
    assert response.status_code == 200, response.content.decode()
    indicator = Indicator.objects.get(name="走访企业数量")
    assert indicator.target == "≥1500家"
    assert indicator.history.first().history_user == personas.frank
    assert Indicator.objects.get(name="新增的指标").project == other
    assert Evaluation.objects.get(pk=evaluation.pk).version == 2


def test_changing_targets_by_upload_needs_a_reason_kept_in_the_history(
    client, personas, evaluation
):
    client.force_login(personas.frank)

    def edits(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        sheet[f"D{indicator_row(sheet, '走访企业数量')}"] = "≥1500家"

    response = preview(
        client, filled(template(client, purpose="targets"), edits), purpose="targets"
    )
    html = response.content.decode()
    assert "≥1600家" in html and "≥1500家" in html  # before → after
    assert Indicator.objects.get(name="走访企业数量").target == "≥1600家"
    refused = confirm(client, response, reason="")
    assert "请填写调整原因" in refused.content.decode()
    assert Indicator.objects.get(name="走访企业数量").target == "≥1600家"
    confirm(client, refused, reason="预算调整后目标相应调整")
    indicator = Indicator.objects.get(name="走访企业数量")
    assert indicator.target == "≥1500家"
    last = indicator.history.first()
    assert last.history_user == personas.frank
    assert "预算调整后目标相应调整" in last.history_change_reason


def test_another_regions_finance_reviewer_cannot_set_targets_here(client, personas, evaluation):
    client.force_login(personas.frank)
    data = template(client, purpose="targets")
    client.force_login(personas.other_region_finance)
    html = upload(client, data, purpose="targets").content.decode()
    assert "不存在或您无权下达目标" in html


def test_a_filer_cannot_upload_targets(client, personas, evaluation):
    client.force_login(personas.alice)
    assert upload(client, template(client), purpose="targets").status_code == 403
    assert client.get(TEMPLATE, {"purpose": "targets"}).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_department_reviewers_have_no_upload(client, personas, method):
    client.force_login(personas.dora)
    assert getattr(client, method)(UPLOAD).status_code == 403
    assert client.get(TEMPLATE).status_code == 403


def test_uploads_still_need_the_csrf_token(personas, evaluation):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.alice)
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("a.json", b"{}")})
    assert response.status_code == 403


def test_a_target_starting_with_equals_is_text_and_the_template_uploads_back(
    client, personas, evaluation
):
    # Seed 002 prints 项目支出预算执行率 as "=100%": a target, not an Excel formula.
    indicator = Indicator.objects.get(project=evaluation.project, name="走访企业数量")
    indicator.target = "=100%"
    indicator.save()
    client.force_login(personas.alice)
    data = template(client)
    book = load_workbook(io.BytesIO(data))
    sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
    row = indicator_row(sheet, "走访企业数量")
    assert sheet[f"D{row}"].value == "=100%"
    assert sheet[f"D{row}"].data_type == "s"
    response = upload(client, data)
    assert response.status_code == 200
    assert "未作任何修改" in response.content.decode()  # the target came back as it went out
    assert Indicator.objects.get(pk=indicator.pk).target == "=100%"


def test_an_untouched_targets_template_of_a_total_only_project_changes_nothing(
    client, personas, evaluation
):
    """A total printed alone is shown as 当年财政拨款; read back, it is the same budget."""
    from projects.models import FundLine

    FundLine.objects.filter(project=evaluation.project, source="current_year").delete()
    client.force_login(personas.frank)
    response = upload(client, template(client, purpose="targets"), purpose="targets")
    assert "未作任何修改" in response.content.decode()
    assert list(
        FundLine.objects.filter(project=evaluation.project).values_list("source", flat=True)
    ) == ["total"]


# ---------------------------------------------------------------- stable codes


def test_the_template_names_rows_by_position_never_by_database_id(client, personas, evaluation):
    client.force_login(personas.alice)
    sheet = subject_sheet(load_workbook(io.BytesIO(template(client))), evaluation.project.name)
    assert sheet["J14"].value == "指标序号（勿改）"
    names = [i.name for i in evaluation.project.indicators.order_by("order", "pk")]
    assert [sheet[f"J{indicator_row(sheet, n)}"].value for n in names] == list(
        range(1, len(names) + 1)
    )


def test_an_older_workbook_with_database_ids_is_still_read(client, personas, evaluation):
    """Templates downloaded before codes carry 项目编号 and 指标编号 (ids): still accepted."""
    client.force_login(personas.alice)
    indicators = {i.name: i.pk for i in evaluation.project.indicators.all()}

    def to_old_layout(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        sheet.unmerge_cells("B4:D4")
        sheet["A4"], sheet["B4"] = "项目编号", evaluation.project.pk
        sheet["C4"], sheet["D4"] = "项目编码", evaluation.project.code
        sheet["J14"] = "指标编号（勿改）"
        for name, pk in indicators.items():
            sheet[f"J{indicator_row(sheet, name)}"] = pk
        sheet[f"E{indicator_row(sheet, '走访企业数量')}"] = "1500家"

    response = upload(client, filled(template(client), to_old_layout))
    assert response.status_code == 200, response.content.decode()
    assert stored_actual("走访企业数量") == "1500家"


def test_a_row_that_is_not_the_indicator_at_its_position_is_refused(client, personas, evaluation):
    """A filer's row names its indicator by position; a moved row is refused, never misfiled."""
    client.force_login(personas.alice)

    def swap(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        first, second = indicator_row(sheet, "解决企业难题"), indicator_row(sheet, "召开座谈会")
        for letter in "CDEF":
            sheet[f"{letter}{first}"], sheet[f"{letter}{second}"] = (
                sheet[f"{letter}{second}"].value,
                sheet[f"{letter}{first}"].value,
            )
        sheet[f"E{first}"] = "999个"

    response = upload(client, filled(template(client), swap))
    assert response.status_code == 422
    html = response.content.decode()
    assert "第 1 个指标应为「解决企业难题」" in html and "请重新下载模板" in html
    assert stored_actual("召开座谈会") == "160个"


def test_a_position_beyond_the_subjects_indicators_is_refused(client, personas, evaluation):
    client.force_login(personas.alice)

    def renumber(book):
        sheet = subject_sheet(book, "区创优营商环境服务中心工作经费")
        sheet[f"J{indicator_row(sheet, '走访企业数量')}"] = 40

    html = upload(client, filled(template(client), renumber)).content.decode()
    assert "指标序号 40 不存在（本表共 6 个指标）" in html
