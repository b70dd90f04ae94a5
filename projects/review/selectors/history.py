"""History for reviewers: field-by-field diffs since the last review and the change timeline.

The diff compares the snapshot a reviewer's return recorded with the filing as it stands, so a
reviewer reads only what changed after they sent it back. The timeline merges the recorded
transitions with django-simple-history's records of the evaluation, its indicator results, the
project's fund lines and its indicators; a target changed after the budget was approved (only the
finance bureau may) is marked as such.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from projects import formatting
from projects.labels import FUND_COLUMN_LABELS, RESULT_LABELS
from projects.models import (
    Achievement,
    Evaluation,
    FundLine,
    FundSource,
    Indicator,
    IndicatorResult,
    Project,
    ReviewStep,
)
from projects.narrative import section_label

A = ReviewStep.Action
RETURN_ACTIONS = (A.DEPARTMENT_RETURN, A.FINANCE_RETURN, A.REOPEN)
FUND_FIELDS = FUND_COLUMN_LABELS
RESULT_FIELDS = RESULT_LABELS
TOTAL_FIELDS = {"claimed_total": "自评总分", "computed_total": "计算总分"}
ACHIEVEMENT_LABELS = dict(Achievement.choices)


@dataclass(frozen=True)
class DiffRow:
    """One changed field: where it sits, what it was at the last review, what it is now."""

    section: str
    label: str
    before: str
    after: str


def last_return_step(steps: list[ReviewStep]) -> ReviewStep | None:
    """The latest return or reopen: the version a reviewer last read before sending it back."""
    for step in reversed(steps):
        if step.action in RETURN_ACTIONS:
            return step
    return None


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _amount_text(value) -> str:
    """A snapshot's amount in 元 as the tables print it (842,450.00); — when blank."""
    return formatting.fmt_amount(formatting.to_decimal(value)) or "—"


def _result_text(field_name: str, value) -> str:
    """A result field as the filer chose it: 达成 rather than the stored `met`."""
    if field_name == "achievement" and value in ACHIEVEMENT_LABELS:
        return str(ACHIEVEMENT_LABELS[value])
    return _text(value)


def filing_diff(
    before: dict, after: dict, indicator_names: dict[int, str], *, kind: str = "project"
) -> list[DiffRow]:
    """Field-by-field differences between two filing snapshots (workflow.filing_snapshot).

    `kind` is the project's kind, so a 自评报告 section reads with its own title.
    """
    rows: list[DiffRow] = []
    if before.get("goal_actual") != after.get("goal_actual"):
        rows.append(
            DiffRow(
                "年度总体目标",
                "实际完成情况",
                _text(before.get("goal_actual")),
                _text(after.get("goal_actual")),
            )
        )
    old_funds, new_funds = before.get("funds", {}), after.get("funds", {})
    for source in [s.value for s in FundSource]:
        old, new = old_funds.get(source, {}), new_funds.get(source, {})
        for key, label in FUND_FIELDS.items():
            if old.get(key) != new.get(key):
                rows.append(
                    DiffRow(
                        "项目资金（元）",
                        f"{FundSource(source).label}·{label}",
                        _amount_text(old.get(key)),
                        _amount_text(new.get(key)),
                    )
                )
    old_rows, new_rows = before.get("indicators", {}), after.get("indicators", {})
    for key in sorted(set(old_rows) | set(new_rows), key=int):
        old, new = old_rows.get(key, {}), new_rows.get(key, {})
        name = new.get("name") or old.get("name") or indicator_names.get(int(key), key)
        for field_name, label in RESULT_FIELDS.items():
            if old.get(field_name) != new.get(field_name):
                rows.append(
                    DiffRow(
                        "绩效指标",
                        f"{name}·{label}",
                        _result_text(field_name, old.get(field_name)),
                        _result_text(field_name, new.get(field_name)),
                    )
                )
    old_notes, new_notes = before.get("notes") or {}, after.get("notes") or {}
    for key in sorted(set(old_notes) | set(new_notes)):
        if old_notes.get(key) != new_notes.get(key):
            rows.append(
                DiffRow(
                    "自评报告",
                    section_label(kind, key),
                    _text(old_notes.get(key)),
                    _text(new_notes.get(key)),
                )
            )
    for key, label in TOTAL_FIELDS.items():
        if before.get(key) != after.get(key):
            rows.append(DiffRow("总分", label, _text(before.get(key)), _text(after.get(key))))
    return rows


@dataclass(frozen=True)
class TargetCorrection:
    """A target changed after the budget was approved: by whom, when, why."""

    before: str
    after: str
    when: datetime.datetime
    user: object
    reason: str


def target_corrections(project: Project) -> dict[int, list[TargetCorrection]]:
    """Every change of an indicator's target after it was created (approved with the budget)."""
    records = (
        Indicator.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    corrections: dict[int, list[TargetCorrection]] = defaultdict(list)
    previous = None
    for record in records:
        if (
            previous is not None
            and previous.id == record.id
            and record.history_type == "~"
            and previous.target != record.target
        ):
            corrections[record.id].append(
                TargetCorrection(
                    previous.target,
                    record.target,
                    record.history_date,
                    record.history_user,
                    record.history_change_reason or "",
                )
            )
        previous = record
    return corrections


@dataclass
class Change:
    """One field's before and after within a history record."""

    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    """One line of the timeline: a transition or a recorded change of one row."""

    when: datetime.datetime
    user: object
    title: str
    kind: str  # "step" or "change"
    changes: list[Change] = field(default_factory=list)
    comment: str = ""
    reason: str = ""
    is_target_correction: bool = False
    step: ReviewStep | None = None


# The fields each history shows, in order; computed fields show as changes of the score.
TRACKED = {
    Evaluation: {
        "status": "状态",
        "goal_actual": "年度总体目标实际完成情况",
        "claimed_execution_score": "预算执行得分（填报）",
        "claimed_indicator_total": "指标得分合计（填报）",
        "claimed_total": "总分（填报）",
        "claimed_grade": "等级（填报）",
        "notes": "自评报告",
        "computed_total": "总分（计算）",
        "computed_grade": "等级（计算）",
        "rule_set_version": "规则版本",
    },
    IndicatorResult: {
        "actual": "实际完成值",
        "midyear_actual": "年中监控值",
        "achievement": "完成程度",
        "claimed_score": "得分（填报）",
        "computed_score": "得分（计算）",
        "deviation_reason": "偏差原因分析及改进措施",
    },
    FundLine: {
        "initial": "年初预算数（元）",
        "adjusted": "全年预算数（元）",
        "executed": "全年执行数（元）",
        "claimed_rate": "执行率（填报）",
        "claimed_score": "得分（填报）",
    },
    Indicator: {
        "level1": "一级指标",
        "level2": "二级指标",
        "name": "三级指标",
        "target": "年度指标值",
        "weight": "分值",
    },
}
CHOICE_LABELS = {
    (Evaluation, "status"): dict(Evaluation._meta.get_field("status").choices),
    (IndicatorResult, "achievement"): dict(IndicatorResult._meta.get_field("achievement").choices),
}


def _display(model, name: str, value, kind: str = "project") -> str:
    """A tracked field's value as a person reads it: choice labels and section titles, no keys."""
    if name == "notes" and isinstance(value, dict):
        return "；".join(f"{section_label(kind, k)}：{v}" for k, v in value.items() if v) or "—"
    labels = CHOICE_LABELS.get((model, name))
    if labels and value in labels:
        return str(labels[value])
    return _text(value)


def _entries(model, records, label: str, name_for, kind: str = "project") -> list[HistoryEntry]:
    """Timeline entries from one model's history records, each compared with the one before.

    Creations are grouped (an import creates a whole table at once): one entry per user and
    minute naming the rows, so the changes people made afterwards are not buried.
    """
    fields = TRACKED[model]
    entries = []
    created: dict[tuple, list] = {}
    previous = None
    for record in records:
        prior = previous if previous is not None and previous.id == record.id else None
        previous = record
        if record.history_type == "+":
            minute = record.history_date.replace(second=0, microsecond=0)
            created.setdefault((record.history_user_id, minute), []).append(record)
            continue
        changes = []
        for name, field_label in fields.items():
            old = getattr(prior, name) if prior is not None else None
            new = getattr(record, name)
            if record.history_type == "-" or old == new:
                continue
            changes.append(
                Change(
                    field_label,
                    _display(model, name, old, kind),
                    _display(model, name, new, kind),
                )
            )
        if record.history_type == "~" and not changes:
            continue
        target_changed = model is Indicator and prior is not None and prior.target != record.target
        if target_changed:
            title = f"预算批复后调整指标值：{label}“{name_for(record)}”"
        else:
            verb = "修改" if record.history_type == "~" else "删除"
            title = f"{verb}{label}“{name_for(record)}”" if name_for(record) else verb + label
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                title=title,
                kind="change",
                changes=changes,
                reason=record.history_change_reason or "",
                is_target_correction=target_changed,
            )
        )
    for group in created.values():
        names = [name_for(r) for r in group if name_for(r)]
        shown = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
        title = f"新建{label}" + (f" {len(group)} 项" if len(group) > 1 else "")
        entries.append(
            HistoryEntry(
                when=group[0].history_date,
                user=group[0].history_user,
                title=title + (f"：{shown}" if shown else ""),
                kind="change",
                reason=group[0].history_change_reason or "",
            )
        )
    return entries


def evaluation_history(evaluation: Evaluation) -> list[HistoryEntry]:
    """The whole timeline of one evaluation, newest first, in a fixed number of queries."""
    project = evaluation.project
    names = dict(project.indicators.values_list("pk", "name"))
    order = ("id", "history_date", "history_id")
    entries: list[HistoryEntry] = []
    entries += _entries(
        Evaluation,
        Evaluation.history.filter(id=evaluation.pk).select_related("history_user").order_by(*order),
        "自评",
        lambda r: "",
        project.kind,
    )
    entries += _entries(
        IndicatorResult,
        IndicatorResult.history.filter(evaluation_id=evaluation.pk)
        .select_related("history_user")
        .order_by(*order),
        "指标完成情况",
        lambda r: names.get(r.indicator_id, "已删除的指标"),
    )
    entries += _entries(
        FundLine,
        FundLine.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by(*order),
        "项目资金",
        lambda r: FundSource(r.source).label,
    )
    entries += _entries(
        Indicator,
        Indicator.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by(*order),
        "绩效指标",
        lambda r: r.name,
    )
    for step in evaluation.review_steps.select_related("actor").prefetch_related(
        "comments__indicator"
    ):
        entries.append(
            HistoryEntry(
                when=step.created_at,
                user=step.actor,
                title=step.get_action_display(),
                kind="step",
                comment=step.comment,
                step=step,
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
