"""The review queue's table with a checkbox on every row a bulk action can take."""

from __future__ import annotations

from django.utils.html import format_html

from projects.models import EvaluationStatus
from projects.tables import ReviewQueueTable, SelectColumn


class BulkSelectColumn(SelectColumn):
    """Approvable rows as before, plus approved rows the user may publish."""

    def render(self, value, bound_column, record):
        """An enabled box on a publishable row; otherwise what bulk approval allows."""
        if record.status == EvaluationStatus.APPROVED and getattr(record, "publishable", False):
            return format_html(
                '<input type="checkbox" name="ids" value="{}" form="bulk-approve-form" '
                'class="form-check-input bulk-select" aria-label="选择">',
                record.pk,
            )
        return super().render(value, bound_column, record)


class QueueTable(ReviewQueueTable):
    """The queue: the shared table with boxes for bulk approval and bulk publication."""

    select = BulkSelectColumn(
        accessor="pk",
        verbose_name="",
        attrs={
            "th__input": {"id": "select-all", "class": "form-check-input", "aria-label": "全选"}
        },
    )

    class Meta(ReviewQueueTable.Meta):
        pass
