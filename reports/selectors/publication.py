"""What the public pages list: only published evaluations, grouped by region, year, department."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from projects.exporter import export_document, export_results
from projects.formatting import YUAN, fmt_score, money_text, rate
from projects.models import Department, Evaluation, FundLine, Project, Region
from reports.selectors.base import published_evaluations, with_document_data
from reports.selectors.stamp import document_stamp
from reports.selectors.tables import fund_amounts
from scoring.services import rule_set_title


@dataclass
class PublishedGroup:
    """A region and year with how many evaluations were published in it."""

    region_code: str
    region_name: str
    year: int
    count: int


def publication_groups() -> list[PublishedGroup]:
    """Every region and year with at least one published evaluation, newest year first."""
    rows = (
        published_evaluations()
        .values(
            "project__unit__department__region__code",
            "project__unit__department__region__name",
            "year",
        )
        .annotate(count=Count("pk"))
        .order_by("-year", "project__unit__department__region__name")
    )
    return [
        PublishedGroup(
            r["project__unit__department__region__code"],
            r["project__unit__department__region__name"],
            r["year"],
            r["count"],
        )
        for r in rows
    ]


def published_region(code: str) -> Region:
    """A region that has published something; 404 otherwise (no empty pages to probe)."""
    region = Region.objects.filter(code=code).first()
    if (
        region is None
        or not published_evaluations().filter(project__unit__department__region=region).exists()
    ):
        raise Http404("该地区暂无公开的自评信息。")
    return region


def published_departments(region: Region, year: int) -> list[tuple[Department, int]]:
    """Departments of a region with published evaluations in a year, with their counts."""
    counts = dict(
        published_evaluations()
        .filter(project__unit__department__region=region, year=year)
        .values_list("project__unit__department")
        .annotate(count=Count("pk"))
        .values_list("project__unit__department", "count")
    )
    if not counts:
        raise Http404("该年度暂无公开的自评信息。")
    departments = Department.objects.filter(pk__in=counts).order_by("code", "pk")
    return [(d, counts[d.pk]) for d in departments]


def published_department(region: Region, year: int, code: str) -> Department:
    """A department with something published in that year; 404 otherwise."""
    department = (
        Department.objects.filter(region=region, code=code).select_related("region").first()
    )
    if (
        department is None
        or not published_evaluations()
        .filter(project__unit__department=department, year=year)
        .exists()
    ):
        raise Http404("该部门该年度暂无公开的自评信息。")
    return department


# ---------------------------------------------------------------------------------------------
# Stable public identity: codes, never database keys.


def public_id(evaluation) -> str:
    """A published evaluation's stable id, built from codes: 地区/年度/部门/单位/项目.

    Codes survive a re-import (the importer derives them from names when a document has none), so
    the id and the JSON link built from it stay valid; database keys do not.
    """
    project = evaluation.project
    unit = project.unit
    department = unit.department
    return "/".join(
        (department.region.code, str(evaluation.year), department.code, unit.code, project.code)
    )


def json_path(evaluation) -> str:
    """The path of the evaluation's open-data JSON, by its public id where the codes allow it."""
    region, year, department, unit, project = public_id(evaluation).split("/", 4)
    try:
        return reverse("publication_data_json", args=[region, int(year), department, unit, project])
    except NoReverseMatch:  # a code with a slash cannot be a path segment
        return reverse("publication_evaluation_json", args=[evaluation.pk])


def published_by_codes(
    region_code: str, year: int, department_code: str, unit_code: str, project_code: str
):
    """The published evaluation a public id names, with its document data; 404 otherwise."""
    try:
        return with_document_data(published_evaluations()).get(
            year=year,
            project__year=year,
            project__code=project_code,
            project__unit__code=unit_code,
            project__unit__department__code=department_code,
            project__unit__department__region__code=region_code,
        )
    except Evaluation.DoesNotExist as exc:
        raise Http404("未找到该公开信息。") from exc


# ---------------------------------------------------------------------------------------------
# The open-data JSON: the selfeval/1 document and, beside it, the approved figures.

PUBLIC_FORMAT = "selfeval-public/1"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def public_document(evaluation, *, json_url: str = "") -> dict:
    """The open-data JSON of one published evaluation (docs/open-data.md).

    selfeval/1 has no key for computed scores and admits no extra key, so the document is carried
    unchanged under `document` (still valid selfeval/1, importable as is) and the computed
    (approved) figures beside the claimed ones under `result`.
    """
    stamp = document_stamp(evaluation)
    return {
        "format": PUBLIC_FORMAT,
        "id": public_id(evaluation),
        "url": json_url or None,
        "publication": {
            "status": stamp.status_label,
            "approving_body": stamp.approving_body or None,
            "approved_on": _iso(stamp.approved_on),
            "published_on": _iso(stamp.published_on),
        },
        "result": export_results(evaluation),
        "document": export_document(evaluation),
    }


# ---------------------------------------------------------------------------------------------
# The year CSV: every published evaluation, projects and 部门整体 alike.

CSV_COLUMNS = (
    ("公开标识", "public_id"),
    ("年度", "year"),
    ("地区", "region_name"),
    ("地区代码", "region_code"),
    ("主管部门", "department_name"),
    ("部门编码", "department_code"),
    ("预算单位", "unit_name"),
    ("单位编码", "unit_code"),
    ("评价对象类型", "kind_label"),
    ("项目名称", "project_name"),
    ("项目编码", "project_code"),
    ("全年预算数（元）", "budget"),
    ("全年执行数（元）", "executed"),
    ("预算执行率（%）", "rate"),
    ("审核得分", "total"),
    ("审核等级", "grade"),
    ("填报得分", "claimed_total"),
    ("填报等级", "claimed_grade"),
    ("评分规则", "rules"),
    ("审核机关", "approving_body"),
    ("审核通过日期", "approved_on"),
    ("公开日期", "published_on"),
    ("开放数据（JSON）", "json_url"),
)


def year_rows(evaluations, *, absolute) -> list[dict]:
    """One open-data row per published evaluation (both kinds), in three queries.

    `absolute` turns a path into an absolute link (request.build_absolute_uri). Amounts in 元,
    rates and scores two-decimal half-up strings through the formatting module.
    """
    queryset = (
        evaluations.select_related("project__unit__department__region")
        .prefetch_related(Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")))
        .order_by(
            "project__unit__department__region__code",
            "project__unit__department__code",
            "project__unit__code",
            "-project__kind",  # 部门整体 (department_overall) before the unit's projects
            "project__code",
        )
        .defer("result", "input_snapshot", "notes")
    )
    rows = []
    for evaluation in queryset:
        project = evaluation.project
        unit = project.unit
        department = unit.department
        stamp = document_stamp(evaluation)
        total = fund_amounts(project.fund_lines.all())["total"]
        execution_rate = evaluation.execution_rate
        if execution_rate is None:
            execution_rate = rate(total["executed"], total["adjusted"])
        rows.append(
            {
                "public_id": public_id(evaluation),
                "year": evaluation.year,
                "region_name": department.region.name,
                "region_code": department.region.code,
                "department_name": department.name,
                "department_code": department.code,
                "unit_name": unit.name,
                "unit_code": unit.code,
                "kind_label": "部门整体支出"
                if project.kind == Project.Kind.DEPARTMENT_OVERALL
                else "项目支出",
                "project_name": project.name,
                "project_code": project.code,
                "budget": money_text(total["adjusted"], YUAN, grouping=False),
                "executed": money_text(total["executed"], YUAN, grouping=False),
                "rate": fmt_score(execution_rate),  # the header carries the %
                "total": fmt_score(evaluation.computed_total),
                "grade": evaluation.computed_grade,
                "claimed_total": fmt_score(evaluation.claimed_total),
                "claimed_grade": evaluation.claimed_grade,
                "rules": rule_set_title(evaluation.rule_set_id, evaluation.rule_set_version),
                "approving_body": stamp.approving_body,
                "approved_on": _iso(stamp.approved_on) or "",
                "published_on": _iso(stamp.published_on) or "",
                # Only a published evaluation has a public JSON; an export lists the others too.
                "json_url": absolute(json_path(evaluation)) if stamp.published_on else "",
                "state": stamp.file_label,
                "status_label": stamp.status_label,
            }
        )
    return rows


# The region export lists unpublished filings too, so each row says what state it is in.
EXPORT_CSV_COLUMNS = (*CSV_COLUMNS, ("文件状态", "state"), ("审核状态", "status_label"))


def year_csv(rows: list[dict], columns=CSV_COLUMNS) -> bytes:
    """The rows as CSV, UTF-8 with a BOM so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for label, _ in columns])
    for row in rows:
        writer.writerow([row[key] for _, key in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The searchable index.

INDEX_PAGE_SIZE = 20


@dataclass
class PublicEntry:
    """One published evaluation as the index lists it."""

    evaluation_id: int
    year: int
    kind_label: str
    project_name: str
    unit_name: str
    department_name: str
    region_name: str
    total: object
    grade: str
    approving_body: str
    published_on: object


def index_queryset():
    """The published evaluations the index searches, newest publication first, in one query."""
    return (
        published_evaluations()
        .select_related("project__unit__department__region")
        .defer("result", "input_snapshot", "notes")
        .order_by(
            "-year",
            # NULLs sort last on both databases (PostgreSQL puts them first by default).
            F("published_at").desc(nulls_last=True),
            "project__unit__department__code",
            "project__code",
            "pk",
        )
    )


def index_entries(evaluations) -> list[PublicEntry]:
    """The index rows of one page of evaluations; nothing is fetched per row."""
    entries = []
    for evaluation in evaluations:
        project = evaluation.project
        stamp = document_stamp(evaluation)
        entries.append(
            PublicEntry(
                evaluation_id=evaluation.pk,
                year=evaluation.year,
                kind_label="部门整体支出"
                if project.kind == Project.Kind.DEPARTMENT_OVERALL
                else "项目支出",
                project_name=project.name,
                unit_name=project.unit.name,
                department_name=project.unit.department.name,
                region_name=project.unit.department.region.name,
                total=evaluation.computed_total,
                grade=evaluation.computed_grade,
                approving_body=stamp.approving_body,
                published_on=stamp.published_on,
            )
        )
    return entries
