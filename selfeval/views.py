"""Site-wide pages: the home page that routes each role to its work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from projects.access import scope_for


@login_required
def home(request):
    """Send each role to its work: filers to their workspace, reviewers to their queue, observers
    (人大, 审计) to the same list of every filing of their region or department, read only."""
    scope = scope_for(request.user)
    if scope.unit_ids:
        return redirect("projects:workspace")
    if scope.department_ids or scope.region_ids or scope.superuser:
        return redirect("review:queue")
    if scope.observed_department_ids or scope.observed_region_ids:
        return redirect("review:queue")
    return render(request, "selfeval/home.html", {"scope": scope})
