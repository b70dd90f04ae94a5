"""佐证材料: files a filer attaches to an indicator, a fund line or the whole self-evaluation.

The bytes live in Django's default storage (as stored documents do) under a random name, so a
path can neither be guessed nor reached through MEDIA_URL; only the download view, behind the
row-level gate, serves them. The SHA-256 of the bytes is recorded at upload, so a reviewer (and
the region's export manifest) can tell that the file is the one the filer attached.
"""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from projects.access import scoped_queryset
from projects.models.budget import FundLine, Indicator
from projects.models.evaluation import Evaluation


def evidence_path(instance, filename: str) -> str:
    """`evidence/<evaluation>/<32 random hex>.<ext>`: never the filer's own file name."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{instance.evaluation_id}/{secrets.token_hex(16)}{suffix}"


class EvidenceFile(models.Model):
    """One attached file; on an indicator, on a fund line, or (both empty) on the whole report."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="evidence", verbose_name="自评"
    )
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="指标",
    )
    fund_line = models.ForeignKey(
        FundLine,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="项目资金",
    )
    file = models.FileField("文件", upload_to=evidence_path, max_length=300)
    original_name = models.CharField("文件名", max_length=255)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = scoped_queryset("evaluation__project__unit").as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["evaluation", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(indicator__isnull=True) | Q(fund_line__isnull=True),
                name="evidence_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def slot(self) -> str:
        """Where its block sits on the filing form: `ind12`, `fund3` or `report`."""
        if self.indicator_id:
            return f"ind{self.indicator_id}"
        if self.fund_line_id:
            return f"fund{self.fund_line_id}"
        return "report"

    @property
    def target_label(self) -> str:
        """What the file supports, as the lists and the export manifest name it."""
        if self.indicator_id:
            return f"指标：{self.indicator.name}"
        if self.fund_line_id:
            return f"资金：{self.fund_line.get_source_display()}"
        return "自评整体"
