"""Declarer-side reads of 绩效目标: the filer's declarations, the form page, the suggestions.

Each returns plain data for a template; the review pages have their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Case, IntegerField, Q, Value, When

from projects.access import FILE
from projects.filing.content import SOURCES
from projects.formatting import editable_amount, fmt_score, plain
from projects.labels import SOURCE_LABELS
from projects.models import (
    EvaluationStatus,
    Indicator,
    IndicatorResult,
    LibraryIndicator,
    TargetDeclaration,
    TargetStep,
)
from projects.targets.content import INDICATOR_FIELDS, stored_content
from projects.targets.forms import field_id, field_name

S = EvaluationStatus
OPEN = (S.DRAFT, S.RETURNED)
RETURN_ACTIONS = ("department_return", "finance_return")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SUGGEST_LIMIT = 8


def filer_declarations(user) -> list[dict]:
    """The declarations of the user's units, drafts and returned ones first, newest year first."""
    rows = (
        TargetDeclaration.objects.for_user(user, FILE)
        .select_related("project__unit")
        .annotate(
            open_first=Case(
                When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("open_first", "-project__year", "project__code")
    )
    return [
        {
            "declaration": d,
            "project": d.project,
            "status": d.get_status_display(),
            "open": d.status in OPEN,
            "errors": d.error_count,
        }
        for d in rows
    ]


def latest_return_step(declaration) -> TargetStep | None:
    """The last return of a returned declaration (its comment and per-indicator comments)."""
    if declaration.status != S.RETURNED:
        return None
    return (
        TargetStep.objects.filter(declaration=declaration, action__in=RETURN_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


# Which field of a row a finding points at; findings about the whole table have their own place.
FINDING_FIELDS = {
    "weight_invalid": "weight",
    "indicator_copied": "name",
    "satisfaction_without_method": "method",
    "level_not_in_tree": "level2",
}
TABLE_ANCHORS = {"weights_not_total": "weight-total", "cost_indicator_missing": "add-indicator"}


def finding_views(result: dict | None) -> list[dict]:
    """The findings, errors first, each with the id of the field it links to."""
    order = {"error": 0, "warning": 1, "info": 2}
    views = []
    for f in sorted((result or {}).get("findings", []), key=lambda f: order.get(f["severity"], 3)):
        indicator_id = f.get("indicator_id")
        if indicator_id is not None:
            name = FINDING_FIELDS.get(f["code"], "target")
            anchor = field_id(f"indicators.{indicator_id}.{name}")
        else:
            anchor = TABLE_ANCHORS.get(f["code"], field_id("goal_expected"))
        views.append(
            {
                **f,
                "severity_label": SEVERITY_LABELS.get(f["severity"], f["severity"]),
                "anchor": anchor,
            }
        )
    return views


def _field(key: str, value: str, errors: dict) -> dict:
    return {
        "key": key,
        "name": field_name(key),
        "id": field_id(key),
        "value": value,
        "error": errors.get(key, ""),
    }


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(str(text).replace(",", "").replace("，", "")) if text else None
    except InvalidOperation:
        return None


def last_year(declaration) -> dict[str, dict]:
    """Last year's actual, score and 偏差原因 by indicator name (rolled-over declarations only).

    One query for every row; open 整改 items are not recorded anywhere yet, so none are shown.
    """
    if declaration.rolled_from_id is None:
        return {}
    results = (
        IndicatorResult.objects.filter(evaluation__project_id=declaration.rolled_from_id)
        .select_related("indicator")
        .order_by("indicator__order", "indicator__pk")
    )
    found: dict[str, dict] = {}
    for r in results:
        found.setdefault(
            r.indicator.name,
            {
                "actual": r.actual or (r.get_achievement_display() if r.achievement else ""),
                "score": fmt_score(r.computed_score),
                "reason": r.deviation_reason,
                "target": r.indicator.target,
            },
        )
    return found


@dataclass
class DeclaredRow:
    """One indicator row of the form: its fields, findings, comments and last year's figures."""

    indicator: object
    fields: dict
    findings: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    last_year: dict | None = None
    worst: str = ""


def level_options(rule_set) -> list[dict]:
    """The rule set's 一级/二级 tree as the add-row select shows it."""
    return [
        {"level1": level1, "options": [(f"{level1}|{level2}", level2) for level2 in level2s]}
        for level1, level2s in rule_set.tree.items()
    ]


def declaration_page(declaration, result: dict | None, rule_set, *, posted=None, errors=None):
    """Everything the form page shows (declaration prefetched by `declaration_queryset`).

    `posted`: the submitted `DeclarationForm` whose typed text is shown back; `errors`:
    {key: message} shown at each field.
    """
    errors = errors or {}
    project = declaration.project
    money_unit = project.money_unit or "元"
    stored = stored_content(declaration)

    def value(key: str) -> str:
        typed = posted.raw(key) if posted is not None else None
        if typed is not None:
            return typed
        text = stored.get(key, "")
        if key.startswith("funds.") and text:
            return editable_amount(Decimal(text), money_unit)
        return text

    funds = [
        {
            "source": source,
            "label": SOURCE_LABELS.get(source, source),
            "initial": _field(f"funds.{source}.initial", value(f"funds.{source}.initial"), errors),
        }
        for source in SOURCES
    ]
    findings = finding_views(result)
    by_row: dict[int, list] = {}
    for f in findings:
        if f.get("indicator_id") is not None:
            by_row.setdefault(f["indicator_id"], []).append(f)
    step = latest_return_step(declaration)
    comments = (step.indicator_comments or {}) if step else {}
    history = last_year(declaration)
    rows, weights = [], []
    for indicator in project.indicators.all():
        fields = {
            name: _field(
                f"indicators.{indicator.pk}.{name}",
                value(f"indicators.{indicator.pk}.{name}"),
                errors,
            )
            for name in INDICATOR_FIELDS
        }
        weights.append(_decimal(fields["weight"]["value"]))
        mine = by_row.get(indicator.pk, [])
        rows.append(
            DeclaredRow(
                indicator=indicator,
                fields=fields,
                findings=mine,
                comments=[comments[str(indicator.pk)]] if comments.get(str(indicator.pk)) else [],
                last_year=history.get(indicator.name) if history else None,
                worst=mine[0]["severity"] if mine else "",
            )
        )
    total = sum((w for w in weights if w is not None), Decimal(0))
    expected = rule_set.indicator_weight_total
    return {
        "declaration": declaration,
        "project": project,
        "money_unit": money_unit,
        "goal": _field("goal_expected", value("goal_expected"), errors),
        "funds": funds,
        "rows": rows,
        "weight_total": plain(total),
        "weight_expected": plain(expected),
        "weight_ok": total == expected,
        "levels": level_options(rule_set),
        "findings": findings,
        "error_count": sum(f["severity"] == "error" for f in findings),
        "general_errors": {
            k: v
            for k, v in errors.items()
            if not k.startswith(("funds.", "indicators.")) and k != "goal_expected"
        },
        "return_step": step,
        "rolled": declaration.rolled_from_id is not None,
    }


def suggestions(declaration, *, q: str = "", level2: str = "") -> dict:
    """Indicators to start a row from: the region's library and the unit's own earlier years."""
    project = declaration.project
    q, level2 = q.strip()[:100], level2.strip()[:50]
    library = LibraryIndicator.objects.filter(
        region_id=project.unit.department.region_id, is_active=True
    )
    history = Indicator.objects.filter(
        project__unit_id=project.unit_id, project__year__lt=project.year
    )
    if level2:
        library = library.filter(level2=level2)
        history = history.filter(level2=level2)
    if q:
        library = library.filter(Q(name__icontains=q) | Q(function__icontains=q))
        history = history.filter(name__icontains=q)
    seen, past = set(), []
    for row in history.select_related("project").order_by("-project__year", "order", "pk")[:50]:
        if (row.name, row.target) in seen:
            continue
        seen.add((row.name, row.target))
        past.append(
            {
                "name": row.name,
                "target": row.target,
                "level1": row.level1,
                "level2": row.level2,
                "year": row.project.year,
                "project": row.project.name,
            }
        )
        if len(past) >= SUGGEST_LIMIT:
            break
    return {
        "library": list(library.order_by("function", "level2", "name")[:SUGGEST_LIMIT]),
        "history": past,
    }
