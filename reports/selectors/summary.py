"""Department summaries (seed 000's project table) and statistics (seed 003's counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch

from projects.formatting import WAN_YUAN, in_unit, rate, share
from projects.models import Department, FundLine, FundType, Project, TransferLevel
from reports.selectors.stamp import DocumentStamp, document_stamp
from reports.selectors.tables import fund_amounts

GRADES = ("优", "良", "中", "差")
TRANSFER_LEVELS = (TransferLevel.CENTRAL, TransferLevel.PROVINCIAL, TransferLevel.MUNICIPAL)


@dataclass
class SummaryRow:
    """One evaluated project: 当年预算数 is the 全年预算数 of its total fund row."""

    seq: int
    evaluation_id: int
    year: int
    region_name: str
    department_name: str
    unit_name: str
    project_name: str
    project_code: str
    fund_type: str
    transfer_level: str
    budget: Decimal | None
    executed: Decimal | None
    budget_yuan: Decimal | None
    executed_yuan: Decimal | None
    rate: Decimal | None
    score: Decimal | None
    grade: str
    status_label: str
    stamp: DocumentStamp | None = None  # the row's standing, for the export's manifest


@dataclass
class SummaryGroup:
    """The rows of one 主管部门, printed under one heading instead of a repeated column."""

    department_name: str
    rows: list[SummaryRow]


@dataclass
class CountLine:
    """A statistics line: how many projects, how much money, what share of the whole."""

    label: str
    count: int
    amount: Decimal
    amount_yuan: Decimal
    share: Decimal


@dataclass
class Statistics:
    """Seed 003's counts: by fund type, by grade with 评优率, transfer payments by level."""

    by_fund_type: list[CountLine]
    by_grade: list[tuple[str, int]]
    excellent_rate: Decimal
    transfers: list[CountLine]
    transfer_grades: list[tuple[str, int]]
    transfer_excellent_rate: Decimal
    project_count: int
    total_amount: Decimal


@dataclass
class DepartmentSummary:
    """The 项目支出绩效自评汇总表 of one department and year, with its statistics."""

    department_id: int
    department_name: str
    region_name: str
    year: int
    money_unit: str
    rows: list[SummaryRow]
    budget_total: Decimal | None
    executed_total: Decimal | None
    budget_total_yuan: Decimal
    executed_total_yuan: Decimal
    rate_total: Decimal | None
    statistics: Statistics
    notes: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The summary's printed title."""
        return f"{self.department_name}{self.year}年度项目支出绩效自评结果汇总表"

    @property
    def groups(self) -> list[SummaryGroup]:
        """Consecutive rows of one 主管部门 under one heading row (the rows are in department order)."""
        return group_by_department(self.rows)


def group_by_department(rows: list[SummaryRow]) -> list[SummaryGroup]:
    """Split rows into runs of one 主管部门, keeping their order."""
    groups: list[SummaryGroup] = []
    for row in rows:
        if not groups or groups[-1].department_name != row.department_name:
            groups.append(SummaryGroup(row.department_name, []))
        groups[-1].rows.append(row)
    return groups


def _excellent_rate(grades: list[str]) -> Decimal:
    return share(Decimal(grades.count("优")), Decimal(len(grades)))


def _count_lines(rows, key, labels, money_unit, whole_yuan) -> list[CountLine]:
    lines = []
    for value, label in labels:
        picked = [r for r in rows if key(r) == value]
        amount = sum((r.budget_yuan or Decimal(0) for r in picked), Decimal(0))
        lines.append(
            CountLine(
                label=label,
                count=len(picked),
                amount=in_unit(amount, money_unit),
                amount_yuan=amount,
                share=share(amount, whole_yuan),
            )
        )
    return lines


def statistics(rows: list[SummaryRow], money_unit: str = WAN_YUAN) -> Statistics:
    """Count the evaluated projects by fund type, grade and transfer level."""
    whole = sum((r.budget_yuan or Decimal(0) for r in rows), Decimal(0))
    fund_labels = [(v, label) for v, label in FundType.choices]
    transfers = [r for r in rows if r.transfer_level != TransferLevel.NONE]
    transfer_whole = sum((r.budget_yuan or Decimal(0) for r in transfers), Decimal(0))
    grades = [r.grade for r in rows]
    transfer_grades = [r.grade for r in transfers]
    return Statistics(
        by_fund_type=_count_lines(rows, lambda r: r.fund_type, fund_labels, money_unit, whole),
        by_grade=[(g, grades.count(g)) for g in GRADES],
        excellent_rate=_excellent_rate(grades),
        transfers=_count_lines(
            transfers,
            lambda r: r.transfer_level,
            [(level.value, level.label) for level in TRANSFER_LEVELS],
            money_unit,
            transfer_whole,
        ),
        transfer_grades=[(g, transfer_grades.count(g)) for g in GRADES],
        transfer_excellent_rate=_excellent_rate(transfer_grades),
        project_count=len(rows),
        total_amount=in_unit(whole, money_unit),
    )


def _order_key(evaluation) -> tuple:
    """The summary's order: department, unit, project code, then filing order."""
    project = evaluation.project
    return (project.unit.department.code, project.unit.code, project.code, evaluation.pk)


def summary_row(seq: int, evaluation, *, money_unit: str = WAN_YUAN) -> SummaryRow:
    """One project's summary line, from an evaluation fetched with its project and fund lines."""
    project = evaluation.project
    total = fund_amounts(project.fund_lines.all())["total"]
    stored_rate = evaluation.execution_rate
    return SummaryRow(
        seq=seq,
        evaluation_id=evaluation.pk,
        year=evaluation.year,
        region_name=project.unit.department.region.name,
        department_name=project.unit.department.name,
        unit_name=project.unit.name,
        project_name=project.name,
        project_code=project.code,
        fund_type=project.fund_type,
        transfer_level=project.transfer_level,
        budget=in_unit(total["adjusted"], money_unit),
        executed=in_unit(total["executed"], money_unit),
        budget_yuan=total["adjusted"],
        executed_yuan=total["executed"],
        rate=stored_rate if stored_rate is not None else rate(total["executed"], total["adjusted"]),
        score=evaluation.computed_total,
        grade=evaluation.computed_grade,
        status_label=evaluation.get_status_display(),
        stamp=document_stamp(evaluation),
    )


def rows_of(evaluations, *, money_unit: str = WAN_YUAN) -> list[SummaryRow]:
    """The summary lines of evaluations already fetched (the package's own list), projects only.

    The package prints its tables and counts its statistics from one list, so the two can never
    disagree (a publication between two queries would otherwise make them).
    """
    projects = sorted(
        (e for e in evaluations if e.project.kind == Project.Kind.PROJECT), key=_order_key
    )
    return [summary_row(seq, e, money_unit=money_unit) for seq, e in enumerate(projects, start=1)]


def _summary_queryset(evaluations):
    """The evaluated projects of a gated queryset in the summary's order, with their funds."""
    return (
        evaluations.filter(project__kind=Project.Kind.PROJECT)
        .select_related("project__unit__department__region")
        .prefetch_related(Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")))
        .order_by("project__unit__department__code", "project__unit__code", "project__code", "pk")
        # The stored computed_* fields carry the result's figures; its JSON is not needed here.
        .defer("result", "input_snapshot", "notes")
    )


def summary_rows(evaluations, *, money_unit: str = WAN_YUAN) -> list[SummaryRow]:
    """One row per evaluated project of an already-gated queryset, in two queries."""
    return [
        summary_row(seq, evaluation, money_unit=money_unit)
        for seq, evaluation in enumerate(_summary_queryset(evaluations), start=1)
    ]


SUMMARY_PAGE_SIZE = 50


@dataclass
class SummaryPage:
    """One page of a department's summary rows, numbered on from the pages before it."""

    page: Page
    rows: list[SummaryRow]


def department_summary_page(
    evaluations,
    *,
    department: Department,
    year: int,
    page_number=None,
    per_page: int | None = None,
    money_unit: str = WAN_YUAN,
) -> SummaryPage:
    """A page of the summary of one department's projects of a year, out of a gated queryset.

    A department may file hundreds of projects; the page counts them in the database and
    fetches one page with its fund lines, in three queries whatever the department's size.
    """
    queryset = _summary_queryset(
        evaluations.filter(project__unit__department=department, year=year)
    )
    page = Paginator(queryset, per_page or SUMMARY_PAGE_SIZE).get_page(page_number)
    first = page.start_index() or 1
    rows = [
        summary_row(seq, evaluation, money_unit=money_unit)
        for seq, evaluation in enumerate(page.object_list, start=first)
    ]
    return SummaryPage(page=page, rows=rows)


def summary_of(
    rows: list[SummaryRow], *, department: Department, year: int, money_unit: str = WAN_YUAN
) -> DepartmentSummary:
    """The summary table and its statistics, computed from exactly these rows."""
    budget = sum((r.budget_yuan or Decimal(0) for r in rows), Decimal(0))
    executed = sum((r.executed_yuan or Decimal(0) for r in rows), Decimal(0))
    return DepartmentSummary(
        department_id=department.pk,
        department_name=department.name,
        region_name=department.region.name,
        year=year,
        money_unit=money_unit,
        rows=rows,
        budget_total=in_unit(budget, money_unit) if rows else None,
        executed_total=in_unit(executed, money_unit) if rows else None,
        budget_total_yuan=budget,
        executed_total_yuan=executed,
        rate_total=rate(executed, budget),
        statistics=statistics(rows, money_unit),
    )


def department_summary(
    evaluations, *, department: Department, year: int, money_unit: str = WAN_YUAN
) -> DepartmentSummary:
    """The summary of one department's projects of a year, out of an already-gated queryset."""
    rows = summary_rows(
        evaluations.filter(project__unit__department=department, year=year),
        money_unit=money_unit,
    )
    return summary_of(rows, department=department, year=year, money_unit=money_unit)
