"""Publication without login: what is published is listed with its files; nothing else is."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from projects.models import EvaluationStatus
from tests.reports import pdftools

EVALUATION_URLS = (
    "publication_evaluation",
    "publication_evaluation_pdf",
    "publication_evaluation_xlsx",
    "publication_evaluation_json",
    "publication_evaluation_report",
    "publication_evaluation_report_pdf",
)


@pytest.fixture
def published(business_env, work_funds, kfq_projects, urumqi_overall):
    """Only 区创优营商环境服务中心工作经费 is published; the others stop short of it."""
    business_env.status = EvaluationStatus.PUBLISHED
    business_env.save()
    work_funds.status = EvaluationStatus.APPROVED
    work_funds.save()
    urumqi_overall.status = EvaluationStatus.DEPARTMENT_APPROVED
    urumqi_overall.save()
    return business_env


def test_index_lists_only_regions_and_years_with_publications(client, personas, published):
    html = client.get(reverse("publication_index")).content.decode()
    assert "淮北市相山区" in html and "2023" in html
    assert "2024" not in html  # seed 000's projects are drafts


def test_region_year_lists_departments_that_published(client, personas, published):
    url = reverse("publication_region_year", args=[personas.region.code, 2023])
    html = client.get(url).content.decode()
    assert personas.department_a.name in html
    assert personas.department_b.name not in html


def test_department_page_lists_the_published_evaluation_with_its_files(
    client, personas, published, work_funds
):
    url = reverse(
        "publication_department", args=[personas.region.code, 2023, personas.department_a.code]
    )
    html = client.get(url).content.decode()
    assert "区创优营商环境服务中心工作经费" in html and "98.43" in html
    assert "区政府工作经费" not in html
    for name in EVALUATION_URLS[1:4]:
        assert reverse(name, args=[published.pk]) in html
    for name in EVALUATION_URLS:
        assert reverse(name, args=[work_funds.pk]) not in html


def test_every_file_of_a_published_evaluation_opens_without_login(client, published):
    for name in EVALUATION_URLS:
        response = client.get(reverse(name, args=[published.pk]))
        assert response.status_code == 200, name
    data = client.get(reverse("publication_evaluation_pdf", args=[published.pk])).content
    text = pdftools.text(data)
    assert "区创优营商环境服务中心工作经费" in text and "98.43" in text


@pytest.mark.parametrize("name", EVALUATION_URLS)
def test_unpublished_evaluations_are_not_reachable_by_id(
    client, published, work_funds, kfq_projects, urumqi_overall, name
):
    for evaluation in (work_funds, *kfq_projects, urumqi_overall):
        assert client.get(reverse(name, args=[evaluation.pk])).status_code == 404, evaluation
    assert client.get(reverse(name, args=[999999])).status_code == 404


def test_paths_without_publications_are_404(client, personas, published):
    code_a, code_b = personas.department_a.code, personas.department_b.code
    for path in (
        reverse("publication_region_year", args=[personas.region.code, 2024]),
        reverse("publication_region_year", args=["nowhere", 2023]),
        reverse("publication_department", args=[personas.region.code, 2023, code_b]),
        reverse("publication_department", args=[personas.region.code, 2024, code_b]),
        reverse("publication_department_pdf", args=[personas.region.code, 2023, code_b]),
        reverse("publication_department_xlsx", args=[personas.region.code, 2024, code_b]),
        reverse("publication_department", args=[personas.region.code, 2023, "nope"]),
        reverse("publication_year_csv", args=[2024]),
        reverse("publication_year_csv", args=[2023]) + "?region=nowhere",
    ):
        assert client.get(path).status_code == 404, path
    ok = reverse("publication_department", args=[personas.region.code, 2023, code_a])
    assert client.get(ok).status_code == 200


def test_department_package_holds_only_what_was_published(client, personas, published):
    url = reverse(
        "publication_department_pdf", args=[personas.region.code, 2023, personas.department_a.code]
    )
    text = pdftools.text(client.get(url).content)
    assert "区创优营商环境服务中心工作经费" in text
    assert "区政府工作经费" not in text


def test_reopened_evaluations_disappear_from_the_public_pages(client, personas, published):
    published.status = EvaluationStatus.RETURNED
    published.save()
    assert client.get(reverse("publication_evaluation", args=[published.pk])).status_code == 404
    assert client.get(reverse("publication_year_csv", args=[2023])).status_code == 404
    assert "区创优" not in client.get(reverse("publication_index")).content.decode()


def test_department_page_query_count_is_fixed(
    client, personas, published, django_assert_num_queries
):
    url = reverse(
        "publication_department", args=[personas.region.code, 2023, personas.department_a.code]
    )
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


# --- The searchable index, the year CSV and the open-data JSON (issue item 7) ------------------

PUBLISHED_ON = datetime.datetime(2024, 6, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
APPROVED_ON = datetime.datetime(2024, 6, 20, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SCHEMA = json.loads(
    (Path("/work/shared/formats/selfeval-1.schema.json")).read_text(encoding="utf-8")
    if Path("/work/shared/formats/selfeval-1.schema.json").exists()
    else (Path(__file__).resolve().parents[2] / "docs" / "selfeval-1.schema.json").read_text(
        encoding="utf-8"
    )
)
URUMQI_UNIT = "相山经济开发区管理委员会"  # seed 002 is filed by bob's unit (department B)


@pytest.fixture
def catalogue(published, urumqi_overall):
    """Two publications: seed 001's project (98.43 优) and seed 002's 部门整体 (85.84 良), both
    approved on 2024-06-20 and published on 2024-06-28; seed 001's other project is approved
    only, seed 000's projects are drafts."""
    from projects.models import Evaluation

    urumqi_overall.status = EvaluationStatus.PUBLISHED
    urumqi_overall.save()
    Evaluation.objects.filter(pk__in=[published.pk, urumqi_overall.pk]).update(
        approved_at=APPROVED_ON, published_at=PUBLISHED_ON
    )
    return published, urumqi_overall


def _index(client, **params) -> str:
    return client.get(reverse("publication_index"), params).content.decode()


def _listed(html: str) -> str:
    """The text of the search results table only (the browse-by-region table is below it)."""
    return html.split('class="table table-sm table-hover align-middle public-list"', 1)[1].split(
        "</table>", 1
    )[0]


def test_index_search_finds_a_project_by_part_of_its_name(client, catalogue):
    results = _listed(_index(client, q="营商环境"))
    assert "区创优营商环境服务中心工作经费" in results
    assert URUMQI_UNIT not in results


def test_index_search_by_unit_name_finds_the_department_overall(client, catalogue):
    results = _listed(_index(client, q="开发区管理"))
    assert URUMQI_UNIT in results and "部门整体支出" in results
    assert "区创优营商环境服务中心工作经费" not in results


def test_index_search_that_matches_nothing_says_so(client, catalogue):
    html = _index(client, q="不存在的项目名称")
    assert "没有符合条件的已公开自评" in html
    assert "区创优营商环境服务中心工作经费" not in _listed(html)


def test_index_search_ignores_case_and_full_width_letters(client, catalogue):
    from projects.models import Project

    Project.objects.filter(pk=catalogue[0].project_id).update(name="智慧政务APP运维经费")
    for query in ("app", "App", "ＡＰＰ"):
        assert "智慧政务APP运维经费" in _listed(_index(client, q=query)), query


def test_index_search_never_finds_unpublished_evaluations(client, catalogue):
    # 区政府工作经费 is approved, 相山开发区's projects are drafts: neither is public yet.
    html = _index(client, q="区政府工作经费")
    assert "区政府工作经费" not in _listed(html)
    assert "没有符合条件的已公开自评" in html
    assert "公车" not in _listed(_index(client))


def test_index_filters_by_department_year_and_grade(client, personas, catalogue):
    region = personas.region.code
    by_department = _listed(_index(client, department=f"{region}:B"))
    assert URUMQI_UNIT in by_department
    assert "区创优营商环境服务中心工作经费" not in by_department
    good = _listed(_index(client, grade="良"))
    assert URUMQI_UNIT in good and "区创优营商环境服务中心工作经费" not in good
    excellent = _listed(_index(client, grade="优"))
    assert "区创优营商环境服务中心工作经费" in excellent and URUMQI_UNIT not in excellent
    both = _listed(_index(client, year="2023"))
    assert URUMQI_UNIT in both and "区创优营商环境服务中心工作经费" in both
    overall_only = _listed(_index(client, kind="department_overall"))
    assert URUMQI_UNIT in overall_only and "区创优" not in overall_only


def test_index_filter_values_nothing_published_under_find_nothing(client, catalogue):
    for params in ({"year": "2024"}, {"grade": "X"}, {"department": "nowhere:B"}):
        response = client.get(reverse("publication_index"), params)
        assert response.status_code == 200, params
        html = response.content.decode()
        assert "检索条件无效" in html, params
        assert "区创优营商环境服务中心工作经费" not in _listed(html), params


def test_index_survives_any_query_string(client, catalogue):
    for params in (
        {"page": "zzz"},
        {"page": "999"},
        {"q": "%_\\'\"<script>"},
        {"q": "x" * 5000},
        {"year": "99999999999999999999"},
        {"department": ":"},
    ):
        assert client.get(reverse("publication_index"), params).status_code == 200, params


def test_index_entries_show_publication_date_and_approving_body(client, catalogue):
    results = _listed(_index(client))
    assert "<th>公开日期</th>" in _index(client) and "<th>审核机关</th>" in _index(client)
    assert results.count("2024年6月28日") == 2
    assert results.count("淮北市相山区财政局") == 2
    assert "98.43" in results and "85.84" in results


def test_index_is_paginated(client, catalogue, monkeypatch):
    from reports.selectors import publication

    monkeypatch.setattr(publication, "INDEX_PAGE_SIZE", 1)
    first = _index(client, year="2023")
    second = _index(client, year="2023", page=2)
    names = ("区创优营商环境服务中心工作经费", URUMQI_UNIT)
    assert sum(n in _listed(first) for n in names) == 1
    assert sum(n in _listed(second) for n in names) == 1
    assert _listed(first) != _listed(second)
    assert "year=2023&amp;page=2" in first  # the filter is kept across pages


def _publish_more(personas, count: int) -> None:
    from tests import factories as f

    for n in range(count):
        unit = f.UnitFactory(department=personas.department_a, name=f"公开测试单位{n}")
        f.FundLineFactory(project__unit=unit, project__name=f"公开测试项目{n}")
        project = unit.projects.get()
        f.EvaluationFactory(
            project=project,
            status=EvaluationStatus.PUBLISHED,
            published_at=PUBLISHED_ON,
            approved_at=APPROVED_ON,
            computed_total=Decimal("91.00"),
            computed_grade="优",
        )


def test_index_query_count_does_not_grow_with_the_rows(
    client, personas, catalogue, django_assert_num_queries
):
    # Filter choices (departments, years), the count, the page, the region/year groups.
    with django_assert_num_queries(5):
        client.get(reverse("publication_index"), {"q": "经费", "grade": "优"})
    _publish_more(personas, 12)
    with django_assert_num_queries(5):
        html = client.get(reverse("publication_index"), {"q": "项目"}).content.decode()
    assert "公开测试项目11" in html


def _csv(client, year=2023, **params) -> tuple[bytes, list[dict]]:
    response = client.get(reverse("publication_year_csv", args=[year]), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = response.content
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return content, list(reader)


def test_year_csv_is_utf8_with_a_bom_for_excel(client, catalogue):
    content, _ = _csv(client)
    assert content.startswith(b"\xef\xbb\xbf")
    assert "区创优营商环境服务中心工作经费".encode() in content


def test_year_csv_has_the_department_overall_row_with_codes_scores_and_standing(
    client, personas, catalogue
):
    _, rows = _csv(client)
    assert len(rows) == 2  # the approved and the draft evaluations are not published
    overall = next(r for r in rows if r["评价对象类型"] == "部门整体支出")
    code = catalogue[1].project.code
    assert overall["预算单位"] == URUMQI_UNIT
    assert (overall["地区代码"], overall["部门编码"], overall["单位编码"]) == ("340603", "B", "B0")
    assert overall["项目编码"] == code
    assert overall["公开标识"] == f"340603/2023/B/B0/{code}"
    # Seed 002: 554.23 / 556.83 万元 → 99.53%; computed 85.84 良 against the filer's 91.95.
    assert (overall["全年预算数（元）"], overall["全年执行数（元）"]) == (
        "5568300.00",
        "5542300.00",
    )
    assert overall["预算执行率（%）"] == "99.53"
    assert (overall["审核得分"], overall["审核等级"]) == ("85.84", "良")
    assert overall["填报得分"] == "91.95"
    assert overall["评分规则"] == "全国通用（2020年）第1版"
    assert overall["审核机关"] == "淮北市相山区财政局"
    assert (overall["审核通过日期"], overall["公开日期"]) == ("2024-06-20", "2024-06-28")
    assert overall["开放数据（JSON）"] == (
        f"http://testserver/public/data/340603/2023/B/B0/{code}.json"
    )
    project = next(r for r in rows if r["评价对象类型"] == "项目支出")
    assert project["项目名称"] == "区创优营商环境服务中心工作经费"
    assert (project["审核得分"], project["审核等级"], project["预算执行率（%）"]) == (
        "98.43",
        "优",
        "84.26",
    )


def test_year_csv_links_open_the_json_of_the_same_evaluation(client, catalogue):
    _, rows = _csv(client)
    for row in rows:
        response = client.get(row["开放数据（JSON）"])
        assert response.status_code == 200, row["开放数据（JSON）"]
        document = json.loads(response.content)
        assert document["id"] == row["公开标识"]
        assert document["url"] == row["开放数据（JSON）"]


def test_year_csv_of_one_region_and_header(client, personas, catalogue):
    content, rows = _csv(client, region="340603")
    header = content.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.startswith("公开标识,年度,地区,地区代码,主管部门,部门编码,预算单位,单位编码")
    assert "审核机关" in header and "公开日期" in header and "开放数据（JSON）" in header
    assert len(rows) == 2


def _schema_errors(value, schema, path="$") -> list[str]:
    """The subset of JSON Schema selfeval-1.schema.json uses: enough to prove the exported
    document is one (no schema library is installed)."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in schema:
        ok = [s for s in schema["oneOf"] if not _schema_errors(value, s, path)]
        return [] if len(ok) == 1 else [f"{path}: matches {len(ok)} of oneOf"]
    errors = []
    kinds = schema.get("type")
    if kinds:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        names = {
            "object": dict,
            "array": list,
            "string": str,
            "integer": int,
            "null": type(None),
        }
        if not any(isinstance(value, names[k]) for k in kinds):
            return [f"{path}: {type(value).__name__} is not {kinds}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: not {schema['const']}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        errors.append(f"{path}: too short")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                errors += _schema_errors(item, props[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected key {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += _schema_errors(item, schema["additionalProperties"], f"{path}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: too few items")
        for i, item in enumerate(value):
            errors += _schema_errors(item, schema.get("items", {}), f"{path}[{i}]")
    return errors


def test_schema_check_rejects_what_the_schema_forbids():
    assert _schema_errors({"format": "selfeval/1"}, SCHEMA)
    assert _schema_errors(
        {
            "format": "selfeval/1",
            "kind": "project",
            "year": 2023,
            "department": {"name": "某部门"},
            "money_unit": "万元",
            "funds": [{"source": "total"}],
            "indicators": [],
            "result": {"total": "98.43"},
        },
        SCHEMA,
    ) == ["$: unexpected key result"]


def _json(client, evaluation) -> dict:
    response = client.get(reverse("publication_evaluation_json", args=[evaluation.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_open_data_json_carries_a_valid_selfeval_document(client, catalogue):
    from projects.exporter import export_document

    for evaluation in catalogue:
        data = _json(client, evaluation)
        assert data["format"] == "selfeval-public/1"
        assert _schema_errors(data["document"], SCHEMA) == []
        assert data["document"] == json.loads(
            json.dumps(export_document(evaluation), ensure_ascii=False)
        )


def test_open_data_json_has_the_approved_figures_beside_the_claimed_ones(client, catalogue):
    data = _json(client, catalogue[1])  # seed 002, 部门整体
    result = data["result"]
    assert result["rules"] == "全国通用（2020年）第1版"
    assert result["computed"] == {
        "execution_rate": "99.53",
        "execution_score": "9.95",
        "indicator_total": "75.89",
        "total": "85.84",
        "grade": "良",
    }
    assert result["claimed"]["total"] == "91.95"
    rows = {row["name"]: row for row in result["indicators"]}
    # 预算经费 ≤367.19万元 with 554.23 scores 5.89 of 12; the filer claimed 12.
    assert (rows["预算经费"]["computed_score"], rows["预算经费"]["claimed_score"]) == (
        "5.89",
        "12.00",
    )
    assert (rows["培训费下降率"]["computed_score"], rows["培训费下降率"]["weight"]) == (
        "0.00",
        "8.00",
    )
    assert data["publication"] == {
        "status": "已公开",
        "approving_body": "淮北市相山区财政局",
        "approved_on": "2024-06-20",
        "published_on": "2024-06-28",
    }


def test_open_data_json_by_codes_refuses_unpublished_evaluations(client, catalogue, work_funds):
    project = work_funds.project
    url = reverse(
        "publication_data_json",
        args=["340603", 2023, project.unit.department.code, project.unit.code, project.code],
    )
    assert client.get(url).status_code == 404
    assert client.get(url.replace("/2023/", "/2024/")).status_code == 404


def _public_texts(client, personas, catalogue) -> dict[str, str]:
    region = personas.region.code
    pages = {
        "index": reverse("publication_index"),
        "region": reverse("publication_region_year", args=[region, 2023]),
        "department A": reverse("publication_department", args=[region, 2023, "A"]),
        "department B": reverse("publication_department", args=[region, 2023, "B"]),
        "csv": reverse("publication_year_csv", args=[2023]),
    }
    for evaluation in catalogue:
        for name in ("publication_evaluation", "publication_evaluation_report"):
            pages[f"{name} {evaluation.pk}"] = reverse(name, args=[evaluation.pk])
        pages[f"json {evaluation.pk}"] = reverse(
            "publication_evaluation_json", args=[evaluation.pk]
        )
    texts = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        texts[name] = response.content.decode("utf-8-sig")
    return texts


def test_no_internal_id_appears_in_public_pages_csv_or_json(client, personas, catalogue):
    for name, text in _public_texts(client, personas, catalogue).items():
        assert "national-2020" not in text, name
        assert "@1" not in text, name
        assert not re.search(r"编号[”\"]?\s*[：:,，]?\s*\d", text), name
        assert "indicator_id" not in text and '"pk"' not in text, name


def test_public_evaluation_page_names_rules_date_and_approving_body(client, catalogue):
    html = client.get(reverse("publication_evaluation", args=[catalogue[0].pk])).content.decode()
    assert "评分规则" in html and "全国通用（2020年）第1版" in html
    assert "审核机关" in html and "淮北市相山区财政局" in html
    assert "公开日期" in html and "2024年6月28日" in html
    assert 'class="table-responsive public-doc"' in html


def test_printed_table_names_the_rule_set_in_words(client, catalogue):
    pdf = client.get(reverse("publication_evaluation_pdf", args=[catalogue[0].pk])).content
    text = pdftools.text(pdf)
    assert "全国通用（2020年）第1版" in "".join(text.split())
    assert "national" not in text
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("publication_evaluation_xlsx", args=[catalogue[0].pk])).content
        )
    )
    cells = [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert any("全国通用（2020年）第1版" in c for c in cells)
    assert not any("national-2020" in c for c in cells)


def test_every_shipped_rule_set_has_a_public_name():
    from scoring.engine.rules import list_rulesets
    from scoring.services import rule_set_title

    assert rule_set_title("national-2020", 1) == "全国通用（2020年）第1版"
    assert rule_set_title("national-2020@1") == "全国通用（2020年）第1版"
    assert rule_set_title("no-such-rules@9") == "评分规则（版本未登记）"
    for rules in list_rulesets():
        assert rules.public_name, rules.path
        assert rules.id not in rule_set_title(rules.id, rules.version)


def test_year_csv_query_count_does_not_grow_with_the_rows(
    client, personas, catalogue, django_assert_num_queries
):
    url = reverse("publication_year_csv", args=[2023])
    # The state of what is published (the cache key), the evaluations with their codes, and
    # their fund lines.
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200
    _publish_more(personas, 12)
    with django_assert_num_queries(3):
        content = client.get(url).content.decode("utf-8-sig")
    assert content.count("\r\n") == 1 + 14
