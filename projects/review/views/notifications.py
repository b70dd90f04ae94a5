"""The user's notifications: the full list and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from projects.models import Notification
from projects.notifications import notifications_mark_read
from projects.review.selectors import notifications_for
from projects.review.views.common import back


@login_required
@require_safe
def notification_list(request):
    """All of the user's own notifications, newest first."""
    context = {"notifications": notifications_for(request.user, limit=200)}
    return render(request, "review/notifications.html", context)


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one of the user's own notifications read; another user's id is a 404."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    return back(request, "home")


@login_required
@require_POST
def notifications_read_all(request):
    """Mark all of the user's notifications read."""
    notifications_mark_read(user=request.user)
    return back(request, "home")
