"""Three-way merge of a filing's flat fields: what I changed, what they changed, since when.

`base` is the content at the version the page or file was made from, `theirs` what is stored
now, `mine` what the page or file says. A field only I changed is taken; a field only they
changed is kept; the same text on both sides is no conflict; only a field both changed, to
different values, is a conflict, and a person chooses per field. Without a base (a version from
before versions were recorded), every field that differs from the stored one is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MINE = "mine"
THEIRS = "theirs"


@dataclass
class MergeResult:
    """What to write, and what still needs a person's choice."""

    apply: dict[str, str] = field(default_factory=dict)  # key -> the value to write
    conflicts: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (mine, theirs)
    kept: list[str] = field(default_factory=list)  # changed by them only, left as they are

    @property
    def clean(self) -> bool:
        """Nothing needs a choice."""
        return not self.conflicts


def merge(
    base: dict[str, str] | None,
    mine: dict[str, str],
    theirs: dict[str, str],
    resolutions: dict[str, str] | None = None,
) -> MergeResult:
    """Merge `mine` into `theirs` field by field (values already normalised by content.norm)."""
    resolutions = resolutions or {}
    result = MergeResult()
    for key, value in mine.items():
        stored = theirs.get(key, "")
        if value == stored:
            continue
        was = None if base is None else base.get(key, "")
        if was is not None and value == was:
            result.kept.append(key)  # I left it alone; their change stands
        elif was is not None and stored == was:
            result.apply[key] = value  # only I changed it
        elif resolutions.get(key) == MINE:
            result.apply[key] = value
        elif resolutions.get(key) == THEIRS:
            result.kept.append(key)
        else:
            result.conflicts[key] = (value, stored)
    return result
