"""Apply an uploaded table: check every sheet and row first, then write all of it or nothing.

Filers fill actuals (funds, 实际完成情况, indicator actuals, scores, reasons) of their own unit's
open evaluations through the same draft service as the form. Finance reviewers set targets
(indicators, weights, budgets, 预期目标) for any unit of their region; each change is recorded
in the indicators' history with the reviewer as its author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from projects.access import FILE, FINANCE_REVIEW
from projects.filing.content import (
    COLUMNS,
    SOURCES,
    changes_content,
    field_label,
    fields_only,
    following_echoes,
    shown,
    stored_content,
)
from projects.filing.merge import MINE, THEIRS, MergeResult, merge
from projects.filing.services import (
    AUTO,
    DraftChanges,
    StaleVersion,
    derived_total,
    evaluation_save_draft,
    evaluation_start,
    filer_changes,
    revision_content,
)
from projects.labels import SOURCE_LABELS
from projects.models import Evaluation, FundLine, FundSource, Indicator, IndicatorResult, Project
from projects.upload.workbook import ACTUALS, TARGETS, CellError, SubjectSheet, read_workbook


@dataclass
class FieldChange:
    """One field an upload changes (or would change): where it is, before and after."""

    key: str
    section: str
    label: str
    before: str
    after: str


@dataclass
class SubjectPlan:
    """What an upload does to one subject: the fields it changes and those needing a choice.

    base_version is the version the save is merged from: the file's own when it carries one,
    else the version shown in the preview (so a save made between preview and confirm is
    merged, not overwritten).
    """

    project: Project
    evaluation: Evaluation | None
    base_version: int | None
    file_version: int | None
    changes: DraftChanges | None = None
    fields: list[FieldChange] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    kept: int = 0
    summary: str = ""

    @property
    def changed(self) -> bool:
        """Does confirming write anything for this subject?"""
        return bool(self.fields or self.conflicts)


@dataclass
class UploadOutcome:
    """What an upload did or would do: refusals (nothing saved), the plan, what was saved."""

    errors: list = field(default_factory=list)
    plans: list[SubjectPlan] = field(default_factory=list)
    saved: list = field(default_factory=list)  # (project, evaluation or None, summary)
    notice: str = ""

    @property
    def ok(self) -> bool:
        """True when the file was accepted."""
        return not self.errors

    @property
    def to_change(self) -> list[SubjectPlan]:
        """Subjects the file changes."""
        return [p for p in self.plans if p.changed]

    @property
    def unchanged(self) -> list[SubjectPlan]:
        """Subjects whose content the file leaves as stored: never touched."""
        return [p for p in self.plans if not p.changed]

    @property
    def conflict_count(self) -> int:
        """Fields that need the uploader's choice before anything is written."""
        return sum(len(p.conflicts) for p in self.plans)


def _same(a: str, b: str) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def _subjects(sheets, user, action, errors) -> dict[str, Project]:
    """Resolve each sheet's project inside the user's scope; unknown ids are reported, not shown."""
    ids = {s.project_id for s in sheets if s.project_id is not None}
    projects = {
        p.pk: p
        for p in Project.objects.for_user(user, action)
        .filter(pk__in=ids)
        .select_related("unit__department__region")
        .prefetch_related("fund_lines", "indicators", "evaluations__results")
    }
    seen: dict[int, str] = {}
    found = {}
    for sheet in sheets:
        if sheet.project_id is None:
            continue
        row, col = sheet.id_cell
        project = projects.get(sheet.project_id)
        if project is None:
            verb = "填报" if action == FILE else "下达目标"
            errors.append(
                CellError(
                    sheet.title, row, col, f"项目编号 {sheet.project_id} 不存在或您无权{verb}"
                )
            )
            continue
        if sheet.project_id in seen:
            errors.append(
                CellError(
                    sheet.title, row, col, f"与工作表「{seen[sheet.project_id]}」是同一个项目"
                )
            )
            continue
        seen[sheet.project_id] = sheet.title
        if sheet.project_name and not _same(sheet.project_name, project.name):
            errors.append(
                CellError(
                    sheet.title,
                    row - 1,
                    "B",
                    f"项目名称与项目编号不符（编号 {project.pk} 是「{project.name}」）",
                )
            )
            continue
        found[sheet.title] = project
    return found


def _evaluation_of(project: Project) -> Evaluation | None:
    evaluations = [e for e in project.evaluations.all() if e.year == project.year]
    return evaluations[0] if evaluations else None


# ---------------------------------------------------------------- actuals (filers)


def _check_actuals(sheet: SubjectSheet, project: Project, errors: list) -> None:
    evaluation = _evaluation_of(project)
    if evaluation is not None and not evaluation.is_editable:
        errors.append(
            CellError(
                sheet.title,
                sheet.id_cell[0],
                "",
                f"该自评状态为“{evaluation.get_status_display()}”，已提交或审核，不能再修改",
            )
        )
        return
    _check_locked_budgets(sheet, project, errors)
    indicators = {i.pk: i for i in project.indicators.all()}
    seen = set()
    for row in sheet.indicators:
        where = (sheet.title, row.row)
        if row.indicator_id is None:
            errors.append(
                CellError(*where, "J", "缺少指标编号：指标由预算批复确定，填报时不能新增")
            )
            continue
        indicator = indicators.get(row.indicator_id)
        if indicator is None:
            errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 不属于本项目"))
            continue
        if row.indicator_id in seen:
            errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 重复出现"))
            continue
        seen.add(row.indicator_id)
        if not _same(row.target, indicator.target):
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
                    *where, "F", f"分值与批复不一致（批复为 {_plain(indicator.weight)}），不能修改"
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
                    f"得分 {_plain(row.claimed_score)} 超过分值 {_plain(indicator.weight)}",
                )
            )


def _check_locked_budgets(sheet: SubjectSheet, project: Project, errors: list) -> None:
    """年初预算数, 全年预算数 and 预期目标 are the finance bureau's: a filer's sheet that states
    them differently from the stored ones is refused at the cell."""
    from projects.upload.workbook import FUND_COLUMNS

    lines = {line.source: line for line in project.fund_lines.all()}
    only_total = not any(
        getattr(lines.get(s), c, None) is not None for s in SOURCES for c in COLUMNS
    )
    letters = {column: letter for letter, column, _ in FUND_COLUMNS}
    for source, values in sheet.funds.items():
        stored = lines.get(FundSource.TOTAL if only_total and source == "current_year" else source)
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
                        f"{label}与批复不一致（批复为 {_plain(have)} 元），填报人不能修改预算",
                    )
                )
    if sheet.goal_row is not None and not _same(sheet.goal_expected, project.goal_expected):
        errors.append(
            CellError(
                sheet.title,
                sheet.goal_row,
                "C",
                f"预期目标与批复不一致（批复为「{project.goal_expected}」），填报人不能修改",
            )
        )


def _actual_changes(sheet: SubjectSheet, project: Project) -> DraftChanges:
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


# ---------------------------------------------------------------- targets (finance)


def _check_targets(sheet: SubjectSheet, project: Project, errors: list) -> None:
    evaluation = _evaluation_of(project)
    if evaluation is not None and not evaluation.is_editable:
        errors.append(
            CellError(
                sheet.title,
                sheet.id_cell[0],
                "",
                f"该自评状态为“{evaluation.get_status_display()}”，修改目标前须先退回或重新开启",
            )
        )
        return
    indicators = {i.pk: i for i in project.indicators.all()}
    seen = set()
    for row in sheet.indicators:
        where = (sheet.title, row.row)
        if row.indicator_id is not None:
            if row.indicator_id not in indicators:
                errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 不属于本项目"))
                continue
            if row.indicator_id in seen:
                errors.append(CellError(*where, "J", f"指标编号 {row.indicator_id} 重复出现"))
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


def _apply_targets(sheet: SubjectSheet, project: Project, user, diff: list, reason: str) -> str:
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
                FieldChange("", "新增指标", row.name, "", f"{row.target} {_plain(row.weight)} 分")
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
                        _plain(getattr(indicator, key))
                        if key == "weight"
                        else getattr(indicator, key),
                        _plain(values[key]) if key == "weight" else values[key],
                    )
                )
                setattr(indicator, key, values[key])
            changed += 1
        for name, value in indicator_parsed_fields(indicator).items():
            setattr(indicator, name, value)
        _recorded(indicator, user, reason)
        indicator.save()
    lines = {line.source: line for line in project.fund_lines.all()}
    budgets_moved = False
    for source in SOURCES:
        values = sheet.funds.get(source)
        if not values:
            continue
        line = lines.get(source) or FundLine(project=project, source=source)
        moved = False
        for column in ("initial", "adjusted"):
            if column in values and getattr(line, column) != values[column]:
                diff.append(
                    FieldChange(
                        f"funds.{source}.{column}",
                        "项目资金",
                        f"{SOURCE_LABELS[source]} · {'年初预算数' if column == 'initial' else '全年预算数'}",
                        _plain(getattr(line, column)),
                        _plain(values[column]),
                    )
                )
                setattr(line, column, values[column])
                moved = True
        if moved or (line.pk is None and any(values.get(c) is not None for c in COLUMNS)):
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
    goal_moved = sheet.goal_row is not None and not _same(
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
    evaluation = _evaluation_of(project)
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


def _plain(value) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- plans (filers)


def _filer_plan(project: Project, file_version: int | None, changes: DraftChanges) -> SubjectPlan:
    """What a filer's file would change in one subject, merged like a stale form save."""
    evaluation = _evaluation_of(project)
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


def _write_filer_plans(plans: list[SubjectPlan], user, choices: dict) -> list:
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


# ---------------------------------------------------------------- entry points


def upload_workbook(
    *,
    user,
    data: bytes,
    purpose: str,
    confirm: bool = False,
    choices: dict | None = None,
    reason: str = "",
) -> UploadOutcome:
    """Read and check a 自评表 workbook, then preview it, or with confirm write it.

    Any error anywhere means nothing is written. The preview lists, per subject, every field
    that would change (before → after) and the fields a later edit also changed, each needing
    a choice; subjects the file leaves as they are, are never touched.
    """
    if purpose not in (ACTUALS, TARGETS):
        raise ValueError(purpose)
    outcome = UploadOutcome()
    try:
        sheets, errors = read_workbook(data)
    except Exception as exc:  # openpyxl raises many types on damaged files
        outcome.errors.append(
            f"无法读取工作簿：{exc.__class__.__name__}。请在 Excel 中另存为 .xlsx 后重试。"
        )
        return outcome
    if not sheets and not errors:
        errors.append("工作簿中没有自评表工作表（请使用本页下载的模板）。")
    action = FILE if purpose == ACTUALS else FINANCE_REVIEW
    projects = _subjects(sheets, user, action, errors)
    for sheet in sheets:
        project = projects.get(sheet.title)
        if project is None:
            continue
        check = _check_actuals if purpose == ACTUALS else _check_targets
        check(sheet, project, errors)
    if errors:
        outcome.errors = errors
        return outcome
    subjects = [(projects[sheet.title], sheet) for sheet in sheets]
    if purpose == TARGETS:
        return _targets(outcome, subjects, user, confirm, reason)
    plans = [
        _filer_plan(project, sheet.version, _actual_changes(sheet, project))
        for project, sheet in subjects
    ]
    return _filer(outcome, plans, user, confirm, choices or {})


def _filer(outcome: UploadOutcome, plans, user, confirm: bool, choices: dict) -> UploadOutcome:
    outcome.plans = plans
    if not confirm:
        return outcome
    try:
        outcome.saved = _write_filer_plans(plans, user, choices)
    except StaleVersion:
        outcome.notice = (
            "预览之后又有人保存了这些自评，双方都改过的内容需要您重新选择，尚未保存任何内容。"
        )
    except (PermissionDenied, ValidationError) as exc:
        outcome.saved = []
        outcome.errors = [
            f"保存失败，未写入任何内容：{'；'.join(getattr(exc, 'messages', [str(exc)]))}"
        ]
    return outcome


def _targets(
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
                summary = _apply_targets(sheet, project, user, diff, reason.strip())
                outcome.plans.append(
                    SubjectPlan(project, None, None, None, fields=diff, summary=summary)
                )
                if confirm and diff:
                    outcome.saved.append((project, None, summary))
            if not confirm:
                transaction.set_rollback(True)
    except (PermissionDenied, ValidationError) as exc:
        outcome.plans, outcome.saved = [], []
        outcome.errors = [
            f"保存失败，未写入任何内容：{'；'.join(getattr(exc, 'messages', [str(exc)]))}"
        ]
    return outcome


def _json_subject(document, user) -> tuple[Project | None, str | None]:
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


def upload_json(
    *,
    user,
    data: bytes,
    name: str = "上传的文件",
    confirm: bool = False,
    choices: dict | None = None,
    reason: str = "",
) -> UploadOutcome:
    """One selfeval/1 document through the same checks and writes as the workbook.

    A filer's document changes only the filer's fields of one of their own open subjects, the
    finance-only ones checked against what is stored (refused by JSON key); its version comes
    from the file name an export gave it ("…-v7.json"). A finance reviewer's document sets the
    targets of an existing subject of the region, as the targets workbook does.
    """
    from projects.access import scope_for
    from projects.models import Region
    from projects.upload.checks import UploadRefused
    from projects.upload.document import (
        filer_changes as document_changes,
    )
    from projects.upload.document import (
        locked_differences,
        target_sheet,
        version_from_name,
    )
    from projects.upload.jsonload import load_json
    from scoring.engine.document import DocumentError, read_document

    outcome = UploadOutcome()
    try:
        payload = load_json(data, name)
        document = read_document(payload)
    except UploadRefused as exc:
        outcome.errors.append(str(exc))
        return outcome
    except DocumentError as exc:
        outcome.errors.append(f"{name}：{exc}")
        return outcome
    except (RecursionError, ValueError, TypeError, ArithmeticError) as exc:
        outcome.errors.append(f"{name}：文件内容无法读取（{exc.__class__.__name__}）。")
        return outcome
    scope = scope_for(user)
    in_region = Region.objects.filter(
        pk__in=scope.region_ids, name=document.region or "未指定地区"
    ).exists()
    if scope.superuser or in_region:
        project = _finance_subject(document, user)
        if project is None:
            outcome.errors.append(
                f"{name}：文档中的项目不在您的地区或尚未建立；新项目请在目标模板中下达，"
                "或由系统管理员用命令行导入"
            )
            return outcome
        sheet = target_sheet(document, project, name)
        errors: list = []
        _check_targets(sheet, project, errors)
        if errors:
            outcome.errors = errors
            return outcome
        return _targets(outcome, [(project, sheet)], user, confirm, reason)
    project, problem = _json_subject(document, user)
    if problem is None:
        project = (
            Project.objects.filter(pk=project.pk)
            .select_related("unit__department__region")
            .prefetch_related("fund_lines", "indicators", "evaluations__results")
            .get()
        )
        evaluation = _evaluation_of(project)
        if evaluation is not None and not evaluation.is_editable:
            problem = f"该自评状态为“{evaluation.get_status_display()}”，已提交或审核，不能再修改"
    if problem is None:
        locked = locked_differences(document, project)
        if locked:
            outcome.errors = [f"{name}：{message}" for message in locked]
            return outcome
    if problem:
        outcome.errors.append(f"{name}：{problem}")
        return outcome
    plan = _filer_plan(project, version_from_name(name), document_changes(document, project))
    return _filer(outcome, [plan], user, confirm, choices or {})


def _finance_subject(document, user) -> Project | None:
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
