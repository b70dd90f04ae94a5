"""The year rollover: a region's continuing subjects carried into the next year as proposals.

Each subject of the year before whose term has not ended becomes a subject of the new year
with its goal and its indicators (names, targets, weights, methods) as proposed targets, in a
draft declaration its unit reviews and submits. Nothing of what was filed is copied: no actual,
score, execution or report text, and no budget (the new year's plan is declared anew). Running
it again creates nothing: a subject already carried, or already created for the new year under
the same code, is left as it is and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.access import require_finance_bureau
from projects.filing.content import SOURCES
from projects.models import FundLine, Indicator, Project, Region, TargetDeclaration


@dataclass
class Rollover:
    """What a rollover did: subjects created (old → new), already there, and ended."""

    created: list[tuple[Project, Project]] = field(default_factory=list)
    existing: list[tuple[Project, Project]] = field(default_factory=list)
    ended: list[Project] = field(default_factory=list)
    indicators: int = 0


def year_rollover(
    *, region: Region, from_year: int, to_year: int, user=None, dry_run: bool = False
) -> Rollover:
    """Carry the region's continuing subjects of `from_year` into `to_year` (idempotent).

    `user` None: run by the command line as the system; otherwise the region's finance bureau.
    `dry_run`: the same work in a savepoint rolled back, so a preview reports exactly what a run
    would do and writes nothing (the created subjects it lists are not saved).
    """
    with transaction.atomic():
        done = _rollover(region=region, from_year=from_year, to_year=to_year, user=user)
        if dry_run:
            transaction.set_rollback(True)
    return done


def _rollover(*, region: Region, from_year: int, to_year: int, user) -> Rollover:
    if user is not None:
        require_finance_bureau(user, region, "只有本地区财政局可以结转下一年度项目。")
    if to_year != from_year + 1:
        raise ValidationError({"to_year": "只能结转到下一年度（起始年度 + 1）。"})
    done = Rollover()
    sources = (
        Project.objects.filter(
            unit__department__region=region,
            year=from_year,
            unit__is_active=True,
            unit__department__is_active=True,
        )
        .select_related("unit")
        .prefetch_related("indicators", "fund_lines")
        .order_by("unit_id", "kind", "code", "pk")
    )
    for old in sources:
        if old.end_year is not None and old.end_year < to_year:
            done.ended.append(old)
            continue
        twin = _twin(old, to_year)
        if twin is not None:
            done.existing.append((old, twin))
            continue
        new = Project(
            unit=old.unit,
            year=to_year,
            kind=old.kind,
            code=old.code,
            name=old.name,
            fund_type=old.fund_type,
            transfer_level=old.transfer_level,
            money_unit=old.money_unit,
            goal_expected=old.goal_expected,
            end_year=old.end_year,
        )
        new._history_user = user
        new._change_reason = f"由{from_year}年度结转"
        new.save()
        rows = [
            Indicator(
                project=new,
                order=indicator.order,
                level1=indicator.level1,
                level2=indicator.level2,
                name=indicator.name,
                target=indicator.target,
                weight=indicator.weight,
                method=indicator.method,
                library_id=indicator.library_id,
            )
            for indicator in old.indicators.all()
        ]
        Indicator.objects.bulk_create(rows)
        # The fund plan's rows, blank: the new year's budget is declared, never copied.
        used = {line.source for line in old.fund_lines.all()} & set(SOURCES)
        FundLine.objects.bulk_create(
            FundLine(project=new, source=source) for source in sorted(used)
        )
        TargetDeclaration.objects.create(project=new, rolled_from=old)
        done.created.append((old, new))
        done.indicators += len(rows)
    return done


def _twin(old: Project, year: int) -> Project | None:
    """The subject of `year` that `old` continues as, if it exists already."""
    carried = Project.objects.filter(declaration__rolled_from=old).first()
    if carried is not None:
        return carried
    same = Project.objects.filter(unit_id=old.unit_id, year=year)
    if old.kind == Project.Kind.DEPARTMENT_OVERALL:
        return same.filter(kind=old.kind).first()
    return same.filter(code=old.code).first()
