"""The writes of the common indicator library: add, edit, enable or disable one indicator, and
import a workbook of them. Only the region's finance bureau keeps the library."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.access import require_finance_bureau
from projects.models import Direction, LibraryIndicator, Region
from projects.targets import library_import
from projects.targets.library_selectors import LEVEL1_CHOICES

FIELDS = (
    "function",
    "level1",
    "level2",
    "name",
    "unit_of_measure",
    "direction",
    "suggested_target",
    "policy_source",
)
MESSAGE = "只有本地区财政局可以维护共性指标库。"


def _clean(region: Region, data: dict, *, exclude_pk: int | None = None) -> dict:
    """The fields trimmed and checked; a ValidationError names the field in Chinese."""
    values = {key: str(data.get(key) or "").strip() for key in FIELDS}
    values["direction"] = values["direction"] or Direction.HIGHER
    errors = {}
    for key, label in (
        ("function", "适用领域"),
        ("level1", "一级指标"),
        ("level2", "二级指标"),
        ("name", "三级指标"),
    ):
        if not values[key]:
            errors[key] = f"请填写{label}。"
    if values["level1"] and values["level1"] not in dict(LEVEL1_CHOICES):
        errors["level1"] = "请选择一级指标。"
    if values["direction"] not in Direction.values:
        errors["direction"] = "请选择指标方向。"
    clash = LibraryIndicator.objects.filter(
        region=region, function=values["function"], level2=values["level2"], name=values["name"]
    ).exclude(pk=exclude_pk)
    if not errors and clash.exists():
        errors["name"] = "本地区指标库中已有同一适用领域、二级指标下的同名指标。"
    if errors:
        raise ValidationError(errors)
    return values


def _save(indicator: LibraryIndicator, user, reason: str) -> LibraryIndicator:
    indicator.full_clean()
    indicator._history_user = user
    indicator._change_reason = reason
    indicator.save()
    return indicator


@transaction.atomic
def library_indicator_create(*, region: Region, user, data: dict) -> LibraryIndicator:
    """The finance bureau adds a standard indicator to its region's library."""
    require_finance_bureau(user, region, MESSAGE)
    values = _clean(region, data)
    return _save(LibraryIndicator(region=region, created_by=user, **values), user, "新增共性指标")


def _locked(indicator: LibraryIndicator, user) -> LibraryIndicator:
    fresh = (
        LibraryIndicator.objects.select_for_update().select_related("region").get(pk=indicator.pk)
    )
    require_finance_bureau(user, fresh.region, MESSAGE)
    return fresh


@transaction.atomic
def library_indicator_update(*, indicator: LibraryIndicator, user, data: dict) -> LibraryIndicator:
    """The finance bureau edits an indicator; projects that chose it keep their own rows."""
    fresh = _locked(indicator, user)
    values = _clean(fresh.region, data, exclude_pk=fresh.pk)
    for key, value in values.items():
        setattr(fresh, key, value)
    return _save(fresh, user, "修改共性指标")


@transaction.atomic
def library_indicator_set_active(
    *, indicator: LibraryIndicator, user, active: bool
) -> LibraryIndicator:
    """Disable (no longer suggested) or enable again; a used indicator is never deleted."""
    fresh = _locked(indicator, user)
    if fresh.is_active == active:
        return fresh
    fresh.is_active = active
    return _save(fresh, user, "启用共性指标" if active else "停用共性指标")


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did, or every wrong cell when it did nothing."""

    created: int
    updated: int
    errors: list


@transaction.atomic
def library_import_workbook(*, region: Region, user, data: bytes) -> ImportOutcome:
    """Add or update the region's library from a workbook: all rows, or none if any is wrong."""
    require_finance_bureau(user, region, MESSAGE)
    rows, errors = library_import.read(data)
    if errors:
        return ImportOutcome(0, 0, errors)
    existing = {
        (i.function, i.level2, i.name): i
        for i in LibraryIndicator.objects.select_for_update().filter(region=region)
    }
    created = updated = 0
    for row in rows:
        values = row.fields()
        current = existing.get((row.function, row.level2, row.name))
        if current is None:
            _save(LibraryIndicator(region=region, created_by=user, **values), user, "导入共性指标")
            created += 1
            continue
        changed = not current.is_active or any(getattr(current, k) != v for k, v in values.items())
        if changed:
            for key, value in values.items():
                setattr(current, key, value)
            current.is_active = True
            _save(current, user, "导入共性指标")
            updated += 1
    return ImportOutcome(created, updated, [])
