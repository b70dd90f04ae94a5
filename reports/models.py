"""Models of the reports app: the background export of a whole region."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.access import scope_for


class ExportJobQuerySet(models.QuerySet):
    """Export jobs a user may see: those of the regions where they are a finance reviewer."""

    def for_user(self, user, action: str = "view"):
        """Narrow to jobs of the user's finance-review regions; superusers see all."""
        scope = scope_for(user)
        if scope.superuser:
            return self.all()
        return self.filter(region__in=scope.region_ids)


class ExportJob(models.Model):
    """One export of a region's year (every 自评表, report and summary) into a zip file."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    region = models.ForeignKey(
        "projects.Region", on_delete=models.CASCADE, related_name="export_jobs", verbose_name="地区"
    )
    year = models.PositiveSmallIntegerField("年度")
    money_unit = models.CharField("金额单位", max_length=4, default="万元")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发起人",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总步数", default=0)
    done = models.PositiveIntegerField("已完成步数", default=0)
    message = models.TextField("进度说明", blank=True)
    file_name = models.CharField("文件", max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    evaluation_count = models.PositiveIntegerField("自评数", default=0)
    task_id = models.CharField("任务编号", max_length=100, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "批量导出"
        verbose_name_plural = "批量导出"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="export_done_lte_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}年度导出 #{self.pk}"

    @property
    def percent(self) -> int:
        """Progress in whole percent, 100 once done."""
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    # A worker picks a queued job within a second or two; past this, say that none is running.
    WORKER_GRACE = datetime.timedelta(seconds=5)

    @property
    def waiting_for_worker(self) -> bool:
        """Still queued well after it was started: no task worker is taking jobs."""
        return (
            self.status == self.Status.QUEUED
            and self.created_at is not None
            and timezone.now() - self.created_at > self.WORKER_GRACE
        )

    @property
    def is_finished(self) -> bool:
        """Done or failed: the page stops polling."""
        return self.status in (self.Status.DONE, self.Status.FAILED)
