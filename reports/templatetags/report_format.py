"""The report templates' figure filters: the same library as the pages' `figures`.

`{% load report_format %}` and `{% load figures %}` give the same filters (amount, money, score,
pct, weight), all printing through projects.formatting, so a page and its print cannot differ.
"""

from projects.templatetags.figures import register

__all__ = ["register"]
