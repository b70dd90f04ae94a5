"""Site-wide pages: the home page that routes each role to its work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.access import scope_for


@login_required
def home(request):
    """Show each role where its work is: filers their unit, reviewers their queue."""
    scope = scope_for(request.user)
    return render(request, "selfeval/home.html", {"scope": scope})
