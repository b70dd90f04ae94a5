"""The writes of 绩效目标: open a declaration, declare a new subject, save, add and remove rows.

Each is one keyword-only service that checks the actor's role inside its transaction. The
transitions (submit, return, approve) are the one workflow's, called with the declaration as
the filing; this module registers what differs for a declaration.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from projects.access import FILE, get_for_user, scope_for
from projects.filing.content import SOURCES
from projects.filing.merge import merge
from projects.filing.services import StaleVersion
from projects.models import (
    FundLine,
    FundSource,
    Indicator,
    LibraryIndicator,
    Project,
    TargetDeclaration,
    TargetRevision,
    TargetStep,
    Unit,
)
from projects.review.services.workflow import FilingKind, register_filing_kind
from projects.targets.content import clean_content, stored_content


def declaration_queryset():
    """Declarations with everything the form, the checks and the prints read."""
    return TargetDeclaration.objects.select_related(
        "project__unit__department__region", "rolled_from"
    ).prefetch_related(
        Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")),
        Prefetch("project__indicators", queryset=Indicator.objects.order_by("order", "pk")),
    )


def _check(declaration: TargetDeclaration, *, store: bool = True) -> dict:
    from scoring.target_checks import check_declaration

    return check_declaration(declaration_queryset().get(pk=declaration.pk), store=store)


def ensure_declaration_editable(declaration: TargetDeclaration) -> None:
    """Raise PermissionDenied when the declarer may not change the declaration in its state."""
    if not declaration.is_editable:
        raise PermissionDenied("该绩效目标已提交或审核，不能修改；审核通过后由财政局调整。")


def _locked(declaration: TargetDeclaration, user) -> TargetDeclaration:
    fresh = get_for_user(
        declaration_queryset().select_for_update(of=("self",)), user, FILE, pk=declaration.pk
    )
    ensure_declaration_editable(fresh)
    return fresh


@transaction.atomic
def declaration_start(*, project: Project, user) -> TargetDeclaration:
    """Open the subject's target declaration (idempotent), for its unit's filer."""
    project = get_for_user(
        Project.objects.select_for_update(of=("self",)), user, FILE, pk=project.pk
    )
    declaration, created = TargetDeclaration.objects.get_or_create(project=project)
    if created:
        _check(declaration)
    return declaration


@transaction.atomic
def project_declare(
    *,
    unit: Unit,
    user,
    year: int,
    code: str,
    name: str,
    kind: str = Project.Kind.PROJECT,
    money_unit: str = Project.MoneyUnit.WAN_YUAN,
    end_year: int | None = None,
) -> TargetDeclaration:
    """A unit's filer declares a new subject for a coming year (谁申请资金，谁设置目标)."""
    if unit.pk not in scope_for(user).unit_ids and not user.is_superuser:
        raise PermissionDenied("只能为本单位申报项目。")
    if not unit.is_active or not unit.department.is_active:
        raise ValidationError("该单位已停用，不能申报项目。")
    this_year = timezone.localdate().year
    if year < this_year:
        raise ValidationError({"year": f"只能申报 {this_year} 年度及以后的项目。"})
    if end_year is not None and end_year < year:
        raise ValidationError({"end_year": "项目截止年度不能早于申报年度。"})
    project = Project(
        unit=unit,
        year=year,
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        money_unit=money_unit,
        end_year=end_year,
    )
    project.full_clean()
    project._history_user = user
    project._change_reason = "单位申报项目"
    project.save()
    declaration = TargetDeclaration.objects.create(project=project)
    _check(declaration)
    return declaration


def plan_save(fresh: TargetDeclaration, version: int | None, mine: dict, resolutions=None):
    """What a save would write: (merge result, stored content), as the self-evaluation does."""
    theirs = stored_content(fresh)
    if version is None or version == fresh.version:
        base = theirs
    elif version > fresh.version:
        base = None
    else:
        revision = TargetRevision.objects.filter(declaration_id=fresh.pk, version=version).first()
        base = revision.content if revision else None
    return merge(base, mine, theirs, resolutions), theirs


def _bump(declaration: TargetDeclaration, theirs: dict, user) -> TargetDeclaration:
    """Record the content before and after a change, under a new version."""
    TargetRevision.objects.get_or_create(
        declaration_id=declaration.pk, version=declaration.version, defaults={"content": theirs}
    )
    declaration.version += 1
    declaration._history_user = user
    declaration.save()
    fresh = declaration_queryset().get(pk=declaration.pk)
    TargetRevision.objects.get_or_create(
        declaration_id=fresh.pk, version=fresh.version, defaults={"content": stored_content(fresh)}
    )
    return fresh


@transaction.atomic
def declaration_save_draft(
    *,
    declaration: TargetDeclaration,
    user,
    version: int | None,
    content: dict,
    resolutions: dict | None = None,
) -> TargetDeclaration:
    """The declarer's one write of goal, fund plan and indicators: form and upload come here.

    A save made at an older version is merged field by field with what was saved since; a
    field both sides changed raises StaleVersion until `resolutions` settles it. The quality
    checks are run again after every save.
    """
    fresh = _locked(declaration, user)
    mine = clean_content(fresh, content)
    plan, theirs = plan_save(fresh, version, mine, resolutions)
    if plan.conflicts:
        raise StaleVersion(fresh, version or fresh.version, plan=plan)
    if plan.apply:
        _write(fresh, plan.apply, user)
        fresh = _bump(fresh, theirs, user)
    _check(fresh)
    return declaration_queryset().get(pk=fresh.pk)


def _write(declaration: TargetDeclaration, apply: dict[str, str], user) -> None:
    project = declaration.project
    lines = {line.source: line for line in project.fund_lines.all()}
    indicators = {i.pk: i for i in project.indicators.all()}
    touched_lines, touched_indicators = set(), set()
    for key, text in apply.items():
        head, _, rest = key.partition(".")
        if key == "goal_expected":
            project.goal_expected = text
            project._history_user = user
            project._change_reason = "绩效目标申报"
            project.save(update_fields=["goal_expected"])
        elif head == "funds":
            source = rest.split(".")[0]
            line = lines.get(source) or FundLine(project=project, source=source)
            lines[source] = line
            line.initial = Decimal(text) if text else None
            line.adjusted = line.initial  # the plan declared is the budget until adjusted
            touched_lines.add(source)
        elif head == "indicators":
            indicator_id, name = rest.split(".")
            indicator = indicators[int(indicator_id)]
            value = (Decimal(text) if text else None) if name == "weight" else text
            setattr(indicator, name, value)
            touched_indicators.add(indicator.pk)
    for source in touched_lines:
        line = lines[source]
        line._history_user = user
        line.save()
    if touched_lines:
        _derive_total(project, lines, user)
    for pk in touched_indicators:
        indicator = indicators[pk]
        indicator._history_user = user
        indicator._change_reason = "绩效目标申报"
        indicator.save()


def _derive_total(project: Project, lines: dict, user) -> None:
    """The 年度资金总额 row of the plan: the sum of its sources (the one total rule)."""
    from scoring.engine.funds import column_total

    total = lines.get(FundSource.TOTAL) or FundLine(project=project, source=FundSource.TOTAL)
    parts = [lines.get(s) for s in SOURCES if lines.get(s) is not None]
    total.initial = column_total(None, (p.initial for p in parts))
    total.adjusted = column_total(None, (p.adjusted for p in parts))
    total._history_user = user
    total.save()


@transaction.atomic
def declaration_add_indicator(
    *,
    declaration: TargetDeclaration,
    user,
    level1: str,
    level2: str = "",
    name: str = "",
    library: LibraryIndicator | None = None,
) -> Indicator:
    """Add an indicator row to the declaration, blank or from the common indicator library."""
    fresh = _locked(declaration, user)
    project = fresh.project
    if library is not None:
        if library.region_id != project.unit.department.region_id or not library.is_active:
            raise ValidationError({"library": "该共性指标不属于本地区或已停用。"})
        level1, level2, name = library.level1, library.level2, library.name
    if not level1.strip():
        raise ValidationError({"level1": "请选择一级指标。"})
    theirs = stored_content(fresh)
    order = (project.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
    indicator = Indicator(
        project=project,
        order=order,
        level1=level1.strip(),
        level2=level2.strip(),
        name=name.strip() or "（新指标）",
        target=library.suggested_target if library else "",
        library=library,
    )
    indicator._history_user = user
    indicator._change_reason = "绩效目标申报：新增指标"
    indicator.save()
    _check(_bump(fresh, theirs, user))
    return indicator


@transaction.atomic
def declaration_remove_indicator(
    *, declaration: TargetDeclaration, user, indicator: Indicator
) -> None:
    """Remove an indicator row the declaration no longer wants (never one already filed on)."""
    fresh = _locked(declaration, user)
    row = fresh.project.indicators.filter(pk=indicator.pk).first()
    if row is None:
        raise ValidationError({"indicator": "该指标不属于本申报。"})
    if row.results.exists() or row.monitoring_entries.exists():
        raise ValidationError({"indicator": "该指标已有自评或监控填报，不能删除。"})
    theirs = stored_content(fresh)
    row._history_user = user
    row._change_reason = "绩效目标申报：删除指标"
    row.delete()
    _check(_bump(fresh, theirs, user))


# --- the workflow's kind -------------------------------------------------------------------------


def _submit_errors(declaration: TargetDeclaration) -> list[dict]:
    data = _check(declaration)
    return [f for f in data["findings"] if f["severity"] == "error"]


def _record_step(declaration, user, action, from_status, comment, indicator_comments):
    fresh = declaration_queryset().get(pk=declaration.pk)
    return TargetStep.objects.create(
        declaration=declaration,
        action=action,
        from_status=from_status,
        to_status=declaration.status,
        actor=user,
        comment=comment,
        indicator_comments={str(k): v for k, v in indicator_comments.items()},
        version=declaration.version,
        snapshot=stored_content(fresh),
    )


def _title(declaration: TargetDeclaration) -> str:
    return f"{declaration.project.year}年度“{declaration.project.name}”绩效目标"


register_filing_kind(
    TargetDeclaration,
    FilingKind(
        noun="绩效目标申报",
        lock_related=("project__unit__department__region",),
        title=_title,
        submit_errors=_submit_errors,
        record_step=_record_step,
        indicator_ids=lambda d: set(d.project.indicators.values_list("pk", flat=True)),
        notice_target=lambda d: {"target_declaration": d},
    ),
)
