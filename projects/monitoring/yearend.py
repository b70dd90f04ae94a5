"""The year-end link: each indicator's value from the year's latest filed monitoring round.

The self-evaluation form and its 自评表 show it beside the year-end actual, in place of the free
年中监控值 text an import may carry, wherever a round of that year has a filed report for the
subject. A report counts once it has been submitted (a draft is the filer's work in progress).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from projects.models import (
    Achievement,
    EvaluationStatus,
    Light,
    MonitoringEntry,
    MonitoringFollowUp,
)

S = EvaluationStatus
FILED = (S.SUBMITTED, S.DEPARTMENT_APPROVED, S.APPROVED, S.PUBLISHED)
LIGHT_LABELS = dict(Light.choices)


@dataclass(frozen=True)
class MidyearValue:
    """One indicator's value to date in the latest filed round, with its light."""

    value: str
    light: str
    round_title: str
    month: int

    @property
    def light_label(self) -> str:
        """红灯 / 黄灯 / 绿灯 / 蓝灯, or "" where the row gave no light."""
        return LIGHT_LABELS.get(self.light, "")

    @property
    def display(self) -> str:
        """How a table cell prints it: 1-6月 120个（绿灯）."""
        light = f"（{self.light_label}）" if self.light_label else ""
        return f"1-{self.month}月 {self.value}{light}" if self.value else ""


@dataclass(frozen=True)
class MonitoringFacts:
    """What the year-end evaluation of one subject reads of its latest filed round."""

    values: dict[int, MidyearValue]  # by indicator id
    undecided: tuple[str, ...]  # red items without a follow-up decision, by name


def monitoring_facts(project_ids: Iterable[int]) -> dict[int, MonitoringFacts]:
    """Each subject's latest filed round: values by indicator, red lights left undecided.

    One query for the entries; a second for the follow-ups only where a red light exists.
    """
    ids = list(project_ids)
    if not ids:
        return {}
    rows = (
        MonitoringEntry.objects.filter(report__project_id__in=ids, report__status__in=FILED)
        .order_by("report__round__as_of", "report_id", "indicator__order", "pk")
        .values_list(
            "report__project_id",
            "report_id",
            "indicator_id",
            "indicator__name",
            "value",
            "achievement",
            "light",
            "report__execution_light",
            "report__round__year",
            "report__round__as_of",
        )
    )
    latest: dict[int, int] = {}
    values: dict[int, dict[int, MidyearValue]] = {}
    red: dict[int, list[tuple[int | None, str]]] = {}
    achievements = dict(Achievement.choices)
    for project, report, indicator, name, value, achievement, light, exe, year, as_of in rows:
        if latest.get(project) != report:  # a later round replaces what an earlier one said
            latest[project] = report
            values[project] = {}
            red[project] = [(None, "预算执行进度")] if exe == Light.RED else []
        shown = value or achievements.get(achievement, "")
        if shown:
            values[project][indicator] = MidyearValue(
                value=shown,
                light=light,
                round_title=f"{year}年1-{as_of.month}月绩效运行监控",
                month=as_of.month,
            )
        if light == Light.RED:
            red[project].append((indicator, f"指标「{name}」"))
    decided: set[tuple[int, int | None]] = set()
    if any(red.values()):
        decided = set(
            MonitoringFollowUp.objects.filter(report_id__in=latest.values()).values_list(
                "report_id", "indicator_id"
            )
        )
    return {
        project: MonitoringFacts(
            values=values[project],
            undecided=tuple(name for item, name in red[project] if (report, item) not in decided),
        )
        for project, report in latest.items()
    }


def midyear_values(project_ids: Iterable[int]) -> dict[int, dict[int, MidyearValue]]:
    """{project id: {indicator id: MidyearValue}} from each project's latest filed round."""
    return {pk: facts.values for pk, facts in monitoring_facts(project_ids).items()}
