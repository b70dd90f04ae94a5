"""The 自评报告 (project and department) and the department package as plain contexts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from projects.formatting import WAN_YUAN
from projects.models import Department, Evaluation, Project
from reports import narrative
from reports.selectors.base import with_document_data
from reports.selectors.summary import DepartmentSummary, department_summary
from reports.selectors.tables import EvaluationTable, build_evaluation_table, evaluation_tables


@dataclass
class ProjectReport:
    """A 项目支出绩效自评报告: its sections and the 自评表 it is drafted from."""

    table: EvaluationTable
    sections: list[narrative.Section]

    @property
    def title(self) -> str:
        """The report's printed title."""
        return f"{self.table.project_name}{self.table.year}年度项目支出绩效自评报告"

    kind = "project"


@dataclass
class DepartmentReport:
    """A 部门整体支出绩效自评报告: the overall table (if filed), the summary and the sections."""

    department_id: int
    department_name: str
    region_name: str
    year: int
    money_unit: str
    overall: EvaluationTable | None
    summary: DepartmentSummary
    sections: list[narrative.Section] = field(default_factory=list)

    kind = "department"

    @property
    def title(self) -> str:
        """The report's printed title."""
        return f"{self.department_name}{self.year}年度部门整体支出绩效自评报告"


@dataclass
class DepartmentPackage:
    """Everything one department files for a year, in print order, for one PDF."""

    report: DepartmentReport
    tables: list[EvaluationTable]

    @property
    def title(self) -> str:
        """The cover's title."""
        return f"{self.report.year}年度预算绩效自评资料"

    @property
    def project_tables(self) -> list[EvaluationTable]:
        """The 项目支出 tables, in summary order."""
        return [t for t in self.tables if not t.is_department_overall]


def _department_report(evaluations, *, department, year, money_unit, overall=None):
    if overall is None:
        candidates = with_document_data(
            evaluations.filter(
                project__unit__department=department,
                year=year,
                project__kind=Project.Kind.DEPARTMENT_OVERALL,
            )
        ).order_by("-project__unit__is_department", "pk")[:1]
        overall = next((build_evaluation_table(e, money_unit=money_unit) for e in candidates), None)
    report = DepartmentReport(
        department_id=department.pk,
        department_name=department.name,
        region_name=department.region.name,
        year=year,
        money_unit=money_unit,
        overall=overall,
        summary=department_summary(
            evaluations, department=department, year=year, money_unit=money_unit
        ),
    )
    report.sections = narrative.department_sections(report)
    return report


def department_report(
    evaluations, *, department: Department, year: int, money_unit: str = WAN_YUAN
) -> DepartmentReport:
    """The department's report for a year, drafted from what the caller may see."""
    return _department_report(evaluations, department=department, year=year, money_unit=money_unit)


def evaluation_report(evaluations, *, pk: int, money_unit: str = WAN_YUAN):
    """The 自评报告 of one evaluation: a project report, or the department report it belongs to."""
    try:
        evaluation = with_document_data(evaluations).get(pk=pk)
    except Evaluation.DoesNotExist as exc:
        raise Http404("未找到该自评，或您无权查看。") from exc
    table = build_evaluation_table(evaluation, money_unit=money_unit)
    if table.is_department_overall:
        return _department_report(
            evaluations,
            department=evaluation.project.unit.department,
            year=evaluation.year,
            money_unit=money_unit,
            overall=table,
        )
    return ProjectReport(table=table, sections=narrative.project_sections(table))


def department_package(
    evaluations, *, department: Department, year: int, money_unit: str = WAN_YUAN
) -> DepartmentPackage:
    """Cover, report, summary and every 自评表 of one department and year."""
    scoped = evaluations.filter(project__unit__department=department, year=year)
    tables = evaluation_tables(scoped, money_unit=money_unit)
    overall = next((t for t in tables if t.is_department_overall), None)
    report = _department_report(
        evaluations, department=department, year=year, money_unit=money_unit, overall=overall
    )
    order = {row.evaluation_id: row.seq for row in report.summary.rows}
    tables.sort(key=lambda t: (not t.is_department_overall, order.get(t.evaluation_id, 0)))
    return DepartmentPackage(report=report, tables=tables)
