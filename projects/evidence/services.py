"""Writes of 佐证材料: a filer of the unit attaches or removes a file while the filing is open.

Each service checks the gate (404 outside the unit, 403 without the filer's role) on the row
re-read under lock, and refuses once the filing is submitted: what the reviewers are reading
cannot change under them. The file's bytes go to the default storage; the row records their
SHA-256, computed chunk by chunk as they stream, so a large file is never held in memory whole.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from projects.access import FILE, get_for_user
from projects.evidence import checks
from projects.models import Evaluation, EvidenceFile, FundLine, Indicator

CLOSED = "该自评已提交或审核，不能再添加或删除佐证材料；如需补充，请联系审核人退回。"


def sha256_of(upload) -> str:
    """The SHA-256 of an uploaded file, read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _open_evaluation(evaluation: Evaluation, user) -> Evaluation:
    locked = get_for_user(
        Evaluation.objects.select_for_update(of=("self",)).select_related("project"),
        user,
        FILE,
        pk=evaluation.pk,
    )
    if not locked.is_editable:
        raise ValidationError({"file": CLOSED})
    return locked


@transaction.atomic
def evidence_attach(
    *,
    evaluation: Evaluation,
    user,
    file,
    indicator: Indicator | None = None,
    fund_line: FundLine | None = None,
) -> EvidenceFile:
    """Attach a file to an indicator, a fund line or (neither given) the whole self-evaluation."""
    evaluation = _open_evaluation(evaluation, user)
    if indicator is not None and fund_line is not None:
        raise ValidationError({"file": "佐证材料只能附在一个指标或一项资金上。"})
    if indicator is not None and indicator.project_id != evaluation.project_id:
        raise ValidationError({"file": "所选指标不属于该自评。"})
    if fund_line is not None and fund_line.project_id != evaluation.project_id:
        raise ValidationError({"file": "所选资金不属于该自评。"})
    kind = checks.check(file)
    digest = sha256_of(file)
    row = EvidenceFile(
        evaluation=evaluation,
        indicator=indicator,
        fund_line=fund_line,
        original_name=_display_name(file.name),
        content_type=kind.content_type,
        size=file.size,
        sha256=digest,
        uploaded_by=user,
    )
    row.file.save(file.name, file, save=False)
    stored = row.file.name
    try:
        row.save()
    except Exception:
        # The row was not written: the stored bytes go with it.
        default_storage.delete(stored)
        raise
    return row


@transaction.atomic
def evidence_remove(*, evidence: EvidenceFile, user) -> None:
    """Remove an attached file while the filing is open; its bytes leave storage after commit."""
    row = get_for_user(EvidenceFile.objects, user, FILE, pk=evidence.pk)
    _open_evaluation(row.evaluation, user)
    name = row.file.name
    row.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


def _display_name(name: str) -> str:
    """The filer's file name without any folder part, as the lists and downloads show it."""
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255] or "佐证材料"
