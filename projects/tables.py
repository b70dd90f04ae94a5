"""Sortable tables (django-tables2) of the review pages."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import F
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


class NullsLastColumn(tables.Column):
    """Sorts on one annotation with blanks (subjects not yet started) last in both directions,
    the same on SQLite (blanks first by default) and PostgreSQL (blanks last ascending)."""

    def __init__(self, *args, sort_field: str, **kwargs):
        self.sort_field = sort_field
        super().__init__(*args, **kwargs)

    def order(self, queryset, is_descending):
        """Order by the annotation, then the primary key so ties keep one order."""
        field = F(self.sort_field)
        field = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(field, "-pk" if is_descending else "pk"), True


def _evaluation(record):
    """The year's evaluation the workspace selector attached to a subject, or None."""
    return record.ws.evaluation


class WorkspaceTable(tables.Table):
    """The filer's workspace: one row per subject of the year, sortable on what a filer compares.

    Rows are subjects (`Project`) annotated by the selector with their evaluation's status, total
    and update time (`ev_*`), so every sort runs in the database; the deadline and the evaluation
    itself are attached as `record.ws` after ordering.
    """

    select = tables.Column(
        "",
        accessor="pk",
        orderable=False,
        attrs={"th": {"class": "text-center"}},
    )
    project = tables.Column(
        "评价对象", accessor="name", order_by=("name", "pk"), attrs={"td": {"class": "ws-project"}}
    )
    kind = tables.Column("类型", orderable=False)
    unit = tables.Column("实施单位", accessor="unit__name", order_by=("unit__name", "pk"))
    year = tables.Column("年度", order_by=("year", "pk"))
    status = NullsLastColumn("状态", accessor="pk", sort_field="ev_status")
    deadline = tables.Column(
        "截止日期", accessor="pk", orderable=False, attrs={"td": {"class": "text-nowrap"}}
    )
    days_left = tables.Column("剩余天数", accessor="pk", orderable=False, attrs=NUM)
    score = NullsLastColumn("得分", accessor="pk", sort_field="ev_total", attrs=NUM)
    grade = tables.Column("等级", accessor="pk", orderable=False)
    errors = tables.Column("错误", accessor="pk", orderable=False, attrs=NUM)
    warnings = tables.Column("警告", accessor="pk", orderable=False, attrs=NUM)
    infos = tables.Column("提示", accessor="pk", orderable=False, attrs=NUM)
    updated = NullsLastColumn(
        "更新时间",
        accessor="pk",
        sort_field="ev_updated",
        attrs={"td": {"class": "text-nowrap"}},
    )
    action = tables.Column("", accessor="pk", orderable=False, attrs={"td": {"class": "text-end"}})

    class Meta:
        fields = ()
        template_name = "django_tables2/bootstrap5.html"
        attrs = {
            "class": "table table-sm table-hover align-middle workspace-table",
            "id": "workspace-table",
            "thead": {"class": "table-light"},
        }
        empty_text = "没有符合条件的评价对象。"
        row_attrs = {"data-project": lambda record: record.pk}

    def render_select(self, record):
        """A box on drafts and returned filings, the ones a bulk submit can take."""
        evaluation = _evaluation(record)
        if evaluation is None or not evaluation.is_editable:
            return ""
        return format_html(
            '<input type="checkbox" name="ids" value="{}" form="bulk-submit-form" '
            'class="form-check-input bulk-select" aria-label="选择“{}”">',
            evaluation.pk,
            record.name,
        )

    def render_project(self, value, record):
        """The name, linked to the form once the filing is opened."""
        evaluation = _evaluation(record)
        if evaluation is None:
            return value
        return format_html(
            '<a href="{}">{}</a>', reverse("projects:evaluation_edit", args=[evaluation.pk]), value
        )

    def render_kind(self, record):
        """项目支出 or 部门整体支出."""
        return record.get_kind_display()

    def render_year(self, value):
        """2023年度."""
        return f"{value}年度"

    def render_status(self, record):
        """The filing's status badge, or 未开始."""
        evaluation = _evaluation(record)
        if evaluation is None:
            return mark_safe('<span class="badge text-bg-light">未开始</span>')
        return format_html(
            '<span class="badge status-{}">{}</span>',
            evaluation.status,
            evaluation.get_status_display(),
        )

    def render_deadline(self, record):
        """The deadline of the region's task, with the department's extension."""
        deadline = record.ws.deadline
        return f"{deadline:%Y-%m-%d}" if deadline else "—"

    def render_days_left(self, record):
        """Days to the deadline; overdue in red, the last week in bold."""
        row = record.ws
        if row.days_left is None:
            return "—"
        if row.days_left < 0:
            return format_html('<span class="text-danger">已逾期 {} 天</span>', row.overdue_days)
        if row.days_left <= 7:
            return format_html(
                '<span class="text-warning-emphasis fw-bold">{} 天</span>', row.days_left
            )
        return f"{row.days_left} 天"

    def render_score(self, record):
        """The computed total, two decimals."""
        evaluation = _evaluation(record)
        if evaluation is None or evaluation.computed_total is None:
            return "—"
        return f"{evaluation.computed_total:.2f}"

    def render_grade(self, record):
        """优 / 良 / 中 / 差."""
        evaluation = _evaluation(record)
        return (evaluation.computed_grade if evaluation else "") or "—"

    def render_errors(self, record):
        """Errors block submission: bold red when there are any."""
        evaluation = _evaluation(record)
        if evaluation is None:
            return "—"
        if evaluation.error_count:
            return format_html(
                '<span class="text-danger fw-bold">{}</span>', evaluation.error_count
            )
        return "0"

    def render_warnings(self, record):
        """Count of warnings."""
        evaluation = _evaluation(record)
        return "—" if evaluation is None else str(evaluation.warning_count)

    def render_infos(self, record):
        """Count of hints."""
        evaluation = _evaluation(record)
        return "—" if evaluation is None else str(evaluation.info_count)

    def render_updated(self, record):
        """When the filing last changed, in the site's time zone."""
        evaluation = _evaluation(record)
        if evaluation is None:
            return "—"
        return dateformat.format(timezone.localtime(evaluation.updated_at), "m-d H:i")

    def render_action(self, record):
        """填报 / 查看, or a button that opens the year's filing."""
        evaluation = _evaluation(record)
        if evaluation is None:
            return format_html(
                '<form method="post" action="{}" class="d-inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button class="btn btn-sm btn-outline-primary">开始填报</button></form>',
                reverse("projects:evaluation_start", args=[record.pk]),
                self.csrf_token,
            )
        editable = evaluation.is_editable
        return format_html(
            '<a class="btn btn-sm {}" href="{}">{}</a>',
            "btn-primary" if editable else "btn-outline-secondary",
            reverse("projects:evaluation_edit", args=[evaluation.pk]),
            "填报" if editable else "查看",
        )
