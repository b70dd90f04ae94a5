"""Builders shared by the filing and upload tests (this module holds no tests of its own).

The business-environment project is seed 001's 区创优营商环境服务中心工作经费 as transcribed in
fixtures/seed001-xiangshan-govoffice-2023-business-env.json: funds 46 / 46 / 38.76 万元 and six
indicators weighted 10, 10, 20, 10, 30, 10 whose actuals sit on their targets.
"""

from decimal import Decimal

from projects.models import Evaluation, FundLine, FundSource, Indicator, IndicatorResult
from tests import factories as f
from tests.formfields import FilingFormFields

BUSINESS_ENV_ROWS = [
    ("产出指标", "数量指标", "解决企业难题", "≥300个", "300个", "10"),
    ("产出指标", "数量指标", "召开座谈会", "≥160个", "160个", "10"),
    ("产出指标", "数量指标", "走访企业数量", "≥1600家", "1600家", "20"),
    ("产出指标", "时效指标", "按节点完成计划", "≥95%", "95%", "10"),
    ("效益指标", "社会效益指标", "就业岗位", "≥600个", "600个", "30"),
    ("满意度指标", "服务对象满意度指标", "服务企业满意度", "≥90%", "90%", "10"),
]


def business_env(unit, *, score=True) -> Evaluation:
    """Seed 001's business-environment project and its draft evaluation, scored."""
    project = f.ProjectFactory(
        unit=unit,
        year=2023,
        name="区创优营商环境服务中心工作经费",
        money_unit="万元",
        goal_expected="保障单位日常工作正常运转",
    )
    for source in (FundSource.TOTAL, FundSource.CURRENT_YEAR):
        FundLine.objects.create(
            project=project,
            source=source,
            initial=Decimal("460000"),
            adjusted=Decimal("460000"),
            executed=Decimal("387600"),
            weight=Decimal("10") if source == FundSource.TOTAL else None,
        )
    evaluation = f.EvaluationFactory(
        project=project, goal_actual="全年支付经费38.76万元，保障了单位日常工作正常运转"
    )
    for order, (level1, level2, name, target, actual, weight) in enumerate(BUSINESS_ENV_ROWS):
        indicator = Indicator.objects.create(
            project=project,
            order=order,
            level1=level1,
            level2=level2,
            name=name,
            target=target,
            weight=Decimal(weight),
        )
        IndicatorResult.objects.create(
            evaluation=evaluation, indicator=indicator, actual=actual, claimed_score=Decimal(weight)
        )
    if score:
        from scoring.services import score_evaluation

        score_evaluation(evaluation)
    return evaluation


def many_indicators(unit, count: int, *, name="指标很多的项目") -> Evaluation:
    """A project with `count` met indicators sharing 90 points (for query-count pins)."""
    project = f.ProjectFactory(unit=unit, year=2023, name=name, money_unit="元")
    FundLine.objects.create(
        project=project,
        source=FundSource.CURRENT_YEAR,
        initial=Decimal("100000"),
        adjusted=Decimal("100000"),
        executed=Decimal("90000"),
    )
    evaluation = f.EvaluationFactory(project=project)
    weight = Decimal(90) / count
    for order in range(count):
        indicator = Indicator.objects.create(
            project=project,
            order=order,
            level1="产出指标",
            level2="数量指标" if order % 2 else "质量指标",
            name=f"指标{order + 1}",
            target="≥10个",
            weight=weight.quantize(Decimal("0.01")),
        )
        IndicatorResult.objects.create(evaluation=evaluation, indicator=indicator, actual="10个")
    return evaluation


def row_of(evaluation: Evaluation, name: str) -> tuple[int, Indicator]:
    """The formset index and indicator of the row named `name`."""
    for index, indicator in enumerate(evaluation.project.indicators.order_by("order", "pk")):
        if indicator.name == name:
            return index, indicator
    raise KeyError(name)


def form_data(evaluation: Evaluation, **overrides) -> dict:
    """The evaluation page's POST data as the browser sends it, from the stored figures.

    overrides: field names as posted (e.g. "ind-2-actual") mapped to new values.
    """
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    project = evaluation.project
    lines = {line.source: line for line in project.fund_lines.all()}
    unit = project.money_unit
    data = {
        "version": str(evaluation.version),
        "ev-money_unit": unit,
        "ev-goal_actual": evaluation.goal_actual,
        "ev-claimed_execution_score": "",
        "ev-claimed_execution_auto": "True",
    }
    for source in ("current_year", "carryover", "other"):
        line = lines.get(source)
        for column in ("initial", "adjusted", "executed"):
            value = getattr(line, column) if line else None
            if value is not None and unit == "万元":
                value = value / 10000
            data[f"fund-{source}-{column}"] = "" if value is None else f"{value.normalize():f}"
    results = {r.indicator_id: r for r in evaluation.results.all()}
    indicators = list(project.indicators.order_by("order", "pk"))
    data.update(
        {
            "ind-TOTAL_FORMS": str(len(indicators)),
            "ind-INITIAL_FORMS": str(len(indicators)),
            "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "1000",
        }
    )
    for index, indicator in enumerate(indicators):
        result = results.get(indicator.pk)
        data[f"ind-{index}-indicator"] = str(indicator.pk)
        data[f"ind-{index}-actual"] = result.actual if result else ""
        data[f"ind-{index}-achievement"] = result.achievement if result else ""
        data[f"ind-{index}-claimed_score"] = ""
        data[f"ind-{index}-claimed_auto"] = "True"
        data[f"ind-{index}-deviation_reason"] = result.deviation_reason if result else ""
    for key, text in (evaluation.notes or {}).items():
        data[f"nr-note_{key}"] = text
    data.update(overrides)
    return data


def page_form_data(html: str) -> dict:
    """The evaluation page's form fields exactly as the browser would post them."""
    parser = FilingFormFields()
    parser.feed(html)
    return parser.data
