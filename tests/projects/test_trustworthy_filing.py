"""The five ways a filing was lost or corrupted between features, each reproduced as it was met.

1. A filer's JSON upload rewrote what the finance bureau approved (预期目标, the execution weight).
2. An older workbook silently undid newer browser edits, and re-saved every sheet.
3. One 元/万元 typo (900 against 950000) made a filing unreadable on every page.
4. Broken files were server errors (covered with the limits in test_upload_malformed.py).
5. Scores a filer never claimed: a qualitative row without 完成程度 at full marks, and a claimed
   执行率得分 left at its old figure after an upload changed the amounts.
"""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.exporter import export_document
from projects.filing.services import DraftChanges, evaluation_queryset, evaluation_save_draft
from projects.importer import ImportFailed, import_document
from projects.models import (
    Evaluation,
    EvaluationStatus,
    FundLine,
    Indicator,
    IndicatorResult,
    Project,
)
from projects.review.services.workflow import SubmissionBlocked, evaluation_submit
from scoring.engine.document import read_document
from tests.projects.test_filing_support import business_env
from tests.projects.test_upload import (
    confirm,
    filled,
    indicator_row,
    preview,
    subject_sheet,
    template,
    upload,
)

PROJECT = "区创优营商环境服务中心工作经费"


@pytest.fixture
def evaluation(personas):
    return business_env(personas.unit_a)


def _json(evaluation, edit) -> bytes:
    document = export_document(evaluation_queryset().get(pk=evaluation.pk))
    edit(document)
    return json.dumps(document, ensure_ascii=False).encode()


def _rows():
    """Every filing row as plain values, to compare before and after."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Project, FundLine, Indicator, Evaluation, IndicatorResult)
    ]


# ---------------------------------------------------------------- 1. locked fields


def test_a_filers_json_cannot_change_the_approved_goal_or_execution_weight(
    client, personas, evaluation
):
    client.force_login(personas.alice)

    def edit(document):
        document["goal"]["expected"] = "另写的预期目标"
        document["funds"][0]["weight"] = "30"

    before = _rows()
    response = upload(client, _json(evaluation, edit), name="自评.json")
    assert response.status_code == 422
    html = response.content.decode()
    assert "goal.expected" in html and "预期目标与批复不一致" in html
    assert "funds[0].weight" in html and "执行率分值与批复不一致" in html
    assert _rows() == before


@pytest.mark.parametrize(
    ("key", "edit"),
    [
        ("funds[1].adjusted", lambda d: d["funds"][1].update(adjusted="99")),
        ("indicators[0].target", lambda d: d["indicators"][0].update(target="≥1个")),
        ("indicators[2].weight", lambda d: d["indicators"][2].update(weight="25")),
    ],
)
def test_each_locked_field_of_a_filers_json_is_refused_by_its_key(
    client, personas, evaluation, key, edit
):
    client.force_login(personas.alice)
    before = _rows()
    response = upload(client, _json(evaluation, edit), name="自评.json")
    assert response.status_code == 422
    assert key in response.content.decode()
    assert _rows() == before


def test_a_filers_json_fills_what_the_form_can(client, personas, evaluation):
    client.force_login(personas.alice)

    def edit(document):
        document["indicators"][2]["actual"] = "1500家"
        document["indicators"][2]["deviation"] = "部分企业停产"
        document["goal"]["actual"] = "按 JSON 填写的完成情况"

    response = upload(client, _json(evaluation, edit), name="自评.json")
    assert "已保存 1 个评价对象" in response.content.decode()
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.goal_actual == "按 JSON 填写的完成情况"
    row = saved.results.get(indicator__name="走访企业数量")
    assert (row.actual, row.deviation_reason, row.computed_score) == (
        "1500家",
        "部分企业停产",
        Decimal("18.75"),  # 20 × 1500 / 1600
    )
    assert saved.project.goal_expected == "保障单位日常工作正常运转"


def test_a_workbook_that_changes_a_budget_or_the_goal_is_refused_at_the_cell(
    client, personas, evaluation
):
    client.force_login(personas.alice)

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet["C8"] = 99  # 当年财政拨款 · 全年预算数
        sheet["C12"] = "另写的预期目标"

    before = _rows()
    response = upload(client, filled(template(client), edits))
    html = response.content.decode()
    assert response.status_code == 422
    assert "全年预算数与批复不一致" in html and "预期目标与批复不一致" in html
    assert _rows() == before


def test_the_importer_refuses_to_rewrite_a_submitted_evaluation(personas, evaluation):
    document = read_document(export_document(evaluation_queryset().get(pk=evaluation.pk)))
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SUBMITTED)
    before = _rows()
    with pytest.raises(ImportFailed, match="待主管部门审核"):
        import_document(document, source="测试")
    assert _rows() == before


def test_a_json_upload_for_a_submitted_evaluation_is_refused(client, personas, evaluation):
    client.force_login(personas.alice)
    data = _json(evaluation, lambda d: d["indicators"][0].update(actual="1个"))
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SUBMITTED)
    before = _rows()
    response = upload(client, data, name="自评.json")
    assert response.status_code == 422
    assert "不能再修改" in response.content.decode()
    assert _rows() == before


# ---------------------------------------------------------------- 2. old files


def _browser_edit(client, evaluation, name, actual):
    """Change one indicator's 实际完成值 the way the form does."""
    from tests.projects.test_filing_form import form_data

    index = [i.name for i in evaluation.project.indicators.order_by("order", "pk")].index(name)
    response = client.post(
        reverse("projects:evaluation_edit", args=[evaluation.pk]),
        form_data(Evaluation.objects.get(pk=evaluation.pk), **{f"ind-{index}-actual": actual}),
    )
    assert response.status_code == 302


def test_an_older_workbook_never_undoes_a_newer_browser_edit(client, personas, evaluation):
    client.force_login(personas.alice)
    old = template(client)  # version 1
    _browser_edit(client, evaluation, "解决企业难题", "浏览器里改的320个")

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet[f"E{indicator_row(sheet, '召开座谈会')}"] = "170个"

    response = preview(client, filled(old, edits))
    html = response.content.decode()
    assert "预览" in html and "170个" in html
    assert "浏览器里改的320个" not in html  # the newer edit is not among the changes
    assert IndicatorResult.objects.get(indicator__name="召开座谈会").actual == "160个"
    confirm(client, response)
    assert IndicatorResult.objects.get(indicator__name="解决企业难题").actual == "浏览器里改的320个"
    assert IndicatorResult.objects.get(indicator__name="召开座谈会").actual == "170个"


def test_an_older_workbook_that_changes_the_same_field_asks_and_keeps_the_newer_by_default(
    client, personas, evaluation
):
    client.force_login(personas.alice)
    old = template(client)
    _browser_edit(client, evaluation, "解决企业难题", "浏览器里改的320个")

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet[f"E{indicator_row(sheet, '解决企业难题')}"] = "文件里改的330个"

    response = preview(client, filled(old, edits))
    html = response.content.decode()
    assert "文件中的内容" in html and "文件里改的330个" in html and "浏览器里改的320个" in html
    confirm(client, response)
    assert IndicatorResult.objects.get(indicator__name="解决企业难题").actual == "浏览器里改的320个"


def test_choosing_the_files_value_for_a_conflict_writes_it(client, personas, evaluation):
    client.force_login(personas.alice)
    old = template(client)
    _browser_edit(client, evaluation, "解决企业难题", "浏览器里改的320个")
    indicator = Indicator.objects.get(name="解决企业难题")

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet[f"E{indicator_row(sheet, '解决企业难题')}"] = "文件里改的330个"

    response = preview(client, filled(old, edits))
    name = f"resolve:{evaluation.project.pk}:results.{indicator.pk}.actual"
    confirm(client, response, **{name: "mine"})
    assert IndicatorResult.objects.get(indicator=indicator).actual == "文件里改的330个"


def test_a_preview_writes_nothing(client, personas, evaluation):
    client.force_login(personas.alice)

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet[f"E{indicator_row(sheet, '走访企业数量')}"] = "1500家"

    before = _rows()
    response = preview(client, filled(template(client), edits))
    assert 'id="confirm-form"' in response.content.decode()
    assert _rows() == before


def test_an_unchanged_workbook_touches_no_evaluation(client, personas, evaluation):
    client.force_login(personas.alice)
    others = [business_env(personas.unit_a) for _ in range(2)]
    Project.objects.filter(pk__in=[e.project_id for e in others]).update(name="另一个项目")
    data = template(client)
    history = Evaluation.history.count() + IndicatorResult.history.count()
    versions = list(Evaluation.objects.order_by("pk").values_list("version", flat=True))

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet[f"E{indicator_row(sheet, '走访企业数量')}"] = "1500家"

    response = upload(client, filled(data, edits))
    html = response.content.decode()
    assert "已保存 1 个评价对象" in html and "另有 2 个评价对象内容未变" in html
    after = list(Evaluation.objects.order_by("pk").values_list("version", flat=True))
    assert after == [versions[0] + 1, *versions[1:]]
    # One history row for the evaluation and one for the indicator row that changed.
    assert Evaluation.history.count() + IndicatorResult.history.count() == history + 2
    # The old template once more: made at version 1, it changes nothing saved since.
    assert "未作任何修改" in upload(client, data).content.decode()
    assert Evaluation.history.count() + IndicatorResult.history.count() == history + 2


def test_a_workbook_identical_to_what_is_stored_changes_nothing(client, personas, evaluation):
    client.force_login(personas.alice)
    before = _rows()
    response = upload(client, template(client))
    assert "未作任何修改" in response.content.decode()
    assert _rows() == before


def test_a_json_named_with_its_version_merges_like_the_workbook(client, personas, evaluation):
    client.force_login(personas.alice)
    data = _json(evaluation, lambda d: d["indicators"][1].update(actual="170个"))
    _browser_edit(client, evaluation, "解决企业难题", "浏览器里改的320个")
    upload(client, data, name=f"A0-P-2023-v{evaluation.version}.json")
    assert IndicatorResult.objects.get(indicator__name="解决企业难题").actual == "浏览器里改的320个"
    assert IndicatorResult.objects.get(indicator__name="召开座谈会").actual == "170个"


def test_another_units_filer_cannot_confirm_a_preview(client, personas, evaluation):
    client.force_login(personas.alice)

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet[f"E{indicator_row(sheet, '走访企业数量')}"] = "1500家"

    response = preview(client, filled(template(client), edits))
    client.force_login(personas.bob)
    before = _rows()
    refused = confirm(client, response)
    assert refused.status_code == 422 and "预览已过期或不属于您" in refused.content.decode()
    assert _rows() == before


# ---------------------------------------------------------------- 3. the unit slip


@pytest.mark.parametrize(
    ("executed", "message"),
    [
        # 950000 against 900: a rate of 105,555.56%, which no filing has.
        ("950000", "预算执行率 105,555.56% 超过 200%，不合常理"),
        # 9,000,000 against 900: ten thousand times, one of them typed in 万元.
        ("9000000", "疑似元/万元单位错误：全年执行数约为全年预算数的 1 万倍"),
    ],
)
def test_a_unit_slip_saves_with_a_message_at_the_field_and_every_page_stays_up(
    client, personas, evaluation, executed, message
):
    """全年预算数 900 元 and an absurd 全年执行数: never a broken filing, always a message."""
    from tests.projects.test_filing_form import form_data

    FundLine.objects.filter(project=evaluation.project).update(
        initial=Decimal("900"), adjusted=Decimal("900")
    )
    client.force_login(personas.alice)
    data = form_data(
        Evaluation.objects.get(pk=evaluation.pk),
        **{"ev-money_unit": "元", "fund-current_year-executed": executed},
    )
    url = reverse("projects:evaluation_edit", args=[evaluation.pk])
    assert client.post(url, data).status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html
    assert 'href="#id_fund-current_year-executed"' in html  # the finding leads to the field
    saved = Evaluation.objects.get(pk=evaluation.pk)
    expected = (Decimal(executed) / 900 * 100).quantize(Decimal("0.01"))
    assert saved.execution_rate == expected
    assert client.get(reverse("projects:workspace")).status_code == 200
    assert client.get(reverse("projects:upload_template"), {"year": 2023}).status_code == 200
    client.force_login(personas.frank)
    assert client.get(reverse("review:evaluation_detail", args=[evaluation.pk])).status_code == 200
    with pytest.raises(SubmissionBlocked):
        evaluation_submit(evaluation=saved, user=personas.alice)


# ---------------------------------------------------------------- 5. honest claims


def _qualitative(evaluation) -> Indicator:
    indicator = Indicator.objects.create(
        project=evaluation.project, order=99, level1="效益指标", level2="社会效益指标",
        name="公车配置到位情况", target="有效提升", weight=Decimal("10"),
    )  # fmt: skip
    IndicatorResult.objects.create(evaluation=evaluation, indicator=indicator, claimed_follows=True)
    Indicator.objects.filter(project=evaluation.project, name="就业岗位").update(
        weight=Decimal("20")
    )
    return indicator


def test_a_qualitative_actual_without_its_achievement_blocks_submission(personas, evaluation):
    indicator = _qualitative(evaluation)
    saved = evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=evaluation.version,
        changes=DraftChanges(results={indicator.pk: {"actual": "部分提升，尚有两辆车未到位"}}),
    )
    row = saved.results.get(indicator=indicator)
    assert row.computed_score == Decimal("0.00")
    assert row.claimed_score == Decimal("0.00")  # never full marks the filer did not claim
    codes = {(f["code"], f["severity"]) for f in saved.result["findings"]}
    assert ("achievement_missing", "error") in codes
    with pytest.raises(SubmissionBlocked):
        evaluation_submit(evaluation=saved, user=personas.alice)


def test_the_claimed_execution_score_follows_an_upload_that_changes_the_amounts(
    client, personas, evaluation
):
    client.force_login(personas.alice)
    # The filer opened and saved the form once: the claim follows the computed 8.43.
    _browser_edit(client, evaluation, "解决企业难题", "300个")
    assert Evaluation.objects.get(pk=evaluation.pk).claimed_execution_score == Decimal("8.43")

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet["D8"] = 23  # 全年执行数 23 万元 of 46: 50% → 5.00

    upload(client, filled(template(client), edits))
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.execution_rate == Decimal("50.00")
    assert saved.claimed_execution_score == saved.computed_execution_score == Decimal("5.00")
    assert saved.claimed_total == saved.computed_total


def test_a_typed_claim_stays_after_an_upload(client, personas, evaluation):
    client.force_login(personas.alice)
    evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=evaluation.version,
        changes=DraftChanges(claimed_execution_score=Decimal("7")),
    )

    def edits(book):
        sheet = subject_sheet(book, PROJECT)
        sheet["D8"] = 23

    upload(client, filled(template(client), edits))
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.claimed_execution_score == Decimal("7.00")
    assert saved.computed_execution_score == Decimal("5.00")


def test_a_following_claim_follows_a_rule_set_change(personas, evaluation):
    from scoring.recompute import settle_following_claims
    from scoring.services import recompute_region

    indicator = Indicator.objects.get(project=evaluation.project, name="走访企业数量")
    evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=evaluation.version,
        changes=DraftChanges(results={indicator.pk: {"actual": "1500家"}}),
    )
    # A rule change moves the computed score; stand it in by writing a different one (and, as a
    # new rule set would, a digest that no longer matches the stored result).
    IndicatorResult.objects.filter(indicator=indicator).update(computed_score=Decimal("17.00"))
    Evaluation.objects.filter(pk=evaluation.pk).update(
        computed_execution_score=Decimal("8.00"), input_digest=""
    )
    settle_following_claims([evaluation.pk])
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.results.get(indicator=indicator).claimed_score == Decimal("17.00")
    assert saved.claimed_execution_score == Decimal("8.00")
    recompute_region(region=personas.region, year=2023)
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.results.get(indicator=indicator).claimed_score == Decimal("18.75")
    assert saved.claimed_total == saved.computed_total
