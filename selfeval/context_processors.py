"""Template context shared by every page."""

from projects.access import scope_for


def roles(request) -> dict:
    """Which parts of the navigation the user has work in (the scope is cached per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": {}}
    scope = scope_for(user)
    reviewer = bool(scope.department_ids or scope.region_ids or scope.superuser)
    return {
        "nav_roles": {
            "filer": bool(scope.unit_ids),
            "reviewer": reviewer,
            "region_admin": bool(scope.region_ids or scope.superuser),
            # The region's finance bureau and its observers: the scorecard (绩效考核).
            "region_reader": bool(scope.viewed_region_ids or scope.superuser),
            # 人大, 审计: the same list, read only; a reviewer reaches it through 审核 already.
            "observer": not reviewer
            and bool(scope.observed_department_ids or scope.observed_region_ids),
        }
    }
