"""WCAG 2.1 AA, proven in the browser (issue 13): every page type for every role, scanned by axe-core.

The demo municipality is built once; each demo login signs in through the real form and opens the
pages it may open (the same page list as the plain-Swedish sweep: ids from its own scope), and
axe-core checks one page of each page type for each role against WCAG 2.1 A and AA (a second login
of the same role opens only the page types the first could not: the pages are the same templates
with other rows, and each scan costs a few seconds on the CI machine). A serious or critical violation fails
the test, listed with the page, the role and the element. Every board report is scanned once too
(their charts and tables differ), and the sign-in page before anyone is signed in.

Each page type is also photographed at 1280 and 390 px wide into test-artifacts/screenshots/pages/,
and at 390 px the page must not scroll sideways (WCAG 1.4.10 Reflow, which axe cannot see): a wide
table scrolls inside its own box instead.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from cases.demo import DEMO_PASSWORD, STAFF
from cases.models import Staff
from tests.once import demo_municipality
from tests.platform.pages import HTMX_PARTS, every_report_made, ids_in_scope, page_urls

from .axe import AXE_VERSION, axe_source, blocking, describe, violations
from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE, NARROW = 1280, 390
PHOTOS = SCREENSHOTS / "pages"


def _build_demo() -> list:
    """The demo municipality and one snapshot of every report, committed for the live server."""
    with transaction.atomic():
        demo_municipality()
        snapshots = every_report_made()
        # What the demo queued for a worker (the report builds) is done in-process already, and no
        # worker runs here: nothing is sent, so no message is left for a later test's worker.
        transaction.get_connection().run_on_commit.clear()
    return snapshots


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not sign in"


def _photograph(page, page_type: str) -> list[str]:
    """Screenshots at both widths; what scrolls sideways at the narrow one."""
    PHOTOS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(PHOTOS / f"{page_type}-{WIDE}.png"), full_page=True)
    page.set_viewport_size({"width": NARROW, "height": 844})
    page.screenshot(path=str(PHOTOS / f"{page_type}-{NARROW}.png"), full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": WIDE, "height": 900})
    return [f"{page_type}: {wide} px wide at {NARROW} px"] if wide > NARROW else []


def test_every_page_type_for_every_role_has_no_serious_wcag_violation(browser, live_server):
    started = time.monotonic()
    snapshots = _build_demo()
    built = time.monotonic()
    source = axe_source()
    found, sideways, scanned, photographed, reports_scanned = [], [], [], set(), set()
    opened = set()  # (role, page type)

    def check(page, who: str, page_type: str, url: str) -> None:
        found.extend(describe(f"{who} {url}", blocking(violations(page, source))))
        scanned.append((who, page_type))
        if page_type not in photographed:
            photographed.add(page_type)
            sideways.extend(_photograph(page, page_type))

    context = browser.new_context(viewport={"width": WIDE, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    check(page, "ej inloggad", "login", "/login/")
    assert page.evaluate("axe.version") == AXE_VERSION
    context.close()

    for user in Staff.objects.filter(username__in=[u for u, *_ in STAFF]).order_by("pk"):
        ids = ids_in_scope(user)
        ids["report-snapshot"] = [s.pk for s in snapshots]
        context = browser.new_context(viewport={"width": WIDE, "height": 900}, locale="sv-SE")
        context.set_default_timeout(20_000)
        page = context.new_page()
        _sign_in(page, live_server.url, user.username)
        for page_type, url in page_urls(ids):
            # One page of each type per role; every report once (each has its own charts and tables).
            first_of_type = (user.role, page_type) not in opened
            first_of_report = page_type == "report-snapshot" and url not in reports_scanned
            if page_type in HTMX_PARTS or not (first_of_type or first_of_report):
                continue
            response = page.goto(live_server.url + url)
            if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue  # not this role's page (the authorization tests say which)
            opened.add((user.role, page_type))
            if page_type == "report-snapshot":
                reports_scanned.add(url)
            check(page, user.username, page_type, url)
        context.close()

    print(
        f"\naxe {len(scanned)} pages ({len(photographed)} page types, {len(reports_scanned)} reports) "
        f"in {time.monotonic() - built:.0f} s; demo and reports built in {built - started:.0f} s"
    )
    assert len(reports_scanned) == len(snapshots), "a report no role could open"
    roles = {role for *_, role, _ in STAFF}
    assert len(photographed) > 20 and len({role for role, _ in opened}) == len(roles)
    assert not found, f"{len(found)} serious or critical WCAG 2.1 AA violations:\n" + "\n".join(found)
    assert not sideways, "pages that scroll sideways on a phone:\n" + "\n".join(sideways)
