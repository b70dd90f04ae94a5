"""The finance bureau's upload of targets, budgets and 预期目标: checks, the dry-run preview, and
the write with its reason kept in the history."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from projects.access import FINANCE_REVIEW
from projects.filing.content import COLUMNS, SOURCES, shown_fund_lines
from projects.filing.services import (
    derived_total,
)
from projects.labels import SOURCE_LABELS
from projects.models import Evaluation, FundLine, FundSource, Indicator, IndicatorResult, Project
from projects.upload.plans import (
    FieldChange,
    SubjectPlan,
    UploadOutcome,
    closed_filing,
    evaluation_of,
    plain_figure,
    same_text,
)
from projects.upload.workbook import CellError, SubjectSheet


def check_targets(sheet: SubjectSheet, project: Project, errors: list) -> None:
    closed = closed_filing(sheet, project, "修改目标前须先退回或重新开启")
    if closed is not None:
        errors.append(closed)
        return
    indicators = {i.pk: i for i in project.indicators.all()}
    seen = set()
    for row in sheet.indicators:
        where = (sheet.title, row.row)
        if row.seq is not None and row.indicator_id is None:
            continue  # refused where it was matched (a 指标序号 beyond the subject's)
        if row.indicator_id is not None:
            if row.indicator_id not in indicators:
                errors.append(CellError(*where, row.key_column, f"{row.key_label} 不属于本项目"))
                continue
            if row.indicator_id in seen:
                errors.append(CellError(*where, row.key_column, f"{row.key_label} 重复出现"))
                continue
            seen.add(row.indicator_id)
        if not row.level1:
            errors.append(CellError(*where, "A", "一级指标不能为空"))
        if not row.name:
            errors.append(CellError(*where, "C", "三级指标（指标名称）不能为空"))
        if len(row.name) > 300 or len(row.target) > 300:
            errors.append(CellError(*where, "C", "指标名称或年度指标值超过 300 字"))
        if row.weight is not None and (row.weight < 0 or row.weight > 100):
            errors.append(CellError(*where, "F", "分值应在 0 到 100 之间（其中行留空）"))
        elif row.weight is not None and row.weight != row.weight.quantize(Decimal("0.01")):
            errors.append(CellError(*where, "F", "分值最多保留两位小数"))


_TARGET_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "weight": "分值",
}


def apply_targets(sheet: SubjectSheet, project: Project, user, diff: list, reason: str) -> str:
    """Write the sheet's targets, budgets and 预期目标 onto the project (history records who).

    Every field that moves is listed in `diff` (before → after) for the preview; a sheet that
    changes nothing writes nothing and leaves the evaluation's version alone.
    """
    from projects.filing.services import record_revision
    from scoring.services import indicator_parsed_fields, score_evaluation

    indicators = {i.pk: i for i in project.indicators.all()}
    next_order = (project.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
    changed = created = 0
    for row in sheet.indicators:
        values = {
            "level1": row.level1,
            "level2": row.level2,
            "name": row.name,
            "target": row.target,
            "weight": row.weight,
        }
        indicator = indicators.get(row.indicator_id) if row.indicator_id else None
        if indicator is None:
            indicator = Indicator(project=project, order=next_order, **values)
            next_order += 1
            created += 1
            diff.append(
                FieldChange(
                    "", "新增指标", row.name, "", f"{row.target} {plain_figure(row.weight)} 分"
                )
            )
        else:
            moved = [k for k, v in values.items() if getattr(indicator, k) != v]
            if not moved:
                continue
            for key in moved:
                diff.append(
                    FieldChange(
                        f"indicators.{indicator.pk}.{key}",
                        f"绩效指标 · {indicator.name}",
                        _TARGET_LABELS[key],
                        plain_figure(getattr(indicator, key))
                        if key == "weight"
                        else getattr(indicator, key),
                        plain_figure(values[key]) if key == "weight" else values[key],
                    )
                )
                setattr(indicator, key, values[key])
            changed += 1
        for name, value in indicator_parsed_fields(indicator).items():
            setattr(indicator, name, value)
        _recorded(indicator, user, reason)
        indicator.save()
    lines = {line.source: line for line in project.fund_lines.all()}
    shown = shown_fund_lines(project)  # compared as the template showed them
    budgets_moved = False
    for source in SOURCES:
        values = sheet.funds.get(source) or {}
        before = shown.get(source)
        moved = [
            c
            for c in ("initial", "adjusted")
            if c in values and values[c] != getattr(before, c, None)
        ]
        if not moved:
            continue
        line = lines.get(source)
        if line is None:
            line = FundLine(project=project, source=source)
            if before is not None:  # a total printed alone moves into its source with its figures
                for column in COLUMNS:
                    setattr(line, column, getattr(before, column))
        for column in moved:
            label = "年初预算数" if column == "initial" else "全年预算数"
            diff.append(
                FieldChange(
                    f"funds.{source}.{column}",
                    "项目资金",
                    f"{SOURCE_LABELS[source]} · {label}",
                    plain_figure(getattr(before, column, None)),
                    plain_figure(values[column]),
                )
            )
            setattr(line, column, values[column])
        _recorded(line, user, reason)
        line.save()
        budgets_moved = True
        lines[source] = line
    total = derived_total({s: {c: getattr(x, c) for c in COLUMNS} for s, x in lines.items()})
    if total is not None and budgets_moved:
        line = lines.get(FundSource.TOTAL) or FundLine(project=project, source=FundSource.TOTAL)
        for column in COLUMNS:
            setattr(line, column, total[column])
        _recorded(line, user, reason)
        line.save()
    goal_moved = sheet.goal_row is not None and not same_text(
        project.goal_expected, sheet.goal_expected
    )
    if goal_moved:
        diff.append(
            FieldChange(
                "goal_expected",
                "年度总体目标",
                "预期目标",
                project.goal_expected,
                sheet.goal_expected,
            )
        )
        project.goal_expected = sheet.goal_expected
        _recorded(project, user, reason)
        project.save(update_fields=["goal_expected"])
    evaluation = evaluation_of(project)
    if evaluation is not None and (changed or created or budgets_moved or goal_moved):
        fresh = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        record_revision(fresh)
        existing = set(fresh.results.values_list("indicator_id", flat=True))
        IndicatorResult.objects.bulk_create(
            IndicatorResult(evaluation=fresh, indicator=i, claimed_follows=True)
            for i in Indicator.objects.filter(project=project)
            if i.pk not in existing
        )
        # A form left open on the old targets merges from its version, never overwrites.
        fresh.version += 1
        fresh.save(update_fields=["version", "updated_at"])
        record_revision(fresh)
        score_evaluation(fresh)
    return f"修改指标 {changed} 项，新增指标 {created} 项"


def _recorded(row, user, reason: str) -> None:
    """Name who changed a target and why in its history row (django-simple-history)."""
    row._history_user = user
    row._change_reason = f"财政局上传下达：{reason}"[:100] if reason else "财政局上传下达"


def run_targets(
    outcome: UploadOutcome, subjects, user, confirm: bool, reason: str = ""
) -> UploadOutcome:
    """The finance bureau's targets: a dry run in a rolled-back transaction is the preview.

    Confirming a change of targets, budgets or 预期目标 needs its reason, kept in the history.
    """
    if confirm and not reason.strip():
        outcome.notice = "请填写调整原因：下达或调整绩效目标、预算数须说明原因，尚未保存任何内容。"
        confirm = False
    try:
        with transaction.atomic():
            for project, sheet in subjects:
                diff: list[FieldChange] = []
                summary = apply_targets(sheet, project, user, diff, reason.strip())
                outcome.plans.append(
                    SubjectPlan(project, None, None, None, fields=diff, summary=summary)
                )
                if confirm and diff:
                    outcome.saved.append((project, None, summary))
            if not confirm:
                transaction.set_rollback(True)
    except (PermissionDenied, ValidationError) as exc:
        outcome.refuse(exc)
    return outcome


def finance_subject(document, user) -> Project | None:
    """The existing subject of a finance reviewer's region that a document describes."""
    projects = Project.objects.for_user(user, FINANCE_REVIEW).filter(
        year=document.year, unit__department__region__name=document.region or "未指定地区"
    )
    unit = document.unit or document.department
    projects = projects.filter(
        **({"unit__code": unit.code} if unit.code else {"unit__name": unit.name})
    )
    if document.kind == "department":
        projects = projects.filter(kind=Project.Kind.DEPARTMENT_OVERALL)
    elif document.project is None:
        return None
    elif document.project.code:
        projects = projects.filter(code=document.project.code)
    else:
        projects = projects.filter(kind=Project.Kind.PROJECT, name=document.project.name)
    return (
        projects.select_related("unit__department__region")
        .prefetch_related("fund_lines", "indicators", "evaluations__results")
        .first()
    )
