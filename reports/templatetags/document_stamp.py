"""The stamp (draft, under review, approved, published) of whatever document a template prints."""

from django import template

from reports.selectors.stamp import stamp_of

register = template.Library()


@register.filter
def stamp(document):
    """A 自评表's own stamp, or the weakest of a report's, summary's or package's parts."""
    return stamp_of(document)
