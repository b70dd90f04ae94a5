"""Role predicates (django-rules) for the review pages; rows are still narrowed by `for_user`.

These say who may open a kind of page at all; which rows they see, and whether they may act on one,
is always decided by the row-level gate in projects.access. Reading and acting are separate rules
because the observers (人大, 审计) read the reviewers' pages of their scope and act on nothing.
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


@rules.predicate
def is_observer(user) -> bool:
    """Reads a department's or a region's filings (人大, 审计) without acting on them."""
    scope = scope_for(user)
    return bool(scope.observed_department_ids or scope.observed_region_ids)


@rules.predicate
def is_region_observer(user) -> bool:
    """Observes a whole region, so may read the region-wide pages (overview, tasks, spot checks)."""
    return bool(scope_for(user).observed_region_ids)


@rules.predicate
def is_observer_only(user) -> bool:
    """Reads somewhere and acts nowhere: every write is refused before it is looked at."""
    return scope_for(user).is_observer_only


@rules.predicate
def can_publish_evaluation(user, evaluation) -> bool:
    """The finance bureau of the filing's region publishes it; so does the reviewer of its own
    department (主管部门) when the region lets departments publish (`Region.department_publishes`).

    The evaluation must come with `project__unit__department__region` loaded or loadable; the
    filing's status is the workflow's business, not this rule's.
    """
    if evaluation is None:
        return False
    scope = scope_for(user)
    department = evaluation.project.unit.department
    if scope.superuser or department.region_id in scope.region_ids:
        return True
    return department.pk in scope.department_ids and department.region.department_publishes


is_reviewer = is_department_reviewer | is_finance_reviewer
# Who may open the reviewers' read pages: the queue, a filing's review page and its history.
is_reader = is_reviewer | is_observer
# Who may open the region-wide read pages: the overview, the tasks, the spot-check results.
is_region_reader = is_finance_reviewer | is_region_observer

rules.add_rule("review.use_queue", is_reviewer)
rules.add_rule("review.read_queue", is_reader)
rules.add_rule("review.manage_tasks", is_finance_reviewer)
rules.add_rule("review.spot_check", is_finance_reviewer)
rules.add_rule("review.view_overview", is_region_reader)
rules.add_rule("review.read_region", is_region_reader)
rules.add_rule("review.publish_evaluation", can_publish_evaluation)
