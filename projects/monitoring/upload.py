"""A monitoring report as a selfeval/1 document, out and back in.

The download is a selfeval/1 document of the subject with a ``monitoring`` object (the round's
as-of date, the report and its version): each fund row's ``executed`` is the amount executed to
date and ``forecast`` the full-year forecast, each indicator's ``actual`` the value to date, with
``achievement``, ``forecast``, ``likelihood`` (确定能/有可能/不可能), ``deviation_category``,
``likelihood_reason`` and ``measures``. The upload reads the same keys back into flat content
and the version the file was made from, so the save merges it like a stale browser tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from projects.filing.content import shown_fund_lines
from projects.filing.forms import parse_number
from projects.formatting import editable_amount
from projects.models import FundSource
from projects.money import to_yuan
from projects.monitoring.content import CHOICES, clean_content, fund_sources, stored_content
from projects.upload.checks import UploadRefused
from projects.upload.jsonload import load_json
from scoring.engine.funds import column_total

FORMAT = "selfeval/1"
# Document key → the entry field it fills.
INDICATOR_KEYS = {
    "actual": "value",
    "achievement": "achievement",
    "forecast": "forecast",
    "likelihood": "likelihood",
    "deviation_category": "deviation_category",
    "likelihood_reason": "reason",
    "measures": "measures",
}
FUND_KEYS = ("executed", "forecast")


def _label(name: str, code: str) -> str | None:
    if not code:
        return None
    return CHOICES[name].get(code, code) if name in CHOICES else code


def _amount(text: str, money_unit: str) -> str | None:
    return editable_amount(Decimal(text), money_unit, grouping=False) if text else None


def report_document(report) -> dict:
    """The report (prefetched by `report_queryset`) as a selfeval/1 document with its version."""
    project = report.project
    unit = project.unit
    department = unit.department
    money_unit = project.money_unit or "元"
    content = stored_content(report)
    lines = shown_fund_lines(project)
    funds = []
    for source in fund_sources(project):
        line = lines.get(source)
        funds.append(
            {
                "source": source,
                "initial": _amount(_text(line, "initial"), money_unit),
                "adjusted": _amount(_text(line, "adjusted"), money_unit),
                "executed": _amount(content[f"funds.{source}.executed"], money_unit),
                "forecast": _amount(content[f"funds.{source}.forecast"], money_unit),
            }
        )
    funds.insert(0, _total_row(lines, content, fund_sources(project), money_unit))
    indicators = []
    for indicator in project.indicators.all():
        row = {
            "level1": indicator.level1,
            "level2": indicator.level2 or None,
            "name": indicator.name,
            "target": indicator.target or None,
            "weight": None if indicator.weight is None else f"{indicator.weight.normalize():f}",
        }
        for key, name in INDICATOR_KEYS.items():
            row[key] = _label(name, content[f"entries.{indicator.pk}.{name}"]) or None
        indicators.append(row)
    return {
        "format": FORMAT,
        "kind": "department" if project.kind == "department_overall" else "project",
        "year": project.year,
        "region": department.region.name,
        "department": {"name": department.name, "code": department.code or None},
        "unit": {"name": unit.name, "code": unit.code or None},
        "project": {"name": project.name, "code": project.code or None},
        "money_unit": money_unit,
        "funds": funds,
        "goal": {"expected": project.goal_expected or None, "actual": None},
        "indicators": indicators,
        "claimed": None,
        "notes": None,
        "monitoring": {
            "as_of": report.round.as_of.isoformat(),
            "round": report.round.title,
            "report": report.pk,
            "version": report.version,
            "explanation": content["explanation"] or None,
        },
    }


def _total_row(lines, content: dict, sources, money_unit: str) -> dict:
    """年度资金总额: each column the sum of the sources carrying it (the one total rule), so
    the file reads as a selfeval/1 document on its own (`python -m scoring monitor`)."""
    printed = lines.get(FundSource.TOTAL)
    parts = []
    for source in sources:
        line = lines.get(source)
        row = {
            c: getattr(line, c, None) if line is not None else None for c in ("initial", "adjusted")
        }
        for column in FUND_KEYS:
            text = content[f"funds.{source}.{column}"]
            row[column] = Decimal(text) if text else None
        parts.append(row)
    total = {"source": FundSource.TOTAL.value}
    for column in ("initial", "adjusted", *FUND_KEYS):
        value = column_total(getattr(printed, column, None) if printed else None,
                             (row[column] for row in parts))  # fmt: skip
        total[column] = _amount("" if value is None else f"{value:f}", money_unit)
    return total


def _text(line, column: str) -> str:
    value = getattr(line, column, None) if line is not None else None
    return "" if value is None else f"{value:f}"


@dataclass(frozen=True)
class Upload:
    """What a file says: the version it was made from and the filer's fields (flat, 元)."""

    version: int
    content: dict


def read_document(report, data: bytes, name: str) -> Upload:
    """Read an uploaded file for this report; UploadRefused (in Chinese) for anything amiss."""
    doc = load_json(data, name)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise UploadRefused(f'{name}：不是 selfeval/1 文档（缺少 "format": "selfeval/1"）。')
    meta = doc.get("monitoring")
    if not isinstance(meta, dict):
        raise UploadRefused(
            f"{name}：不是绩效监控表（缺少 monitoring 部分），请上传从本页下载的文件。"
        )
    if meta.get("report") != report.pk or meta.get("as_of") != report.round.as_of.isoformat():
        raise UploadRefused(
            f"{name}：该文件属于另一份监控表，不是“{report.project.name}”{report.round.title}。"
        )
    project = doc.get("project") if isinstance(doc.get("project"), dict) else {}
    if (project.get("code") or None) != (report.project.code or None):
        raise UploadRefused(f"{name}：文件中的项目与本监控表的项目不一致。")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UploadRefused(f"{name}：monitoring.version 须为正整数（下载时写入的版本号）。")
    money_unit = doc.get("money_unit")
    if money_unit not in ("元", "万元"):
        raise UploadRefused(f"{name}：money_unit 须为“元”或“万元”。")
    content = {"explanation": _string(meta.get("explanation"), name, "monitoring.explanation")}
    content.update(_funds(report, doc.get("funds"), money_unit, name))
    content.update(_indicators(report, doc.get("indicators"), name))
    try:
        content = clean_content(report, content)
    except ValidationError as bad:
        problems = [m for messages in bad.message_dict.values() for m in messages]
        raise UploadRefused(f"{name}：" + "；".join(problems)) from bad
    return Upload(version, content)


def _string(value, name: str, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UploadRefused(f"{name}：{where} 须为文字（字符串）或 null。")
    return value


def _funds(report, rows, money_unit: str, name: str) -> dict:
    if not isinstance(rows, list):
        raise UploadRefused(f"{name}：funds 须为资金行的数组。")
    allowed = set(fund_sources(report.project))
    content = {}
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise UploadRefused(f"{name}：funds 第 {n} 行不是对象。")
        source = row.get("source")
        if source == "total" and "total" not in allowed:
            continue
        if source not in allowed:
            raise UploadRefused(f"{name}：funds 第 {n} 行的资金来源“{source}”不在本监控表中。")
        for key in FUND_KEYS:
            if key not in row:
                continue
            text = _string(row[key], name, f"funds 第 {n} 行 {key}").strip()
            if text:
                try:
                    amount = parse_number(text)
                except ValidationError as bad:
                    raise UploadRefused(
                        f"{name}：funds 第 {n} 行 {key}：{bad.messages[0]}"
                    ) from bad
                if amount < 0:
                    raise UploadRefused(f"{name}：funds 第 {n} 行 {key}：金额不能为负数。")
                text = f"{to_yuan(amount, money_unit):f}"
            content[f"funds.{source}.{key}"] = text
    return content


def _indicators(report, rows, name: str) -> dict:
    if not isinstance(rows, list):
        raise UploadRefused(f"{name}：indicators 须为指标行的数组。")
    indicators = list(report.project.indicators.all())
    by_name: dict[str, list] = {}
    for indicator in indicators:
        by_name.setdefault(indicator.name, []).append(indicator)
    content = {}
    used = set()
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise UploadRefused(f"{name}：indicators 第 {n} 行不是对象。")
        at = indicators[n - 1] if n <= len(indicators) else None
        if at is None or at.name != row.get("name"):
            candidates = [i for i in by_name.get(row.get("name"), []) if i.pk not in used]
            at = candidates[0] if candidates else None
        if at is None or at.pk in used:
            raise UploadRefused(
                f"{name}：indicators 第 {n} 行“{row.get('name')}”不是本监控表的指标。"
            )
        used.add(at.pk)
        for key, field in INDICATOR_KEYS.items():
            if key in row:
                content[f"entries.{at.pk}.{field}"] = _string(
                    row[key], name, f"indicators 第 {n} 行 {key}"
                )
    return content
