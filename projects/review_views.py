"""Reviewer views."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def queue(request):
    """The reviewer's queue."""
    return render(request, "selfeval/home.html", {})
