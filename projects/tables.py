"""Sortable tables (django-tables2) of the review pages."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from projects.models import Evaluation, EvaluationStatus

S = EvaluationStatus
STATUS_BADGES = {
    S.DRAFT: "secondary",
    S.SUBMITTED: "primary",
    S.DEPARTMENT_APPROVED: "info",
    S.APPROVED: "success",
    S.PUBLISHED: "dark",
    S.RETURNED: "warning",
}
NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


def status_badge(evaluation: Evaluation) -> str:
    """The status as a coloured badge, the same on every list."""
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_BADGES.get(evaluation.status, "secondary"),
        evaluation.get_status_display(),
    )


class SelectColumn(tables.CheckBoxColumn):
    """A checkbox only on rows the user may approve in bulk: their step, no warning or error."""

    def render(self, value, bound_column, record):
        """Disable the box where bulk approval would be refused, with the reason as a title."""
        if not getattr(record, "awaiting", False):
            return ""
        # `is_scored` is annotated by the queue, which leaves the result's JSON unread.
        if not getattr(record, "is_scored", False) or record.error_count or record.warning_count:
            return format_html(
                '<input type="checkbox" disabled title="{}" aria-label="不可批量通过">',
                "有警告或错误（或尚未评分），需逐项审核",
            )
        return format_html(
            '<input type="checkbox" name="ids" value="{}" form="bulk-approve-form" '
            'class="form-check-input bulk-select" aria-label="选择">',
            record.pk,
        )


class ReviewQueueTable(tables.Table):
    """The review queue: one row per filing, sortable on every figure a reviewer compares."""

    select = SelectColumn(
        accessor="pk",
        verbose_name="",
        attrs={
            "th__input": {"id": "select-all", "class": "form-check-input", "aria-label": "全选"}
        },
    )
    # Every sort ends on the primary key: thousands of drafts share a blank 提交时间 (and many
    # filings a grade or a total), and without a unique last key the database may return such
    # ties in a different order for each page, so a row would show on two pages and another on none.
    year = tables.Column("年度", order_by=("year", "pk"))
    department = tables.Column(
        "主管部门",
        accessor="project__unit__department__name",
        order_by=("project__unit__department__code", "project__unit__department_id", "pk"),
    )
    unit = tables.Column(
        "实施单位", accessor="project__unit__name", order_by=("project__unit__name", "pk")
    )
    project = tables.Column("评价对象", accessor="project__name", order_by=("project__name", "pk"))
    status = tables.Column("状态", order_by=("status", "pk"))
    computed_total = tables.Column("计算总分", attrs=NUM, order_by=("computed_total", "pk"))
    claimed_total = tables.Column("自评总分", attrs=NUM, order_by=("claimed_total", "pk"))
    gap = tables.Column("差异", accessor="pk", orderable=False, attrs=NUM)
    computed_grade = tables.Column("等级", order_by=("computed_grade", "pk"))
    findings = tables.Column(
        "错误/警告", accessor="error_count", order_by=("-error_count", "-warning_count", "pk")
    )
    deadline = tables.Column(
        "截止日期", attrs={"td": {"class": "text-nowrap"}}, order_by=("deadline", "pk")
    )
    submitted_at = tables.Column(
        "提交时间", attrs={"td": {"class": "text-nowrap"}}, order_by=("submitted_at", "pk")
    )

    class Meta:
        model = Evaluation
        fields = ()
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-sm table-hover align-middle small", "id": "review-queue"}
        order_by = ("-submitted_at",)
        empty_text = "没有符合条件的自评。"
        row_attrs = {
            "class": lambda record: "table-danger" if getattr(record, "is_overdue", False) else "",
            "data-evaluation": lambda record: record.pk,
        }

    def render_unit(self, value, record):
        """A department's own unit reads 本级, so the long name is not printed twice."""
        if record.project.unit.is_department:
            return mark_safe('<span class="text-muted">本级</span>')
        return value

    def render_project(self, value, record):
        """Link to the review page."""
        return format_html(
            '<a href="{}">{}</a>', reverse("review:evaluation_detail", args=[record.pk]), value
        )

    def render_status(self, record):
        """A badge, plus 待我审核 on the rows waiting for this user."""
        badge = status_badge(record)
        if getattr(record, "awaiting", False):
            return format_html('{} <span class="badge text-bg-danger">待我审核</span>', badge)
        return badge

    def render_gap(self, record):
        """Claimed minus computed total; a positive gap is what a reviewer questions first."""
        if record.claimed_total is None or record.computed_total is None:
            return "—"
        gap = record.claimed_total - record.computed_total
        css = "text-danger fw-semibold" if gap > 0 else ""
        return format_html('<span class="{}">{}</span>', css, f"{gap:+.2f}" if gap else "0.00")

    def render_findings(self, record):
        """Errors and warnings by count, coloured as on the filing form."""
        return format_html(
            '<span class="finding-error">{}</span> / <span class="finding-warning">{}</span>',
            record.error_count,
            record.warning_count,
        )

    def render_submitted_at(self, value):
        """Month, day and time in the site's time zone (a DateTimeColumn renders a template per
        cell, a tenth of the whole page)."""
        return dateformat.format(timezone.localtime(value), "m-d H:i")

    def render_deadline(self, value, record):
        """The deadline (with the department's extension), marked when overdue."""
        text = f"{value:%Y-%m-%d}"
        if getattr(record, "is_overdue", False):
            return format_html('{} <span class="badge text-bg-danger">逾期</span>', text)
        return text
