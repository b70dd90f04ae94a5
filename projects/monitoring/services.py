"""The writes of 绩效运行监控: issue a round, save a report, decide on a red light.

Each is one keyword-only service that checks the actor's role inside its transaction. The
transitions (submit, return, approve) are the one workflow's (`filing_submit` and the rest,
called with the report as the filing); this module registers what differs for a report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects import notifications as notices
from projects.access import (
    DEPARTMENT_REVIEW,
    FILE,
    FINANCE_REVIEW,
    get_for_user,
    require_finance_bureau,
)
from projects.filing.merge import merge
from projects.filing.services import StaleVersion
from projects.models import (
    Evaluation,
    EvaluationStatus,
    FollowUpDecision,
    FundLine,
    Indicator,
    Light,
    MonitoringEntry,
    MonitoringFollowUp,
    MonitoringFund,
    MonitoringReport,
    MonitoringRevision,
    MonitoringRound,
    MonitoringStep,
    Notification,
    Project,
    Region,
)
from projects.models.targets import targets_settled
from projects.monitoring.content import (
    clean_content,
    fund_sources,
    stored_content,
)
from projects.review.services.workflow import FilingKind, register_filing_kind

S = EvaluationStatus
OPEN_STATUSES = (S.DRAFT, S.RETURNED)


def report_queryset():
    """Reports with everything the form, the lights and the prints read, in a few queries."""
    return MonitoringReport.objects.select_related(
        "round", "project__unit__department__region"
    ).prefetch_related(
        Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")),
        Prefetch("project__indicators", queryset=Indicator.objects.order_by("order", "pk")),
        Prefetch("funds", queryset=MonitoringFund.objects.order_by("pk")),
        Prefetch("entries", queryset=MonitoringEntry.objects.order_by("pk")),
    )


def _relight(report: MonitoringReport) -> dict:
    from scoring.monitoring import monitor_report

    return monitor_report(report_queryset().get(pk=report.pk))


# --- issuing a round ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundIssue:
    """What issuing did: the round and how many reports it created."""

    round: MonitoringRound
    created: bool
    reports_created: int


@transaction.atomic
def monitoring_round_open(
    *, region: Region, as_of: datetime.date, deadline: datetime.date, user, note: str = ""
) -> tuple[MonitoringRound, bool]:
    """Create the region's round as of a date (or set a new deadline on it): the bureau's act.

    Its reports are made by `monitoring_round_fill`, in the background for the bureau's page
    (a city's two thousand subjects are no work for a request); `reports_ready_at` is empty
    until they are.
    """
    require_finance_bureau(user, region, "只有本地区财政局可以下发监控任务。")
    if deadline < as_of:
        raise ValidationError({"deadline": "截止日期不能早于监控时点。"})
    round_, created = MonitoringRound.objects.select_for_update().get_or_create(
        region=region,
        as_of=as_of,
        defaults={
            "year": as_of.year,
            "deadline": deadline,
            "note": note.strip(),
            "issued_by": user,
        },
    )
    round_.deadline, round_.note, round_.reports_ready_at = deadline, note.strip(), None
    round_.save(update_fields=["deadline", "note", "reports_ready_at"])
    return round_, created


@transaction.atomic
def monitoring_round_fill(*, round_id: int, user=None) -> int:
    """Make the missing reports of a round, light them, and tell the units; idempotent.

    Every project and 部门整体 subject of the year whose targets stand gets a report listing
    its approved indicators and fund sources. Returns how many reports it created.
    """
    round_ = MonitoringRound.objects.select_for_update().select_related("region").get(pk=round_id)
    region, as_of = round_.region, round_.as_of
    subjects = list(
        Project.objects.filter(
            unit__department__region=region,
            year=as_of.year,
            unit__is_active=True,
            unit__department__is_active=True,
        )
        # A subject whose targets are declared here is filed on once they are approved
        # (将绩效目标设置作为安排预算的前置条件); one without a declaration was approved with the budget.
        .filter(targets_settled())
        .exclude(monitoring_reports__round=round_)
        .order_by("pk")
        .prefetch_related(
            Prefetch("fund_lines", queryset=FundLine.objects.order_by("pk")),
            Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk")),
        )
    )
    fresh = bulk_create_with_history(
        [MonitoringReport(round=round_, project=p) for p in subjects],
        MonitoringReport,
        default_user=user,
        default_change_reason="下发监控任务",
    )
    by_project = {r.project_id: r for r in fresh}
    by_subject = {p.pk: p for p in subjects}
    MonitoringFund.objects.bulk_create(
        MonitoringFund(report=by_project[p.pk], source=source)
        for p in subjects
        for source in fund_sources(p)
    )
    MonitoringEntry.objects.bulk_create(
        MonitoringEntry(report=by_project[p.pk], indicator=i)
        for p in subjects
        for i in p.indicators.all()
    )
    # Nothing is filed in a new report: light it from what is in memory, in one batched write
    # under the rule set of the region's year.
    from scoring.monitoring import light_issued
    from scoring.services import region_rule_set_key, ruleset_in_force

    rules = ruleset_in_force(region_rule_set_key(region, as_of.year), as_of.year)
    for report in fresh:
        report.round = round_
        report.project = by_subject[report.project_id]
    light_issued(fresh, rules)
    if fresh:
        _tell_units(round_, user)
    MonitoringRound.objects.filter(pk=round_.pk).update(reports_ready_at=timezone.now())
    return len(fresh)


def _tell_units(round_: MonitoringRound, user) -> None:
    units = (
        MonitoringReport.objects.filter(round=round_, status__in=OPEN_STATUSES)
        .values("project__unit")
        .annotate(n=Count("pk"))
    )
    region = round_.region
    bureau = region.finance_bureau or f"{region.name}财政局"
    for row in units:
        notices.notify(
            recipients=notices.filers_of_units([row["project__unit"]]),
            kind=Notification.Kind.DEADLINE,
            message=(
                f"{bureau}已下发{round_.title}任务：本单位待填报 {row['n']} 项，"
                f"截止日期 {round_.deadline:%Y-%m-%d}。"
            ),
            exclude=user,
        )


def monitoring_round_issue(
    *, region: Region, as_of: datetime.date, deadline: datetime.date, user, note: str = ""
) -> RoundIssue:
    """Open a round and make its reports at once (commands, the demo, tests): the page opens
    it and leaves the reports to the background task, through the same two services."""
    round_, created = monitoring_round_open(
        region=region, as_of=as_of, deadline=deadline, user=user, note=note
    )
    made = monitoring_round_fill(round_id=round_.pk, user=user)
    round_.refresh_from_db()
    return RoundIssue(round_, created, made)


# --- the filer's save ----------------------------------------------------------------------------


def ensure_report_editable(report: MonitoringReport) -> None:
    """Raise PermissionDenied when the filer may not change the report in its state."""
    if not report.is_editable:
        raise PermissionDenied("该监控表已提交或审核，不能修改。")


def record_revision(report: MonitoringReport, content: dict) -> None:
    """Keep the filer's content at the report's current version (the base of later merges)."""
    MonitoringRevision.objects.get_or_create(
        report_id=report.pk, version=report.version, defaults={"content": content}
    )


def plan_save(fresh: MonitoringReport, version: int | None, mine: dict, resolutions=None):
    """What a save would write: (merge result, stored content), as the self-evaluation does."""
    theirs = stored_content(fresh)
    if version is None or version == fresh.version:
        base = theirs
    elif version > fresh.version:
        base = None
    else:
        revision = MonitoringRevision.objects.filter(report_id=fresh.pk, version=version).first()
        base = revision.content if revision else None
    return merge(base, mine, theirs, resolutions), theirs


@transaction.atomic
def monitoring_save_draft(
    *,
    report: MonitoringReport,
    user,
    version: int | None,
    content: dict,
    resolutions: dict | None = None,
) -> MonitoringReport:
    """The filer's one write of a report: the form and the upload both come here.

    Only the filer's keys are kept (`clean_content`); a save made at an older version is
    merged field by field with what was saved since, and a field both sides changed raises
    StaleVersion until `resolutions` settles it. The lights are recomputed after every save.
    """
    fresh = get_for_user(
        report_queryset().select_for_update(of=("self",)), user, FILE, pk=report.pk
    )
    ensure_report_editable(fresh)
    mine = clean_content(fresh, content)
    plan, theirs = plan_save(fresh, version, mine, resolutions)
    if plan.conflicts:
        raise StaleVersion(fresh, version or fresh.version, plan=plan)
    if plan.apply:
        record_revision(fresh, theirs)
        _write(fresh, plan.apply, user)
        fresh.version += 1
        fresh._history_user = user
        fresh.save()
        fresh = report_queryset().get(pk=fresh.pk)
        record_revision(fresh, stored_content(fresh))
    _relight(fresh)
    return report_queryset().get(pk=fresh.pk)


def _write(report: MonitoringReport, apply: dict[str, str], user) -> None:
    funds = {f.source: f for f in report.funds.all()}
    entries = {e.indicator_id: e for e in report.entries.all()}
    touched_funds, touched_entries = set(), set()
    for key, text in apply.items():
        head, _, rest = key.partition(".")
        if key == "explanation":
            report.explanation = text
        elif head == "funds":
            source, name = rest.split(".")
            row = funds.get(source) or MonitoringFund(report=report, source=source)
            funds[source] = row
            setattr(row, name, Decimal(text) if text else None)
            touched_funds.add(source)
        elif head == "entries":
            indicator_id, name = rest.split(".")
            entry = entries.get(int(indicator_id)) or MonitoringEntry(
                report=report, indicator_id=int(indicator_id)
            )
            entries[int(indicator_id)] = entry
            setattr(entry, name, text)
            touched_entries.add(int(indicator_id))
    for source in touched_funds:
        funds[source].save()
    for indicator_id in touched_entries:
        entries[indicator_id].save()


# --- the workflow's kind -------------------------------------------------------------------------


def _submit_errors(report: MonitoringReport) -> list[dict]:
    data = _relight(report)
    return [f for f in data["findings"] if f["severity"] == "error"]


def rescore_year_end(project_id: int) -> None:
    """Re-score the subject's open evaluation, whose findings read the year's monitoring."""
    from scoring.services import score_evaluation

    for evaluation in Evaluation.objects.filter(project_id=project_id, result__isnull=False):
        if not evaluation.is_frozen:
            score_evaluation(evaluation)


def _record_step(report, user, action, from_status, comment, indicator_comments):
    fresh = report_queryset().get(pk=report.pk)
    # A report filed, returned or approved changes what the year-end evaluation compares with.
    transaction.on_commit(lambda: rescore_year_end(report.project_id))
    return MonitoringStep.objects.create(
        report=report,
        action=action,
        from_status=from_status,
        to_status=report.status,
        actor=user,
        comment=comment,
        indicator_comments={str(k): v for k, v in indicator_comments.items()},
        version=report.version,
        snapshot=stored_content(fresh),
    )


def _title(report: MonitoringReport) -> str:
    return f"“{report.project.name}”{report.round.title}"


register_filing_kind(
    MonitoringReport,
    FilingKind(
        noun="绩效监控表",
        lock_related=("round", "project__unit__department__region"),
        title=_title,
        submit_errors=_submit_errors,
        record_step=_record_step,
        indicator_ids=lambda r: set(r.project.indicators.values_list("pk", flat=True)),
        notice_target=lambda r: {"monitoring_report": r},
    ),
)


# --- the follow-up of a red light --------------------------------------------------------------


def reviewing_roles(user, report: MonitoringReport) -> list[str]:
    """The review roles the user holds on the report (department, finance, or both)."""
    qs = MonitoringReport.objects.filter(pk=report.pk)
    return [
        role for role in (DEPARTMENT_REVIEW, FINANCE_REVIEW) if qs.for_user(user, role).exists()
    ]


@transaction.atomic
def monitoring_follow_up_record(
    *,
    report: MonitoringReport,
    user,
    decision: str,
    comment: str = "",
    indicator: Indicator | None = None,
) -> MonitoringFollowUp:
    """A reviewer (department or finance) records what is to be done about a red light.

    `indicator` None: the project's execution light. Refused on a light that is not red, on
    a report still in draft, and outside the reviewer's scope (404) or role (403).
    """
    report = get_for_user(report_queryset().select_for_update(of=("self",)), user, pk=report.pk)
    if not reviewing_roles(user, report):
        raise PermissionDenied("只有主管部门或财政局审核人可以作出处理决定。")
    if decision not in FollowUpDecision.values:
        raise ValidationError({"decision": "请选择处理决定。"})
    if report.status == S.DRAFT:
        raise ValidationError("监控表尚未提交，不能作出处理决定。")
    if indicator is not None:
        entry = next((e for e in report.entries.all() if e.indicator_id == indicator.pk), None)
        if entry is None:
            raise ValidationError({"indicator": "该指标不属于本监控表。"})
        if entry.light != Light.RED:
            raise ValidationError({"indicator": "只能对亮红灯的指标作出处理决定。"})
    elif report.execution_light != Light.RED:
        raise ValidationError({"indicator": "预算执行进度未亮红灯，请选择亮红灯的指标。"})
    follow_up = MonitoringFollowUp.objects.create(
        report=report,
        indicator=indicator,
        decision=decision,
        comment=comment.strip(),
        decided_by=user,
    )
    transaction.on_commit(lambda: rescore_year_end(report.project_id))
    if decision == FollowUpDecision.URGE:  # 督促整改 is tracked to closure as a 整改 item
        from projects.rectifications.services import raise_for_red_light

        raise_for_red_light(follow_up=follow_up, user=user)
    about = f"指标“{indicator.name}”" if indicator else "预算执行进度"
    label = FollowUpDecision(decision).label
    notices.notify(
        recipients=notices.filers_of(report.project.unit),
        kind=Notification.Kind.RETURNED,
        message=f"{_title(report)}{about}红灯处理决定：{label}。{comment.strip()}",
        monitoring_report=report,
        exclude=user,
    )
    return follow_up
