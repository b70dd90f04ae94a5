"""Template tags of 佐证材料: the page's evidence groups, looked up once per evaluation."""

from django import template

from projects.evidence import checks
from projects.evidence.selectors import evidence_groups

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_of(context, evaluation):
    """The evaluation's files grouped, as the signed-in reader may see them."""
    return evidence_groups(evaluation, context["request"].user)


@register.filter
def of_indicator(groups, indicator_id):
    """The files on one indicator."""
    return groups.of_indicator(indicator_id) if groups is not None else []


@register.filter
def asks_evidence(comments) -> bool:
    """True when a reviewer's comment on the row asks for 佐证材料."""
    return any(getattr(c, "needs_evidence", False) for c in comments or ())


@register.filter
def file_size(size) -> str:
    """Bytes as people read them: 512 B, 12.3 KB, 4.5 MB."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@register.simple_tag
def evidence_limits() -> str:
    """支持 PDF、JPG … 格式，单个文件不超过 20 MB。"""
    return checks.limits_text()


@register.simple_tag
def evidence_accept() -> str:
    """The file input's accept attribute."""
    return checks.accept_attribute()
