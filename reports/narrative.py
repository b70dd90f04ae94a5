"""The 自评报告's sections (domain.md §3.3) for print: drafted text, the filer's edits, the outline.

The drafting itself lives in projects.narrative, shared with the filing page, and reads the same
figures the table prints (passed in from the report context, so a printed report cannot disagree
with its own table). A section the filer edited (a non-blank Evaluation.notes entry under the
section's key) replaces the draft. Imported reports carry further sections (seed 001's 主要经验及做法,
seed 002's 部门职能 …): they are placed under the standard section they belong to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from projects import narrative as drafting
from projects.formatting import percent_prose, plain

CN_NUMERALS = "一二三四五六七八九十"
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")

# Where the sections of imported reports go: under a standard section, else before the tail.
PLACEMENT = {
    "functions": "overview",
    "staffing": "overview",
    "key_work": "overview",
    "budget": "overview",
    "evaluation_work": "overview",
    "self_evaluation_work": "overview",
    "conclusion": "achievement",
    "indicator_analysis": "achievement",
    "goal_achievement": "achievement",
    "project_results": "achievement",
    "results": "achievement",
    "target_quality": "achievement",
    "problems": "deviations",
    "measures": "deviations",
    "suggestions": "deviations",
    "problems_and_measures": "deviations",
}
# The order seed reports print these sections in; JSON objects (jsonb) keep no order of their own.
EXTRA_ORDER = (
    "functions",
    "staffing",
    "key_work",
    "budget",
    "evaluation_work",
    "self_evaluation_work",
    "goal_achievement",
    "indicator_analysis",
    "conclusion",
    "project_results",
    "results",
    "target_quality",
    "experience",
    "problems",
    "problems_and_measures",
    "measures",
    "suggestions",
)
DEPARTMENT_PLACEMENT = {
    **PLACEMENT,
    "goal_achievement": "performance_analysis",
    "project_results": "spending_management",
    "results": "conclusion",
    "target_quality": "performance_analysis",
    "suggestions": "measures",
}


@dataclass
class Block:
    """A printed piece of a section: a paragraph, or a table the filer pasted (first row heads)."""

    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        """Rendered as a bordered table rather than a paragraph."""
        return bool(self.header or self.rows)


@dataclass
class Section:
    """One heading of the report with its paragraphs; `edited` marks the filer's own text."""

    key: str
    heading: str
    level: int
    paragraphs: list[str] = field(default_factory=list)
    edited: bool = False

    @property
    def blocks(self) -> list[Block]:
        """The paragraphs as printed: runs of "序号｜名称｜…" lines become one table."""
        return blocks(self.paragraphs)


_NUMBER_CELL = re.compile(r"^[-+]?[\d,，.]+%?$")


def blocks(lines: list[str]) -> list[Block]:
    """Group a section's lines into paragraphs and tables; a table's first row is its header
    unless it already holds figures (then every row is data)."""
    out: list[Block] = []
    run: list[list[str]] = []

    def flush():
        if not run:
            return
        width = max(len(r) for r in run)
        rows = [r + [""] * (width - len(r)) for r in run]
        first_has_figures = any(_NUMBER_CELL.match(c) for c in rows[0] if c)
        if len(rows) > 1 and not first_has_figures:
            out.append(Block(header=rows[0], rows=rows[1:]))
        else:
            out.append(Block(rows=rows))
        run.clear()

    for line in lines:
        cells = drafting.table_cells(line)
        if cells is not None:
            run.append(cells)
            continue
        flush()
        out.append(Block(text=line))
    flush()
    return out


def numeral(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一: enough for report headings."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    return "十" + CN_NUMERALS[n - 11] if n < 20 else str(n)


def paragraphs(text) -> list[str]:
    """A stored or drafted text as its non-blank lines."""
    if not isinstance(text, str):
        return []
    return [line.strip() for line in text.strip().split("\n") if line.strip()]


def narrative_data(table) -> drafting.NarrativeData:
    """The drafting input from a 自评表 context: the very figures the table prints."""
    total = table.total_fund
    return drafting.NarrativeData(
        kind=table.kind,
        year=table.year,
        subject_name=table.project_name,
        unit_name=table.unit_name,
        department_name=table.department_name,
        money_unit=table.money_unit,
        initial=total.initial_yuan,
        adjusted=total.adjusted_yuan,
        executed=total.executed_yuan,
        goal_expected=table.goal_expected,
        goal_actual=table.goal_actual,
        indicators=tuple(
            drafting.IndicatorFacts(
                indicator_id=row.indicator_id,
                level1=row.level1,
                level2=row.level2,
                name=row.name,
                target=row.target,
                actual=row.actual,
                weight=row.weight,
                deviation_reason=row.deviation,
                midyear_actual=row.midyear_actual,
            )
            for row in table.indicators
        ),
    )


def table_result(table) -> dict:
    """The result figures as the table shows them, so the text quotes exactly those."""

    def two(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    by_id = {row.indicator_id: row for row in table.indicators}
    return {
        "execution_rate": two(table.execution_rate),
        "execution_score": two(table.execution_score),
        "indicator_total": two(table.indicator_total),
        "total": two(table.total),
        "grade": table.grade,
        "indicators": [
            {"indicator_id": i, "score": two(by_id[i].score), "status": by_id[i].status}
            for i in by_id
        ],
    }


def _strip_number(title: str) -> str:
    return _NUMBERED.sub("", title)


def assemble(
    kind: str,
    notes: dict,
    drafted: dict[str, str],
    placement: dict[str, str],
    tail: list[Section],
) -> list[Section]:
    """Standard sections in order (filer's text over the draft), imported ones where they belong."""
    notes = notes or {}
    standard = [key for key, _ in drafting.sections_for(kind)]
    extras = sorted(
        (k for k, v in notes.items() if k not in standard and paragraphs(v)),
        key=lambda k: (EXTRA_ORDER.index(k) if k in EXTRA_ORDER else len(EXTRA_ORDER), k),
    )
    sections: list[Section] = []
    loose = [k for k in extras if placement.get(k) not in standard]
    for key, title in drafting.sections_for(kind):
        if key == "other":
            sections += [_extra(kind, k, notes, level=1) for k in loose]
            loose = []
        own = paragraphs(notes.get(key))
        sections.append(
            Section(key, _strip_number(title), 1, own or paragraphs(drafted.get(key)), bool(own))
        )
        sections += [_extra(kind, k, notes, level=2) for k in extras if placement.get(k) == key]
    sections += [_extra(kind, k, notes, level=1) for k in loose]
    return _number([*sections, *tail])


def _extra(kind: str, key: str, notes: dict, *, level: int) -> Section:
    label = _strip_number(drafting.section_label(kind, key))
    return Section(key, label, level, paragraphs(notes.get(key)), True)


_SUB_NUMBERED = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*")
_CN_VALUE = {ch: i + 1 for i, ch in enumerate(CN_NUMERALS)}


def _cn_value(text: str) -> int:
    """一 → 1 … 十 → 10, 十一 → 11 (the inverse of `numeral` for report headings)."""
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_VALUE.get(text[1:], 0)
    if text.endswith("十"):
        return 10 * _CN_VALUE.get(text[0], 1)
    return _CN_VALUE.get(text, 0)


def _demote(paragraph: str) -> str:
    """Inside a （一） sub-section a paragraph's own "（一）" is the next level down: "1."."""
    match = _SUB_NUMBERED.match(paragraph)
    if not match:
        return paragraph
    return f"{_cn_value(match[1])}.{paragraph[match.end() :]}"


def _number(sections: list[Section]) -> list[Section]:
    """Number the headings in the seeds' outline: 一、 / （一） / 1. / （1）.

    A level-1 section's own paragraphs may already use （一）（二） (the draft's 基本情况 does);
    the sub-sections placed under it continue after them instead of starting at （一） again, and
    a sub-section's paragraphs that number themselves （一） move down a level to 1.
    """
    top = sub = 0
    for section in sections:
        if section.level == 1:
            top += 1
            used = [_SUB_NUMBERED.match(p) for p in section.paragraphs]
            sub = max((_cn_value(m[1]) for m in used if m), default=0)
            section.heading = f"{numeral(top)}、{section.heading}"
        else:
            sub += 1
            section.heading = f"（{numeral(sub)}）{section.heading}"
            section.paragraphs = [_demote(p) for p in section.paragraphs]
    return sections


def project_sections(table) -> list[Section]:
    """The sections of one project's 自评报告."""
    drafted = drafting.draft_sections(table_result(table), narrative_data(table))
    return assemble(table.kind, table.notes, drafted, PLACEMENT, [])


def _pct(value: Decimal | None) -> str:
    return percent_prose(value)


def summary_section(summary) -> Section:
    """项目支出绩效自评情况: the department's projects counted as seed 003 counts them."""
    stats = summary.statistics
    unit = summary.money_unit
    if not stats.project_count:
        return Section("project_summary", "项目支出绩效自评情况", 1, ["本年度无项目支出自评。"])
    text = [
        f"本部门纳入绩效自评的项目{stats.project_count}个，全年预算数"
        f"{plain(summary.budget_total)}{unit}，全年执行数{plain(summary.executed_total)}{unit}，"
        f"预算执行率{_pct(summary.rate_total)}。",
        "按资金类型："
        + "；".join(
            f"{line.label}项目{line.count}个，资金{plain(line.amount)}{unit}，占{_pct(line.share)}"
            for line in stats.by_fund_type
        )
        + "。",
        "按自评等级："
        + "，".join(f"“{grade}”{count}个" for grade, count in stats.by_grade)
        + f"，评优率为{_pct(stats.excellent_rate)}。",
        "转移支付："
        + "；".join(
            f"{line.label}项目{line.count}个，资金{plain(line.amount)}{unit}"
            for line in stats.transfers
        )
        + f"；评优率为{_pct(stats.transfer_excellent_rate)}。",
    ]
    return Section("project_summary", "项目支出绩效自评情况", 1, text)


def attachments_section(report) -> Section:
    """附表: the tables printed with the report."""
    names = ["《部门整体支出绩效自评表》"] if report.overall is not None else []
    names.append(f"《{report.summary.title.removeprefix(report.department_name)}》")
    names += [f"《{row.project_name}项目支出绩效自评表》" for row in report.summary.rows]
    return Section("attachments", "附表", 1, ["、".join(names)])


def department_sections(report) -> list[Section]:
    """The sections of a 部门整体支出绩效自评报告: the overall evaluation's, then the projects'."""
    tail = [summary_section(report.summary), attachments_section(report)]
    table = report.overall
    if table is None:
        return _number(tail)
    drafted = drafting.draft_sections(table_result(table), narrative_data(table))
    return assemble(table.kind, table.notes, drafted, DEPARTMENT_PLACEMENT, tail)
