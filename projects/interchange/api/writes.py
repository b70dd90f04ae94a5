"""What the API writes, each through the write service the page calls.

- Projects, budgets and targets: the finance bureau's `project_save` (or, for a department, the
  unit's `project_declare`), then the target declaration's own services (`declaration_start`,
  `declaration_add_indicator`, `declaration_remove_indicator`, `declaration_save_draft`). Targets
  approved with the budget then pass through the one workflow (submit, department approval,
  finance approval), each step recorded under the client's account.
- Execution to date for monitoring: `monitoring_save_draft` with the report's fund keys.
- Full-year execution for the self-evaluation: `evaluation_start` and `evaluation_save_draft`.

A request is one transaction: any item refused (404 outside the region, 403 without the role,
422 for bad figures) leaves nothing written.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from projects.access import VIEW, get_for_user
from projects.administration.services import project_save
from projects.filing.content import DraftChanges, norm
from projects.filing.services import evaluation_save_draft, evaluation_start
from projects.interchange.api.clients import sync_memberships
from projects.models import (
    ApiClient,
    Evaluation,
    EvaluationStatus,
    MonitoringReport,
    Project,
    TargetDeclaration,
    Unit,
)
from projects.monitoring.content import stored_content_keys
from projects.monitoring.services import monitoring_save_draft
from projects.review.services.workflow import (
    filing_department_approve,
    filing_finance_approve,
    filing_submit,
)
from projects.targets.content import INDICATOR_FIELDS
from projects.targets.services import (
    declaration_add_indicator,
    declaration_queryset,
    declaration_remove_indicator,
    declaration_save_draft,
    declaration_start,
    project_declare,
)

S = EvaluationStatus
APPROVED_COMMENT = "绩效目标已随预算批复，由接口导入。"


def _fresh_roles(client: ApiClient) -> None:
    """Units and departments created since the client was made come into its scope now."""
    sync_memberships(client)


def _unit(user, department_code: str, unit_code: str) -> Unit:
    return get_for_user(
        Unit.objects.select_related("department__region"),
        user,
        VIEW,
        department__code=department_code.strip(),
        code=unit_code.strip(),
    )


def _project(user, item, year: int) -> Project:
    unit = _unit(user, item.department_code, item.unit_code)
    return get_for_user(
        Project.objects.select_related("unit__department__region"),
        user,
        VIEW,
        unit=unit,
        year=year,
        code=item.project_code.strip(),
    )


# --- projects, budgets and targets ------------------------------------------------------------


def _save_project(client: ApiClient, user, unit: Unit, year: int, item) -> Project:
    existing = Project.objects.for_user(user).filter(unit=unit, year=year, code=item.code.strip())
    project = existing.first()
    if client.role == ApiClient.Role.FINANCE:
        return project_save(
            region=unit.department.region,
            user=user,
            project=project,
            unit=unit,
            year=year,
            kind=item.kind,
            code=item.code,
            name=item.name,
            fund_type=item.fund_type,
            money_unit=item.money_unit,
        )
    if client.role != ApiClient.Role.DEPARTMENT:
        raise PermissionDenied("该客户端为只读，不能导入项目。")
    if project is not None:
        return project
    return project_declare(
        unit=unit,
        user=user,
        year=year,
        code=item.code,
        name=item.name,
        kind=item.kind,
        money_unit=item.money_unit,
    ).project


def _declaration_content(declaration: TargetDeclaration, item) -> dict[str, str]:
    """The declaration form's content for what the item states, keyed by the rows now stored."""
    content = {"goal_expected": item.goal_expected}
    for fund in item.funds:
        content[f"funds.{fund.source}.initial"] = norm(fund.initial)
    rows = list(declaration.project.indicators.all())
    for row, wanted in zip(rows, item.indicators, strict=True):
        for name in INDICATOR_FIELDS:
            value = getattr(wanted, name)
            content[f"indicators.{row.pk}.{name}"] = norm(value)
    return content


def _align_indicators(declaration: TargetDeclaration, item, user) -> TargetDeclaration:
    """Make the declaration hold exactly as many indicator rows as the item, in its order.

    Rows are kept by position: the first n stored rows take the item's first n indicators
    (their text is then written by the save), rows beyond are removed, missing rows added.
    """
    rows = list(declaration.project.indicators.all())
    for row in rows[len(item.indicators) :]:
        declaration_remove_indicator(declaration=declaration, user=user, indicator=row)
    for wanted in item.indicators[len(rows) :]:
        declaration_add_indicator(
            declaration=declaration,
            user=user,
            level1=wanted.level1,
            level2=wanted.level2,
            name=wanted.name,
        )
    return declaration_queryset().get(pk=declaration.pk)


def _approve(declaration: TargetDeclaration, user) -> TargetDeclaration:
    """Targets approved with the budget: submit, then approve in each review step."""
    declaration = filing_submit(filing=declaration, user=user)
    if declaration.status == S.SUBMITTED:
        declaration = filing_department_approve(
            filing=declaration, user=user, comment=APPROVED_COMMENT
        )
    return filing_finance_approve(filing=declaration, user=user, comment=APPROVED_COMMENT)


@transaction.atomic
def targets_import(*, client: ApiClient, year: int, projects: list, approved: bool = False):
    """Import projects with their fund plan and targets for a year; return the declarations."""
    user = client.user
    if client.role == ApiClient.Role.OBSERVER:
        raise PermissionDenied("该客户端为只读，不能导入项目。")
    _fresh_roles(client)
    if approved and client.role != ApiClient.Role.FINANCE:
        raise PermissionDenied("只有财政局客户端可以导入已批复的绩效目标。")
    units = [_unit(user, item.department_code, item.unit_code) for item in projects]
    declarations = []
    for unit, item in zip(units, projects, strict=True):
        project = _save_project(client, user, unit, year, item)
        declaration = declaration_start(project=project, user=user)
        declaration = declaration_queryset().get(pk=declaration.pk)
        if not declaration.is_editable:
            raise ValidationError(
                {item.code: f"项目“{project.name}”的绩效目标已提交或审核，不能再通过接口导入。"}
            )
        declaration = _align_indicators(declaration, item, user)
        declaration = declaration_save_draft(
            declaration=declaration,
            user=user,
            version=None,
            content=_declaration_content(declaration, item),
        )
        if approved:
            declaration = _approve(declaration, user)
        declarations.append(declaration)
    return declarations


# --- execution to date ------------------------------------------------------------------------


@transaction.atomic
def monitoring_execution_push(*, client: ApiClient, year: int, items: list, as_of=None):
    """Push 截至监控时点执行数 (and a forecast) into each project's monitoring report."""
    user = client.user
    if client.role == ApiClient.Role.OBSERVER:
        raise PermissionDenied("该客户端为只读，不能推送执行数。")
    _fresh_roles(client)
    reports = []
    for item in items:
        project = _project(user, item, year)
        found = MonitoringReport.objects.for_user(user).filter(project=project, round__year=year)
        if as_of is not None:
            found = found.filter(round__as_of=as_of)
        report = found.order_by("-round__as_of", "-pk").first()
        if report is None:
            raise Http404(
                f"项目“{project.name}”在 {year} 年度没有{'该时点的' if as_of else ''}监控表。"
            )
        allowed = set(stored_content_keys(report))
        content, errors = {}, {}
        for fund in item.funds:
            for name in ("executed", "forecast"):
                value = getattr(fund, name)
                if value is None:
                    continue
                key = f"funds.{fund.source}.{name}"
                if key not in allowed:
                    errors[key] = f"项目“{project.name}”的预算没有该资金来源。"
                content[key] = norm(value)
        if errors:
            raise ValidationError(errors)
        reports.append(
            monitoring_save_draft(report=report, user=user, version=None, content=content)
        )
    return reports


@transaction.atomic
def evaluation_execution_push(*, client: ApiClient, year: int, items: list):
    """Push the full-year 全年执行数 per source into each project's self-evaluation."""
    user = client.user
    if client.role == ApiClient.Role.OBSERVER:
        raise PermissionDenied("该客户端为只读，不能推送执行数。")
    _fresh_roles(client)
    evaluations = []
    for item in items:
        project = _project(user, item, year)
        evaluation = Evaluation.objects.for_user(user).filter(project=project).first()
        if evaluation is None:
            evaluation = evaluation_start(project=project, user=user)
        funds: dict[str, dict[str, Decimal]] = {}
        for fund in item.funds:
            funds[fund.source] = {"executed": fund.executed}
        evaluations.append(
            evaluation_save_draft(
                evaluation=evaluation,
                user=user,
                version=None,
                changes=DraftChanges(funds=funds),
            )
        )
    return evaluations
