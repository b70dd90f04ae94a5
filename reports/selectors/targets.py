"""The 项目支出绩效目标申报表 and 部门整体支出绩效目标申报表 as plain data.

One context per TargetDeclaration; the HTML page, the PDF and the workbook all render it, as the
监控表's context is rendered (reports/selectors/monitoring.py). What a declaration declares lives
on its project (goal, indicators, 年初预算数 by source), so the table reads those, in the
project's money unit through projects.formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from projects.access import VIEW
from projects.filing.content import SOURCES, shown_fund_lines
from projects.formatting import WAN_YUAN, in_unit, money_unit_or_default
from projects.models import FundLine, FundSource, Indicator, Project, TargetDeclaration
from reports.selectors.monitoring import monitoring_stamp
from reports.selectors.stamp import DocumentStamp
from reports.selectors.tables import FUND_LABELS, _merge_spans
from scoring.engine.funds import fund_total

NOT_FOUND = "未找到该绩效目标申报表，或您无权查看。"


@dataclass
class TargetFundRow:
    """One row of 资金计划: 年初预算数 in the printed unit."""

    source: str
    label: str
    initial: Decimal | None
    is_total: bool = False


@dataclass
class TargetIndicatorRow:
    """One 三级指标 row with its merged-cell spans (0 = covered by the cell above)."""

    indicator_id: int
    level1: str
    level2: str
    name: str
    target: str
    weight: Decimal | None
    method: str
    level1_rowspan: int = 1
    level2_rowspan: int = 1


@dataclass
class TargetTable:
    """Everything one 绩效目标申报表 prints; `kind` picks the project or department-overall form."""

    declaration_id: int
    kind: str
    title: str
    year: int
    region_name: str
    department_name: str
    department_id: int
    unit_name: str
    project_name: str
    project_code: str
    term: str
    fund_type: str
    money_unit: str
    status: str
    status_label: str
    goal: str
    funds: list[TargetFundRow]
    indicators: list[TargetIndicatorRow]
    findings: list[dict] = field(default_factory=list)
    stamp: DocumentStamp | None = None

    @property
    def subtitle(self) -> str:
        """The year under the title: （2024年度）."""
        return f"（{self.year}年度）"

    @property
    def is_department_overall(self) -> bool:
        """Whether this is the 部门整体支出 layout."""
        return self.kind == Project.Kind.DEPARTMENT_OVERALL

    @property
    def total_fund(self) -> TargetFundRow:
        """The 年度资金总额 row."""
        return self.funds[0]

    @property
    def weight_total(self) -> Decimal | None:
        """The sum of the declared 分值 (None when none is given)."""
        weights = [r.weight for r in self.indicators if r.weight is not None]
        return sum(weights, Decimal(0)) if weights else None


def declarations_for(user) -> QuerySet:
    """The declarations a signed-in user may read: the row-level gate, nothing else."""
    return TargetDeclaration.objects.for_user(user, VIEW)


def with_target_data(declarations: QuerySet) -> QuerySet:
    """Everything a 申报表 prints, in a fixed number of queries however many rows there are."""
    return declarations.select_related("project__unit__department__region").prefetch_related(
        Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")),
        Prefetch("project__indicators", queryset=Indicator.objects.order_by("order", "pk")),
    )


def term_label(project: Project) -> str:
    """项目期限: 持续性项目, or the last year of a fixed term."""
    if project.end_year is None:
        return "持续性项目"
    if project.end_year <= project.year:
        return f"{project.year}年度（一次性）"
    return f"{project.year}年度至{project.end_year}年度"


def _fund_rows(project: Project, money_unit: str) -> list[TargetFundRow]:
    lines = shown_fund_lines(project)
    sources = [s for s in SOURCES if lines.get(s) is not None]
    amounts = {s: {"initial": lines[s].initial} for s in sources}
    printed = lines.get(FundSource.TOTAL)
    total = fund_total({"initial": printed.initial} if printed else {}, amounts.values())
    rows = [TargetFundRow(str(FundSource.TOTAL), FUND_LABELS[FundSource.TOTAL], None, True)]
    rows[0].initial = in_unit(total["initial"], money_unit)
    for source in sources:
        rows.append(
            TargetFundRow(
                str(source), FUND_LABELS[source], in_unit(amounts[source]["initial"], money_unit)
            )
        )
    return rows


def _indicator_rows(project: Project) -> list[TargetIndicatorRow]:
    rows = [
        TargetIndicatorRow(
            indicator_id=i.pk,
            level1=i.level1,
            level2=i.level2,
            name=i.name,
            target=i.target,
            weight=i.weight,
            method=i.method,
        )
        for i in project.indicators.all()
    ]
    _merge_spans(rows)
    return rows


def build_target_table(
    declaration: TargetDeclaration, *, money_unit: str | None = None
) -> TargetTable:
    """Lay out one declaration (fetched with its data) as its 绩效目标申报表.

    `money_unit` None prints in the project's own unit (万元 unless it says 元).
    """
    project = declaration.project
    unit = money_unit_or_default(money_unit or project.money_unit or WAN_YUAN)
    is_overall = project.kind == Project.Kind.DEPARTMENT_OVERALL
    return TargetTable(
        declaration_id=declaration.pk,
        kind=project.kind,
        title="部门整体支出绩效目标申报表" if is_overall else "项目支出绩效目标申报表",
        year=project.year,
        region_name=project.unit.department.region.name,
        department_name=project.unit.department.name,
        department_id=project.unit.department_id,
        unit_name=project.unit.name,
        project_name=project.name,
        project_code=project.code,
        term=term_label(project),
        fund_type=project.get_fund_type_display(),
        money_unit=unit,
        status=declaration.status,
        status_label=declaration.get_status_display(),
        goal=project.goal_expected,
        funds=_fund_rows(project, unit),
        indicators=_indicator_rows(project),
        findings=list((declaration.result or {}).get("findings") or []),
        # The same stamp as a 监控表's: it reads only status, approval date and the region.
        stamp=monitoring_stamp(declaration),
    )


def target_table(declarations: QuerySet, *, pk: int, money_unit: str | None = None) -> TargetTable:
    """The 申报表 of one declaration out of an already-gated queryset (404 outside it)."""
    try:
        declaration = with_target_data(declarations).get(pk=pk)
    except TargetDeclaration.DoesNotExist as exc:
        raise Http404(NOT_FOUND) from exc
    return build_target_table(declaration, money_unit=money_unit)
