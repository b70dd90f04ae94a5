"""The quality checks on a declaration read earlier years and other units from the database, in a
fixed number of queries, and store what the declarer and the reviewers see."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import IndicatorResult, LibraryIndicator, TargetDeclaration
from scoring.target_checks import check_declaration
from tests.factories import EvaluationFactory, IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _declaration(project, *rows):
    for order, row in enumerate(rows):
        IndicatorFactory(project=project, order=order, **row)
    return TargetDeclaration.objects.create(project=project)


def _past_year(unit, year, name, target, actual, *, code="P-T"):
    kwargs = {"unit": unit} if unit else {}
    project = ProjectFactory(year=year, code=code, **kwargs)
    indicator = IndicatorFactory(project=project, name=name, target=target, weight=Decimal(90))
    evaluation = EvaluationFactory(project=project)
    IndicatorResult.objects.create(evaluation=evaluation, indicator=indicator, actual=actual)


def _codes(data, indicator_id=None):
    return [
        f["code"]
        for f in data["findings"]
        if indicator_id is None or f["indicator_id"] == indicator_id
    ]


def _fresh(declaration):
    return TargetDeclaration.objects.get(pk=declaration.pk)


FULL = {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "weight": Decimal(90)}


def test_a_target_below_last_years_actual_is_flagged_from_last_years_evaluation():
    project = ProjectFactory(year=2024, code="P-T")
    _past_year(project.unit, 2023, "培训人次", "≥100人次", "120人次")
    declaration = _declaration(project, {**FULL, "target": "≥110人次"})
    data = check_declaration(_fresh(declaration), store=False)
    indicator = project.indicators.get()
    found = [f for f in data["findings"] if f["code"] == "target_below_previous"]
    assert [f["indicator_id"] for f in found] == [indicator.pk]
    assert "120人次" in found[0]["message"]


def test_a_target_beaten_by_far_two_years_running_is_flagged_and_one_year_is_not():
    project = ProjectFactory(year=2024, code="P-T")
    _past_year(project.unit, 2023, "培训人次", "≥100人次", "140人次")
    declaration = _declaration(project, {**FULL, "target": "≥150人次"})
    assert "target_beaten_repeatedly" not in _codes(check_declaration(_fresh(declaration)))
    _past_year(project.unit, 2022, "培训人次", "≥80人次", "104人次")  # 1.30 × 80
    data = check_declaration(_fresh(declaration))
    assert "target_beaten_repeatedly" in _codes(data)


def test_a_gap_year_breaks_the_run_of_beaten_targets():
    project = ProjectFactory(year=2024, code="P-T")
    _past_year(project.unit, 2023, "培训人次", "≥100人次", "140人次")
    _past_year(project.unit, 2021, "培训人次", "≥80人次", "200人次")
    declaration = _declaration(project, {**FULL, "target": "≥150人次"})
    assert "target_beaten_repeatedly" not in _codes(check_declaration(_fresh(declaration)))


def test_another_units_project_of_the_same_code_is_not_this_projects_history():
    project = ProjectFactory(year=2024, code="P-T")
    _past_year(None, 2023, "培训人次", "≥100人次", "500人次")
    declaration = _declaration(project, {**FULL, "target": "≥110人次"})
    assert "target_below_previous" not in _codes(check_declaration(_fresh(declaration)))


def test_a_row_identical_to_another_units_project_is_flagged_as_copied():
    other = ProjectFactory(year=2024, name="乙单位的项目")
    IndicatorFactory(project=other, **FULL, target="≥100人次")
    project = ProjectFactory(year=2024)
    declaration = _declaration(project, {**FULL, "target": "≥100人次"})
    data = check_declaration(_fresh(declaration), store=False)
    copied = [f for f in data["findings"] if f["code"] == "indicator_copied"]
    assert len(copied) == 1 and "乙单位的项目" in copied[0]["message"]


def test_a_different_target_or_level_or_year_is_not_a_copy():
    for changes in ({"target": "≥120人次"}, {"level2": "质量指标"}):
        IndicatorFactory(
            project=ProjectFactory(year=2024), **{**FULL, "target": "≥100人次", **changes}
        )
    IndicatorFactory(project=ProjectFactory(year=2023), **FULL, target="≥100人次")
    project = ProjectFactory(year=2024)
    declaration = _declaration(project, {**FULL, "target": "≥100人次"})
    assert "indicator_copied" not in _codes(check_declaration(_fresh(declaration)))


def test_the_same_units_other_project_and_library_indicators_are_not_copies():
    project = ProjectFactory(year=2024)
    IndicatorFactory(
        project=ProjectFactory(year=2024, unit=project.unit), **FULL, target="≥100人次"
    )
    declaration = _declaration(project, {**FULL, "target": "≥100人次"})
    assert "indicator_copied" not in _codes(check_declaration(_fresh(declaration)))
    region = project.unit.department.region
    library = LibraryIndicator.objects.create(
        region=region, function="教育", level1="产出指标", level2="数量指标", name="培训人次"
    )
    IndicatorFactory(project=ProjectFactory(year=2024), **FULL, target="≥100人次", library=library)
    assert "indicator_copied" not in _codes(check_declaration(_fresh(declaration)))


def test_unsaved_form_values_are_checked_instead_of_the_stored_ones():
    project = ProjectFactory(year=2024)
    declaration = _declaration(project, {**FULL, "target": "≥100人次"})
    indicator = project.indicators.get()
    data = check_declaration(
        _fresh(declaration),
        overrides={f"indicators.{indicator.pk}.target": "有效提升"},
        store=False,
    )
    assert "target_not_measurable" in _codes(data, indicator.pk)
    assert _fresh(declaration).checked_at is None


def test_storing_writes_the_findings_and_their_counts_on_the_declaration():
    project = ProjectFactory(year=2024)
    declaration = _declaration(
        project,
        {**FULL, "target": "有效提升", "weight": Decimal(60)},
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "name": "满意度",
            "target": "≥90%",
            "weight": Decimal(20),
            "method": "",
        },
    )
    data = check_declaration(_fresh(declaration))
    stored = _fresh(declaration)
    # Errors: the 数量指标 in words and the total of 80 against 90. Warning: no survey method.
    assert (stored.error_count, stored.warning_count) == (2, 1)
    assert stored.result == data and stored.checked_at is not None
    assert sorted(_codes(data)) == [
        "satisfaction_without_method",
        "target_not_measurable",
        "weights_not_total",
    ]


def test_the_checks_cost_the_same_queries_for_two_rows_as_for_twelve():
    from projects.targets.services import declaration_queryset

    def count(rows):
        project = ProjectFactory(year=2024, code=f"P-Q{rows}")
        _past_year(project.unit, 2023, "指标0", "≥100个", "90个", code=f"P-Q{rows}")
        declaration = _declaration(
            project, *({**FULL, "name": f"指标{n}", "target": "≥100个"} for n in range(rows))
        )
        fresh = declaration_queryset().get(pk=declaration.pk)
        with CaptureQueriesContext(connection) as queries:
            check_declaration(fresh)
        return len(queries)

    two = count(2)
    assert count(12) == two
    assert two <= 4, two  # region rule-set entries, earlier years, copies, the update


def test_the_declarers_save_runs_the_checks_and_stores_them(personas):
    from django.utils import timezone

    from projects.targets.services import declaration_add_indicator, project_declare

    year = timezone.localdate().year + 1
    declaration = project_declare(
        unit=personas.unit_a, user=personas.alice, year=year, code="P-NEW", name="新项目"
    )
    stored = _fresh(declaration)
    # Nothing declared yet: the weights total 0, not 90.
    assert _codes(stored.result) == ["weights_not_total"] and stored.error_count == 1
    indicator = declaration_add_indicator(
        declaration=stored, user=personas.alice, level1="满意度指标", level2="服务对象满意度指标",
        name="群众满意度",
    )  # fmt: skip
    stored = _fresh(declaration)
    assert {f["code"] for f in stored.result["findings"] if f["indicator_id"] == indicator.pk} == {
        "target_not_measurable",
        "satisfaction_without_method",
    }
