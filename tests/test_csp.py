"""Content-Security-Policy: pages say that only the app's own scripts may run, and no served page
needs anything else — no inline <script> and no on*= handler attribute, which the policy would
block and which an attacker's injected markup would otherwise be able to use."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parts = (d.split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


class _InlineScriptFinder(HTMLParser):
    """Collects every <script> without src and every on*= attribute of a page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> 无 src")
        for name, _ in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=…>")


def test_login_page_allows_only_own_scripts(client):
    response = client.get(reverse("login"))
    directives = _directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    # No CDN: nothing outside the app may serve script, and inline script stays blocked.
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]


def test_htmx_partial_carries_the_policy_too(client, personas):
    """A reviewer's page answer, whether full or an htmx fragment, is covered."""
    client.force_login(personas.frank)
    response = client.get(reverse("review:queue"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _directives(response)["script-src"] == ["'self'"]


def _pages(personas):
    project = f.ProjectFactory(unit=personas.unit_a)
    evaluation = f.EvaluationFactory(project=project)
    f.FundLineFactory(project=project)
    f.IndicatorFactory(project=project)
    anonymous = [reverse("login"), reverse("publication_index")]
    return {
        None: anonymous,
        personas.alice: [
            reverse("home"),
            reverse("projects:workspace"),
            reverse("projects:evaluation_edit", args=[evaluation.pk]),
            reverse("projects:upload"),
            reverse("reports:index"),
            reverse("reports:evaluation_table", args=[evaluation.pk]),
            reverse("reports:evaluation_report", args=[evaluation.pk]),
        ],
        personas.dora: [
            reverse("review:queue"),
            reverse("review:evaluation_detail", args=[evaluation.pk]),
        ],
        personas.frank: [
            reverse("review:queue"),
            reverse("review:evaluation_detail", args=[evaluation.pk]),
            reverse("review:task_list"),
            reverse("review:spot_check_list"),
            reverse("review:overview"),
            reverse("review:notification_list"),
            reverse("reports:index"),
            reverse("reports:region_export"),
        ],
    }


def test_served_pages_have_no_inline_script_or_handler_attribute(client, personas):
    problems = []
    checked = 0
    for user, urls in _pages(personas).items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (user, url, response.status_code)
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            finder = _InlineScriptFinder()
            finder.feed(response.content.decode("utf-8"))
            problems += [f"{user} {url}: {item}" for item in finder.found]
            checked += 1
    assert checked >= 15
    assert problems == []
