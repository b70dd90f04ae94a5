"""Reads of 佐证材料: an evaluation's files grouped by what they support, for every page.

One query reads the files of an evaluation (through the row-level gate); the fund lines come
from the project's prefetched ones where the page has them. The result is kept on the evaluation object, so a page that lists files beside every indicator
row reads them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects.access import VIEW
from projects.models import EvidenceFile, FundLine


@dataclass
class FundEvidence:
    """A fund line (one 资金来源 row) and its files."""

    fund_line: FundLine
    files: list[EvidenceFile]

    @property
    def target(self) -> str:
        """The slot of its block on the page."""
        return f"fund{self.fund_line.pk}"


@dataclass
class EvidenceGroups:
    """An evaluation's files: on the report, on each fund line, on each indicator."""

    report: list[EvidenceFile] = field(default_factory=list)
    fund_lines: list[FundEvidence] = field(default_factory=list)
    indicators: dict[int, list[EvidenceFile]] = field(default_factory=dict)
    count: int = 0

    def of_indicator(self, indicator_id: int) -> list[EvidenceFile]:
        """The files on one indicator."""
        return self.indicators.get(indicator_id, [])

    @property
    def all_files(self) -> list[EvidenceFile]:
        """Every file, report first, then fund lines, then indicators."""
        files = list(self.report)
        for group in self.fund_lines:
            files += group.files
        for rows in self.indicators.values():
            files += rows
        return files


def evidence_queryset(user, action: str = VIEW):
    """The files a user may reach, with what the lists print beside each."""
    return EvidenceFile.objects.for_user(user, action).select_related(
        "uploaded_by", "indicator", "fund_line"
    )


def evidence_groups(evaluation, user) -> EvidenceGroups:
    """The evaluation's files as `user` may see them, grouped; computed once per object."""
    cache = getattr(evaluation, "_evidence_groups", None)
    if cache is not None and cache[0] == getattr(user, "pk", None):
        return cache[1]
    files = list(evidence_queryset(user).filter(evaluation_id=evaluation.pk))
    # The pages prefetch the project's fund lines already; then this reads nothing.
    lines = sorted(evaluation.project.fund_lines.all(), key=lambda line: line.pk)
    groups = EvidenceGroups(count=len(files))
    by_line: dict[int, list] = {}
    for row in files:
        if row.indicator_id:
            groups.indicators.setdefault(row.indicator_id, []).append(row)
        elif row.fund_line_id:
            by_line.setdefault(row.fund_line_id, []).append(row)
        else:
            groups.report.append(row)
    groups.fund_lines = [FundEvidence(line, by_line.get(line.pk, [])) for line in lines]
    evaluation._evidence_groups = (getattr(user, "pk", None), groups)
    return groups


def forget(evaluation) -> None:
    """Drop the kept groups (after a file was added or removed in the same request)."""
    if hasattr(evaluation, "_evidence_groups"):
        del evaluation._evidence_groups
