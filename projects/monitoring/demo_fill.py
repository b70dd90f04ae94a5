"""What the demo's filers type into their mid-year reports (invented, marked 示例 in the texts).

Amounts are the plan's share of each source's full-year budget; each cumulative indicator
reaches the plan's share of its prorated target (target × time progress), rates and
lower-is-better rows stand on or off their bound, qualitative rows are 达成 or 部分达成. Rows the
lights will show red or yellow say why, and what will be done, as the form requires.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from projects.filing.content import is_qualitative, shown_fund_lines
from projects.monitoring.content import fund_sources
from scoring.engine.targets import QUANTITATIVE, parse_indicator_target

_CENT = Decimal("0.01")


def _figure(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():f}"


def _value(indicator, progress: Decimal, time_progress: Decimal) -> str:
    target = parse_indicator_target(indicator.target or None, indicator.name)
    if target.kind != QUANTITATIVE or target.value is None:
        return ""
    unit = target.unit_of_measure or ""
    if target.comparator in ("<=", "<"):
        return f"{_figure(target.value * Decimal('0.5'))}{unit}"
    if unit == "%":
        reached = target.value if progress >= Decimal("0.8") else target.value * Decimal("0.9")
        return f"{_figure(reached)}{unit}"
    return f"{_figure(target.value * time_progress * progress)}{unit}"


def demo_content(report, plan) -> dict[str, str]:
    """The flat content a demo filer saves for one report under its plan."""
    share, progress = Decimal(plan.executed), Decimal(plan.progress)
    as_of = report.round.as_of
    time_progress = Decimal(as_of.month) / 12
    lines = shown_fund_lines(report.project)
    content = {
        "explanation": (
            f"示例：截至{as_of.month}月底项目按计划推进，预算执行率约"
            f"{(share * 100).quantize(Decimal('1'))}%。"
        )
    }
    for source in fund_sources(report.project):
        line = lines.get(source)
        budget = (line.adjusted or line.initial) if line else None
        if budget is not None:
            content[f"funds.{source}.executed"] = f"{(budget * share).quantize(_CENT):f}"
            content[f"funds.{source}.forecast"] = f"{budget:f}"
    behind = progress < Decimal("0.8") or share / time_progress < Decimal("0.8")
    for indicator in report.project.indicators.all():
        key = f"entries.{indicator.pk}"
        if is_qualitative(indicator):
            content[f"{key}.achievement"] = "met" if progress >= Decimal("0.8") else "partial"
        else:
            content[f"{key}.value"] = _value(indicator, progress, time_progress)
        content[f"{key}.forecast"] = indicator.target or ""
        if behind:
            content[f"{key}.likelihood"] = "possible"
            content[f"{key}.deviation_category"] = "funding"
            content[f"{key}.reason"] = "示例：上半年合同签订推迟，资金支付集中在下半年。"
            content[f"{key}.measures"] = "示例：按月调度支付进度，9月底前完成主要合同支付。"
        else:
            content[f"{key}.likelihood"] = "certain"
    return content
