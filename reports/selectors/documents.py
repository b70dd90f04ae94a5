"""The 自评报告 (project and department) and the department package as plain contexts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from projects.formatting import WAN_YUAN
from projects.models import Department, Evaluation, Project
from reports import narrative
from reports.selectors.base import with_document_data
from reports.selectors.stamp import DocumentStamp
from reports.selectors.summary import DepartmentSummary, department_summary
from reports.selectors.tables import EvaluationTable, build_evaluation_table


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

    @property
    def stamp(self) -> DocumentStamp | None:
        """The report stands or falls with its table."""
        return self.table.stamp


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
    def stamp(self) -> DocumentStamp | None:
        """The report stands or falls with the 部门整体 table it is drafted from."""
        return self.overall.stamp if self.overall is not None else None

    @property
    def title(self) -> str:
        """The report's printed title."""
        return f"{self.department_name}{self.year}年度部门整体支出绩效自评报告"


def _department_report(evaluations, *, department, year, money_unit, overall=None, summary=None):
    """The department report; a caller that passes `summary` has already looked for `overall`."""
    if overall is None and summary is None:
        candidates = with_document_data(
            evaluations.filter(
                project__unit__department=department,
                year=year,
                project__kind=Project.Kind.DEPARTMENT_OVERALL,
            )
        ).order_by("-project__unit__is_department", "pk")[:1]
        overall = next((build_evaluation_table(e, money_unit=money_unit) for e in candidates), None)
    if summary is None:
        summary = department_summary(
            evaluations, department=department, year=year, money_unit=money_unit
        )
    report = DepartmentReport(
        department_id=department.pk,
        department_name=department.name,
        region_name=department.region.name,
        year=year,
        money_unit=money_unit,
        overall=overall,
        summary=summary,
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
