"""End-to-end fixtures: Debian's Chromium driven by Playwright against Django's live server.

Browser downloads are impossible here, so Playwright launches the system binary. Screenshots go to
artifacts/e2e/ and are kept by CI as test artifacts.
"""

import os
import shutil
from pathlib import Path

import pytest

from projects.models import Membership
from tests import factories as f

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"找不到 Chromium：{CHROMIUM}（apt-get install chromium）")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page at 1366×768, the resolution of a typical office screen.

    It answers 确定 to every confirmation (提交审核, 审核通过…), as a user going through the flow
    does; tests/e2e/test_confirm.py checks the questions and the answer 取消.
    """
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a named screenshot of the current page under artifacts/e2e/<test>/."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, live_server, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def watch_csp(page) -> list[str]:
    """Collect what the browser refuses under the Content-Security-Policy, on every page loaded.

    Both channels: Chromium's console message ("…violates the following Content Security Policy
    directive…") and the page's securitypolicyviolation events, reported back through a binding.
    """
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.expose_function("__cspViolation", lambda text: refused.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " window.__cspViolation(e.violatedDirective + ' ' + (e.blockedURI || 'inline')); });"
    )
    return refused


@pytest.fixture
def review_people(transactional_db):
    """Seed 001's 相山区 office and its service centre, with a filer of the centre, the office's
    department reviewer and the region's finance bureau: (centre, users by name)."""
    region = f.RegionFactory(name="淮北市相山区", code="340603")
    department = f.DepartmentFactory(region=region, name="淮北市相山区人民政府办公室", code="001")
    f.UnitFactory(department=department, name=department.name, code="001000", is_department=True)
    centre = f.UnitFactory(department=department, name="相山区创优营商环境服务中心", code="001001")
    users = {}
    for name, role, scope in (
        ("ys_filer", Membership.Role.FILER, {"unit": centre}),
        ("xs_gov_reviewer", Membership.Role.DEPARTMENT_REVIEWER, {"department": department}),
        ("xs_finance", Membership.Role.FINANCE_REVIEWER, {"region": region}),
    ):
        users[name] = f.UserFactory(username=name)
        f.membership(users[name], role, **scope)
    return centre, users
