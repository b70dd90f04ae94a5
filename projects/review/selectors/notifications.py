"""Notifications for a user's home page: the latest messages, unread first, with their links."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.urls import NoReverseMatch, reverse

from projects.access import scope_for
from projects.models import Notification

Kind = Notification.Kind
LIMIT = 8


@dataclass(frozen=True)
class NotificationItem:
    """One notification as the partial renders it."""

    pk: int
    kind: str
    kind_label: str
    message: str
    created_at: datetime.datetime
    url: str
    is_read: bool


@dataclass(frozen=True)
class NotificationList:
    """The latest notifications and how many are unread."""

    items: list[NotificationItem]
    unread_count: int


def _filing_url(evaluation_id: int | None) -> str:
    # The filing form may not be installed yet; the workspace always is.
    if evaluation_id is not None:
        try:
            return reverse("projects:evaluation_edit", args=[evaluation_id])
        except NoReverseMatch:
            pass
    return reverse("projects:workspace")


def _url(notification: Notification, is_filer: bool) -> str:
    """Reviewers go to the review page; filers to the form they must act on."""
    if notification.monitoring_report_id is not None:
        if notification.kind == Kind.SUBMITTED or not is_filer:
            return reverse("monitoring:report_review", args=[notification.monitoring_report_id])
        return reverse("monitoring:report_edit", args=[notification.monitoring_report_id])
    if notification.target_declaration_id is not None:
        if notification.kind == Kind.SUBMITTED or not is_filer:
            return reverse("targets:declaration_review", args=[notification.target_declaration_id])
        return reverse("targets:declaration_edit", args=[notification.target_declaration_id])
    if notification.evaluation_id is None:
        return reverse("projects:workspace") if is_filer else reverse("review:queue")
    if notification.kind == Kind.SUBMITTED or not is_filer:
        return reverse("review:evaluation_detail", args=[notification.evaluation_id])
    return _filing_url(notification.evaluation_id)


def notifications_for(user, limit: int = LIMIT) -> NotificationList:
    """The user's latest notifications (unread first) and the unread count, in two queries."""
    if not getattr(user, "is_authenticated", False):
        return NotificationList([], 0)
    mine = Notification.objects.filter(recipient=user)
    unread = mine.filter(read_at__isnull=True).count()
    is_filer = bool(scope_for(user).unit_ids)
    rows = mine.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")[:limit]
    items = [
        NotificationItem(
            pk=n.pk,
            kind=n.kind,
            kind_label=n.get_kind_display(),
            message=n.message,
            created_at=n.created_at,
            url=_url(n, is_filer),
            is_read=n.read_at is not None,
        )
        for n in rows
    ]
    return NotificationList(items, unread)
