"""The 项目支出绩效监控表 and 部门整体支出绩效监控表 (domain.md §7) as plain data.

One context per MonitoringReport; the HTML page, the PDF and the workbook all render it, as the
自评表's context is rendered (reports/selectors/tables.py). Lights, rates and the time progress
come from what the report stores (the engine's result), never recomputed here, so an approved
report prints the same figures later. Lights print as words (红灯 …): prints are often black and
white.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from projects.access import VIEW
from projects.filing.content import SOURCES, shown_fund_lines
from projects.formatting import WAN_YUAN, in_unit, money_unit_or_default, rate, to_decimal
from projects.models import (
    DeviationCategory,
    FundLine,
    FundSource,
    Indicator,
    Light,
    Likelihood,
    MonitoringEntry,
    MonitoringFund,
    MonitoringReport,
    Project,
)
from projects.monitoring.content import fund_sources
from reports.selectors.stamp import FINAL, UNDER_REVIEW, DocumentStamp
from reports.selectors.tables import FUND_LABELS, _merge_spans
from scoring.engine.funds import fund_total

LIGHT_WORDS = dict(Light.choices)
NO_LIGHT = "—"
LIKELIHOOD_WORDS = dict(Likelihood.choices)
DEVIATION_WORDS = dict(DeviationCategory.choices)


def light_word(light: str | None) -> str:
    """红灯 / 黄灯 / 绿灯 / 蓝灯, or a dash where the row gives no light."""
    return LIGHT_WORDS.get(light or "", NO_LIGHT)


@dataclass
class MonitoringFundRow:
    """One row of 项目资金: amounts in the printed unit, the exact 元 kept for the workbook."""

    source: str
    label: str
    initial: Decimal | None
    adjusted: Decimal | None
    executed: Decimal | None
    forecast: Decimal | None
    rate: Decimal | None
    light: str = ""
    is_total: bool = False

    @property
    def light_label(self) -> str:
        """The execution light in words on the total row; a dash on the source rows."""
        return light_word(self.light) if self.is_total else NO_LIGHT


@dataclass
class MonitoringIndicatorRow:
    """One 三级指标 row with its merged-cell spans (0 = covered by the cell above)."""

    indicator_id: int
    level1: str
    level2: str
    name: str
    target: str
    value: str
    light: str
    forecast: str
    likelihood: str
    deviation_category: str
    reason: str
    measures: str
    level1_rowspan: int = 1
    level2_rowspan: int = 1

    @property
    def light_label(self) -> str:
        """The row's light in words (a blank or prose value gives none)."""
        return light_word(self.light)


@dataclass
class MonitoringTable:
    """Everything one 绩效监控表 prints; `kind` picks the project or department-overall header."""

    report_id: int
    kind: str
    title: str
    round_title: str
    year: int
    as_of: datetime.date
    month: int
    region_name: str
    department_name: str
    department_id: int
    unit_name: str
    project_name: str
    project_code: str
    money_unit: str
    status: str
    status_label: str
    time_progress: Decimal | None
    execution_rate: Decimal | None
    execution_progress: Decimal | None
    execution_light: str
    light: str
    funds: list[MonitoringFundRow]
    indicators: list[MonitoringIndicatorRow]
    explanation: str
    findings: list[dict] = field(default_factory=list)
    stamp: DocumentStamp | None = None

    @property
    def subtitle(self) -> str:
        """The period under the title: （2024年1-6月）."""
        return f"（{self.year}年1-{self.month}月）"

    @property
    def as_of_label(self) -> str:
        """监控时点 in words: 2024年6月30日."""
        return f"{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日"

    @property
    def period_label(self) -> str:
        """The to-date column's period: 1-6月."""
        return f"1-{self.month}月"

    @property
    def is_department_overall(self) -> bool:
        """Whether this is the 部门整体支出 layout."""
        return self.kind == Project.Kind.DEPARTMENT_OVERALL

    @property
    def light_label(self) -> str:
        """The report's light (the worst of its lights) in words."""
        return light_word(self.light)

    @property
    def execution_light_label(self) -> str:
        """The execution light in words."""
        return light_word(self.execution_light)

    @property
    def total_fund(self) -> MonitoringFundRow:
        """The 年度资金总额 row."""
        return self.funds[0]


def monitoring_reports_for(user) -> QuerySet:
    """The monitoring reports a signed-in user may read: the row-level gate, nothing else."""
    return MonitoringReport.objects.for_user(user, VIEW)


def with_monitoring_data(reports: QuerySet) -> QuerySet:
    """Everything a 监控表 prints, in a fixed number of queries however many rows there are."""
    return reports.select_related("round", "project__unit__department__region").prefetch_related(
        Prefetch("project__fund_lines", queryset=FundLine.objects.order_by("pk")),
        Prefetch("project__indicators", queryset=Indicator.objects.order_by("order", "pk")),
        Prefetch("funds", queryset=MonitoringFund.objects.order_by("pk")),
        Prefetch("entries", queryset=MonitoringEntry.objects.order_by("pk")),
    )


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    if value is None:
        return None
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def monitoring_stamp(report: MonitoringReport) -> DocumentStamp:
    """The standing of a report's prints, in the words the 自评表 uses (草稿 / 未审核 / 审核通过)."""
    status = report.status
    final = status in FINAL
    region = report.project.unit.department.region
    if final:
        watermark = ""
    elif status in UNDER_REVIEW:
        watermark = "未审核"
    else:
        watermark = "草稿"
    return DocumentStamp(
        status=status,
        status_label=report.get_status_display(),
        watermark=watermark,
        approving_body=(region.finance_bureau or f"{region.name}财政局") if final else "",
        approved_on=_local_date(report.approved_at) if final else None,
        published_on=None,
        signature_fields=region.signature_labels,
    )


def _budget(row: dict) -> Decimal | None:
    """全年预算数, or 年初预算数 where no adjusted budget exists (domain.md §7)."""
    return row["adjusted"] if row.get("adjusted") is not None else row.get("initial")


def _fund_rows(report: MonitoringReport, money_unit: str) -> list[MonitoringFundRow]:
    lines = shown_fund_lines(report.project)
    filed = {f.source: f for f in report.funds.all()}
    sources = [s for s in SOURCES if s in fund_sources(report.project) or s in filed]
    amounts = {}
    for source in sources:
        line, row = lines.get(source), filed.get(source)
        amounts[source] = {
            "initial": line.initial if line else None,
            "adjusted": line.adjusted if line else None,
            "executed": row.executed if row else None,
            "forecast": row.forecast if row else None,
        }
    printed = lines.get(FundSource.TOTAL)
    printed_row = {c: getattr(printed, c) for c in ("initial", "adjusted")} if printed else {}
    # The total by the one rule (scoring.engine.funds), the amounts to date included.
    total = fund_total(printed_row, amounts.values())
    forecasts = [a["forecast"] for a in amounts.values() if a["forecast"] is not None]
    total["forecast"] = sum(forecasts, Decimal(0)) if forecasts else None
    stored_rate = to_decimal(report.execution_rate)
    rows = []
    for source, a in ((FundSource.TOTAL, total), *amounts.items()):
        is_total = source == FundSource.TOTAL
        row_rate = rate(a["executed"], _budget(a))
        if is_total and stored_rate is not None:
            row_rate = stored_rate
        rows.append(
            MonitoringFundRow(
                source=str(source),
                label=FUND_LABELS[source],
                initial=in_unit(a["initial"], money_unit),
                adjusted=in_unit(a["adjusted"], money_unit),
                executed=in_unit(a["executed"], money_unit),
                forecast=in_unit(a["forecast"], money_unit),
                rate=row_rate,
                light=report.execution_light if is_total else "",
                is_total=is_total,
            )
        )
    return rows


def _indicator_rows(report: MonitoringReport) -> list[MonitoringIndicatorRow]:
    entries = {e.indicator_id: e for e in report.entries.all()}
    rows = []
    for indicator in report.project.indicators.all():
        entry = entries.get(indicator.pk)
        value = ""
        if entry is not None:
            value = entry.value or (entry.get_achievement_display() if entry.achievement else "")
        rows.append(
            MonitoringIndicatorRow(
                indicator_id=indicator.pk,
                level1=indicator.level1,
                level2=indicator.level2,
                name=indicator.name,
                target=indicator.target,
                value=value,
                light=entry.light if entry else "",
                forecast=entry.forecast if entry else "",
                likelihood=LIKELIHOOD_WORDS.get(entry.likelihood, "") if entry else "",
                deviation_category=DEVIATION_WORDS.get(entry.deviation_category, "")
                if entry
                else "",
                reason=entry.reason if entry else "",
                measures=entry.measures if entry else "",
            )
        )
    _merge_spans(rows)
    return rows


def build_monitoring_table(
    report: MonitoringReport, *, money_unit: str | None = None
) -> MonitoringTable:
    """Lay out one report (fetched with its document data) as its 绩效监控表.

    `money_unit` None prints in the project's own unit (万元 unless it says 元).
    """
    project = report.project
    unit = money_unit_or_default(money_unit or project.money_unit or WAN_YUAN)
    region = project.unit.department.region
    result = report.result or {}
    is_overall = project.kind == Project.Kind.DEPARTMENT_OVERALL
    time_progress = to_decimal(report.time_progress)
    if time_progress is None:
        time_progress = to_decimal(result.get("time_progress"))
    return MonitoringTable(
        report_id=report.pk,
        kind=project.kind,
        title="部门整体支出绩效监控表" if is_overall else "项目支出绩效监控表",
        round_title=report.round.title,
        year=report.round.year,
        as_of=report.round.as_of,
        month=report.round.as_of.month,
        region_name=region.name,
        department_name=project.unit.department.name,
        department_id=project.unit.department_id,
        unit_name=project.unit.name,
        project_name=project.name,
        project_code=project.code,
        money_unit=unit,
        status=report.status,
        status_label=report.get_status_display(),
        time_progress=time_progress,
        execution_rate=to_decimal(report.execution_rate),
        execution_progress=to_decimal(result.get("execution_progress")),
        execution_light=report.execution_light,
        light=report.light,
        funds=_fund_rows(report, unit),
        indicators=_indicator_rows(report),
        explanation=report.explanation,
        findings=list(result.get("findings") or []),
        stamp=monitoring_stamp(report),
    )


def monitoring_table(
    reports: QuerySet, *, pk: int, money_unit: str | None = None
) -> MonitoringTable:
    """The 监控表 of one report out of an already-gated queryset (404 outside it)."""
    try:
        report = with_monitoring_data(reports).get(pk=pk)
    except MonitoringReport.DoesNotExist as exc:
        raise Http404("未找到该监控表，或您无权查看。") from exc
    return build_monitoring_table(report, money_unit=money_unit)
