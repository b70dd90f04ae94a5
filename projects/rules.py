"""Role predicates (django-rules) for the review pages; rows are still narrowed by `for_user`.

These say who may open a kind of page at all; which rows they see, and whether they may act on one,
is always decided by the row-level gate in projects.access.
"""

import rules

from projects.access import scope_for


@rules.predicate
def is_department_reviewer(user) -> bool:
    """Reviews filings of a department's subtree."""
    scope = scope_for(user)
    return bool(scope.superuser or scope.department_ids)


@rules.predicate
def is_finance_reviewer(user) -> bool:
    """The finance bureau of a region (or a superuser)."""
    scope = scope_for(user)
    return bool(scope.superuser or scope.region_ids)


@rules.predicate
def is_filer(user) -> bool:
    """Files for a unit."""
    return bool(scope_for(user).unit_ids)


is_reviewer = is_department_reviewer | is_finance_reviewer

rules.add_rule("review.use_queue", is_reviewer)
rules.add_rule("review.manage_tasks", is_finance_reviewer)
rules.add_rule("review.spot_check", is_finance_reviewer)
rules.add_rule("review.view_overview", is_finance_reviewer)
