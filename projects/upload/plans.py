"""What an upload would do, subject by subject: the preview's plan and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from projects.filing.services import (
    DraftChanges,
)
from projects.models import Evaluation, Project


@dataclass
class FieldChange:
    """One field an upload changes (or would change): where it is, before and after."""

    key: str
    section: str
    label: str
    before: str
    after: str


@dataclass
class SubjectPlan:
    """What an upload does to one subject: the fields it changes and those needing a choice.

    base_version is the version the save is merged from: the file's own when it carries one,
    else the version shown in the preview (so a save made between preview and confirm is
    merged, not overwritten).
    """

    project: Project
    evaluation: Evaluation | None
    base_version: int | None
    file_version: int | None
    changes: DraftChanges | None = None
    fields: list[FieldChange] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    kept: int = 0
    summary: str = ""

    @property
    def changed(self) -> bool:
        """Does confirming write anything for this subject?"""
        return bool(self.fields or self.conflicts)


@dataclass
class UploadOutcome:
    """What an upload did or would do: refusals (nothing saved), the plan, what was saved."""

    errors: list = field(default_factory=list)
    plans: list[SubjectPlan] = field(default_factory=list)
    saved: list = field(default_factory=list)  # (project, evaluation or None, summary)
    notice: str = ""

    @property
    def ok(self) -> bool:
        """True when the file was accepted."""
        return not self.errors

    @property
    def to_change(self) -> list[SubjectPlan]:
        """Subjects the file changes."""
        return [p for p in self.plans if p.changed]

    @property
    def unchanged(self) -> list[SubjectPlan]:
        """Subjects whose content the file leaves as stored: never touched."""
        return [p for p in self.plans if not p.changed]

    def refuse(self, exc) -> None:
        """A write refused inside its transaction: nothing saved, the reason shown."""
        self.plans, self.saved = [], []
        self.errors = [
            f"保存失败，未写入任何内容：{'；'.join(getattr(exc, 'messages', [str(exc)]))}"
        ]

    @property
    def conflict_count(self) -> int:
        """Fields that need the uploader's choice before anything is written."""
        return sum(len(p.conflicts) for p in self.plans)


def plain_figure(value) -> str:
    if value is None:
        return "—"
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def evaluation_of(project: Project) -> Evaluation | None:
    evaluations = [e for e in project.evaluations.all() if e.year == project.year]
    return evaluations[0] if evaluations else None


def same_text(a: str, b: str) -> bool:
    """Equal once whitespace is ignored (cells and documents wrap text as they like)."""
    return "".join((a or "").split()) == "".join((b or "").split())


def closed_filing(sheet, project: Project, then: str):
    """The cell error for a sheet whose evaluation is no longer open, else None."""
    from projects.upload.workbook import CellError

    evaluation = evaluation_of(project)
    if evaluation is None or evaluation.is_editable:
        return None
    status = evaluation.get_status_display()
    return CellError(sheet.title, sheet.id_cell[0], "", f"该自评状态为“{status}”，{then}")
