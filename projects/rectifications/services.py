"""The writes of 整改: raise an item, the unit reports, the reviewer closes (销号) or reopens.

A 整改 item belongs to the unit that must act. It is raised and closed by the reviewers who stand
over that unit — the department reviewer of its department or the region's finance bureau — and
reported on by the unit's filers. Every move is a `RectificationStep`, so the detail page reads
as the history of the item. Permissions are checked inside each transaction against the
database (404 outside the user's scope, 403 without the role), as every other service does.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from projects import notifications as notices
from projects.access import FILE, get_for_user
from projects.models import (
    Evaluation,
    Membership,
    MonitoringReport,
    Notification,
    Project,
    Unit,
)
from projects.models.results import (
    Rectification,
    RectificationSource,
    RectificationStatus,
    RectificationStep,
)

Status = RectificationStatus
Action = RectificationStep.Action
# A red light decided as 督促整改 gives the unit a month to act (seed 004: 及时采取措施).
RED_LIGHT_DAYS = 30
NOT_REVIEWER = "只有本单位的主管部门审核人或本地区财政局可以处理整改事项。"


def is_rectification_reviewer(user, unit: Unit) -> bool:
    """True for the unit's department reviewer, the region's finance bureau or a superuser.

    Read from the database, not the per-request scope cache, so a role removed since the page
    was opened is refused inside the transaction.
    """
    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_superuser:
        return True
    department = unit.department
    return (
        Membership.objects.filter(
            user=user, role=Membership.Role.DEPARTMENT_REVIEWER, department_id=department.pk
        ).exists()
        or Membership.objects.filter(
            user=user, role=Membership.Role.FINANCE_REVIEWER, region_id=department.region_id
        ).exists()
    )


def _require_reviewer(user, unit: Unit) -> None:
    if not is_rectification_reviewer(user, unit):
        raise PermissionDenied(NOT_REVIEWER)


def _lock(item: Rectification, user) -> Rectification:
    """The item re-read under lock: 404 outside the user's scope."""
    return get_for_user(
        Rectification.objects.select_for_update(of=("self",)).select_related(
            "unit__department__region", "project"
        ),
        user,
        pk=item.pk,
    )


def _step(item, user, action, text="", evidence="") -> RectificationStep:
    return RectificationStep.objects.create(
        item=item, action=action, text=text, evidence=evidence, actor=user
    )


def _links(item: Rectification) -> dict:
    """The filing a notice links to (the Notification model has no link to an item itself)."""
    return {"evaluation": item.evaluation, "monitoring_report": item.monitoring_report}


def _reviewers_of(unit: Unit):
    department = unit.department
    return list(notices.department_reviewers_of(department)) + list(
        notices.finance_reviewers_of(department.region)
    )


def _check_links(unit, evaluation, monitoring_report, project) -> Project | None:
    """Every linked filing must be the unit's; the project defaults to the filing's."""
    errors = {}
    if evaluation is not None and evaluation.project.unit_id != unit.pk:
        errors["evaluation"] = "该自评不属于责任单位。"
    if monitoring_report is not None and monitoring_report.project.unit_id != unit.pk:
        errors["monitoring_report"] = "该监控表不属于责任单位。"
    if project is None:
        project = (evaluation and evaluation.project) or (
            monitoring_report and monitoring_report.project
        )
    if project is not None and project.unit_id != unit.pk:
        errors["project"] = "该项目不属于责任单位。"
    if errors:
        raise ValidationError(errors)
    return project


def _check_deadline(deadline, today: datetime.date) -> None:
    if not deadline:
        raise ValidationError({"deadline": "请填写整改期限。"})
    if not isinstance(deadline, datetime.date):
        raise ValidationError({"deadline": "整改期限不是有效日期。"})
    if deadline < today:
        raise ValidationError({"deadline": "整改期限不能早于提出日期。"})


@transaction.atomic
def rectification_raise(
    *,
    user,
    unit: Unit,
    year: int,
    source: str,
    problem: str,
    deadline: datetime.date,
    measures: str = "",
    evaluation: Evaluation | None = None,
    monitoring_report: MonitoringReport | None = None,
    project: Project | None = None,
    source_ref: str = "",
    notify: bool = True,
) -> Rectification:
    """A reviewer over the unit raises a 整改 item; the unit's filers are told (unless `notify`
    is False, as when a return already tells them)."""
    if not Unit.objects.for_user(user).filter(pk=unit.pk).exists():
        raise Http404("未找到该单位，或您无权查看。")
    unit = Unit.objects.select_related("department__region").get(pk=unit.pk)
    _require_reviewer(user, unit)
    errors = {}
    if source not in RectificationSource.values:
        errors["source"] = "请选择整改事项的来源。"
    if not (problem or "").strip():
        errors["problem"] = "请填写存在的问题。"
    try:
        _check_deadline(deadline, timezone.localdate())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "年度不正确。"
    if errors:
        raise ValidationError(errors)
    project = _check_links(unit, evaluation, monitoring_report, project)
    item = Rectification.objects.create(
        unit=unit,
        project=project,
        year=year,
        source=source,
        evaluation=evaluation,
        monitoring_report=monitoring_report,
        source_ref=(source_ref or "")[:100],
        problem=problem.strip(),
        measures=(measures or "").strip(),
        deadline=deadline,
        raised_by=user,
    )
    _step(item, user, Action.RAISE, item.problem)
    if notify:
        notices.notify(
            recipients=notices.filers_of(unit),
            kind=Notification.Kind.DEADLINE,
            message=f"新的整改事项（整改期限 {deadline:%Y-%m-%d}）：{item.problem}",
            exclude=user,
            **_links(item),
        )
    return item


@transaction.atomic
def rectification_raise_from_return(
    *,
    user,
    evaluation: Evaluation,
    deadline: datetime.date,
    comment: str,
    indicator_comments: dict[int, str] | None = None,
) -> list[Rectification]:
    """The items of a return marked 同时列为整改事项: one per indicator comment, else one for the
    overall comment. The return's own notice tells the unit; one more line names the items."""
    evaluation = Evaluation.objects.select_related("project__unit").get(pk=evaluation.pk)
    names = dict(evaluation.project.indicators.values_list("pk", "name"))
    rows = [
        (f"指标“{names[int(pk)]}”：{text.strip()}", f"indicator:{pk}")
        for pk, text in (indicator_comments or {}).items()
        if text and text.strip() and int(pk) in names
    ] or [(comment.strip(), "return")]
    items = [
        rectification_raise(
            user=user,
            unit=evaluation.project.unit,
            year=evaluation.year,
            source=RectificationSource.RETURN,
            problem=problem,
            deadline=deadline,
            evaluation=evaluation,
            source_ref=ref,
            notify=False,
        )
        for problem, ref in rows
    ]
    notices.notify(
        recipients=notices.filers_of(evaluation.project.unit),
        kind=Notification.Kind.DEADLINE,
        message=(
            f"“{evaluation.project.name}”的退回意见已列为 {len(items)} 项整改事项，"
            f"整改期限 {deadline:%Y-%m-%d}。"
        ),
        evaluation=evaluation,
        exclude=user,
    )
    return items


@transaction.atomic
def rectification_report(
    *, item: Rectification, user, measures: str, evidence: str, text: str
) -> Rectification:
    """The unit's filer reports what was done: measures, evidence, progress. 整改中 → 待销号."""
    item = _lock(item, user)
    if not Rectification.objects.filter(pk=item.pk).for_user(user, FILE).exists():
        raise PermissionDenied("只有责任单位的填报人可以报告整改情况。")
    if item.status != Status.OPEN:
        raise ValidationError(f"当前状态为“{item.get_status_display()}”，不能报告整改情况。")
    errors = {}
    if not (measures or "").strip():
        errors["measures"] = "请填写整改措施。"
    if not (text or "").strip():
        errors["text"] = "请填写整改进展情况。"
    if errors:
        raise ValidationError(errors)
    item.measures, item.evidence = measures.strip(), (evidence or "").strip()
    item.status = Status.REPORTED
    item.save(update_fields=["measures", "evidence", "status"])
    _step(item, user, Action.REPORT, text.strip(), item.evidence)
    notices.notify(
        recipients=_reviewers_of(item.unit),
        kind=Notification.Kind.SUBMITTED,
        message=f"{item.unit.name}已报告整改情况，待销号：{item.problem[:60]}",
        exclude=user,
        **_links(item),
    )
    return item


@transaction.atomic
def rectification_close(*, item: Rectification, user, comment: str = "") -> Rectification:
    """The reviewer closes (销号) a reported item; an open one only with a comment saying why."""
    item = _lock(item, user)
    _require_reviewer(user, item.unit)
    if item.status == Status.CLOSED:
        raise ValidationError("该整改事项已销号。")
    comment = (comment or "").strip()
    if item.status == Status.OPEN and not comment:
        raise ValidationError({"comment": "单位尚未报告整改情况，直接销号须说明理由。"})
    item.status, item.closed_by, item.closed_at = Status.CLOSED, user, timezone.now()
    item.save(update_fields=["status", "closed_by", "closed_at"])
    _step(item, user, Action.CLOSE, comment)
    notices.notify(
        recipients=notices.filers_of(item.unit),
        kind=Notification.Kind.APPROVED,
        message=f"整改事项已销号：{item.problem[:60]}",
        exclude=user,
        **_links(item),
    )
    return item


@transaction.atomic
def rectification_reopen(
    *, item: Rectification, user, comment: str, deadline: datetime.date | None = None
) -> Rectification:
    """The reviewer sends a reported or closed item back to 整改中, saying why; a new deadline
    may be given (else the old one stands, and an item past it shows as overdue at once)."""
    item = _lock(item, user)
    _require_reviewer(user, item.unit)
    if item.status == Status.OPEN:
        raise ValidationError("该整改事项正在整改中，无需重新开启。")
    comment = (comment or "").strip()
    errors = {}
    if not comment:
        errors["comment"] = "重新开启须说明原因。"
    if deadline is not None:
        try:
            _check_deadline(deadline, timezone.localdate())
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    item.status, item.closed_by, item.closed_at = Status.OPEN, None, None
    item.deadline = deadline or item.deadline
    item.save(update_fields=["status", "closed_by", "closed_at", "deadline"])
    _step(item, user, Action.REOPEN, comment)
    notices.notify(
        recipients=notices.filers_of(item.unit),
        kind=Notification.Kind.RETURNED,
        message=f"整改事项被重新开启：{comment}",
        exclude=user,
        **_links(item),
    )
    return item


def raise_for_red_light(*, follow_up, user) -> Rectification:
    """The item a 督促整改 decision on a red light raises (called inside its transaction)."""
    report = follow_up.report
    about = f"指标“{follow_up.indicator.name}”" if follow_up.indicator_id else "预算执行进度"
    problem = f"{report.round.title}{about}亮红灯，督促整改。{follow_up.comment}".strip()
    return rectification_raise(
        user=user,
        unit=report.project.unit,
        year=report.project.year,
        source=RectificationSource.RED_LIGHT,
        problem=problem,
        deadline=timezone.localdate() + datetime.timedelta(days=RED_LIGHT_DAYS),
        monitoring_report=report,
        source_ref=f"follow_up:{follow_up.pk}",
        notify=False,
    )
