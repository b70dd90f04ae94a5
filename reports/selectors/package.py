"""The department package: the documents one department files for a year, in one PDF.

What it holds depends on what was filed and on who reads it (the caller passes the gated
queryset: published only for the public, the row-level gate for a signed-in user):
- with a 部门整体 evaluation: the 部门整体支出绩效自评报告, its 自评表, the summary, then every
  project's 自评表 (the report's 附表 lists exactly these);
- without one: the summary, then for every project its 项目支出绩效自评报告 followed by its 自评表,
  rather than a department report drafted from nothing.

Everything (tables, summary rows, statistics, the report's counts) is built from one list of
evaluations, fetched once, so the package counts exactly what it prints. A filer's text may quote
projects the package leaves out (seed 000's report pastes all 17 rows with their scores); such
lines are left out too, and the section says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects.formatting import WAN_YUAN
from projects.models import Department, Project
from projects.monitoring.yearend import midyear_values
from reports import narrative
from reports.selectors.base import with_document_data
from reports.selectors.documents import DepartmentReport, ProjectReport, _department_report
from reports.selectors.stamp import DocumentStamp, weakest
from reports.selectors.summary import DepartmentSummary, rows_of, summary_of
from reports.selectors.tables import EvaluationTable, build_evaluation_table

SUMMARY_NAME = "项目支出绩效自评结果汇总表"
OMITTED_NOTE = "（本节原文涉及本汇编未收录项目的内容已略去。）"


@dataclass
class PackageDocument:
    """One document of the package: what it is, its name in the outline, and its standing."""

    kind: str  # department_report | overall_table | summary | project_report | project_table
    anchor: str
    title: str  # the full title, as the contents list it
    bookmark: str  # the PDF outline entry: the document's name
    stamp: DocumentStamp | None
    table: EvaluationTable | None = None
    report: ProjectReport | DepartmentReport | None = None
    summary: DepartmentSummary | None = None


@dataclass
class DepartmentPackage:
    """Everything one department files for a year, in print order, for one PDF."""

    report: DepartmentReport  # its summary is the package's; printed only with a 部门整体 table
    tables: list[EvaluationTable]  # the 部门整体 table first, then the projects in summary order
    documents: list[PackageDocument] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The cover's title."""
        return f"{self.report.year}年度预算绩效自评资料"

    @property
    def summary(self) -> DepartmentSummary:
        """The summary of the projects the package prints."""
        return self.report.summary

    @property
    def has_overall(self) -> bool:
        """Whether a 部门整体 evaluation is in the package (and with it the department report)."""
        return self.report.overall is not None

    @property
    def project_tables(self) -> list[EvaluationTable]:
        """The 项目支出 tables, in summary order."""
        return [t for t in self.tables if not t.is_department_overall]

    @property
    def stamp(self) -> DocumentStamp | None:
        """The package is no more final than its weakest document."""
        return weakest(t.stamp for t in self.tables if t.stamp is not None)

    @property
    def contents_line(self) -> str:
        """The cover's one-line list of what follows."""
        parts = ["部门整体支出绩效自评报告及自评表"] if self.has_overall else []
        parts.append(SUMMARY_NAME)
        count = len(self.project_tables)
        if not self.has_overall and count:
            parts.append(f"项目支出绩效自评报告 {count} 份")
        parts.append(f"项目支出绩效自评表 {count} 张")
        return " · ".join(parts)


def _names_left_out(line: str, left_out: list[str], printed: list[str]) -> bool:
    # A printed project's name may contain a left-out one (招商工作经费 in 招商工作经费（追加）).
    for name in printed:
        line = line.replace(name, "\0")
    return any(name in line for name in left_out)


def omit_lines(notes: dict, left_out: list[str], printed: list[str] = ()) -> dict:
    """The filer's sections without the lines that name a project the package leaves out."""
    if not left_out or not notes:
        return notes
    printed = sorted(printed, key=len, reverse=True)
    kept = {}
    for key, text in notes.items():
        if not isinstance(text, str):
            kept[key] = text
            continue
        lines = text.split("\n")
        remaining = [line for line in lines if not _names_left_out(line, left_out, printed)]
        if len(remaining) < len(lines):
            remaining.append(OMITTED_NOTE)
        kept[key] = "\n".join(remaining)
    return kept


def _left_out(department: Department, year: int, printed: set[int]) -> list[str]:
    """Names of the department's projects of the year that the package does not print.

    Read outside the caller's gate on purpose: the names are only used to keep what the reader
    may not see out of the filer's text, and are never printed.
    """
    names = (
        Project.objects.filter(unit__department=department, year=year, kind=Project.Kind.PROJECT)
        .exclude(pk__in=printed)
        .values_list("name", flat=True)
    )
    return sorted({n for n in names if n}, key=len, reverse=True)


def _documents(report: DepartmentReport, tables: list[EvaluationTable]) -> list[PackageDocument]:
    summary = report.summary
    projects = [t for t in tables if not t.is_department_overall]
    summary_doc = PackageDocument(
        kind="summary",
        anchor="doc-summary",
        title=summary.title,
        bookmark=SUMMARY_NAME,
        stamp=weakest(t.stamp for t in projects if t.stamp is not None),
        summary=summary,
    )
    documents = []
    if report.overall is not None:
        documents.append(
            PackageDocument(
                kind="department_report",
                anchor="doc-department-report",
                title=report.title,
                bookmark="部门整体支出绩效自评报告",
                stamp=report.stamp,
                report=report,
            )
        )
    for table in tables:
        if table.is_department_overall:
            own = table is report.overall
            documents.append(
                PackageDocument(
                    kind="overall_table",
                    anchor=f"doc-table-{table.evaluation_id}",
                    title=table.title if own else f"{table.unit_name}{table.title}",
                    bookmark=table.title if own else f"{table.title}：{table.unit_name}",
                    stamp=table.stamp,
                    table=table,
                )
            )
    documents.append(summary_doc)
    for table in projects:
        if report.overall is None:
            project_report = ProjectReport(table=table, sections=narrative.project_sections(table))
            documents.append(
                PackageDocument(
                    kind="project_report",
                    anchor=f"doc-report-{table.evaluation_id}",
                    title=project_report.title,
                    bookmark=f"项目支出绩效自评报告：{table.project_name}",
                    stamp=table.stamp,
                    report=project_report,
                )
            )
        documents.append(
            PackageDocument(
                kind="project_table",
                anchor=f"doc-table-{table.evaluation_id}",
                title=f"{table.project_name}{table.title}",
                bookmark=f"{table.title}：{table.project_name}",
                stamp=table.stamp,
                table=table,
            )
        )
    return documents


def department_package(
    evaluations, *, department: Department, year: int, money_unit: str = WAN_YUAN
) -> DepartmentPackage:
    """The package of one department and year, out of an already-gated queryset."""
    fetched = list(
        with_document_data(evaluations.filter(project__unit__department=department, year=year))
    )
    left_out = _left_out(department, year, {e.project_id for e in fetched})
    printed = [e.project.name for e in fetched]
    midyear = midyear_values({e.project_id for e in fetched})

    def table_of(evaluation) -> EvaluationTable:
        table = build_evaluation_table(evaluation, money_unit=money_unit, midyear=midyear)
        table.notes = omit_lines(table.notes, left_out, printed)
        return table

    rows = rows_of(fetched, money_unit=money_unit)
    by_id = {e.pk: e for e in fetched}
    projects = [table_of(by_id[row.evaluation_id]) for row in rows]
    # The department's own 部门整体 evaluation carries the report; a subordinate unit's follows.
    overall_tables = [
        table_of(e)
        for e in sorted(
            (e for e in fetched if e.project.kind == Project.Kind.DEPARTMENT_OVERALL),
            key=lambda e: (not e.project.unit.is_department, e.pk),
        )
    ]
    summary = summary_of(rows, department=department, year=year, money_unit=money_unit)
    report = _department_report(
        evaluations,
        department=department,
        year=year,
        money_unit=money_unit,
        overall=overall_tables[0] if overall_tables else None,
        summary=summary,
    )
    tables = overall_tables + projects
    return DepartmentPackage(report=report, tables=tables, documents=_documents(report, tables))
