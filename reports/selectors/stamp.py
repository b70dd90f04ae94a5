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

    @property
    def is_final(self) -> bool:
        """Approved or published: the only documents that may print without a watermark."""
        return not self.watermark

    @property
    def footer(self) -> str:
        """One line for the page footer and the workbook's footer."""
        if self.published_on:
            return (
                f"已公开 · 审核机关：{self.approving_body} · "
                f"审核通过日期：{_date(self.approved_on)} · 公开日期：{_date(self.published_on)}"
            )
        if not self.watermark:
            return f"审核通过 · 审核机关：{self.approving_body} · 审核通过日期：{_date(self.approved_on)}"
        return f"{self.watermark}（{self.status_label}），不作为正式文件"

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
    )


def weakest(stamps) -> DocumentStamp | None:
    """The stamp of a document made of several (a department report or package): its weakest part."""
    order = {"草稿": 0, "未审核": 1}
    stamps = list(stamps)
    if not stamps:
        return None
    return min(stamps, key=lambda s: (order.get(s.watermark, 2), 0 if not s.published_on else 1))
