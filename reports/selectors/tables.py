"""The 项目支出绩效自评表 (domain.md §3.1) and 部门整体支出绩效自评表 (§3.2) as plain data.

One context per document; the HTML page, the PDF and the workbook all render it. Scores come from
the stored scoring result (selfeval-result/1) and the computed_* fields, never recomputed here, so
a frozen evaluation prints the same figures years later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404

from projects.formatting import WAN_YUAN, in_unit, rate, round2, to_decimal
from projects.models import Evaluation, FundSource, Project, Region
from projects.money import fund_amounts  # the one total rule; summary.py imports it here
from projects.monitoring.yearend import midyear_values
from reports.selectors.base import with_document_data
from reports.selectors.stamp import DocumentStamp, document_stamp
from scoring.services import rule_set_title

SOURCES = (FundSource.CURRENT_YEAR, FundSource.CARRYOVER, FundSource.OTHER)
FUND_LABELS = {
    FundSource.TOTAL: "年度资金总额",
    FundSource.CURRENT_YEAR: "其中：当年财政拨款",
    FundSource.CARRYOVER: "上年结转资金",
    FundSource.OTHER: "其他资金",
}
STATUS_LABELS = {
    "met": "达成",
    "exceeded": "超额完成",
    "partial": "部分达成",
    "missed": "未达成",
    "qualitative": "定性",
    "unscored": "不计分",
}
COMPARATOR_LABELS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}


@dataclass
class FundRow:
    """One row of 项目资金: amounts in the printed money unit, exact 元 kept for the workbook."""

    source: str
    label: str
    initial: Decimal | None
    adjusted: Decimal | None
    executed: Decimal | None
    initial_yuan: Decimal | None
    adjusted_yuan: Decimal | None
    executed_yuan: Decimal | None
    rate: Decimal | None
    weight: Decimal | None = None
    score: Decimal | None = None
    is_total: bool = False


@dataclass
class IndicatorRow:
    """One 三级指标 row with its merged-cell spans (0 = covered by the cell above)."""

    indicator_id: int
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    midyear_actual: str
    weight: Decimal | None
    score: Decimal | None
    claimed_score: Decimal | None
    status: str
    deviation: str
    achievement: str = ""
    comparator: str = ""
    target_value: str = ""
    unit_of_measure: str = ""
    level1_rowspan: int = 1
    level2_rowspan: int = 1

    @property
    def is_sub_row(self) -> bool:
        """An informational 其中 row: printed, never scored."""
        return self.weight is None

    @property
    def status_label(self) -> str:
        """The completion status in Chinese."""
        return STATUS_LABELS.get(self.status, "")

    @property
    def falls_short(self) -> bool:
        """Scored below its weight: the report explains every such row."""
        return self.weight is not None and self.score is not None and self.score < self.weight


@dataclass
class EvaluationTable:
    """Everything one 自评表 prints; `kind` picks the project or department-overall layout."""

    evaluation_id: int
    kind: str
    title: str
    version: int  # carried in the workbook, so an upload of it merges from this version
    year: int
    region_name: str
    department_name: str
    department_id: int
    unit_name: str
    project_id: int
    project_name: str
    project_code: str
    fund_type: str
    transfer_level: str
    money_unit: str
    variant: str
    status: str
    status_label: str
    funds: list[FundRow]
    goal_expected: str
    goal_actual: str
    indicators: list[IndicatorRow]
    execution_rate: Decimal | None
    execution_weight: Decimal
    execution_score: Decimal | None
    indicator_total: Decimal | None
    total: Decimal | None
    grade: str
    claimed_total: Decimal | None
    rules: str
    scored: bool
    notes: dict = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    # 部门整体: 预算调整 (调整数 = 全年 − 年初; 预算调整率 = 调整数 / 年初)
    adjustment: Decimal | None = None
    adjustment_rate: Decimal | None = None
    stamp: DocumentStamp | None = (
        None  # draft / under review / approved / published, for every print
    )
    rules_title: str = ""  # the rule set in words, "全国通用（2020年）第1版" (public pages)

    @property
    def year_label(self) -> str:
        """The subtitle every form carries: （2023年度）."""
        return f"（{self.year}年度）"

    @property
    def is_department_overall(self) -> bool:
        """Whether this is the 部门整体支出 layout."""
        return self.kind == Project.Kind.DEPARTMENT_OVERALL

    @property
    def three_columns(self) -> bool:
        """The region prints 指标性质 / 指标值 / 度量单位 instead of one 年度指标值 column."""
        return self.variant == Region.TableVariant.THREE_COLUMN_TARGET

    @property
    def has_midyear(self) -> bool:
        """Print the 年中监控值 column only when some indicator carries one."""
        return any(row.midyear_actual for row in self.indicators)

    @property
    def total_fund(self) -> FundRow:
        """The 年度资金总额 row."""
        return self.funds[0]

    @property
    def indicator_weight_total(self) -> Decimal:
        """The sum of the scored rows' weights (90 under the national rule set)."""
        return sum((r.weight for r in self.indicators if r.weight is not None), Decimal(0))

    @property
    def weight_total(self) -> Decimal:
        """The 总分 column's 分值: execution weight plus indicator weights (100)."""
        return self.execution_weight + self.indicator_weight_total

    @property
    def shortfalls(self) -> list[IndicatorRow]:
        """Rows that scored below their weight, in table order."""
        return [r for r in self.indicators if r.falls_short]

    @property
    def column_count(self) -> int:
        """The indicator table's column count, for the full-width rows around it."""
        return 8 + (2 if self.three_columns else 0) + (1 if self.has_midyear else 0)


def _fund_rows(project: Project, money_unit: str, result: dict, evaluation: Evaluation):
    fund_lines = list(project.fund_lines.all())
    total_line = next((f for f in fund_lines if f.source == FundSource.TOTAL), None)
    amounts = fund_amounts(fund_lines)

    weight = (total_line.weight if total_line and total_line.weight is not None else None) or (
        Decimal(10)
    )
    rows = []
    for source in (FundSource.TOTAL, *SOURCES):
        a = amounts[source]
        is_total = source == FundSource.TOTAL
        row_rate = rate(a["executed"], a["adjusted"])
        if is_total:
            stored_rate = to_decimal(result.get("execution_rate"))
            row_rate = stored_rate if stored_rate is not None else row_rate
        rows.append(
            FundRow(
                source=source,
                label=FUND_LABELS[source],
                initial=in_unit(a["initial"], money_unit),
                adjusted=in_unit(a["adjusted"], money_unit),
                executed=in_unit(a["executed"], money_unit),
                initial_yuan=a["initial"],
                adjusted_yuan=a["adjusted"],
                executed_yuan=a["executed"],
                rate=row_rate,
                weight=weight if is_total else None,
                score=_execution_score(result, evaluation) if is_total else None,
                is_total=is_total,
            )
        )
    return rows, weight


def _execution_score(result: dict, evaluation: Evaluation) -> Decimal | None:
    stored = to_decimal(result.get("execution_score"))
    return stored if stored is not None else evaluation.computed_execution_score


def _three_columns(indicator) -> tuple[str, str, str]:
    """指标性质 / 指标值 / 度量单位 from the parsed fields, else from the scoring parser."""
    if indicator.target_value is not None:
        value = indicator.target_value.normalize()
        return (
            COMPARATOR_LABELS.get(indicator.comparator, indicator.comparator),
            f"{value:f}",
            indicator.unit_of_measure,
        )
    try:
        from scoring.engine import targets as parser
    except ImportError:  # the engine is optional for printing: fall back to the raw text
        return "", indicator.target, ""
    parsed = parser.parse_indicator_target(indicator.target or None, indicator.name)
    unit = parsed.unit_of_measure or ""
    if parsed.kind == parser.QUANTITATIVE and parsed.value is not None:
        comparator = COMPARATOR_LABELS.get(parsed.comparator or "=", "=")
        return comparator, f"{parsed.value.normalize():f}", unit
    if parsed.kind == parser.RANGE:
        return "区间", f"{parsed.low.normalize():f}～{parsed.high.normalize():f}", unit
    if parsed.kind == parser.DEADLINE:
        return "时限", parser.format_target(parsed), ""
    if parsed.kind == parser.EMPTY:
        return "", "", ""
    return "定性", indicator.target, ""


def _merge_spans(rows: list[IndicatorRow]) -> None:
    """一级 and 二级 cells of consecutive equal labels merge vertically (二级 within its 一级)."""
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1].level1 == rows[i].level1:
            j += 1
        rows[i].level1_rowspan = j - i + 1
        for k in range(i + 1, j + 1):
            rows[k].level1_rowspan = 0
        k = i
        while k <= j:
            m = k
            while m + 1 <= j and rows[m + 1].level2 == rows[k].level2:
                m += 1
            rows[k].level2_rowspan = m - k + 1
            for n in range(k + 1, m + 1):
                rows[n].level2_rowspan = 0
            k = m + 1
        i = j + 1


def _indicator_rows(evaluation: Evaluation, result: dict, three_columns: bool, midyear=None):
    scored = {
        item.get("indicator_id"): item
        for item in result.get("indicators") or []
        if item.get("indicator_id") is not None
    }
    by_indicator = {r.indicator_id: r for r in evaluation.results.all()}
    # A filed monitoring round of the year stands in for the free 年中监控值 text.
    if midyear is None:
        midyear = midyear_values([evaluation.project_id])
    midyear = midyear.get(evaluation.project_id, {})
    rows = []
    for indicator in evaluation.project.indicators.all():
        filed = by_indicator.get(indicator.pk)
        item = scored.get(indicator.pk, {})
        score = to_decimal(item.get("score"))
        if score is None and filed is not None:
            score = filed.computed_score
        row = IndicatorRow(
            indicator_id=indicator.pk,
            level1=indicator.level1,
            level2=indicator.level2,
            name=indicator.name,
            target=indicator.target,
            actual=filed.actual if filed else "",
            midyear_actual=midyear[indicator.pk].display
            if indicator.pk in midyear
            else (filed.midyear_actual if filed else ""),
            weight=indicator.weight,
            score=None if indicator.weight is None else score,
            claimed_score=filed.claimed_score if filed else None,
            status=item.get("status") or (filed.status if filed else ""),
            deviation=filed.deviation_reason if filed else "",
            achievement=filed.get_achievement_display() if filed and filed.achievement else "",
        )
        if three_columns:
            row.comparator, row.target_value, row.unit_of_measure = _three_columns(indicator)
        rows.append(row)
    _merge_spans(rows)
    return rows


def build_evaluation_table(
    evaluation: Evaluation, *, money_unit: str = WAN_YUAN, midyear: dict | None = None
) -> EvaluationTable:
    """Lay out one evaluation (already fetched with its document data) as its 自评表.

    `midyear`: the monitoring values of many subjects read at once (`midyear_values`), so a list
    of tables costs one query for them; None reads this subject's.
    """
    project = evaluation.project
    region = project.unit.department.region
    result = evaluation.result or {}
    rules_title = rule_set_title(
        result.get("rules") or evaluation.rule_set_id, evaluation.rule_set_version
    )
    funds, weight = _fund_rows(project, money_unit, result, evaluation)
    indicators = _indicator_rows(
        evaluation,
        result,
        region.table_variant == Region.TableVariant.THREE_COLUMN_TARGET,
        midyear,
    )
    indicator_total = to_decimal(result.get("indicator_total"))
    if indicator_total is None and any(r.score is not None for r in indicators):
        indicator_total = round2(sum((r.score for r in indicators if r.score), Decimal(0)))
    total = to_decimal(result.get("total"))
    total = total if total is not None else evaluation.computed_total
    is_overall = project.kind == Project.Kind.DEPARTMENT_OVERALL
    table = EvaluationTable(
        evaluation_id=evaluation.pk,
        kind=project.kind,
        version=evaluation.version,
        title="部门整体支出绩效自评表" if is_overall else "项目支出绩效自评表",
        year=evaluation.year,
        region_name=region.name,
        department_name=project.unit.department.name,
        department_id=project.unit.department_id,
        unit_name=project.unit.name,
        project_id=project.pk,
        project_name=project.name,
        project_code=project.code,
        fund_type=project.get_fund_type_display(),
        transfer_level=project.get_transfer_level_display(),
        money_unit=money_unit,
        variant=region.table_variant,
        status=evaluation.status,
        status_label=evaluation.get_status_display(),
        funds=funds,
        goal_expected=project.goal_expected,
        goal_actual=evaluation.goal_actual,
        indicators=indicators,
        execution_rate=funds[0].rate,
        execution_weight=weight,
        execution_score=funds[0].score,
        indicator_total=indicator_total,
        total=total,
        grade=result.get("grade") or evaluation.computed_grade,
        claimed_total=evaluation.claimed_total,
        rules=rules_in_words(rules_title),
        scored=bool(result) or evaluation.computed_total is not None,
        notes=evaluation.notes or {},
        findings=list(result.get("findings") or []),
        stamp=document_stamp(evaluation),
        rules_title=rules_title,
    )
    if is_overall:
        total_row = funds[0]
        if total_row.initial_yuan is not None and total_row.adjusted_yuan is not None:
            change = total_row.adjusted_yuan - total_row.initial_yuan
            table.adjustment = in_unit(change, money_unit)
            table.adjustment_rate = rate(change, total_row.initial_yuan)
    return table


def evaluation_table(evaluations, *, pk: int, money_unit: str = WAN_YUAN) -> EvaluationTable:
    """The 自评表 of one evaluation out of an already-gated queryset (404 outside it)."""
    try:
        evaluation = with_document_data(evaluations).get(pk=pk)
    except Evaluation.DoesNotExist as exc:
        raise Http404("未找到该自评，或您无权查看。") from exc
    return build_evaluation_table(evaluation, money_unit=money_unit)


def evaluation_tables(evaluations, *, money_unit: str = WAN_YUAN) -> list[EvaluationTable]:
    """Many 自评表 at once (the package, the export) in a fixed number of queries."""
    fetched = list(with_document_data(evaluations).order_by("project__kind", "project__code", "pk"))
    midyear = midyear_values({e.project_id for e in fetched})
    return [build_evaluation_table(e, money_unit=money_unit, midyear=midyear) for e in fetched]


def rules_in_words(title: str) -> str:
    """The 评分规则 as a table's note prints it: 评分规则“全国通用（2020年）第1版”, never an id."""
    return f"评分规则“{title}”" if title else ""
