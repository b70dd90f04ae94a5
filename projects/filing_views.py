"""Filer views."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def workspace(request):
    """The filer's list of their unit's evaluations."""
    return render(request, "selfeval/home.html", {})
