"""A filer's upload: the locks on finance-only cells, the filer's changes, the merge plan and
its write through the filer's one write service (projects.filing.services)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from projects.access import FILE
from projects.filing.content import (
    changes_content,
    field_label,
    fields_only,
    following_echoes,
    shown,
    shown_fund_lines,
    stored_content,
)
from projects.filing.merge import MINE, THEIRS, MergeResult, merge
from projects.filing.services import (
    AUTO,
    DraftChanges,
    StaleVersion,
    evaluation_save_draft,
    evaluation_start,
    filer_changes,
    revision_content,
)
from projects.models import Project
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


def check_actuals(sheet: SubjectSheet, project: Project, errors: list) -> None:
    closed = closed_filing(sheet, project, "已提交或审核，不能再修改")
    if closed is not None:
        errors.append(closed)
        return
    _check_locked_budgets(sheet, project, errors)
    indicators = {i.pk: i for i in project.indicators.all()}
    seen = set()
    for row in sheet.indicators:
        where = (sheet.title, row.row)
        if row.indicator_id is None:
            if row.seq is None:  # a row keyed by 指标序号 was refused where it was matched
                errors.append(
                    CellError(
                        *where,
                        row.key_column,
                        "缺少指标序号：指标由预算批复确定，填报时不能新增",
                    )
                )
            continue
        indicator = indicators.get(row.indicator_id)
        if indicator is None:
            errors.append(CellError(*where, row.key_column, f"{row.key_label} 不属于本项目"))
            continue
        if row.indicator_id in seen:
            errors.append(CellError(*where, row.key_column, f"{row.key_label} 重复出现"))
            continue
        seen.add(row.indicator_id)
        if row.target is not None and not same_text(row.target, indicator.target):
            errors.append(
                CellError(
                    *where,
                    "D",
                    f"年度指标值与批复不一致（批复为「{indicator.target}」），填报人不能修改目标",
                )
            )
        if row.weight_given and row.weight != indicator.weight:
            errors.append(
                CellError(
                    *where,
                    "F",
                    f"分值与批复不一致（批复为 {plain_figure(indicator.weight)}），不能修改",
                )
            )
        if (
            row.claimed_score is not None
            and indicator.weight is not None
            and row.claimed_score > indicator.weight
        ):
            errors.append(
                CellError(
                    *where,
                    "G",
                    f"得分 {plain_figure(row.claimed_score)} 超过分值 {plain_figure(indicator.weight)}",
                )
            )


def _check_locked_budgets(sheet: SubjectSheet, project: Project, errors: list) -> None:
    """年初预算数, 全年预算数 and 预期目标 are the finance bureau's: a filer's sheet that states
    them differently from the stored ones is refused at the cell."""
    lines = shown_fund_lines(project)
    letters = sheet.fund_letters
    for source, values in sheet.funds.items():
        stored = lines.get(source)
        for column in ("initial", "adjusted"):
            if column not in values:
                continue
            have = getattr(stored, column) if stored else None
            if values[column] != have:
                label = "年初预算数" if column == "initial" else "全年预算数"
                errors.append(
                    CellError(
                        sheet.title,
                        sheet.fund_rows.get(source, 0),
                        letters[column],
                        f"{label}与批复不一致（批复为 {plain_figure(have)} 元），填报人不能修改预算",
                    )
                )
    if sheet.goal_row is not None and not same_text(sheet.goal_expected, project.goal_expected):
        errors.append(
            CellError(
                sheet.title,
                sheet.goal_row,
                sheet.goal_letters[0],
                f"预期目标与批复不一致（批复为「{project.goal_expected}」），填报人不能修改",
            )
        )


def actual_changes(sheet: SubjectSheet, project: Project) -> DraftChanges:
    weighted = {i.pk for i in project.indicators.all() if i.weight is not None}
    results = {}
    for row in sheet.indicators:
        values = {
            "actual": row.actual,
            "achievement": row.achievement,
            "deviation_reason": row.deviation_reason,
        }
        if row.indicator_id in weighted:
            values["claimed_score"] = AUTO if row.claimed_score is None else row.claimed_score
        results[row.indicator_id] = values
    funds = {s: {"executed": v["executed"]} for s, v in sheet.funds.items() if "executed" in v}
    return DraftChanges(
        funds=funds or None,
        goal_actual=sheet.goal_actual if sheet.goal_row is not None else None,
        results=results or None,
    )


def filer_plan(project: Project, file_version: int | None, changes: DraftChanges) -> SubjectPlan:
    """What a filer's file would change in one subject, merged like a stale form save."""
    evaluation = evaluation_of(project)
    theirs = stored_content(evaluation, project=project)
    base, base_version = theirs, None
    if evaluation is not None:
        base_version = evaluation.version
        if file_version is not None and file_version < evaluation.version:
            base, base_version = revision_content(evaluation, file_version), file_version
        elif file_version is not None and file_version > evaluation.version:
            base = None  # a version this filing never had: every difference is asked about
    mine = following_echoes(changes_content(filer_changes(changes)), base or theirs)
    result = merge(base, mine, fields_only(theirs))
    plan = SubjectPlan(
        project=project,
        evaluation=evaluation,
        base_version=base_version,
        file_version=file_version,
        changes=changes,
        kept=len(result.kept),
    )
    _describe(plan, result, theirs)
    return plan


def _describe(plan: SubjectPlan, result: MergeResult, theirs: dict) -> None:
    """Before → after for every field written, and each conflict with its two values."""
    where = plan.evaluation or _Subject(plan.project)
    unit = plan.project.money_unit
    for key, value in result.apply.items():
        label = field_label(key, where)
        plan.fields.append(
            FieldChange(
                key,
                label.section,
                label.label,
                shown(key, theirs.get(key, ""), unit),
                shown(key, value, unit),
            )
        )
    for key, (mine, stored) in result.conflicts.items():
        label = field_label(key, where)
        plan.conflicts.append(
            {
                "key": key,
                "name": f"{RESOLVE}{plan.project.pk}:{key}",
                "section": label.section,
                "label": label.label,
                "yours": shown(key, mine, unit),
                "theirs": shown(key, stored, unit),
            }
        )


RESOLVE = "resolve:"


class _Subject:
    """A subject not opened for filing yet, where field labels want an evaluation."""

    def __init__(self, project: Project):
        self.project = project


def choices_from(post) -> dict[int, dict[str, str]]:
    """The preview's choices per subject: {project id: {field key: "mine" | "theirs"}}."""
    choices: dict[int, dict[str, str]] = {}
    for name, value in post.items():
        if not name.startswith(RESOLVE) or value not in (MINE, THEIRS):
            continue
        project_id, _, key = name.removeprefix(RESOLVE).partition(":")
        if project_id.isdigit():
            choices.setdefault(int(project_id), {})[key] = value
    return choices


def write_filer_plans(plans: list[SubjectPlan], user, choices: dict) -> list:
    """Save every subject that changes, all or nothing; StaleVersion rolls everything back."""
    saved = []
    with transaction.atomic():
        for plan in plans:
            if not plan.changed:
                continue
            evaluation = plan.evaluation or evaluation_start(project=plan.project, user=user)
            evaluation = evaluation_save_draft(
                evaluation=evaluation,
                user=user,
                version=plan.base_version,
                changes=plan.changes,
                resolutions=choices.get(plan.project.pk, {}),
            )
            summary = f"修改 {len(plan.fields) + len(plan.conflicts)} 项，当前得分 {evaluation.computed_total}"
            saved.append((plan.project, evaluation, summary))
    return saved


def run_filer_plans(
    outcome: UploadOutcome, plans, user, confirm: bool, choices: dict
) -> UploadOutcome:
    outcome.plans = plans
    if not confirm:
        return outcome
    try:
        outcome.saved = write_filer_plans(plans, user, choices)
    except StaleVersion:
        outcome.notice = (
            "预览之后又有人保存了这些自评，双方都改过的内容需要您重新选择，尚未保存任何内容。"
        )
    except (PermissionDenied, ValidationError) as exc:
        outcome.refuse(exc)
    return outcome


def json_subject(document, user) -> tuple[Project | None, str | None]:
    """The existing subject a filer's document describes, found the way the importer finds it;
    (None, message) when it is not one of the user's own open subjects."""
    from projects.models import Department, Unit

    outside = "文档中的单位或项目不在您的填报范围内（填报人只能导入本单位已有项目的自评）"
    departments = Department.objects.filter(region__name=document.region or "未指定地区")
    named = document.department
    department = (
        departments.filter(code=named.code) if named.code else departments.filter(name=named.name)
    ).first()
    if department is None:
        return None, outside
    unit_named = document.unit or document.department
    units = Unit.objects.for_user(user, FILE).filter(department=department)
    unit = (
        units.filter(code=unit_named.code)
        if unit_named.code
        else units.filter(name=unit_named.name)
    ).first()
    if unit is None:
        return None, outside
    projects = Project.objects.for_user(user, FILE).filter(unit=unit, year=document.year)
    if document.kind == "department":
        project = projects.filter(kind=Project.Kind.DEPARTMENT_OVERALL).first()
    elif document.project is None:
        return None, "项目支出自评必须填写 project（项目名称）"
    elif document.project.code:
        project = projects.filter(code=document.project.code).first()
    else:
        project = projects.filter(kind=Project.Kind.PROJECT, name=document.project.name).first()
    if project is None:
        return None, outside
    return project, None
