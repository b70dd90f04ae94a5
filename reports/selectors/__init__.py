"""Reads that feed every report: one plain context per document, from gated querysets."""

from reports.selectors.base import evaluations_for, published_evaluations, with_document_data
from reports.selectors.documents import (
    DepartmentReport,
    ProjectReport,
    department_report,
    evaluation_report,
)
from reports.selectors.package import DepartmentPackage, department_package
from reports.selectors.summary import DepartmentSummary, department_summary, summary_rows
from reports.selectors.tables import EvaluationTable, evaluation_table, evaluation_tables

__all__ = [
    "DepartmentPackage",
    "DepartmentReport",
    "DepartmentSummary",
    "EvaluationTable",
    "ProjectReport",
    "department_package",
    "department_report",
    "department_summary",
    "evaluation_report",
    "evaluation_table",
    "evaluation_tables",
    "evaluations_for",
    "published_evaluations",
    "summary_rows",
    "with_document_data",
]
