"""The filing services and the report drafting: the version check, claims, derived totals."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from projects.filing.services import (
    AUTO,
    DraftChanges,
    StaleVersion,
    derived_total,
    evaluation_save_draft,
)
from projects.models import Evaluation, EvaluationStatus, FundLine, IndicatorResult
from projects.narrative import (
    IndicatorFacts,
    NarrativeData,
    draft_sections,
    money,
)
from projects.narrative_check import figure_mismatches
from tests.projects.test_filing_support import business_env, row_of


@pytest.fixture
def evaluation(personas):
    return business_env(personas.unit_a)


def test_a_save_on_the_current_version_writes_and_bumps_it(personas, evaluation):
    _, indicator = row_of(evaluation, "走访企业数量")
    saved = evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=1,
        changes=DraftChanges(results={indicator.pk: {"actual": "1500家", "claimed_score": AUTO}}),
    )
    assert saved.version == 2
    assert saved.computed_total == Decimal("97.18")
    assert saved.results.get(indicator=indicator).claimed_score == Decimal("18.75")


def test_a_save_on_an_older_version_raises_and_writes_nothing(personas, evaluation):
    _, indicator = row_of(evaluation, "走访企业数量")
    change = DraftChanges(results={indicator.pk: {"actual": "1500家"}})
    evaluation_save_draft(evaluation=evaluation, user=personas.alice, version=1, changes=change)
    with pytest.raises(StaleVersion) as raised:
        evaluation_save_draft(
            evaluation=evaluation,
            user=personas.alice,
            version=1,
            changes=DraftChanges(results={indicator.pk: {"actual": "1400家"}}),
        )
    assert raised.value.current.version == 2
    assert Evaluation.objects.get(pk=evaluation.pk).results.get(indicator=indicator).actual == (
        "1500家"
    )


def test_a_save_that_changes_nothing_keeps_the_version_and_adds_no_history(personas, evaluation):
    _, indicator = row_of(evaluation, "走访企业数量")
    stored = evaluation.results.get(indicator=indicator).actual
    history = Evaluation.history.count() + IndicatorResult.history.count()
    saved = evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=None,
        changes=DraftChanges(results={indicator.pk: {"actual": f"{stored}\r\n"}}),
    )
    assert saved.version == 1
    assert Evaluation.history.count() + IndicatorResult.history.count() == history


def test_saves_of_different_fields_from_the_same_version_merge(personas, evaluation):
    """Two tabs opened at version 1: each changes its own field; both changes are kept."""
    _, visits = row_of(evaluation, "走访企业数量")
    _, jobs = row_of(evaluation, "就业岗位")
    evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=1,
        changes=DraftChanges(results={visits.pk: {"actual": "1500家"}}),
    )
    stale_tab = DraftChanges(
        results={
            visits.pk: {"actual": evaluation.results.get(indicator=visits).actual},
            jobs.pk: {"actual": "650个"},
        }
    )
    saved = evaluation_save_draft(
        evaluation=evaluation, user=personas.alice, version=1, changes=stale_tab
    )
    assert saved.version == 3
    assert saved.results.get(indicator=visits).actual == "1500家"
    assert saved.results.get(indicator=jobs).actual == "650个"


def test_a_conflict_is_settled_field_by_field(personas, evaluation):
    _, visits = row_of(evaluation, "走访企业数量")
    first = DraftChanges(results={visits.pk: {"actual": "1500家"}}, goal_actual="甲")
    evaluation_save_draft(evaluation=evaluation, user=personas.alice, version=1, changes=first)
    mine = DraftChanges(results={visits.pk: {"actual": "1400家"}}, goal_actual="乙")
    with pytest.raises(StaleVersion) as raised:
        evaluation_save_draft(evaluation=evaluation, user=personas.alice, version=1, changes=mine)
    key = f"results.{visits.pk}.actual"
    assert set(raised.value.plan.conflicts) == {key, "goal_actual"}
    saved = evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=1,
        changes=mine,
        resolutions={key: "mine", "goal_actual": "theirs"},
    )
    assert saved.results.get(indicator=visits).actual == "1400家"
    assert saved.goal_actual == "甲"


def test_a_typed_claimed_score_is_kept_below_the_computed_one(personas, evaluation):
    _, indicator = row_of(evaluation, "就业岗位")
    saved = evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=1,
        changes=DraftChanges(
            results={indicator.pk: {"claimed_score": Decimal("28")}},
            claimed_execution_score=Decimal("8"),
        ),
    )
    assert saved.results.get(indicator=indicator).claimed_score == Decimal("28")
    assert saved.claimed_total == Decimal("96.00")  # 8 + 10 + 10 + 20 + 10 + 28 + 10
    assert saved.claimed_grade == "优"
    assert saved.computed_total == Decimal("98.43")


def test_ids_of_another_projects_indicators_are_ignored(personas, evaluation):
    other = business_env(personas.unit_b)
    _, foreign = row_of(other, "就业岗位")
    evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=1,
        changes=DraftChanges(results={foreign.pk: {"actual": "0个"}}),
    )
    assert other.results.get(indicator=foreign).actual == "600个"


def test_other_users_cannot_save(personas, evaluation):
    with pytest.raises(PermissionDenied):
        evaluation_save_draft(
            evaluation=evaluation, user=personas.dora, version=1, changes=DraftChanges()
        )


def test_submitted_filings_cannot_be_saved(personas, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        evaluation_save_draft(
            evaluation=evaluation, user=personas.alice, version=1, changes=DraftChanges()
        )


def test_the_total_row_is_derived_from_the_sources(personas, evaluation):
    evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=1,
        changes=DraftChanges(funds={"other": {"executed": Decimal("1000")}}),
    )
    total = FundLine.objects.get(project=evaluation.project, source="total")
    assert total.executed == Decimal("388600")
    assert total.adjusted == Decimal("460000")


def test_a_filer_cannot_change_the_approved_budgets(personas, evaluation):
    """年初预算数 and 全年预算数 are the finance bureau's: a filer's save never writes them."""
    evaluation_save_draft(
        evaluation=evaluation,
        user=personas.alice,
        version=1,
        changes=DraftChanges(
            funds={"current_year": {"initial": Decimal("1"), "adjusted": Decimal("1")}}
        ),
    )
    total = FundLine.objects.get(project=evaluation.project, source="total")
    assert (total.initial, total.adjusted) == (Decimal("460000"), Decimal("460000"))
    assert Evaluation.objects.get(pk=evaluation.pk).version == 1  # nothing changed


def test_derived_total_sums_each_column_and_keeps_blank_columns_blank():
    rows = {
        "current_year": {"initial": Decimal("5"), "adjusted": None, "executed": Decimal("2")},
        "carryover": {"initial": Decimal("1"), "adjusted": None, "executed": None},
    }
    assert derived_total(rows) == {
        "initial": Decimal("6"),
        "adjusted": None,
        "executed": Decimal("2"),
    }
    assert derived_total({"total": {"initial": Decimal("9")}}) is None


# ---------------------------------------------------------------- the drafted report


def _data(**overrides):
    facts = (
        IndicatorFacts(
            1,
            "产出指标",
            "数量指标",
            "走访企业数量",
            "≥1600家",
            "1500家",
            Decimal(20),
            "部分企业停产",
        ),
        IndicatorFacts(2, "效益指标", "社会效益指标", "就业岗位", "≥600个", "600个", Decimal(30)),
        IndicatorFacts(3, "产出指标", "数量指标", "其中：重点企业", "≥100家", "90家", None),
    )
    values = {
        "kind": "project",
        "year": 2023,
        "subject_name": "区创优营商环境服务中心工作经费",
        "unit_name": "淮北市相山区人民政府办公室",
        "department_name": "淮北市相山区人民政府办公室",
        "money_unit": "万元",
        "initial": Decimal("460000"),
        "adjusted": Decimal("460000"),
        "executed": Decimal("387600"),
        "goal_expected": "保障单位日常工作正常运转",
        "indicators": facts,
    }
    values.update(overrides)
    return NarrativeData(**values)


RESULT = {
    "execution_rate": "84.26",
    "execution_score": "8.43",
    "indicator_total": "48.75",
    "total": "57.18",
    "grade": "差",
    "indicators": [
        {"score": "18.75", "status": "partial"},
        {"score": "30.00", "status": "met"},
        {"score": "0.00", "status": "unscored"},
    ],
}


def test_the_report_quotes_the_tables_figures():
    sections = draft_sections(RESULT, _data())
    assert "全年预算数46万元，全年执行数38.76万元，预算执行率84.26%" in sections["overview"]
    assert "自评得分57.18分，等级为“差”" in sections["achievement"]
    assert "绩效指标得分48.75分" in sections["achievement"]


def test_every_shortfall_is_listed_with_its_reason():
    deviations = draft_sections(RESULT, _data())["deviations"]
    assert (
        "1.「走访企业数量」年度指标值≥1600家，实际完成值1500家，未完全达到目标，"
        "得分18.75分（分值20分）。原因分析及改进措施：部分企业停产"
    ) in deviations
    assert "就业岗位" not in deviations
    assert "其中：重点企业" not in deviations  # sub-rows are never scored
    assert "2.预算执行率84.26%" in deviations


def test_a_missing_reason_is_marked_for_the_filer():
    facts = (
        IndicatorFacts(1, "产出指标", "数量指标", "走访企业数量", "≥1600家", "1500家", Decimal(20)),
    )
    deviations = draft_sections(RESULT, _data(indicators=facts))["deviations"]
    assert "（待填写偏差原因分析及改进措施）" in deviations


def test_result_application_follows_the_grade():
    assert "取消或暂停" in draft_sections(RESULT, _data())["application"]
    # 优, every indicator met, 95% spent: the national default (domain.md §8) stands.
    good = {
        **RESULT,
        "grade": "优",
        "execution_rate": "95.00",
        "indicators": [{"score": "20.00", "status": "met"}, {"score": "30.00", "status": "met"}],
    }
    assert "继续保持或优先安排" in draft_sections(good, _data())["application"]


def test_an_unspent_project_is_never_told_to_keep_or_prioritise_its_budget():
    # Seed 000's 武装工作经费: 0 of 100,000 元 spent because its function moved away, still 85 良.
    facts = (
        IndicatorFacts(
            1,
            "产出指标",
            "数量指标",
            "民兵训练次数",
            "≥2次",
            "0次",
            Decimal(50),
            "开发区原下辖四个社区划转给渠沟镇，不再承担社会事务工作管理。",
        ),
    )
    militia = {
        "execution_rate": "0.00",
        "execution_score": "0.00",
        "indicator_total": "85.00",
        "total": "85.00",
        "grade": "良",
        "indicators": [{"score": "0.00", "status": "missed"}],
    }
    data = _data(indicators=facts, initial=Decimal(100000), adjusted=Decimal(100000))
    data = NarrativeData(**{**data.__dict__, "executed": Decimal(0)})
    sections = draft_sections(militia, data)
    assert "继续保持" not in sections["application"] and "优先安排" not in sections["application"]
    assert "据实核减或不再安排" in sections["application"]
    assert (
        "鉴于项目资金当年未支出（原因见“三、偏离目标的原因和改进措施”）" in sections["application"]
    )
    assert "加快预算执行进度" not in sections["deviations"]
    assert "原因分析及改进措施：开发区原下辖四个社区划转给渠沟镇" in sections["deviations"]
    assert (
        "2.预算执行率0%，项目资金当年未支出，原因见上文「民兵训练次数」的说明。"
        in (sections["deviations"])
    )


def test_an_unexplained_unspent_budget_is_marked_for_the_filer():
    militia = {**RESULT, "execution_rate": "0.00", "indicators": []}
    deviations = draft_sections(militia, _data(indicators=()))["deviations"]
    assert "预算执行率0%，项目资金当年未支出，（待填写资金未支出的原因）" in deviations


def test_a_nearly_spent_budget_is_not_told_to_speed_up():
    # Seed 000's 公车采购项目: 480,400 / 491,400 = 97.76%.
    car = {**RESULT, "execution_rate": "97.76", "grade": "优"}
    data = _data(initial=Decimal(491400), adjusted=Decimal(491400), executed=Decimal(480400))
    sections = draft_sections(car, data)
    assert "加快预算执行进度" not in sections["deviations"]
    assert "预算执行率97.76%，结余资金1.1万元，预算基本执行到位" in sections["deviations"]
    # 84.26% is below the 90% line: there the draft asks to speed up.
    assert "加快预算执行进度" in draft_sections(RESULT, _data())["deviations"]


def test_a_rule_sets_threshold_moves_the_speed_up_line():
    data = NarrativeData(**{**_data().__dict__, "slow_execution_below": Decimal(80)})
    assert "加快预算执行进度" not in draft_sections(RESULT, data)["deviations"]


def test_a_unit_that_is_its_department_is_named_once():
    # Seed 003: 昌黎县招商中心 files its own 部门整体 evaluation.
    data = _data(
        kind="department_overall", unit_name="昌黎县招商中心", department_name="昌黎县招商中心"
    )
    overview = draft_sections(RESULT, data)["overview"]
    assert "昌黎县招商中心（昌黎县招商中心）" not in overview
    assert overview.startswith("昌黎县招商中心2023年度部门整体支出情况如下。")
    project = draft_sections(RESULT, _data(department_name="淮北市相山区人民政府办公室"))
    assert "主管部门为淮北市相山区人民政府办公室" not in project["overview"]


def test_the_draft_never_doubles_punctuation():
    facts = (
        IndicatorFacts(
            1, "产出指标", "数量指标", "开工项目数", "≥3个", "2个", Decimal(20), "1个项目尽快开工。"
        ),
    )
    data = _data(kind="department_overall", indicators=facts, goal_expected="完成招商任务；")
    for text in draft_sections(RESULT, data).values():
        for doubled in ("。。", "；。", "，。"):
            assert doubled not in text
    project = draft_sections(RESULT, _data(indicators=facts))
    assert "原因分析及改进措施：1个项目尽快开工。" in project["deviations"]
    assert "尽快开工。。" not in project["deviations"]


def test_a_missing_goal_is_not_a_placeholder():
    sections = draft_sections(RESULT, _data(goal_expected=""))
    assert "未填写" not in sections["overview"]
    assert "共设置绩效指标2项（产出指标1项、效益指标1项）" in sections["overview"]
    department = draft_sections(RESULT, _data(kind="department_overall", goal_expected=""))
    assert "未填写" not in department["overview"]


def test_department_reports_have_their_own_sections():
    sections = draft_sections(RESULT, _data(kind="department_overall"))
    assert list(sections) == [
        "overview",
        "spending_management",
        "performance_analysis",
        "conclusion",
        "problems",
        "measures",
    ]
    assert "「走访企业数量」年度指标值≥1600家" in sections["performance_analysis"]


def test_money_is_printed_in_the_tables_unit():
    assert money(Decimal("387600"), "万元") == "38.76万元"
    # Seed 003's 30.629万元 prints as the table prints it, two places half-up.
    assert money(Decimal("306290"), "万元") == "30.63万元"
    assert money(Decimal("1947970"), "元") == "1947970元"
    assert money(None, "元") == "—"


def test_figures_in_the_report_that_disagree_with_the_table_are_reported():
    notes = {"overview": "项目全年执行数为38.76万元，完成预算的84.25%。绩效自评得分为98.43分。"}
    problems = figure_mismatches(notes, {"execution_rate": "84.26", "total": "98.43"})
    assert problems == [
        "自评报告“一、基本情况”中预算执行率为84.25%，与表中的84.26%不一致，"
        "请按表格修改文字（或修改表格）。"
    ]
