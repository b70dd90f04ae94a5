"""What a printed document says about its own standing: draft, under review, approved, published.

Every print (PDF, HTML page, workbook, export member) reads the same stamp, so a draft can never
print like a final document: anything not approved carries a 草稿 / 未审核 watermark and its status
in the footer; an approved document names the approving body and date, a published one its 公开日期.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from projects.models import EvaluationStatus

FINAL = (EvaluationStatus.APPROVED, EvaluationStatus.PUBLISHED)
UNDER_REVIEW = (EvaluationStatus.SUBMITTED, EvaluationStatus.DEPARTMENT_APPROVED)


@dataclass(frozen=True)
class DocumentStamp:
    """The standing of one document as it is printed."""

    status: str
    status_label: str
    watermark: str  # "草稿", "未审核", or "" for an approved or published document
    approving_body: str  # the finance bureau that approved it; "" while not approved
    approved_on: datetime.date | None
    published_on: datetime.date | None
    # The region's signature block (填报单位（公章）, 单位负责人 …), printed with blank lines.
    signature_fields: tuple[str, ...] = ()
    # The sign-off code of a stored final document (reports/signoff.py): chosen before the
    # document is rendered so it can print in the footer; "" on screen, on drafts and on prints
    # that are not kept.
    verification_code: str = ""

    @property
    def is_final(self) -> bool:
        """Approved or published: the only documents that may print without a watermark."""
        return not self.watermark

    @property
    def footer(self) -> str:
        """One line for the page footer and the workbook's footer, with the verification code."""
        if self.code_note:
            return f"{self.standing} · {self.code_note}"
        return self.standing

    @property
    def code_note(self) -> str:
        """The printed verification code, only ever on a final document."""
        if not self.verification_code or self.watermark:
            return ""
        return f"验证码：{self.verification_code}"

    @property
    def standing(self) -> str:
        """The document's standing in words: published, approved, or a draft's warning."""
        if self.published_on:
            return (
                f"已公开 · 审核机关：{self.approving_body} · "
                f"审核通过日期：{_date(self.approved_on)} · 公开日期：{_date(self.published_on)}"
            )
        if not self.watermark:
            return f"审核通过 · 审核机关：{self.approving_body} · 审核通过日期：{_date(self.approved_on)}"
        return f"{self.watermark}（{self.status_label}），不作为正式文件"

    @property
    def banner(self) -> str:
        """The line shown above the document on screen and carried into every page's footer."""
        return self.footer

    @property
    def file_label(self) -> str:
        """A word for an export's file names and manifest: 已公开, 审核通过, 未审核, 草稿."""
        if self.published_on:
            return "已公开"
        return self.watermark or "审核通过"


def _date(value: datetime.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    if value is None:
        return None
    from django.utils import timezone

    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def document_stamp(evaluation) -> DocumentStamp:
    """The stamp of one evaluation's documents (its 自评表 and 自评报告)."""
    status = evaluation.status
    final = status in FINAL
    region = evaluation.project.unit.department.region
    if final:
        watermark = ""
    elif status in UNDER_REVIEW:
        watermark = "未审核"
    else:
        watermark = "草稿"
    return DocumentStamp(
        status=status,
        status_label=evaluation.get_status_display(),
        watermark=watermark,
        approving_body=(region.finance_bureau or f"{region.name}财政局") if final else "",
        approved_on=_local_date(evaluation.approved_at) if final else None,
        published_on=(
            _local_date(evaluation.published_at) if status == EvaluationStatus.PUBLISHED else None
        ),
        signature_fields=region.signature_labels,
    )


def weakest(stamps) -> DocumentStamp | None:
    """The stamp of a document made of several (a department report or package): its weakest part."""
    order = {"草稿": 0, "未审核": 1}
    stamps = [s for s in stamps if s is not None]
    if not stamps:
        return None
    return min(stamps, key=lambda s: (order.get(s.watermark, 2), 0 if not s.published_on else 1))


def stamp_of(document) -> DocumentStamp | None:
    """The stamp of any printed document: a 自评表's own, else the weakest of its parts.

    A project report carries its table's; a department report its overall table's and its
    summary's; a summary its rows'; a package its report's and its tables'. None for a document
    with nothing in it (an empty summary), which then prints no watermark.
    """
    own = getattr(document, "stamp", None)
    if isinstance(own, DocumentStamp):
        return own
    if document is None:
        return None
    names = ("table", "overall", "summary", "report")
    parts = [stamp_of(getattr(document, name, None)) for name in names]
    parts += [stamp_of(t) for t in getattr(document, "tables", None) or ()]
    parts += [getattr(row, "stamp", None) for row in getattr(document, "rows", None) or ()]
    return weakest(parts)
