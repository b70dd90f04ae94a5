"""Bulk actions over filings: preview exactly what will be done, then run the one service per filing.

A bulk action (approve, publish, a filer's submit) is never a write of its own: it is the single
transition service called once per selected filing, each in its own savepoint. What it adds is
the list shown before acting (which filings will go, which will be refused and why, the count in
the confirm button) and the outcome afterwards, built from the same check so the two agree.

An action is three functions:
- `authorise(evaluations, user) -> grant`: raises PermissionDenied when any selected filing is
  one the user may not act on at all (the whole request is refused); returns whatever the other
  two need (e.g. which filings the user reviews at which step), computed once for the batch;
- `check(evaluation, user, grant) -> str`: "" when the filing can go, else the reason in Chinese
  (read-only: the preview calls it);
- `run(evaluation, user, grant, **options) -> Evaluation`: calls the one write service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import Evaluation


def _no_grant(evaluations, user) -> None:
    return None


@dataclass(frozen=True)
class BulkAction:
    """One kind of bulk action: its verb for the pages and the three functions above."""

    verb: str  # 审核通过, 公开, 提交: shown as “确认{verb} N 项”
    check: Callable[[Evaluation, Any, Any], str]
    run: Callable[..., Evaluation]
    authorise: Callable[[list[Evaluation], Any], Any] = _no_grant


@dataclass
class BulkPreview:
    """What a bulk action would do now: the filings it would act on and those it would refuse."""

    action: BulkAction
    ready: list[Evaluation] = field(default_factory=list)
    refused: list[tuple[Evaluation, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many filings the confirm button acts on."""
        return len(self.ready)

    @property
    def ids(self) -> list[int]:
        """The ready filings' ids, posted back by the confirm form (and nothing else)."""
        return [e.pk for e in self.ready]


@dataclass
class BulkOutcome:
    """What a bulk action did: the filings changed and the ones left, each with its reason."""

    done: list[Evaluation] = field(default_factory=list)
    skipped: list[tuple[Evaluation, str]] = field(default_factory=list)

    @property
    def approved(self) -> list[Evaluation]:
        """The bulk approval's name for `done`."""
        return self.done

    @property
    def published(self) -> list[Evaluation]:
        """The bulk publication's name for `done`."""
        return self.done


def _rows(evaluations: Iterable[Evaluation], *, lock: bool = False) -> list[Evaluation]:
    """The selected filings fresh from the database, with what the pages and rules read.

    `lock`: take every selected row's lock up front, in id order, before any step is chained. A
    batch that locked each filing only when it reached it would hold its region's history chain
    while waiting for the next filing, and a single review of that filing (holding the filing,
    waiting for the chain) would deadlock with it.
    """
    ids = {e.pk for e in evaluations}
    rows = Evaluation.objects.filter(pk__in=ids)
    if lock:
        rows = rows.select_for_update(of=("self",))
    return list(rows.select_related("project__unit__department__region").order_by("pk"))


def bulk_preview(*, action: BulkAction, evaluations: Iterable[Evaluation], user) -> BulkPreview:
    """The list the confirmation page shows; reads only."""
    rows = _rows(evaluations)
    grant = action.authorise(rows, user)
    preview = BulkPreview(action=action)
    for evaluation in rows:
        reason = action.check(evaluation, user, grant)
        if reason:
            preview.refused.append((evaluation, reason))
        else:
            preview.ready.append(evaluation)
    return preview


@transaction.atomic
def bulk_apply(
    *, action: BulkAction, evaluations: Iterable[Evaluation], user, **options
) -> BulkOutcome:
    """Run the action on each selected filing that still passes its check.

    The check is made again (a filing may have moved since the preview); each service call runs
    in its own savepoint, so one refused by its service is skipped with the service's message
    and the others still go.
    """
    rows = _rows(evaluations, lock=True)
    grant = action.authorise(rows, user)
    outcome = BulkOutcome()
    for evaluation in rows:
        reason = action.check(evaluation, user, grant)
        if reason:
            outcome.skipped.append((evaluation, reason))
            continue
        try:
            with transaction.atomic():
                outcome.done.append(action.run(evaluation, user, grant, **options))
        except ValidationError as exc:
            outcome.skipped.append((evaluation, "；".join(exc.messages)))
    return outcome
