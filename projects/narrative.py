"""The 自评报告 drafted from the table (domain.md §3.3): a pure function of the figures and result.

Every figure in the drafted text is read from the same scoring result and fund rows the table
shows, so text and table agree; the filer then edits the draft. No Django import: the reports app
and the PDF renderer call the same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from projects.formatting import money_prose, percent_prose, score_prose, to_decimal

PROJECT = "project"
DEPARTMENT_OVERALL = "department_overall"

PROJECT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "一、基本情况"),
    ("achievement", "二、绩效目标实现情况"),
    ("deviations", "三、偏离目标的原因和改进措施"),
    ("application", "四、结果应用"),
    ("other", "五、其他需要说明的问题"),
)
DEPARTMENT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "一、基本概况"),
    ("spending_management", "二、支出管理及使用"),
    ("performance_analysis", "三、整体支出绩效分析"),
    ("conclusion", "四、评价结论"),
    ("problems", "五、问题及原因"),
    ("measures", "六、改进措施和建议"),
)

# Section keys met in imported reports (fixtures/README.md), shown with these labels.
OTHER_LABELS: dict[str, str] = {
    "functions": "部门职能",
    "staffing": "机构与人员",
    "key_work": "重点工作",
    "budget": "预算规模及资金使用",
    "evaluation_work": "绩效评价工作开展情况",
    "self_evaluation_work": "自评工作开展情况",
    "indicator_analysis": "绩效指标分析",
    "experience": "主要经验及做法",
    "goal_achievement": "绩效目标完成情况",
    "project_results": "项目实施成效",
    "target_quality": "绩效目标设定质量",
    "problems_and_measures": "存在的问题及改进措施",
    "results": "主要成效",
    "problems": "存在的问题",
    "measures": "改进措施",
    "suggestions": "意见和建议",
    "conclusion": "评价结论",
    "other": "其他需要说明的问题",
}

_SHORTFALL = {"missed", "partial"}
_LEVEL1_ORDER = ("产出指标", "效益指标", "满意度指标", "成本指标")
# Below this execution rate the draft asks to speed up spending, unless the rule set names its own
# threshold (reason_required_below, e.g. 四川's 90). 90% is where the national tables' execution
# score loses a whole point; at 97.76% "加快预算执行进度" reads as boilerplate.
SLOW_EXECUTION_BELOW = Decimal(90)


@dataclass(frozen=True)
class IndicatorFacts:
    """One row of the indicator table as the filer filled it."""

    indicator_id: int | None
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: Decimal | None
    deviation_reason: str = ""
    midyear_actual: str = ""


@dataclass(frozen=True)
class NarrativeData:
    """The table's figures the report speaks of; amounts in 元 (the stored unit)."""

    kind: str
    year: int
    subject_name: str
    unit_name: str
    department_name: str
    money_unit: str = "万元"
    initial: Decimal | None = None
    adjusted: Decimal | None = None
    executed: Decimal | None = None
    goal_expected: str = ""
    goal_actual: str = ""
    indicators: tuple[IndicatorFacts, ...] = field(default_factory=tuple)
    slow_execution_below: Decimal = SLOW_EXECUTION_BELOW


def sections_for(kind: str) -> tuple[tuple[str, str], ...]:
    """The report's standard sections for a project or a department-overall evaluation."""
    return DEPARTMENT_SECTIONS if kind == DEPARTMENT_OVERALL else PROJECT_SECTIONS


# What a person reads for a section whose key the app does not know (an imported file, a newer
# version): a Chinese word, never the raw key, which stays in the data and the exports.
UNKNOWN_SECTION_LABEL = "其他说明"


def section_label(kind: str, key: str) -> str:
    """The heading shown for a notes key, standard or imported."""
    for section_key, title in sections_for(kind):
        if section_key == key:
            return title
    return OTHER_LABELS.get(key, UNKNOWN_SECTION_LABEL)


def money(amount: Decimal | None, money_unit: str) -> str:
    """Kept for callers of the old name: formatting.money_prose ("38.76万元")."""
    return money_prose(amount, money_unit)


_END_PUNCT = "。；，、;,.：: \t"
_DOUBLED = re.compile(r"[。；，、;,]+。")


def sentence(text: str) -> str:
    """A clause closed with exactly one 。, whatever punctuation the filer's text ended with."""
    text = (text or "").strip().rstrip(_END_PUNCT)
    return f"{text}。" if text else ""


def tidy(text: str) -> str:
    """Drafted text without doubled punctuation ("尽快开工。。", "；。" → "。")."""
    return _DOUBLED.sub("。", text)


def _who(data: NarrativeData) -> str:
    """The unit and its department, named once when the unit is the department itself."""
    if not data.department_name or data.department_name == data.unit_name:
        return data.unit_name
    return f"{data.department_name}{data.unit_name}"


_CELL_SPLIT = re.compile(r"\s*[｜|\t]\s*")


def table_cells(line: str) -> list[str] | None:
    """The cells of a table the filer pasted into a section (｜, | or tab between at least three
    cells, as seed 000's "序号｜名称｜…"), else None: the check reads them, the print draws them."""
    stripped = line.strip()
    if not any(mark in stripped for mark in "｜|\t"):
        return None
    cells = _CELL_SPLIT.split(stripped.strip("｜|"))
    return cells if len(cells) >= 3 else None


def _rows(result: dict, data: NarrativeData) -> list[tuple[IndicatorFacts, dict]]:
    """Pair each indicator with its scored row, by position (the result keeps table order)."""
    scored = result.get("indicators") or []
    return [
        (facts, scored[i] if i < len(scored) else {}) for i, facts in enumerate(data.indicators)
    ]


def shortfalls(result: dict, data: NarrativeData) -> list[tuple[IndicatorFacts, dict]]:
    """Rows that missed, partly met or far exceeded their target, or scored below their weight."""
    out = []
    for facts, row in _rows(result, data):
        if facts.weight is None:
            continue
        status = row.get("status")
        below = row.get("score") not in (None, "") and Decimal(row["score"]) < facts.weight
        if status in _SHORTFALL or status == "exceeded" or below:
            out.append((facts, row))
    return out


def _shortfall_sentence(number: int, facts: IndicatorFacts, row: dict) -> str:
    exceeded = row.get("status") == "exceeded"
    actual = facts.actual or "（未填写）"
    what = "超额完成" if exceeded else "未完全达到目标"
    reason = facts.deviation_reason.strip() or "（待填写偏差原因分析及改进措施）"
    return (
        f"{number}.「{facts.name}」年度指标值{facts.target or '—'}，实际完成值{actual}，{what}，"
        f"得分{score_prose(row.get('score'))}分（分值{score_prose(facts.weight)}分）。"
        f"原因分析及改进措施：{sentence(reason)}"
    )


def _execution_sentence(result: dict, data: NarrativeData) -> str:
    rate = result.get("execution_rate")
    rate_text = percent_prose(rate) if rate not in (None, "") else "无法计算"
    return (
        f"{data.year}年度年初预算数{money_prose(data.initial, data.money_unit)}，"
        f"全年预算数{money_prose(data.adjusted, data.money_unit)}，"
        f"全年执行数{money_prose(data.executed, data.money_unit)}，预算执行率{rate_text}，"
        f"预算执行率得分{score_prose(result.get('execution_score'))}分。"
    )


def _by_level1(result: dict, data: NarrativeData) -> list[str]:
    """One paragraph per 一级指标: how many rows, weight, score, and the rows below full marks."""
    groups: dict[str, list[tuple[IndicatorFacts, dict]]] = {}
    for facts, row in _rows(result, data):
        if facts.weight is None:
            continue
        groups.setdefault(facts.level1 or "其他指标", []).append((facts, row))
    ordered = sorted(
        groups, key=lambda k: _LEVEL1_ORDER.index(k) if k in _LEVEL1_ORDER else len(_LEVEL1_ORDER)
    )
    numerals = "一二三四五六七八九十"
    paragraphs = []
    for i, level1 in enumerate(ordered):
        rows = groups[level1]
        weight = sum((f.weight for f, _ in rows), Decimal(0))
        score = sum((Decimal(r["score"]) for _, r in rows if r.get("score")), Decimal(0))
        missed = [f"「{f.name}」" for f, r in rows if r.get("status") in _SHORTFALL]
        full = (
            "各项指标均完成年度目标" if not missed else f"其中{'、'.join(missed)}未完全达到年度目标"
        )
        paragraphs.append(
            f"（{numerals[i % 10]}）{level1}：共{len(rows)}项，分值{score_prose(weight)}分，"
            f"得分{score_prose(score)}分，{full}。"
        )
    return paragraphs


def _goal(data: NarrativeData) -> str:
    """The 预期目标, or, where the table has none, what the indicator table sets (no placeholder)."""
    if data.goal_expected.strip():
        return sentence(data.goal_expected)
    counts: dict[str, int] = {}
    for facts in data.indicators:
        if facts.weight is not None:
            counts[facts.level1 or "其他指标"] = counts.get(facts.level1 or "其他指标", 0) + 1
    if not counts:
        return "年度绩效目标以批复的绩效目标表为准。"
    parts = "、".join(f"{level1}{n}项" for level1, n in counts.items())
    return (
        f"年度绩效目标以批复的绩效目标表为准，共设置绩效指标{sum(counts.values())}项（{parts}）。"
    )


def _rate(result: dict) -> Decimal | None:
    return to_decimal(result.get("execution_rate"))


def _explained(result: dict, data: NarrativeData) -> IndicatorFacts | None:
    """The first shortfall the filer explained (their own deviation reason), if any."""
    for facts, _ in shortfalls(result, data):
        if facts.deviation_reason.strip():
            return facts
    return None


def _execution_deviation(number: int, result: dict, data: NarrativeData) -> str | None:
    """What the report says of an execution rate below 100%, weighed by how far below it is."""
    rate = _rate(result)
    if rate is None or rate >= 100:
        return None
    if rate == 0:
        explained = _explained(result, data)
        why = (
            f"原因见上文「{explained.name}」的说明。" if explained else "（待填写资金未支出的原因）"
        )
        return f"{number}.预算执行率0%，项目资金当年未支出，{why}"
    if rate < data.slow_execution_below:
        return (
            f"{number}.预算执行率{percent_prose(rate)}，未全部执行，"
            "需分析资金未执行的原因，加快预算执行进度，提高预算编制的精准度。"
        )
    left = None
    if data.adjusted is not None and data.executed is not None:
        left = data.adjusted - data.executed
    rest = f"，结余资金{money_prose(left, data.money_unit)}" if left and left > 0 else ""
    return (
        f"{number}.预算执行率{percent_prose(rate)}{rest}，预算基本执行到位，"
        "今后将进一步提高预算编制的精准度。"
    )


def _advice(result: dict, data: NarrativeData) -> str:
    """结果应用: the grade's default (domain.md §8), tempered by execution and the findings."""
    grade = result.get("grade") or ""
    rate = _rate(result)
    misses = [f"「{f.name}」" for f, _ in shortfalls(result, data)]
    if rate is not None and rate == 0:
        explained = "（原因见“三、偏离目标的原因和改进措施”）" if _explained(result, data) else ""
        return (
            f"鉴于项目资金当年未支出{explained}，"
            "建议下一年度据实核减或不再安排该项目预算；确需继续实施的，应重新论证绩效目标后申报"
        )
    if grade in ("中",):
        advice = "建议下一年度按规定比例压减该项目预算，并督促整改"
    elif grade not in ("优", "良"):
        advice = "建议下一年度取消或暂停该项目预算，整改到位后再行申请"
    elif rate is not None and rate < data.slow_execution_below:
        advice = (
            f"鉴于预算执行率为{percent_prose(rate)}，建议下一年度结合实际支出需要"
            "合理核定该项目预算规模"
        )
    elif grade == "优" and not misses:
        advice = "建议下一年度继续保持或优先安排该项目预算"
    else:
        advice = "建议下一年度继续保持该项目预算安排"
    if misses and grade in ("优", "良", "中"):
        advice += (
            f"，并针对{'、'.join(misses[:3])}{'等' if len(misses) > 1 else ''}指标落实改进措施"
        )
    return advice


def _application(result: dict, data: NarrativeData) -> str:
    grade = result.get("grade") or ""
    return (
        f"自评等级为“{grade or '—'}”。自评结果将作为以后年度预算安排和政策调整的重要依据，"
        f"{_advice(result, data)}；自评中发现的问题将逐项整改，并按规定随部门决算公开。"
    )


def _project(result: dict, data: NarrativeData) -> dict[str, str]:
    owner = f"由{data.unit_name}实施"
    if data.department_name and data.department_name != data.unit_name:
        owner += f"，主管部门为{data.department_name}"
    overview = "\n".join(
        [
            f"（一）项目概况。{data.subject_name}{owner}。",
            f"（二）资金投入与使用情况。{_execution_sentence(result, data)}",
            f"（三）绩效目标。{_goal(data)}",
        ]
    )
    achievement_lines = [
        f"项目绩效自评得分{score_prose(result.get('total'))}分，等级为“{result.get('grade') or '—'}”，"
        f"其中预算执行率得分{score_prose(result.get('execution_score'))}分，"
        f"绩效指标得分{score_prose(result.get('indicator_total'))}分。",
        *_by_level1(result, data),
        f"预算执行情况：{_execution_sentence(result, data)}",
    ]
    if data.goal_actual.strip():
        achievement_lines.append(f"年度总体目标完成情况：{sentence(data.goal_actual)}")
    misses = shortfalls(result, data)
    deviations = [_shortfall_sentence(i + 1, f, r) for i, (f, r) in enumerate(misses)]
    execution = _execution_deviation(len(deviations) + 1, result, data)
    if execution:
        deviations.append(execution)
    if not deviations:
        deviations = ["本年度各项绩效指标均已完成，预算全部执行，未发现偏离绩效目标的情况。"]
    return {
        "overview": overview,
        "achievement": "\n".join(achievement_lines),
        "deviations": "\n".join(deviations),
        "application": _application(result, data),
        "other": "无。",
    }


def _measures(result: dict, data: NarrativeData) -> str:
    """六、改进措施和建议: from what the evaluation found, not one sentence for every department."""
    measures = []
    rate = _rate(result)
    if rate is not None and rate < data.slow_execution_below:
        measures.append(
            f"预算执行率为{percent_prose(rate)}，加强预算执行监控，加快预算执行进度，"
            "对执行缓慢的资金及时调整用途或收回"
        )
    misses = [f"「{f.name}」" for f, _ in shortfalls(result, data)]
    if misses:
        measures.append(f"针对{'、'.join(misses)}未完全达到年度指标值的情况，逐项落实整改措施")
    measures.append("进一步提高预算编制的科学性和精准度，完善绩效目标设置")
    measures.append(f"自评等级为“{result.get('grade') or '—'}”，将自评结果应用于下一年度预算安排")
    return "\n".join(f"{i + 1}.{sentence(m)}" for i, m in enumerate(measures))


def _department(result: dict, data: NarrativeData) -> dict[str, str]:
    analysis = []
    for i, (facts, row) in enumerate(_rows(result, data)):
        if facts.weight is None:
            continue
        midyear = f"，年中监控值{facts.midyear_actual}" if facts.midyear_actual else ""
        reason = facts.deviation_reason.strip().rstrip(_END_PUNCT)
        reason = f"，偏差原因：{reason}" if reason else ""
        analysis.append(
            f"{i + 1}.「{facts.name}」年度指标值{facts.target or '—'}{midyear}，"
            f"全年实际完成值{facts.actual or '（未填写）'}，分值{score_prose(facts.weight)}分，"
            f"得分{score_prose(row.get('score'))}分{reason}。"
        )
    misses = shortfalls(result, data)
    problems = [
        f"{i + 1}.「{f.name}」未达到年度指标值{f.target or '—'}（实际{f.actual or '未填写'}）："
        f"{sentence(f.deviation_reason) or '（待填写原因）'}"
        for i, (f, _) in enumerate(misses)
    ] or ["本年度部门整体绩效目标基本完成，未发现明显偏离目标的情况。"]
    overview = [
        f"{_who(data)}{data.year}年度部门整体支出情况如下。",
        _execution_sentence(result, data),
    ]
    if data.goal_expected.strip():
        overview.append(f"年度总体目标：{sentence(data.goal_expected)}")
    return {
        "overview": "\n".join(overview),
        "spending_management": (
            f"全年执行数{money_prose(data.executed, data.money_unit)}，预算执行率"
            f"{percent_prose(result.get('execution_rate'))}。部门严格执行预算管理和财务管理制度，"
            "基本支出保障机构正常运转，项目支出按规定程序实施。"
        ),
        "performance_analysis": "\n".join(analysis) or "本年度未设置部门整体绩效指标。",
        "conclusion": (
            f"部门整体支出绩效自评得分{score_prose(result.get('total'))}分，"
            f"等级为“{result.get('grade') or '—'}”，其中预算执行率得分"
            f"{score_prose(result.get('execution_score'))}分，绩效指标得分"
            f"{score_prose(result.get('indicator_total'))}分。"
        ),
        "problems": "\n".join(problems),
        "measures": _measures(result, data),
    }


def draft_sections(result: dict, data: NarrativeData) -> dict[str, str]:
    """Draft every standard section of the 自评报告 from a selfeval-result/1 object and the table."""
    drafted = (
        _department(result, data) if data.kind == DEPARTMENT_OVERALL else _project(result, data)
    )
    return {key: tidy(text) for key, text in drafted.items()}
