"""In-app notifications and their e-mail copies: who hears of a submission, return or approval.

Notifications are rows the home pages show; the e-mail copy goes out through Django's mail
settings (the console backend by default) only after the transaction commits, so a rolled-back
transition never mails anyone, and a mail server that is down never blocks a transition.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction

from projects.models import Department, Evaluation, Membership, Notification, Region, Unit

logger = logging.getLogger(__name__)
Kind = Notification.Kind
SUBJECT_PREFIX = "【绩效自评】"


def filers_of(unit: Unit):
    """The active filers of one unit: they hear of returns, approvals and deadlines."""
    return _members(role=Membership.Role.FILER, unit=unit)


def filers_of_units(unit_ids: Iterable[int]):
    """The active filers of several units, for task and deadline notices."""
    return _members(role=Membership.Role.FILER, unit_id__in=list(unit_ids))


def department_reviewers_of(department: Department):
    """The department's reviewers: they hear of submissions awaiting department review."""
    return _members(role=Membership.Role.DEPARTMENT_REVIEWER, department=department)


def finance_reviewers_of(region: Region):
    """The region's finance reviewers: they hear of filings awaiting finance review."""
    return _members(role=Membership.Role.FINANCE_REVIEWER, region=region)


def _members(**membership_filter):
    user_ids = Membership.objects.filter(**membership_filter).values("user_id")
    # An API client's service account holds roles to act, not to be told (projects.interchange).
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True, api_client__isnull=True)
        .distinct()
    )


def notify(
    *,
    recipients: Iterable,
    kind: str,
    message: str,
    evaluation: Evaluation | None = None,
    monitoring_report=None,
    target_declaration=None,
    exclude=None,
) -> list[Notification]:
    """Create one notification per recipient and queue its e-mail copy for after the commit."""
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        users.append(user)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=u,
                kind=kind,
                evaluation=evaluation,
                monitoring_report=monitoring_report,
                target_declaration=target_declaration,
                message=message,
            )
            for u in users
        ]
    )
    addresses = [u.email for u in users if u.email]
    if addresses:
        subject = f"{SUBJECT_PREFIX}{Notification.Kind(kind).label}"
        transaction.on_commit(lambda: _send(subject, message, addresses))
    return rows


def _send(subject: str, message: str, addresses: list[str]) -> None:
    # One message per address so recipients do not see each other's addresses.
    messages = [(subject, message, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses]
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the notification row exists; a mail outage must not break the workflow
        logger.exception("通知邮件发送失败：%s", subject)


def notifications_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when no ids are given)."""
    from django.utils import timezone

    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())
