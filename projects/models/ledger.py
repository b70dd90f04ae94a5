"""The hash-chained history: one entry per recorded workflow step or decision, linked per region.

Each entry keeps the canonical content of the row it records (the payload hashed), the hash of
that content, and the hash of the region's previous entry, so a step changed or removed outside
the application no longer matches its entry, and an entry changed breaks every later link.
"""

from django.db import models

from projects.models.org import Region

GENESIS = "0" * 64


class HistoryEntry(models.Model):
    """One link of a region's chain: which row it records, its content and the two hashes."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="地区"
    )
    sequence = models.PositiveBigIntegerField("序号")
    # The recorded row's kind (projects.ledger.CHAINED key) and id; no foreign key, so a deleted
    # row leaves its entry behind to be reported instead of taking it along.
    kind = models.CharField("类别", max_length=40)
    object_id = models.PositiveBigIntegerField("记录编号")
    content = models.JSONField("登记内容", default=dict)
    content_hash = models.CharField("内容哈希", max_length=64)
    previous_hash = models.CharField("前一记录哈希", max_length=64)
    entry_hash = models.CharField("本记录哈希", max_length=64)

    class Meta:
        verbose_name = "留痕链记录"
        verbose_name_plural = "留痕链记录"
        ordering = ["region", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["region", "sequence"], name="one_entry_per_sequence")
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="history_entry_row")]

    def __str__(self) -> str:
        return f"{self.region_id}#{self.sequence} {self.kind} {self.entry_hash[:12]}"

    @property
    def short_hash(self) -> str:
        """The first twelve hex digits, as pages show it (the full hash in a title)."""
        return self.entry_hash[:12]
