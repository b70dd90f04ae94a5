"""Reads behind the filer's pages: the workspace list and the evaluation page's context.

Each selector runs a fixed number of queries whatever the number of evaluations or indicators,
so the pages stay fast for a department with fifty projects and a project with fifty indicators.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Prefetch, Q
from django.utils import timezone

from projects import formatting
from projects.access import FILE
from projects.filing.content import is_qualitative
from projects.filing.services import SOURCES, merged_funds, narrative_data
from projects.labels import severity_label
from projects.models import (
    Evaluation,
    EvaluationTask,
    FundSource,
    Project,
    ReviewStep,
)
from projects.models.targets import targets_settled
from projects.monitoring.yearend import midyear_values
from projects.report_check import report_findings

STATUS_LABELS = {
    "met": "达成",
    "partial": "部分达成",
    "missed": "未达成",
    "exceeded": "超额完成",
    "qualitative": "定性",
    "unscored": "不计分",
}
STATUS_CLASSES = {
    "met": "text-success",
    "exceeded": "text-primary",
    "partial": "text-warning-emphasis",
    "missed": "text-danger",
    "qualitative": "text-secondary",
    "unscored": "text-muted",
}
_SOURCE_LABELS = {
    FundSource.CURRENT_YEAR: "其中：当年财政拨款",
    FundSource.CARRYOVER: "上年结转资金",
    FundSource.OTHER: "其他资金",
}
RETURN_ACTIONS = (
    ReviewStep.Action.DEPARTMENT_RETURN,
    ReviewStep.Action.FINANCE_RETURN,
    ReviewStep.Action.REOPEN,
)

# Which field of a row a finding is about, so the list can link straight to it.
_ROW_FIELD = {
    "actual_missing": "actual",
    "actual_unparsed": "actual",
    "actual_not_a_value": "actual",
    "unit_assumed": "actual",
    "unit_mismatch": "actual",
    "actual_equals_strict_bound": "actual",
    "exceeded_far": "deviation_reason",
    "deviation_missing": "deviation_reason",
    "text_too_long": "deviation_reason",
    "claimed_score_above_computed": "claimed_score",
    "achievement_missing": "achievement",
}
_SHEET_ANCHOR = {
    "executed_above_budget": "fund-table",
    "fund_rows_not_summing": "fund-table",
    "budget_missing": "fund-table",
    "claimed_rate_mismatch": "fund-table",
    "execution_reason_missing": "fund-table",
    "execution_weight_mismatch": "fund-table",
    # A 元/万元 slip is typed in a 全年执行数 (or 全年预算数) cell of a source row; the total row's
    # figures are derived, so the link lands on the first source row's 全年执行数 input.
    "execution_rate_implausible": "id_fund-current_year-executed",
    "money_unit_slip_suspected": "id_fund-current_year-executed",
    "claimed_score_above_computed": "id_ev-claimed_execution_score",
    "text_too_long": "id_ev-goal_actual",
    "weights_not_90": "indicator-table",
    "level1_weights_differ": "indicator-table",
    "actuals_copy_targets": "indicator-table",
}


# ---------------------------------------------------------------- workspace


@dataclass
class WorkspaceRow:
    """One line of the workspace: a subject of the year and its evaluation, if opened."""

    project: Project
    evaluation: Evaluation | None
    deadline: object = None
    days_left: int | None = None

    @property
    def overdue_days(self) -> int:
        """Days past the deadline (0 when not overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _filer_year_rows(user):
    """Per year of the user's subjects to evaluate: whether any is started or has its task."""
    region_tasks = "unit__department__region__tasks"
    return (
        Project.objects.for_user(user, FILE)
        .filter(targets_settled())
        .values("year")
        .annotate(
            started=Count("evaluations", distinct=True),
            tasked=Count(region_tasks, filter=Q(**{f"{region_tasks}__year": F("year")})),
        )
        .order_by("-year")
    )


def filer_years(user) -> list[int]:
    """The years in which the user's units have subjects to evaluate, newest first.

    A subject whose targets are still being declared is not one to evaluate yet: it is listed
    with the declarations, not here.
    """
    return [row["year"] for row in _filer_year_rows(user)]


def workspace_year(user, year: int | None) -> tuple[int, list[int]]:
    """The year shown and the years to choose from.

    Unless asked, the newest year with work in it: an evaluation started or the finance bureau's
    task issued. Next year's subjects exist as soon as their targets are approved at budget time,
    a year before they can be evaluated; opening on them would hide this season's drafts.
    """
    rows = list(_filer_year_rows(user))
    years = [row["year"] for row in rows]
    if year is None:
        working = [row["year"] for row in rows if row["started"] or row["tasked"]]
        fallback = years[0] if years else timezone.localdate().year - 1
        year = working[0] if working else fallback
    return year, years or [year]


def workspace_projects(user, year: int):
    """The user's subjects of the year, annotated with their evaluation's sortable figures.

    The year's evaluation is joined once (one per subject and year), so the list sorts by status,
    total and update time in the database; `attach_workspace_rows` adds the rest after ordering.
    """
    return (
        Project.objects.for_user(user, FILE)
        .filter(year=year)
        .filter(targets_settled())
        .annotate(ev=FilteredRelation("evaluations", condition=Q(evaluations__year=year)))
        .annotate(
            ev_status=F("ev__status"),
            ev_total=F("ev__computed_total"),
            ev_updated=F("ev__updated_at"),
        )
        .select_related("unit__department__region")
        .prefetch_related(
            Prefetch("evaluations", queryset=Evaluation.objects.filter(year=year).order_by("pk"))
        )
        .order_by("unit__department__name", "unit__name", "-kind", "code", "pk")
    )


def attach_workspace_rows(projects, year: int) -> list[Project]:
    """Give each subject its `ws` row: the year's evaluation, deadline and days left."""
    projects = list(projects)
    region_ids = {p.unit.department.region_id for p in projects}
    tasks = {
        t.region_id: t
        for t in EvaluationTask.objects.filter(
            region_id__in=region_ids, year=year
        ).prefetch_related("extensions")
    }
    today = timezone.localdate()
    for project in projects:
        evaluations = list(project.evaluations.all())
        task = tasks.get(project.unit.department.region_id)
        deadline = task.deadline_for(project.unit.department) if task else None
        project.ws = WorkspaceRow(
            project=project,
            evaluation=evaluations[0] if evaluations else None,
            deadline=deadline,
            days_left=(deadline - today).days if deadline else None,
        )
    return projects


def workspace_totals(projects: list[Project]) -> dict:
    """Counts over the listed subjects: how many, opened, submitted, errors left."""
    rows = [p.ws for p in projects]
    return {
        "count": len(rows),
        "opened": sum(1 for r in rows if r.evaluation),
        "submitted": sum(1 for r in rows if r.evaluation and not r.evaluation.is_editable),
        "errors": sum(r.evaluation.error_count for r in rows if r.evaluation),
        "drafts": sum(1 for r in rows if r.evaluation and r.evaluation.is_editable),
    }


# ---------------------------------------------------------------- evaluation page


# Short labels for the status cell; the full message is the link's title and in the list.
_SHORT = {
    "deviation_missing": "须填写偏差原因",
    "actual_missing": "未填写实际完成值",
    "actual_unparsed": "实际完成值无法读取",
    "claimed_score_above_computed": "自评得分高于计算得分",
    "exceeded_far": "超额较多，须说明原因",
    "actual_equals_strict_bound": "恰为边界值，未达成",
    "unit_mismatch": "度量单位不一致",
    "target_unparsed": "年度指标值无法识别",
    "achievement_missing": "未选择完成程度",
    "direction_suspect": "指标方向存疑",
    "level_mismatch": "指标层级不符",
    "text_too_long": "文字超过字数限制",
    "target_unreadable": "年度指标值须由财政更正",
    "previous_actual_missing": "缺上年实际值，暂不计分",
    "fraction_as_percent": "小数按百分数理解，请核对",
}


@dataclass
class FindingView:
    """A finding as the page lists it: message, severity and the field it links to."""

    code: str
    severity: str
    message: str
    indicator_id: int | None
    anchor: str

    @property
    def severity_label(self) -> str:
        """错误 / 警告 / 提示."""
        return severity_label(self.severity)

    @property
    def short(self) -> str:
        """A few words for the row's status cell."""
        return _SHORT.get(self.code) or self.message[:18]


@dataclass
class RowView:
    """One indicator row of the table with its form, computed score and merged-cell spans."""

    index: int
    indicator: object
    form: object
    score: str = ""
    status: str = ""
    findings: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    level1_span: int = 0
    level2_span: int = 0
    is_qualitative: bool = False
    worst: str = ""
    midyear: object = None  # the latest filed monitoring round's value (MidyearValue) or None

    @property
    def sig(self) -> str:
        """A digest of what the row shows (score, status, findings): the page posts it back,
        so the live refresh re-renders only the rows whose display changed."""
        shown = "|".join(
            [self.score, self.status, *(f"{f.code}:{f.message}" for f in self.findings)]
        )
        return format(zlib.crc32(shown.encode("utf-8")), "08x")

    @property
    def status_label(self) -> str:
        """The row's status in Chinese."""
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def status_class(self) -> str:
        """The colour of the status text."""
        return STATUS_CLASSES.get(self.status, "")


def finding_views(result: dict, row_prefixes: dict[int, str]) -> list[FindingView]:
    """The result's findings, errors first, each with the id of the field it concerns."""
    order = {"error": 0, "warning": 1, "info": 2}
    views = []
    for f in sorted(result.get("findings", []), key=lambda f: order.get(f["severity"], 3)):
        indicator_id = f.get("indicator_id")
        if f.get("section"):  # a 自评报告 finding: the section's text field
            anchor = f"id_nr-note_{f['section']}"
        elif indicator_id is not None and indicator_id in row_prefixes:
            name = _ROW_FIELD.get(f["code"])
            anchor = f"id_{row_prefixes[indicator_id]}-{name}" if name else f"row-{indicator_id}"
        else:
            anchor = _SHEET_ANCHOR.get(f["code"], "totals")
        views.append(FindingView(f["code"], f["severity"], f["message"], indicator_id, anchor))
    return views


def row_views(forms, result: dict, comments: dict[int, list]) -> list[RowView]:
    """The indicator rows with their scores, findings, reviewer comments and rowspans."""
    scored = {r["indicator_id"]: r for r in result.get("indicators", [])}
    prefixes = {i.pk: f.prefix for i, f in forms.row_forms() if f is not None}
    findings: dict[int, list[FindingView]] = {}
    for view in finding_views(result, prefixes):
        if view.indicator_id is not None:
            findings.setdefault(view.indicator_id, []).append(view)
    rows = []
    for index, (indicator, form) in enumerate(forms.row_forms()):
        row = scored.get(indicator.pk, {})
        own = findings.get(indicator.pk, [])
        severities = {f.severity for f in own}
        rows.append(
            RowView(
                index=index,
                indicator=indicator,
                form=form,
                score=row.get("score") or "",
                status=row.get("status") or "",
                findings=own,
                comments=comments.get(indicator.pk, []),
                is_qualitative=is_qualitative(indicator),
                worst=next((s for s in ("error", "warning", "info") if s in severities), ""),
            )
        )
    _spans(rows)
    return rows


def _spans(rows: list[RowView]) -> None:
    """Merge equal 一级 and 二级 cells vertically, as the printed table does."""
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j].indicator.level1 == rows[i].indicator.level1:
            j += 1
        rows[i].level1_span = j - i
        k = i
        while k < j:
            m = k
            while m < j and rows[m].indicator.level2 == rows[k].indicator.level2:
                m += 1
            rows[k].level2_span = m - k
            k = m
        i = j


def fund_view(evaluation, changes, money_unit: str, result: dict) -> dict:
    """The derived total row and each row's 执行率, in the page's money unit.

    The total row is printed, not typed: its amounts are rounded as the 自评表 prints them
    (57.99 万元), while the source rows' inputs keep their exact figures (`editable_amount`).
    """
    rows = merged_funds(evaluation.project, changes.funds if changes else None)
    total = rows.get(FundSource.TOTAL, {})

    def rate(values) -> str:
        executed_rate = formatting.rate(values.get("executed"), values.get("adjusted"))
        return formatting.fmt_percent(executed_rate) or "—"

    return {
        "total": {c: formatting.money_text(total.get(c), money_unit) or "—" for c in total}
        if total
        else {"initial": "—", "adjusted": "—", "executed": "—"},
        "total_rate": formatting.fmt_percent(formatting.to_decimal(result.get("execution_rate")))
        or "—",
        "rates": {s: rate(rows.get(s, {})) for s in SOURCES},
        "money_unit": money_unit,
    }


def latest_return(evaluation) -> ReviewStep | None:
    """The last return of the filing with its per-indicator comments (None if never returned)."""
    if evaluation.status != "returned":
        return None
    return (
        ReviewStep.objects.filter(evaluation=evaluation, action__in=RETURN_ACTIONS)
        .select_related("actor")
        .prefetch_related("comments")
        .order_by("-created_at", "-pk")
        .first()
    )


def deadline_of(evaluation) -> tuple[object, int | None]:
    """The unit's deadline for this evaluation and the days left (negative when overdue)."""
    department = evaluation.project.unit.department
    task = evaluation.task
    if task is None or task.year != evaluation.year:
        task = (
            EvaluationTask.objects.filter(region_id=department.region_id, year=evaluation.year)
            .prefetch_related("extensions")
            .first()
        )
    if task is None:
        return None, None
    deadline = task.deadline_for(department)
    return deadline, (deadline - timezone.localdate()).days


def claimed_totals(forms, result: dict) -> dict:
    """The filer's own totals as the page stands: typed scores, or the computed ones where the
    filer typed none (the same rule the save applies)."""
    scores = {r["indicator_id"]: r.get("score") for r in result.get("indicators", [])}
    total = Decimal(0)
    for indicator, form in forms.row_forms():
        if indicator.weight is None or form is None:
            continue
        total += _claimed(form, "claimed_score", "claimed_auto", scores.get(indicator.pk))
    execution = _claimed(
        forms.main,
        "claimed_execution_score",
        "claimed_execution_auto",
        result.get("execution_score"),
    )
    return {"indicators": total, "execution": execution, "total": total + execution}


def _claimed(form, name: str, auto: str, computed) -> Decimal:
    if form.is_bound:
        data = getattr(form, "cleaned_data", None)
        if data is None:
            form.is_valid()
            data = form.cleaned_data
        if data.get(auto) or data.get(name) is None:
            return Decimal(computed or 0)
        return data[name]
    value = form.initial.get(name)
    return Decimal(str(value)) if value not in (None, "") else Decimal(computed or 0)


@dataclass
class SectionView:
    """One report section on the page: its text field and whether it follows the figures."""

    key: str
    field: object
    auto_field: object
    standard: bool
    auto: bool
    findings: list = field(default_factory=list)  # the report check's, for this section


def narrative_fields(forms, findings: list[dict] | None = None) -> list[SectionView]:
    """The report's sections in order, standard ones first, each with its report findings."""
    narrative = forms.narrative
    return [
        SectionView(
            key=key,
            field=narrative[f"note_{key}"],
            auto_field=narrative[f"auto_{key}"] if key in narrative.standard else None,
            standard=key in narrative.standard,
            auto=narrative.is_auto(key),
            findings=[f for f in findings or () if f["section"] == key],
        )
        for key in narrative.keys
    ]


def page_context(evaluation, forms, result: dict, *, changes=None, partial=False) -> dict:
    """Everything the evaluation page renders; `partial` leaves out what only the full page
    shows (deadline, reviewer comments), for the live refresh."""
    step = None if partial else latest_return(evaluation)
    comments: dict[int, list] = {}
    general = []
    if step is not None:
        for comment in step.comments.all():
            if comment.indicator_id:
                comments.setdefault(comment.indicator_id, []).append(comment)
            else:
                general.append(comment)
    rows = row_views(forms, result, comments)
    if not partial:
        midyear = midyear_values([evaluation.project_id]).get(evaluation.project_id, {})
        for row in rows:
            row.midyear = midyear.get(row.indicator.pk)
    prefixes = {r.indicator.pk: r.form.prefix for r in rows if r.form is not None}
    notes = changes.notes if changes and changes.notes else (evaluation.notes or {})
    report = report_findings(
        evaluation, result, notes=notes, data=narrative_data(evaluation, changes)
    )
    # The report's findings join the list (and its counts): an error there blocks submission too.
    findings = finding_views({"findings": [*result.get("findings", []), *report]}, prefixes)
    deadline, days_left = (None, None) if partial else deadline_of(evaluation)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    funds = fund_view(evaluation, changes, forms.money_unit, result)
    return {
        "evaluation": evaluation,
        "project": evaluation.project,
        "forms": forms,
        "result": result,
        "rows": rows,
        "findings": findings,
        "counts": counts,
        "funds": funds,
        "fund_forms": [
            (source, _SOURCE_LABELS[source], forms.funds[source], funds["rates"][source])
            for source in SOURCES
        ],
        "return_step": step,
        "general_comments": general,
        "deadline": deadline,
        "days_left": days_left,
        "editable": evaluation.is_editable,
        "narrative_mismatches": report,
        "claimed": claimed_totals(forms, result),
        "narrative_fields": narrative_fields(forms, report),
        "execution_weight": forms.main.execution_weight,
    }
