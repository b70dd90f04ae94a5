"""Template context shared by every page."""

from projects.access import scope_for


def roles(request) -> dict:
    """Which parts of the navigation the user has work in (the scope is cached per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": {}}
    scope = scope_for(user)
    return {
        "nav_roles": {
            "filer": bool(scope.unit_ids),
            "reviewer": bool(scope.department_ids or scope.region_ids or scope.superuser),
            "region_admin": bool(scope.region_ids or scope.superuser),
        }
    }
