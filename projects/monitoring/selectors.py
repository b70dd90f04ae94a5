"""Filer-side reads of 绩效运行监控: the region's rounds, the filer's open reports, the form page.

Each returns plain data for a template; the review pages have their own in review_selectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from projects.filing.content import is_qualitative, shown_fund_lines
from projects.formatting import editable_amount, fmt_percent, money_text
from projects.labels import SOURCE_LABELS
from projects.models import (
    EvaluationStatus,
    Light,
    MonitoringFollowUp,
    MonitoringReport,
    MonitoringRound,
    MonitoringStep,
)
from projects.monitoring.content import CHOICES, stored_content
from projects.monitoring.forms import field_id, field_name

S = EvaluationStatus
OPEN = (S.DRAFT, S.RETURNED)
RETURN_ACTIONS = ("department_return", "finance_return")
LIGHT_LABELS = dict(Light.choices)
LIGHT_CLASSES = {
    "red": "text-bg-danger",
    "yellow": "text-bg-warning",
    "green": "text-bg-success",
    "blue": "text-bg-primary",
}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
# Which field a finding about an indicator row points at.
FINDING_FIELDS = {
    "likelihood_reason_missing": "reason",
    "measures_missing": "measures",
    "likelihood_missing": "likelihood",
}


def light_view(code: str | None) -> dict:
    """A light as a badge shows it: its word and its colour (never the code)."""
    code = code or ""
    return {
        "code": code,
        "label": LIGHT_LABELS.get(code, "未亮灯"),
        "css": LIGHT_CLASSES.get(code, "text-bg-light border"),
    }


# --- the finance bureau's rounds ----------------------------------------------------------------


def region_round_rows(region) -> list[dict]:
    """The region's rounds, newest first, with coverage (submitted / total) and lights."""
    submitted = ~Q(reports__status__in=OPEN)
    rounds = (
        MonitoringRound.objects.filter(region=region)
        .select_related("issued_by")
        .annotate(
            total=Count("reports"),
            submitted=Count("reports", filter=submitted),
            **{
                f"light_{code}": Count("reports", filter=Q(reports__light=code))
                for code in Light.values
            },
        )
        .order_by("-as_of")
    )
    return [
        {
            "round": r,
            "total": r.total,
            "submitted": r.submitted,
            "lights": [
                {**light_view(code), "count": getattr(r, f"light_{code}")} for code in Light.values
            ],
        }
        for r in rounds
    ]


# --- the filer's open reports ---------------------------------------------------------------------


def filer_open_reports(user) -> list[dict]:
    """The reports the user may file that are still open (draft or returned), soonest first."""
    reports = (
        MonitoringReport.objects.for_user(user, "file")
        .filter(status__in=OPEN)
        .select_related("round", "project")
        .order_by("round__deadline", "project__code")
    )
    today = timezone.localdate()
    return [
        {
            "report": r,
            "title": r.round.title,
            "project": r.project.name,
            "deadline": r.round.deadline,
            "overdue": r.round.deadline < today,
            "light": light_view(r.light),
            "status": r.get_status_display(),
        }
        for r in reports
    ]


# --- the form page ----------------------------------------------------------------------------


@dataclass
class EntryRow:
    """One indicator row of the form: its fields, light and the reviewer's comments."""

    indicator: object
    qualitative: bool
    fields: dict
    light: dict
    progress: str = ""
    comments: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)


def _field(key: str, value: str, errors: dict) -> dict:
    return {
        "key": key,
        "name": field_name(key),
        "id": field_id(key),
        "value": value,
        "error": errors.get(key, ""),
    }


def _shown_amount(text: str, money_unit: str) -> str:
    if not text:
        return ""
    try:
        return editable_amount(Decimal(text), money_unit)
    except ArithmeticError:
        return text


def latest_return_step(report) -> MonitoringStep | None:
    """The last return of a returned report (its comment and per-indicator comments)."""
    if report.status != S.RETURNED:
        return None
    return (
        MonitoringStep.objects.filter(report=report, action__in=RETURN_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def finding_views(result: dict, first_fund_key: str) -> list[dict]:
    """The findings, errors first, each with the id of the field it links to."""
    order = {"error": 0, "warning": 1, "info": 2}
    views = []
    for f in sorted(result.get("findings", []), key=lambda f: order.get(f["severity"], 3)):
        indicator_id = f.get("indicator_id")
        if indicator_id is not None:
            name = FINDING_FIELDS.get(f["code"], "value")
            anchor = field_id(f"entries.{indicator_id}.{name}")
        else:
            anchor = field_id(first_fund_key)
        views.append(
            {
                **f,
                "severity_label": SEVERITY_LABELS.get(f["severity"], f["severity"]),
                "anchor": anchor,
            }
        )
    return views


def report_page(report, result: dict, *, posted=None, errors=None) -> dict:
    """Everything the form page shows (report prefetched by `report_queryset`).

    `posted`: the submitted form (`ReportForm`) whose typed text is shown back; `errors`:
    {key: message} shown at each field.
    """
    errors = errors or {}
    project = report.project
    money_unit = project.money_unit or "元"
    stored = stored_content(report)

    def value(key: str) -> str:
        typed = posted.raw(key) if posted is not None else None
        if typed is not None:
            return typed
        text = stored.get(key, "")
        return _shown_amount(text, money_unit) if key.startswith("funds.") else text

    lines = shown_fund_lines(project)
    sources = [
        k.split(".")[1] for k in stored if k.startswith("funds.") and k.endswith(".executed")
    ]
    funds = []
    for source in sources:
        line = lines.get(source)
        budget = (
            None if line is None else (line.adjusted if line.adjusted is not None else line.initial)
        )
        funds.append(
            {
                "source": source,
                "label": SOURCE_LABELS.get(source, source),
                "budget": money_text(budget, money_unit),
                "executed": _field(
                    f"funds.{source}.executed", value(f"funds.{source}.executed"), errors
                ),
                "forecast": _field(
                    f"funds.{source}.forecast", value(f"funds.{source}.forecast"), errors
                ),
            }
        )
    lights = {row.get("indicator_id"): row for row in result.get("indicators", [])}
    step = latest_return_step(report)
    comments = (step.indicator_comments or {}) if step else {}
    follow_ups = list(
        MonitoringFollowUp.objects.filter(report=report)
        .select_related("decided_by", "indicator")
        .order_by("decided_at", "pk")
    )
    rows = []
    for indicator in project.indicators.all():
        light = lights.get(indicator.pk, {})
        fields = {
            name: _field(
                f"entries.{indicator.pk}.{name}", value(f"entries.{indicator.pk}.{name}"), errors
            )
            for name in (
                "value",
                "achievement",
                "forecast",
                "likelihood",
                "deviation_category",
                "reason",
                "measures",
            )
        }
        rows.append(
            EntryRow(
                indicator=indicator,
                qualitative=is_qualitative(indicator),
                fields=fields,
                light={**light_view(light.get("light")), "id": f"light-{indicator.pk}"},
                progress=light.get("progress") or "",
                comments=[comments[str(indicator.pk)]] if comments.get(str(indicator.pk)) else [],
                follow_ups=[f for f in follow_ups if f.indicator_id == indicator.pk],
            )
        )
    general_errors = {k: v for k, v in errors.items() if not k.startswith(("funds.", "entries."))}
    first_fund = f"funds.{sources[0]}.executed" if sources else "explanation"
    findings = finding_views(result, first_fund)
    return {
        "report": report,
        "round": report.round,
        "project": project,
        "editable": report.is_editable,
        "money_unit": money_unit,
        "funds": funds,
        "rows": rows,
        "choices": {name: list(options.items()) for name, options in CHOICES.items()},
        "explanation": _field("explanation", value("explanation"), errors),
        "general_errors": general_errors,
        "time_progress": fmt_percent(_decimal(result.get("time_progress"))),
        "execution_rate": fmt_percent(_decimal(result.get("execution_rate"))),
        "execution_light": light_view(result.get("execution_light")),
        "project_light": light_view(result.get("light")),
        "findings": findings,
        "error_count": sum(f["severity"] == "error" for f in findings),
        "return_step": step,
        "follow_ups": follow_ups,
        "execution_follow_ups": [f for f in follow_ups if f.indicator_id is None],
        "days_left": (report.round.deadline - timezone.localdate()).days,
    }


def _decimal(text) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except ArithmeticError:
        return None
