"""Template filters that print report figures exactly as the forms do."""

from django import template

from projects import formatting

register = template.Library()


@register.filter
def amount(value):
    """12,345.60 — thousands separators, two decimals, blank when absent."""
    return formatting.fmt_amount(value)


@register.filter
def score(value):
    """98.43 — two decimals, blank when absent."""
    return formatting.fmt_score(value)


@register.filter
def pct(value):
    """84.26% — two decimals and a percent sign, blank when absent."""
    return formatting.fmt_percent(value)


@register.filter
def weight(value):
    """A weight as printed (10, 10.5), or — for an unscored sub-row."""
    return "—" if value is None else formatting.plain(value)
