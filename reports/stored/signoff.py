"""Signing off a stored final document: a verification code printed on it, the hash of its bytes.

The code must be on the page, so it is chosen before the document is rendered (`prepare`), handed
to the renderer through the document's stamp, and recorded with the SHA-256 of the final bytes
once they are stored (`record`). Only an evaluation's own documents are signed (its 自评表, PDF
and workbook, and its 自评报告), and only when it is approved or published: drafts are never
stored and carry no code. A department's package or summary is a collection of signed
documents, not a sign-off of its own.

Codes are 60 random bits in Crockford's base32 (12 characters, printed as XXXX-XXXX-XXXX): not
derived from anything a reader could enumerate, and easy to type back (no I, L, O or U; those
read as 1, 1 and 0).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from projects.models import Evaluation, EvaluationStatus
from reports.models import SignOff, StoredDocument
from reports.selectors.stamp import FINAL

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
GROUP = 4
# What each signed document is called when the verification page names it.
SIGNED_KINDS = {"table": "绩效自评表", "report": "绩效自评报告"}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh code, grouped for print: `7Q4M-K2ZD-9XHC`."""
    value = secrets.randbits(5 * CODE_LENGTH)
    chars = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(CODE_LENGTH))
    return format_code(chars)


def format_code(chars: str) -> str:
    """Twelve characters in groups of four."""
    return "-".join(chars[i : i + GROUP] for i in range(0, len(chars), GROUP))


def normalize_code(text: str) -> str | None:
    """What a reader typed, as the stored code (upper case, grouped); None if it cannot be one."""
    chars = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(chars) != CODE_LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return format_code(chars)


@dataclass(frozen=True)
class Signing:
    """A sign-off about to happen: the code to print and what it will sign."""

    code: str
    evaluation_id: int
    step: str
    approved_at: datetime.datetime
    published_at: datetime.datetime | None
    title: str


def prepare(key) -> Signing | None:
    """The code for a stored document about to be rendered, or None when it is not signed."""
    if key.evaluation_id is None or key.kind not in SIGNED_KINDS:
        return None
    evaluation = Evaluation.objects.select_related("project").filter(pk=key.evaluation_id).first()
    if evaluation is None or evaluation.status not in FINAL or evaluation.approved_at is None:
        return None
    published = evaluation.status == EvaluationStatus.PUBLISHED
    return Signing(
        code=new_code(),
        evaluation_id=evaluation.pk,
        step=SignOff.Step.PUBLICATION if published else SignOff.Step.APPROVAL,
        approved_at=evaluation.approved_at,
        published_at=evaluation.published_at if published else None,
        title=f"{evaluation.project.name} {evaluation.year}年度{SIGNED_KINDS[key.kind]}",
    )


def record(key, signing: Signing, stored: StoredDocument, digest: str) -> SignOff | None:
    """Record the sign-off of the bytes just stored, and retire the copies it replaces.

    A copy is replaced by a newer one of the same slot from another approval (the filing was
    reopened and approved again) or from the same step (rendered again). The copy signed at
    approval is not replaced by the one signed at publication: both are true copies of the
    same approved filing. When another worker's rendering took the slot, nothing is recorded.
    """
    if stored.sha256 != digest:
        return None
    with transaction.atomic():
        signoff = SignOff.objects.create(
            code=signing.code,
            document=stored,
            slot=key.slot,
            evaluation_id=signing.evaluation_id,
            kind=key.kind,
            fmt=key.fmt,
            money_unit=key.money_unit,
            title=signing.title[:300],
            step=signing.step,
            approved_at=signing.approved_at,
            published_at=signing.published_at,
            sha256=digest,
            size=stored.size,
        )
        earlier = SignOff.objects.filter(slot=key.slot, superseded_by=None).exclude(pk=signoff.pk)
        replaced = [
            s.pk
            for s in earlier.only("pk", "approved_at", "step")
            if s.approved_at != signoff.approved_at or s.step == signoff.step
        ]
        if replaced:
            SignOff.objects.filter(pk__in=replaced).update(
                superseded_by=signoff, superseded_at=timezone.now()
            )
    return signoff
