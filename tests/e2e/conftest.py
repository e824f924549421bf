"""Browser fixtures: Playwright driving the OS Chromium against pytest-django's live_server.

No browser is ever downloaded: the system Chromium (installed by .ci/run from the OS packages)
is launched by path. Without it the tests skip with a reason, unless REQUIRE_BROWSER=1 (CI),
where a missing browser is a failure. Each test's last page is saved as
test-artifacts/screenshots/<test>.png for the CI log.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (setting up
# rows, checking them) are ordinary synchronous code, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("Chromium finns inte installerat (OS-paketet chromium); webbläsartesterna hoppas över")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements
        _missing("Python-paketet playwright saknas")
    from playwright.sync_api import expect

    # Two test processes share two cores in CI: a page can take longer than expect()'s 5 s default
    # to show what it should (the contexts' own default below is 10 s, the same here).
    expect.set_options(timeout=10_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test (own cookies), 1280 px wide; screenshot at the end.
    Fails the test when the browser refused anything under the Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not refused, refused


@pytest.fixture
def login(live_server):
    """login(page, user) through the real login form."""

    def do(page, user, password="lösenord-för-test"):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Användarnamn").fill(user.username)
        page.get_by_label("Lösenord").fill(password)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_load_state()

    return do
