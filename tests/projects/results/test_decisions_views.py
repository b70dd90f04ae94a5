"""The 结果应用 pages: the list with its filters and totals, the decide page, bulk adopt, the
Excel export read back, the review page's panel, and who may see or change what."""

import io
from decimal import Decimal

import lxml.html
import openpyxl
import pytest
from django.urls import reverse

from projects.models import ResultDecision
from projects.results.decision_services import result_decision_record
from tests.projects.results.decisions_support import (
    S,
    finished,
    observer_of_region,
    review,
    reviewer_of_b,
)
from tests.projects.test_review_support import fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db
LIST = reverse("results:decision_list")
EXPORT = reverse("results:decision_export")
ADOPT = reverse("results:decision_adopt")


def _edit(e):
    return reverse("results:decision_edit", args=[e.pk])


def _decide(e, user, **values):
    values.setdefault("next_year_amount", None)
    return result_decision_record(evaluation=e, user=user, **values)


@pytest.fixture
def season(personas):
    """Department A: 优, 良, 中 (re-scored by a spot check), 差; department B: 良 and 中."""
    a = personas.unit_a
    rows = {
        "excellent": finished(a, total="95", name="甲优"),
        "good": finished(a, total="85", name="甲良"),
        "reviewed": finished(a, total="92", name="甲复核"),
        "poor": finished(a, total="50", name="甲差"),
        "b_good": finished(personas.unit_b, total="88", base="500000", name="乙良"),
        "b_fair": finished(personas.unit_b, total="65", base="200000", name="乙中"),
        "draft": finished(a, total="99", status=S.SUBMITTED, name="甲审核中"),
    }
    review(rows["reviewed"], "72", region=personas.region)
    return rows


def _rows(response) -> dict[str, lxml.html.HtmlElement]:
    html = lxml.html.fromstring(response.content.decode())
    return {
        tr.xpath("./td[2]")[0].text_content().strip(): tr
        for tr in html.xpath('//tr[contains(@class, "decision-row")]')
    }


def _text(response, element_id) -> str:
    html = lxml.html.fromstring(response.content.decode())
    return " ".join(html.get_element_by_id(element_id).text_content().split())


def test_the_finance_bureau_lists_finished_projects_with_suggestions_by_department(
    client, personas, season
):
    client.force_login(personas.frank)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = _rows(response)
    assert set(rows) == {"甲优", "甲良", "甲复核", "甲差", "乙良", "乙中"}
    reviewed = rows["甲复核"].text_content()
    assert "72.00" in reviewed and "复核" in reviewed and "压减10%" in reviewed
    assert "取消" in rows["甲差"].xpath('./td[@class="suggestion"]')[0].text_content()
    html = response.content.decode()
    assert html.count('class="department-group"') == 2
    assert "adopt-form" in html


def test_totals_and_counts_come_from_the_decision_records(client, personas, season):
    _decide(season["good"], personas.frank, decision="keep")
    _decide(season["reviewed"], personas.frank, decision="cut", cut_share="20")  # 200,000
    _decide(season["b_fair"], personas.frank, decision="cancel")  # 200,000
    client.force_login(personas.frank)
    response = client.get(LIST + "?money_unit=元")
    assert _text(response, "total-projects") == "6"
    assert _text(response, "total-decided") == "3"
    assert _text(response, "total-reduction") == "400,000.00"
    assert _text(response, "total-next") == "1,800,000.00"
    assert _text(response, "total-decided-base") == "2,200,000.00"
    counts = _text(response, "total-counts")
    assert "保持 1 个" in counts and "压减 1 个" in counts and "取消 1 个" in counts
    assert "优先保障 0 个" in counts


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("decided=1", {"甲良", "乙中"}),
        ("decided=0", {"甲优", "甲复核", "甲差", "乙良"}),
        ("decision=cancel", {"乙中"}),
        ("suggestion=cut", {"甲复核", "乙中"}),
        ("grade=中", {"甲复核", "乙中"}),  # the review total's grade, not the self score's
        ("grade=优", {"甲优"}),
        ("year=2024", set()),
    ],
)
def test_the_list_filters(client, personas, season, query, expected):
    _decide(season["good"], personas.frank, decision="keep")
    _decide(season["b_fair"], personas.frank, decision="cancel")
    client.force_login(personas.frank)
    assert set(_rows(client.get(f"{LIST}?{query}"))) == expected


def test_the_department_filter(client, personas, season):
    client.force_login(personas.frank)
    response = client.get(f"{LIST}?department={personas.department_b.pk}")
    assert set(_rows(response)) == {"乙良", "乙中"}


def test_a_bad_filter_value_is_a_message_not_a_500(client, personas, season):
    client.force_login(personas.frank)
    response = client.get(f"{LIST}?year=abc&decision=nothing")
    assert response.status_code == 200
    assert "filter-errors" in response.content.decode()


def test_a_department_reviewer_sees_their_department_read_only(client, personas, season):
    client.force_login(personas.dora)
    response = client.get(LIST)
    assert set(_rows(response)) == {"甲优", "甲良", "甲复核", "甲差"}
    html = response.content.decode()
    assert "adopt-form" not in html and "read-only-note" in html
    page = client.get(_edit(season["good"]))
    assert page.status_code == 200 and "decision-form" not in page.content.decode()
    posted = client.post(_edit(season["good"]), {"decision": "cancel"})
    assert posted.status_code == 403
    assert client.post(ADOPT, {"year": "2023"}).status_code == 403
    assert not ResultDecision.objects.exists()


def test_another_departments_reviewer_gets_404_and_changes_nothing(client, personas, season):
    client.force_login(reviewer_of_b(personas))
    assert client.get(_edit(season["good"])).status_code == 404
    assert client.post(_edit(season["good"]), {"decision": "cancel"}).status_code == 404
    assert set(_rows(client.get(LIST))) == {"乙良", "乙中"}
    assert not ResultDecision.objects.exists()


def test_another_regions_finance_bureau_gets_404(client, personas, season):
    client.force_login(personas.other_region_finance)
    assert client.get(_edit(season["good"])).status_code == 404
    assert client.post(_edit(season["good"]), {"adopt": "1"}).status_code == 404
    assert _rows(client.get(LIST)) == {}
    assert not ResultDecision.objects.exists()


def test_filers_are_refused(client, personas, season):
    client.force_login(personas.alice)
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get(_edit(season["good"])).status_code == 403
    assert client.post(_edit(season["good"]), {"adopt": "1"}).status_code == 403
    assert not ResultDecision.objects.exists()


def test_an_observer_reads_and_cannot_write(client, personas, season):
    client.force_login(observer_of_region(personas))
    response = client.get(LIST)
    assert len(_rows(response)) == 6 and "adopt-form" not in response.content.decode()
    assert client.get(EXPORT).status_code == 200
    page = client.get(_edit(season["good"]))
    assert page.status_code == 200 and "decision-form" not in page.content.decode()
    assert client.post(_edit(season["good"]), {"adopt": "1"}).status_code == 403
    assert client.post(ADOPT, {"year": "2023"}).status_code == 403
    assert not ResultDecision.objects.exists()


def test_the_decide_page_is_prefilled_from_the_suggestion_and_records(client, personas, season):
    client.force_login(personas.frank)
    e = season["reviewed"]
    html = lxml.html.fromstring(client.get(_edit(e)).content.decode())
    assert html.xpath('//select[@name="decision"]/option[@selected]/@value') == ["cut"]
    assert html.xpath('//input[@name="cut_share"]/@value') == ["10.00"]
    assert html.xpath('//input[@name="next_year_amount"]/@value') == ["900000.00"]
    response = client.post(_edit(e), {"decision": "cut", "cut_share": "25", "note": "压减"})
    assert response.status_code == 302
    record = ResultDecision.objects.get(evaluation=e)
    assert (record.next_year_amount, record.cut_share) == (Decimal("750000.00"), Decimal("25"))
    assert "压减25%" in client.get(_edit(e)).content.decode()


def test_adopt_on_the_decide_page_takes_the_suggestion(client, personas, season):
    client.force_login(personas.frank)
    response = client.post(_edit(season["poor"]), {"adopt": "1"})
    assert response.status_code == 302
    record = ResultDecision.objects.get(evaluation=season["poor"])
    assert (record.decision, record.next_year_amount) == ("cancel", 0)


def test_a_bad_share_is_shown_at_its_field(client, personas, season):
    client.force_login(personas.frank)
    response = client.post(
        _edit(season["good"]), {"decision": "cut", "cut_share": "120", "next_year_amount": ""}
    )
    assert response.status_code == 200
    html = lxml.html.fromstring(response.content.decode())
    errors = " ".join(html.xpath('//*[contains(@id, "cut_share")]//text()'))
    assert "不超过 100" in response.content.decode() and errors
    response = client.post(_edit(season["good"]), {"decision": "keep", "next_year_amount": "x"})
    assert response.status_code == 200 and "请输入金额" in response.content.decode()
    assert not ResultDecision.objects.exists()


def test_a_filing_under_review_has_no_decision_form(client, personas, season):
    client.force_login(personas.frank)
    page = client.get(_edit(season["draft"]))
    assert page.status_code == 200 and "decision-form" not in page.content.decode()
    response = client.post(_edit(season["draft"]), {"decision": "keep"})
    assert response.status_code == 200 and "审核通过或已公开" in response.content.decode()
    assert not ResultDecision.objects.exists()


def test_bulk_adopt_takes_the_suggestion_for_the_filtered_undecided_rows(client, personas, season):
    _decide(season["good"], personas.frank, decision="prioritise")
    client.force_login(personas.frank)
    response = client.post(ADOPT, {"year": "2023", "department": personas.department_a.pk})
    assert response.status_code == 302
    decided = dict(ResultDecision.objects.values_list("evaluation__project__name", "decision"))
    assert decided == {
        "甲优": "prioritise",
        "甲良": "prioritise",
        "甲复核": "cut",
        "甲差": "cancel",
    }


def test_the_export_reads_back_as_the_budget_sections_workbook(client, personas, season):
    _decide(season["reviewed"], personas.frank, decision="cut", cut_share="20", note="复核扣分")
    _decide(season["b_fair"], personas.frank, decision="cancel")
    client.force_login(personas.frank)
    response = client.get(EXPORT + "?money_unit=万元")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "明细"]
    detail = book["明细"]
    heads = [c.value for c in detail[3]]
    assert heads[:5] == ["部门", "单位", "项目编码", "项目名称", "本年预算数（万元）"]
    assert heads[-4:] == ["压减比例", "下年安排数（万元）", "压减资金（万元）", "说明"]
    by_name = {row[3]: row for row in detail.iter_rows(min_row=4, values_only=True)}
    row = by_name["甲复核"]
    assert row[4] == 100 and row[7] == 92 and row[8] == 72 and row[9] == "中"
    assert row[10] == "压减10%" and row[11] == "压减20%"
    assert row[12] == pytest.approx(0.2) and row[13] == 80 and row[14] == 20
    assert row[15] == "复核扣分"
    assert by_name["乙良"][11] is None and "建议" in by_name["乙良"][15]
    total = by_name[None]
    assert total[0] == "合计" and total[4] == 470 and total[13] == 80 and total[14] == 40
    assert detail.cell(row=4, column=5).number_format == "#,##0.00"
    summary = {row[0]: row for row in book["汇总"].iter_rows(min_row=4, values_only=True)}
    a = summary[personas.department_a.name]
    assert a[1] == 4 and a[2] == 400 and a[3] == 80 and a[4] == 20
    assert summary["合计"][4] == 40 and summary["合计"][-1] == 4  # 未决定
    heads = [c.value for c in book["汇总"][3]]
    assert heads[5:] == ["保持", "优先保障", "压减", "取消", "暂停", "未决定"]
    assert summary["合计"][heads.index("取消")] == 1


def test_the_review_page_shows_the_suggestion_and_the_decision(client, personas, season):
    _decide(season["reviewed"], personas.frank, decision="cut", cut_share="20")
    client.force_login(personas.frank)
    html = client.get(reverse("review:evaluation_detail", args=[season["reviewed"].pk]))
    text = html.content.decode()
    assert (
        "result-decision-panel" in text and "压减20%" in text and _edit(season["reviewed"]) in text
    )
    draft = client.get(reverse("review:evaluation_detail", args=[season["draft"].pk]))
    assert "result-decision-panel" not in draft.content.decode()


def test_the_navigation_offers_the_list_to_readers_only(client, personas, season):
    client.force_login(personas.frank)
    assert LIST in client.get(LIST).content.decode()
    client.force_login(personas.alice)
    assert LIST not in client.get(reverse("projects:workspace")).content.decode()


@pytest.mark.parametrize("more", [0, 12])
@pytest.mark.parametrize("who", ["frank", "dora"])
def test_the_list_makes_its_pinned_queries_however_many_rows(
    client, personas, season, django_assert_num_queries, more, who
):
    for i in range(more):
        e = finished(personas.unit_a if i % 2 else personas.unit_b, total=str(55 + i * 3))
        review(e, "80", region=personas.region, seed=100 + i)
        if i % 3 == 0:
            _decide(e, personas.frank, decision="keep")
    client.force_login(getattr(personas, who))
    # the session, the user, the memberships; the years in scope; the departments of the
    # filter; the rows with their decisions; fund lines, review totals, monitoring reports and
    # the regions' rule-set years
    with django_assert_num_queries(3 + 1 + 1 + 1 + 4):
        response = client.get(LIST)
    assert response.status_code == 200
