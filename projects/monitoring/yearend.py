"""The year-end link: each indicator's value from the year's latest filed monitoring round.

The self-evaluation form and its 自评表 show it beside the year-end actual, in place of the free
年中监控值 text an import may carry, wherever a round of that year has a filed report for the
subject. A report counts once it has been submitted (a draft is the filer's work in progress).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from projects.models import Achievement, EvaluationStatus, Light, MonitoringEntry

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


def midyear_values(project_ids: Iterable[int]) -> dict[int, dict[int, MidyearValue]]:
    """{project id: {indicator id: MidyearValue}} from each project's latest filed round; one query."""
    ids = list(project_ids)
    if not ids:
        return {}
    rows = (
        MonitoringEntry.objects.filter(report__project_id__in=ids, report__status__in=FILED)
        .exclude(value="", achievement="")
        .order_by("report__round__as_of", "pk")
        .values_list(
            "report__project_id",
            "indicator_id",
            "value",
            "achievement",
            "light",
            "report__round__year",
            "report__round__as_of",
        )
    )
    found: dict[int, dict[int, MidyearValue]] = {}
    achievements = dict(Achievement.choices)
    for project_id, indicator_id, value, achievement, light, year, as_of in rows:
        shown = value or achievements.get(achievement, "")
        # Later rounds come last and replace earlier ones.
        found.setdefault(project_id, {})[indicator_id] = MidyearValue(
            value=shown,
            light=light,
            round_title=f"{year}年1-{as_of.month}月绩效运行监控",
            month=as_of.month,
        )
    return found
