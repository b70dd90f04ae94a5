"""Apply an uploaded table: check every sheet and row first, then write all of it or nothing.

Filers fill actuals (funds, 实际完成情况, indicator actuals, scores, reasons) of their own unit's
open evaluations through the same draft service as the form. Finance reviewers set targets
(indicators, weights, budgets, 预期目标) for any unit of their region; each change is recorded
in the indicators' history with the reviewer as its author.
"""

from __future__ import annotations

from projects.access import FILE, FINANCE_REVIEW
from projects.models import Project
from projects.upload.actuals import (
    RESOLVE,
    actual_changes,
    check_actuals,
    choices_from,
    filer_plan,
    json_subject,
    run_filer_plans,
)
from projects.upload.matching import match_indicator_rows, settle_printed_amounts, subjects_of
from projects.upload.plans import UploadOutcome, evaluation_of
from projects.upload.targets import check_targets, finance_subject, run_targets
from projects.upload.workbook import ACTUALS, TARGETS, read_workbook

__all__ = ["RESOLVE", "UploadOutcome", "choices_from", "upload_json", "upload_workbook"]


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
    projects = subjects_of(sheets, user, action, errors)
    for sheet in sheets:
        project = projects.get(sheet.title)
        if project is None:
            continue
        match_indicator_rows(sheet, project, purpose, errors)
        settle_printed_amounts(sheet, project)
        check = check_actuals if purpose == ACTUALS else check_targets
        check(sheet, project, errors)
    if errors:
        outcome.errors = errors
        return outcome
    subjects = [(projects[sheet.title], sheet) for sheet in sheets]
    if purpose == TARGETS:
        return run_targets(outcome, subjects, user, confirm, reason)
    plans = [
        filer_plan(project, sheet.version, actual_changes(sheet, project))
        for project, sheet in subjects
    ]
    return run_filer_plans(outcome, plans, user, confirm, choices or {})


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
        figure_problems,
        locked_differences,
        target_sheet,
        version_from_name,
    )
    from projects.upload.document import (
        filer_changes as document_changes,
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
        project = finance_subject(document, user)
        if project is None:
            outcome.errors.append(
                f"{name}：文档中的项目不在您的地区或尚未建立；新项目请在目标模板中下达，"
                "或由系统管理员用命令行导入"
            )
            return outcome
        sheet = target_sheet(document, project, name)
        errors: list = []
        check_targets(sheet, project, errors)
        if errors:
            outcome.errors = errors
            return outcome
        return run_targets(outcome, [(project, sheet)], user, confirm, reason)
    project, problem = json_subject(document, user)
    if problem is None:
        project = (
            Project.objects.filter(pk=project.pk)
            .select_related("unit__department__region")
            .prefetch_related("fund_lines", "indicators", "evaluations__results")
            .get()
        )
        evaluation = evaluation_of(project)
        if evaluation is not None and not evaluation.is_editable:
            problem = f"该自评状态为“{evaluation.get_status_display()}”，已提交或审核，不能再修改"
    if problem is None:
        locked = locked_differences(document, project) + figure_problems(document)
        if locked:
            outcome.errors = [f"{name}：{message}" for message in locked]
            return outcome
    if problem:
        outcome.errors.append(f"{name}：{problem}")
        return outcome
    plan = filer_plan(project, version_from_name(name), document_changes(document, project))
    return run_filer_plans(outcome, [plan], user, confirm, choices or {})
