"""Reads of the target review: the declarations of a scope as one list, and one declaration's page.

Every function returns plain dataclasses with words, never codes, so templates only print.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from projects import rules
from projects.access import DEPARTMENT_REVIEW, FINANCE_REVIEW
from projects.filing.content import SOURCES
from projects.formatting import fmt_amount
from projects.labels import SOURCE_LABELS
from projects.models import EvaluationStatus, FundSource, Indicator, ReviewStep, TargetDeclaration

S = EvaluationStatus
# The reason `indicator_target_correct` records: a 调整 after approval, not the declarer's edits.
CORRECTION_PREFIX = "财政局调整指标值"
SEVERITY_WORDS = {"error": "错误", "warning": "警告"}
FINDINGS_CHOICES = [("errors", "有错误"), ("warnings", "有警告"), ("any", "有错误或警告")]


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


def _label(choices, code: str) -> str:
    return dict(choices).get(code, code) if code else ""


# --- the declarations list -----------------------------------------------------------------------


def list_queryset(declarations: QuerySet, *, findings: str = "") -> QuerySet:
    """The declarations narrowed by "has errors/warnings", with what a row prints joined in."""
    if findings == "errors":
        declarations = declarations.filter(error_count__gt=0)
    elif findings == "warnings":
        declarations = declarations.filter(warning_count__gt=0)
    elif findings == "any":
        declarations = declarations.exclude(error_count=0, warning_count=0)
    return declarations.select_related("project__unit__department").order_by(
        "-project__year", "project__unit__department__code", "project__unit__code", "project__code"
    )


@dataclass(frozen=True)
class DeclarationRow:
    """One declaration of the list, in words."""

    pk: int
    year: int
    department: str
    unit: str
    project: str
    kind: str
    status: str
    status_code: str
    errors: int
    warnings: int
    submitted_at: object
    rolled: bool


def declaration_rows(declarations) -> list[DeclarationRow]:
    """The page's declarations (from `list_queryset`) as rows, without further queries."""
    return [
        DeclarationRow(
            pk=d.pk,
            year=d.project.year,
            department=d.project.unit.department.name,
            unit=d.project.unit.name,
            project=d.project.name,
            kind=d.project.get_kind_display(),
            status=d.get_status_display(),
            status_code=d.status,
            errors=d.error_count,
            warnings=d.warning_count,
            submitted_at=d.submitted_at,
            rolled=d.rolled_from_id is not None,
        )
        for d in declarations
    ]


# --- the review page of one declaration ----------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One stored quality-check finding in words."""

    severity: str
    is_error: bool
    message: str


@dataclass(frozen=True)
class Correction:
    """A target the finance bureau changed after approval: before, after, who, when, why."""

    indicator_id: int
    indicator: str
    before: str
    after: str
    actor: str
    at: object
    reason: str


@dataclass
class IndicatorRow:
    """One declared indicator with the findings about it."""

    indicator_id: int
    level1: str
    level2: str
    name: str
    target: str
    weight: str
    method: str
    from_library: bool
    findings: list[Finding] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)


@dataclass(frozen=True)
class FundRow:
    """One source of the fund plan with its 年初预算数 (元)."""

    source: str
    initial: str
    is_total: bool


@dataclass(frozen=True)
class StepRow:
    """One recorded transition in words."""

    action: str
    from_status: str
    to_status: str
    actor: str
    at: object
    version: int
    comment: str
    indicator_comments: list[tuple[str, str]]


@dataclass
class ReviewPage:
    """Everything the review page of one declaration shows, and what the user may do on it."""

    declaration: TargetDeclaration
    goal: str
    funds: list[FundRow]
    indicators: list[IndicatorRow]
    findings: list[Finding]  # those not about one indicator
    error_count: int
    warning_count: int
    checked_at: object
    steps: list[StepRow]
    corrections: list[Correction]
    can_department_review: bool
    can_finance_review: bool
    can_correct: bool

    @property
    def can_review(self) -> bool:
        """The user holds the step the declaration is waiting in."""
        return self.can_department_review or self.can_finance_review


def reviewing_roles(user, declaration: TargetDeclaration) -> list[str]:
    """The review roles the user holds on the declaration (department, finance, or both)."""
    if rules.is_observer_only.test(user):
        return []
    qs = TargetDeclaration.objects.filter(pk=declaration.pk)
    return [
        role for role in (DEPARTMENT_REVIEW, FINANCE_REVIEW) if qs.for_user(user, role).exists()
    ]


def _findings(result: dict | None) -> tuple[dict[int, list[Finding]], list[Finding]]:
    by_indicator: dict[int, list[Finding]] = defaultdict(list)
    general: list[Finding] = []
    for item in (result or {}).get("findings", []):
        severity = item.get("severity", "")
        finding = Finding(
            severity=SEVERITY_WORDS.get(severity, "提示"),
            is_error=severity == "error",
            message=item.get("message", ""),
        )
        if item.get("indicator_id"):
            by_indicator[item["indicator_id"]].append(finding)
        else:
            general.append(finding)
    return by_indicator, general


def corrections(project, names: dict[int, str]) -> list[Correction]:
    """Targets the finance bureau changed after approval (the recorded 调整), oldest first."""
    records = (
        Indicator.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    found, previous = [], None
    for record in records:
        reason = record.history_change_reason or ""
        if (
            previous is not None
            and previous.id == record.id
            and record.history_type == "~"
            and previous.target != record.target
            and reason.startswith(CORRECTION_PREFIX)
        ):
            found.append(
                Correction(
                    indicator_id=record.id,
                    indicator=names.get(record.id, record.name),
                    before=previous.target,
                    after=record.target,
                    actor=_person(record.history_user),
                    at=record.history_date,
                    reason=reason.removeprefix(CORRECTION_PREFIX).lstrip("：:"),
                )
            )
        previous = record
    return sorted(found, key=lambda c: c.at)


def review_page(declaration: TargetDeclaration, user) -> ReviewPage:
    """The read-only declaration with its findings and history, and the user's decisions
    (declaration from `declaration_queryset`, so fund lines and indicators come prefetched)."""
    project = declaration.project
    lines = {line.source: line for line in project.fund_lines.all()}
    funds = [
        FundRow(
            source=SOURCE_LABELS.get(source, source),
            initial=fmt_amount(lines[source].initial) if source in lines else "",
            is_total=source == FundSource.TOTAL,
        )
        for source in (*SOURCES, FundSource.TOTAL)
    ]
    indicators = list(project.indicators.all())
    names = {i.pk: i.name for i in indicators}
    changed = corrections(project, names)
    by_indicator, general = _findings(declaration.result)
    rows = [
        IndicatorRow(
            indicator_id=i.pk,
            level1=i.level1,
            level2=i.level2,
            name=i.name,
            target=i.target,
            weight="" if i.weight is None else f"{i.weight.normalize():f}",
            method=i.method,
            from_library=i.library_id is not None,
            findings=by_indicator.get(i.pk, []),
            corrections=[c for c in changed if c.indicator_id == i.pk],
        )
        for i in indicators
    ]
    steps = [
        StepRow(
            action=_label(ReviewStep.Action.choices, step.action),
            from_status=step.get_from_status_display(),
            to_status=step.get_to_status_display(),
            actor=_person(step.actor),
            at=step.created_at,
            version=step.version,
            comment=step.comment,
            indicator_comments=[
                (names.get(int(k), "（已删除的指标）"), text)
                for k, text in step.indicator_comments.items()
            ],
        )
        for step in declaration.steps.select_related("actor").order_by("created_at", "pk")
    ]
    roles = reviewing_roles(user, declaration)
    settled = declaration.status in (S.APPROVED, S.PUBLISHED)
    return ReviewPage(
        declaration=declaration,
        goal=project.goal_expected,
        funds=funds,
        indicators=rows,
        findings=general,
        error_count=declaration.error_count,
        warning_count=declaration.warning_count,
        checked_at=declaration.checked_at,
        steps=steps,
        corrections=changed,
        can_department_review=declaration.status == S.SUBMITTED and DEPARTMENT_REVIEW in roles,
        can_finance_review=declaration.status == S.DEPARTMENT_APPROVED and FINANCE_REVIEW in roles,
        can_correct=settled and FINANCE_REVIEW in roles,
    )
