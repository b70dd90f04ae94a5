"""Does the 自评报告 say what its tables say? A pure check of every figure a section states.

A filer edits the drafted report (projects.narrative) freely, and real reports quote figures the
table contradicts: seed 002's 部门整体 report says "综合得分91.95分，评价结果为“优”" and
"预算经费…自评得分12分" beside a table of 85.84 良 and 5.89; seed 000's department report lists
公车采购项目 99.78 优 whatever the project's live score. This module reads the figures a text
states — total, grade, execution rate and its score, 年初预算/全年预算/执行数 in 元 or 万元, an
indicator's score beside its name, a project's score, grade and rate beside its name and the
number of projects — and compares each with the table at the table's printed precision (two
places, half-up, through projects.formatting). A mismatch is an error finding; an unfilled
placeholder ("（未填写…）", "XX", "【请填写】") is a warning while drafting and an error when the
report is to be published.

Which table figure a quoted figure speaks of is decided by what precedes it: the nearest
indicator or project name in the same sentence (or the name a line opens with, as in
"预算经费：……自评得分12分"), else words that mark the whole ("整体", "总分") or a part we do not
tabulate ("基本支出", "其中", in a department report a "项目" not named). A figure whose subject is
a part is not checked: the check never accuses a text of what it cannot read.

No Django import: the filing page, the review page, the workflow and the prints call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from projects.formatting import (
    WAN_YUAN,
    YUAN,
    in_unit,
    money_prose,
    percent_prose,
    round2,
    score_prose,
    to_decimal,
)
from projects.narrative import (
    DEPARTMENT_OVERALL,
    PROJECT,
    NarrativeData,
    section_label,
    sections_for,
    table_cells,
)

MISMATCH = "report_figure_mismatch"
PLACEHOLDER = "report_placeholder"

GRADES = ("优", "良", "中", "差")
_GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差"}


@dataclass(frozen=True)
class ProjectFigures:
    """One project of a department as its own table prints it (the live, computed figures)."""

    name: str
    total: Decimal | None
    grade: str
    execution_rate: Decimal | None = None


@dataclass(frozen=True)
class TableFigures:
    """What the report's tables print: the evaluation's own figures and, for a department
    report, its projects (None when the report has no table of projects)."""

    kind: str
    money_unit: str = WAN_YUAN
    total: Decimal | None = None
    grade: str = ""
    execution_rate: Decimal | None = None
    execution_score: Decimal | None = None
    indicator_total: Decimal | None = None
    initial: Decimal | None = None  # 元
    adjusted: Decimal | None = None
    executed: Decimal | None = None
    indicators: tuple[tuple[str, Decimal | None], ...] = ()  # (name, score)
    projects: tuple[ProjectFigures, ...] | None = None


def table_figures(result: dict, data, projects: Iterable[ProjectFigures] | None = None):
    """The figures of a selfeval-result/1 object and the drafting input (NarrativeData)."""
    scored = result.get("indicators") or []
    indicators = tuple(
        (facts.name, to_decimal(scored[i].get("score")) if i < len(scored) else None)
        for i, facts in enumerate(data.indicators)
        if facts.weight is not None and facts.name.strip()
    )
    return TableFigures(
        kind=data.kind,
        money_unit=data.money_unit,
        total=to_decimal(result.get("total")),
        grade=result.get("grade") or "",
        execution_rate=to_decimal(result.get("execution_rate")),
        execution_score=to_decimal(result.get("execution_score")),
        indicator_total=to_decimal(result.get("indicator_total")),
        initial=data.initial,
        adjusted=data.adjusted,
        executed=data.executed,
        indicators=indicators,
        projects=tuple(projects) if projects is not None else None,
    )


# ------------------------------------------------------------------ what a text states

# At most 15 digits before and 6 after the point: longer runs are not figures a table prints,
# and every figure read must round (Decimal's 28 digits) without raising.
_FIGURE = r"(?<![\d.])\d{1,15}(?:\.\d{1,6})?(?![\d.])"
_NUM = rf"(?P<n>{_FIGURE})"
_LINK = r"(?:为|是|达|达到|共计|合计|：|:)?\s*"
_SCORE = re.compile(
    r"(?P<kw>总得分|总分|综合得分|自评总分|自评(?:结果)?得分|得分)" + _LINK + _NUM + r"\s*分"
)
_GRADE = re.compile(
    r"(?:等级|级别|评价结果|自评结论|评定结果)(?:为|是|：|:)?\s*"
    r"(?:(?P<q>[“\"'‘「『])\s*(?P<gq>优秀|良好|中等|较差|优|良|中|差)\s*[”\"'’」』]"
    r"|(?P<g>优秀|良好|中等|较差|优|良|中|差)(?=[，。；、,.;\s）)]|$))"
)
_RATE = re.compile(
    r"(?:预算执行率|执行率|完成预算的|实际支出率|支出率)" + _LINK + _NUM + r"\s*[%％]"
)
_AMOUNT = re.compile(
    r"(?P<kw>年初(?:批复)?预算(?:数|安排|金额)?|调整后(?:全年)?预算(?:数|金额)?"
    r"|全年预算(?:数|金额|总额)?|全年执行(?:数|金额)|执行(?:数|金额)|全年实际支出(?:资金)?|决算数)"
    + _LINK
    + r"(?P<n>(?<![\d.,])\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,6})?(?![\d.])|"
    + _FIGURE
    + r")\s*(?P<u>万元|元)"
)
_COUNT = re.compile(
    r"(?:共有|共计|共)(?P<a>\d{1,6})个(?:预算)?项目"
    r"|(?:纳入(?:绩效)?(?:考评|考核|自评|评价)(?:范围)?的项目|涉及项目|自评项目|项目支出|项目)"
    r"(?:共计|共有|合计|共)(?P<b>\d{1,6})个"
    r"|涉及项目(?P<c>\d{1,6})个"
    r"|(?<!\d)(?P<d>\d{1,6})个预算项目中"
)
_PLACEHOLDERS = re.compile(
    r"[（(]\s*(?:未填写|待填写|请填写|待补充|请补充)[^）)\n]{0,30}[）)]"
    r"|【[^】\n]{0,12}(?:填写|补充|填报)[^】\n]{0,12}】|【\s*】"
    r"|[XＸ]{2,}|×{2,}|[＿_]{3,}"
)
_SENTENCE_END = "。！？；!?;"
_TOTAL_MARKERS = ("整体", "总分", "综合", "总得分")
# Words after which a figure speaks of a part of the spending, not of the table's own total.
_PART_MARKERS = (
    "其中",
    "基本支出",
    "项目支出",
    "人员经费",
    "公用经费",
    "当年财政拨款",
    "财政拨款",
    "上年结转",
    "结转",
    "其他资金",
    "转移支付",
    "本级财力",
    "序时进度",
    "上年",
)

SUBJECT_TOTAL = "total"
SUBJECT_PART = "part"


@dataclass
class _Mention:
    start: int
    end: int
    kind: str  # "indicator", "project", SUBJECT_TOTAL or SUBJECT_PART
    name: str = ""


@dataclass
class _Context:
    figures: TableFigures
    section: str
    label: str
    findings: list[dict] = field(default_factory=list)

    @property
    def department(self) -> bool:
        return self.figures.kind == DEPARTMENT_OVERALL

    def mismatch(self, what: str, quoted: str, expected: str) -> None:
        self.findings.append(
            {
                "code": MISMATCH,
                "severity": "error",
                "section": self.section,
                "section_label": self.label,
                "quoted": quoted,
                "expected": expected,
                "message": (
                    f"自评报告“{self.label}”中{what}为{quoted}，与表中的{expected}不一致，"
                    "请按表格修改文字（或修改表格）。"
                ),
            }
        )


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def same_figure(quoted: Decimal, table: Decimal | None) -> bool:
    """Equal at the table's printed precision: both rounded half-up to two places."""
    return table is not None and round2(quoted) == round2(table)


def _grade(word: str) -> str:
    return _GRADE_WORDS.get(word, word)


def _names(figures: TableFigures) -> list[tuple[str, str]]:
    """Every name a sentence may speak of, longest first (so a name inside another loses)."""
    names = [("indicator", name) for name, _ in figures.indicators]
    if figures.kind == DEPARTMENT_OVERALL and figures.projects:
        names += [("project", p.name) for p in figures.projects if p.name.strip()]
    return sorted(set(names), key=lambda item: -len(item[1]))


def _mentions(line: str, figures: TableFigures) -> list[_Mention]:
    taken = [False] * len(line)
    found: list[_Mention] = []
    for kind, name in _names(figures):
        for match in re.finditer(re.escape(name), line):
            if any(taken[match.start() : match.end()]):
                continue
            taken[match.start() : match.end()] = [True] * (match.end() - match.start())
            found.append(_Mention(match.start(), match.end(), kind, name))
    markers = [(w, SUBJECT_TOTAL) for w in _TOTAL_MARKERS] + [
        (w, SUBJECT_PART) for w in _PART_MARKERS
    ]
    # "项目" is the report's own subject in a project report, an unnamed part in a department's.
    markers.append(("项目", SUBJECT_PART if figures.kind == DEPARTMENT_OVERALL else SUBJECT_TOTAL))
    for word, kind in sorted(markers, key=lambda item: -len(item[0])):
        for match in re.finditer(re.escape(word), line):
            if not any(taken[match.start() : match.end()]):
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                found.append(_Mention(match.start(), match.end(), kind, word))
    return sorted(found, key=lambda m: m.start)


def _sentence_start(line: str, at: int) -> int:
    return max((line.rfind(mark, 0, at) for mark in _SENTENCE_END), default=-1) + 1


def _subject(line: str, mentions: list[_Mention], at: int) -> _Mention | None:
    """The nearest name or marker before `at` in its sentence, else the name the line opens with."""
    start = _sentence_start(line, at)
    before = [m for m in mentions if start <= m.start and m.end <= at]
    if before:
        return before[-1]
    opening = [m for m in mentions if m.kind in ("indicator", "project") and m.start <= 6]
    if opening and opening[0].end <= at:
        return opening[0]
    return None


def _project(figures: TableFigures, name: str) -> ProjectFigures | None:
    return next((p for p in figures.projects or () if p.name == name), None)


def _indicator_score(figures: TableFigures, name: str) -> Decimal | None:
    return next((score for n, score in figures.indicators if n == name), None)


def _check_prose(ctx: _Context, line: str) -> None:
    figures = ctx.figures
    mentions = _mentions(line, figures)
    for match in _SCORE.finditer(line):
        quoted = Decimal(match["n"])
        prefix = line[max(0, match.start() - 4) : match.start()]
        subject = _subject(line, mentions, match.start())
        kw = match["kw"]
        if subject is not None and subject.kind == "indicator" and not prefix.endswith("执行率"):
            table = _indicator_score(figures, subject.name)
            if table is not None and not same_figure(quoted, table):
                ctx.mismatch(
                    f"指标“{subject.name}”的得分",
                    f"{score_prose(quoted)}分",
                    f"{score_prose(table)}分",
                )
            continue
        if subject is not None and subject.kind == "project":
            project = _project(figures, subject.name)
            if project and project.total is not None and not same_figure(quoted, project.total):
                ctx.mismatch(
                    f"项目“{subject.name}”的得分",
                    f"{score_prose(quoted)}分",
                    f"{score_prose(project.total)}分",
                )
            continue
        if subject is not None and subject.kind == SUBJECT_PART:
            continue
        if prefix.endswith("执行率"):
            what, table = "预算执行率得分", figures.execution_score
        elif prefix.endswith("指标"):
            what, table = "绩效指标得分", figures.indicator_total
        elif kw == "得分" and not (subject and subject.name in _TOTAL_MARKERS):
            # A bare 得分 of an unnamed row, group or sub-item ("“人大会议费”项目评价得分10分"):
            # nothing in the table to compare it with.
            continue
        else:
            what, table = "总分", figures.total
        if table is not None and not same_figure(quoted, table):
            ctx.mismatch(what, f"{score_prose(quoted)}分", f"{score_prose(table)}分")
    for match in _GRADE.finditer(line):
        quoted = _grade(match["gq"] or match["g"])
        after = line[match.end() : match.end() + 3]
        if after.startswith(("项目", "的项目", "”项目")) or re.match(r"\d", after):
            continue  # "等级为“优”项目0个": a count by grade
        subject = _subject(line, mentions, match.start())
        if subject is not None and subject.kind == "project":
            project = _project(figures, subject.name)
            if project and project.grade and project.grade != quoted:
                ctx.mismatch(f"项目“{subject.name}”的等级", f"“{quoted}”", f"“{project.grade}”")
            continue
        if subject is not None and subject.kind in ("indicator", SUBJECT_PART):
            continue
        if figures.grade and figures.grade != quoted:
            ctx.mismatch("等级", f"“{quoted}”", f"“{figures.grade}”")
    for match in _RATE.finditer(line):
        quoted = Decimal(match["n"])
        subject = _subject(line, mentions, match.start())
        if subject is not None and subject.kind == "project":
            project = _project(figures, subject.name)
            table = project.execution_rate if project else None
            if table is not None and not same_figure(quoted, table):
                ctx.mismatch(
                    f"项目“{subject.name}”的预算执行率",
                    percent_prose(quoted),
                    percent_prose(table),
                )
            continue
        if subject is not None and subject.kind in ("indicator", SUBJECT_PART):
            continue
        table = figures.execution_rate
        if table is not None and not same_figure(quoted, table):
            ctx.mismatch("预算执行率", percent_prose(quoted), percent_prose(table))
    for match in _AMOUNT.finditer(line):
        subject = _subject(line, mentions, match.start())
        if subject is not None and subject.kind != SUBJECT_TOTAL:
            continue
        kw = match["kw"]
        if kw.startswith("年初"):
            what, table = "年初预算数", figures.initial
        elif kw.startswith(("调整后", "全年预算")):
            what, table = "全年预算数", figures.adjusted
        else:
            what, table = "全年执行数", figures.executed
        quoted = _decimal(match["n"])
        unit = YUAN if match["u"] == YUAN else WAN_YUAN
        if quoted is None or table is None:
            continue
        if not same_figure(quoted, in_unit(table, unit)):
            ctx.mismatch(what, f"{match['n']}{unit}", money_prose(table, unit))
    if ctx.department and figures.projects:
        for match in _COUNT.finditer(line):
            count = int(next(g for g in match.groups() if g is not None))
            subject = _subject(line, mentions, match.start())
            if subject is not None and subject.kind == "project":
                continue
            if count != len(figures.projects):
                ctx.mismatch("项目个数", f"{count}个", f"{len(figures.projects)}个")


def _check_table(ctx: _Context, lines: list[str]) -> None:
    """A pasted table: each row naming a project or indicator is checked column by column."""
    figures = ctx.figures
    header: list[str] = []
    names = dict((name, kind) for kind, name in _names(figures))
    for line in lines:
        cells = table_cells(line) or []
        named = next((c for c in cells if c in names), None)
        if named is None:
            if any(("得分" in c or "等级" in c or "结论" in c or "名称" in c) for c in cells):
                header = cells
            continue
        for title, cell in zip(header, cells, strict=False):
            if names[named] == "project":
                project = _project(figures, named)
                if project is None:
                    continue
                if "得分" in title and (value := _decimal(cell)) is not None:
                    if project.total is not None and not same_figure(value, project.total):
                        ctx.mismatch(
                            f"表中项目“{named}”的得分",
                            f"{cell}分",
                            f"{score_prose(project.total)}分",
                        )
                elif ("等级" in title or "结论" in title) and cell.strip() in (
                    *GRADES,
                    *_GRADE_WORDS,
                ):
                    if project.grade and _grade(cell.strip()) != project.grade:
                        ctx.mismatch(
                            f"表中项目“{named}”的等级", f"“{cell.strip()}”", f"“{project.grade}”"
                        )
                elif "执行率" in title and (value := _decimal(cell.rstrip("%％"))) is not None:
                    table = project.execution_rate
                    if table is not None and not same_figure(value, table):
                        ctx.mismatch(
                            f"表中项目“{named}”的预算执行率",
                            percent_prose(value),
                            percent_prose(table),
                        )
            elif "得分" in title and (value := _decimal(cell)) is not None:
                table = _indicator_score(figures, named)
                if table is not None and not same_figure(value, table):
                    ctx.mismatch(f"表中指标“{named}”的得分", f"{cell}分", f"{score_prose(table)}分")


def placeholders(text: str) -> list[str]:
    """The unfilled placeholders a text still carries, in order, each once."""
    seen: list[str] = []
    for match in _PLACEHOLDERS.finditer(text or ""):
        if match[0] not in seen:
            seen.append(match[0])
    return seen


def check_section(
    key: str, text: str, figures: TableFigures, *, publishing: bool = False
) -> list[dict]:
    """The findings of one section's text against the table."""
    if not isinstance(text, str) or not text.strip():
        return []
    ctx = _Context(figures, key, section_label(figures.kind, key))
    lines = [line for line in text.split("\n") if line.strip()]
    block: list[str] = []
    for line in [*lines, ""]:
        if line and table_cells(line) is not None:
            block.append(line)
            continue
        if block:
            _check_table(ctx, block)
            block = []
        if line:
            _check_prose(ctx, line)
    for quoted in placeholders(text):
        ctx.findings.append(
            {
                "code": PLACEHOLDER,
                "severity": "error" if publishing else "warning",
                "section": key,
                "section_label": ctx.label,
                "quoted": quoted,
                "expected": "",
                "message": (
                    f"自评报告“{ctx.label}”中仍有未填写的占位内容“{quoted}”，"
                    + ("公开前必须补全。" if publishing else "请补全后再公开。")
                ),
            }
        )
    return ctx.findings


def effective_sections(kind: str, notes: dict | None, drafted: dict[str, str]) -> dict[str, str]:
    """The text each section prints: the filer's words where given, the draft elsewhere."""
    notes = {k: v for k, v in (notes or {}).items() if isinstance(v, str)}
    out = {}
    for key, _ in sections_for(kind):
        own = notes.get(key, "")
        out[key] = own if own.strip() else drafted.get(key, "")
    out.update({k: v for k, v in notes.items() if k not in out and v.strip()})
    return out


def check_report(
    sections: dict[str, str], figures: TableFigures, *, publishing: bool = False
) -> list[dict]:
    """Every finding of the report's sections, section by section in their order."""
    findings: list[dict] = []
    for key, text in sections.items():
        findings += check_section(key, text, figures, publishing=publishing)
    return findings


def blocking(findings: Iterable[dict]) -> list[dict]:
    """The findings that stop a transition (severity error)."""
    return [f for f in findings if f.get("severity") == "error"]


def figure_mismatches(
    notes: dict[str, str], result: dict, data: NarrativeData | None = None
) -> list[str]:
    """The messages of the check's figure mismatches alone, for a quick list beside the text."""
    data = data or NarrativeData(
        kind=PROJECT, year=0, subject_name="", unit_name="", department_name=""
    )
    figures = table_figures(result, data)
    return [f["message"] for f in check_report(notes or {}, figures) if f["code"] == MISMATCH]
