"""Filters for the error pages: show users only what was written for them."""

import re

from django import template
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()

# The app's own messages are Chinese; Django's (class names, "No Evaluation matches the given
# query.", the resolver's dictionary) are English and meant for developers.
_CJK = re.compile(r"[\u4e00-\u9fff]")


@register.filter
def user_message(exception) -> str:
    """The exception's message if it was written for users (has Chinese in it), else ''."""
    text = str(exception or "")
    return text if _CJK.search(text) else ""


@register.simple_tag(takes_context=True)
def back_url(context) -> str:
    """The referring page if it is on this site, so 返回上一页 works without script; else ''."""
    request = context.get("request")
    if request is None:
        return ""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""
