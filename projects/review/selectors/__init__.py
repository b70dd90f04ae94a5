"""Reads for review and oversight: the queue, the review page, history, overview, notifications."""

from projects.review.selectors.detail import ReviewPage, money, review_page
from projects.review.selectors.history import (
    DiffRow,
    HistoryEntry,
    evaluation_history,
    filing_diff,
    last_return_step,
    target_corrections,
)
from projects.review.selectors.notifications import NotificationList, notifications_for
from projects.review.selectors.overview import Overview, finance_overview, percent
from projects.review.selectors.queue import (
    APPROVED_STATUSES,
    OPEN_STATUSES,
    SUBMITTED_STATUSES,
    annotate_deadlines,
    awaiting_q,
    is_finance_reviewer,
    is_reviewer,
    publishable_q,
    review_queue,
    review_scope,
)

__all__ = [
    "APPROVED_STATUSES",
    "DiffRow",
    "HistoryEntry",
    "NotificationList",
    "OPEN_STATUSES",
    "Overview",
    "ReviewPage",
    "SUBMITTED_STATUSES",
    "annotate_deadlines",
    "awaiting_q",
    "evaluation_history",
    "filing_diff",
    "finance_overview",
    "is_finance_reviewer",
    "is_reviewer",
    "last_return_step",
    "money",
    "notifications_for",
    "percent",
    "publishable_q",
    "review_page",
    "review_queue",
    "review_scope",
    "target_corrections",
]
