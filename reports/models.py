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
    # Written with every step: a running job whose heartbeat stops was left by a dead worker.
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
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

    # One step (a department's package) is bounded; a heartbeat older than this means the worker
    # running the job is gone (killed, restarted, out of memory).
    STALE_AFTER = datetime.timedelta(minutes=10)

    @property
    def is_stale(self) -> bool:
        """Marked running, but its worker stopped reporting long ago."""
        beat = self.heartbeat_at or self.created_at
        return (
            self.status == self.Status.RUNNING
            and beat is not None
            and timezone.now() - beat > self.STALE_AFTER
        )

    @property
    def can_resume(self) -> bool:
        """A failed job starts again where it stopped: what it rendered is kept in storage."""
        return self.status == self.Status.FAILED

    @property
    def is_finished(self) -> bool:
        """Done or failed: the page stops polling."""
        return self.status in (self.Status.DONE, self.Status.FAILED)


class StoredDocumentQuerySet(models.QuerySet):
    """Stored documents by what they are about."""

    def of_evaluation(self, evaluation_id: int):
        """The documents rendered from one evaluation alone (its 自评表 and 自评报告)."""
        return self.filter(evaluation_id=evaluation_id)

    def of_department(self, department_id: int, year: int):
        """The documents of a department's year (package, summary, department report)."""
        return self.filter(department_id=department_id, year=year)


class StoredDocument(models.Model):
    """A rendered document kept as a file, so a download serves bytes instead of rendering them.

    One row per slot (what the document is: `evaluation/12/table.pdf`,
    `department/3/2023/public/package.pdf` …) holds the current rendering. The file is stored
    through Django's storage API under the SHA-256 of its bytes, which is also its ETag, so a
    changed document gets a new name (caches can never serve the old one under the new tag) and
    an unchanged rendering is not written twice. `source` is the digest of what it was rendered
    from (the members' ids, versions and states): a download compares it with the database to
    know whether the file is still the document.
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", "公开（仅含已公开自评）"
        INTERNAL = "internal", "内部（全部自评）"

    slot = models.CharField("文档位置", max_length=200, unique=True)
    evaluation = models.ForeignKey(
        "projects.Evaluation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stored_documents",
        verbose_name="自评",
    )
    department = models.ForeignKey(
        "projects.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stored_documents",
        verbose_name="部门",
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    audience = models.CharField(
        "读者", max_length=10, choices=Audience.choices, default=Audience.INTERNAL
    )
    members = models.JSONField("所含自评", default=list)
    source = models.CharField("来源摘要", max_length=64)
    file = models.FileField("文件", upload_to="documents/", max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小", default=0)
    pages = models.PositiveIntegerField("页数", null=True, blank=True)
    content_type = models.CharField("类型", max_length=100)
    filename = models.CharField("下载文件名", max_length=300)
    rendered_at = models.DateTimeField("生成时间", auto_now=True)

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "已生成文档"
        verbose_name_plural = "已生成文档"
        indexes = [models.Index(fields=["department", "year"], name="stored_doc_department_year")]

    def __str__(self) -> str:
        return self.slot

    @property
    def etag(self) -> str:
        """The strong validator: the bytes' hash, quoted as HTTP wants it."""
        return f'"{self.sha256}"'


class SignOff(models.Model):
    """The sign-off of one stored final document: the SHA-256 of the exact bytes kept and the
    verification code printed on them, with the step (approval or publication) they sign.

    A row outlives the stored document it signs (a reopen deletes the document; a new approval
    stores another): the public verification page must still answer for a copy printed years
    ago, and say when a newer version has taken its place.
    """

    class Step(models.TextChoices):
        APPROVAL = "approval", "审核通过"
        PUBLICATION = "publication", "公开"

    code = models.CharField("验证码", max_length=14, unique=True)
    document = models.ForeignKey(
        StoredDocument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signoffs",
        verbose_name="文档",
    )
    slot = models.CharField("文档位置", max_length=200, db_index=True)
    evaluation = models.ForeignKey(
        "projects.Evaluation",
        on_delete=models.CASCADE,
        related_name="signoffs",
        verbose_name="自评",
    )
    kind = models.CharField("文档类型", max_length=20)
    fmt = models.CharField("格式", max_length=10)
    money_unit = models.CharField("金额单位", max_length=4)
    title = models.CharField("标题", max_length=300)
    step = models.CharField("签发环节", max_length=12, choices=Step.choices)
    # The approval this copy belongs to: a reopen and a new approval change it, which is how a
    # copy of the earlier approval knows it has been replaced.
    approved_at = models.DateTimeField("审核通过时间")
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小", default=0)
    signed_at = models.DateTimeField("签发时间", auto_now_add=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="取代它的版本",
    )
    superseded_at = models.DateTimeField("被取代时间", null=True, blank=True)

    class Meta:
        verbose_name = "文件签发记录"
        verbose_name_plural = "文件签发记录"
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.slot}"
