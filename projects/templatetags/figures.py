"""Template filters that print figures through the one formatting module (projects.formatting).

Pages load these instead of Django's `floatformat`, which rounds half-even on some values
(84.245 → 84.24) and knows neither 万元 nor the tables' thousands separators. The filters take a
Decimal, an int or the stored result's two-decimal strings ("8.42"); an absent figure prints as
blank, so `|default:"—"` gives the dash a cell shows.

They live under `projects` because the filing and review pages sit below `reports`; the report
templates load the same filters as `report_format`.
"""

from django import template

from projects import formatting

register = template.Library()


@register.filter
def amount(value):
    """12,345.60 — thousands separators, two decimals half-up, blank when absent."""
    return formatting.fmt_amount(formatting.to_decimal(value))


@register.filter
def money(value_yuan, money_unit):
    """An amount stored in 元 as the tables print it in `money_unit`: 57.99, 579,948.00."""
    return formatting.money_text(formatting.to_decimal(value_yuan), money_unit)


@register.filter
def score(value):
    """98.43 — two decimals half-up, blank when absent."""
    return formatting.fmt_score(formatting.to_decimal(value))


@register.filter
def pct(value):
    """84.25% — two decimals half-up and a percent sign, blank when absent."""
    return formatting.fmt_percent(formatting.to_decimal(value))


@register.filter
def weight(value):
    """A weight as printed (10, 10.5), or — for an unscored sub-row."""
    number = formatting.to_decimal(value)
    return "—" if number is None else formatting.plain(number)


@register.filter
def rule_set_name(value, version=None):
    """A rule set in words ("全国通用（2020年）第1版") from an "id@version" key or an id and version."""
    from scoring.services import rule_set_title

    return rule_set_title(value, version)
