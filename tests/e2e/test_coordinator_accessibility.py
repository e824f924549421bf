"""Keyboard use, visible focus and tablet width on the coordinator's pages, in the browser."""

import pytest

from tests.factories.cases import CoordinatorAssignmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_keyboard_only_and_tablet_width(page, live_server, login, coordinator, caseworker):
    from playwright.sync_api import expect

    person = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    page.set_viewport_size({"width": 768, "height": 1024})
    login(page, coordinator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina personer")

    # The first Tab reaches the skip link, which is then visible and outlined.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    assert skip.bounding_box()["x"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Tab on to the person's link and open it with Enter: no mouse needed.
    link = page.get_by_role("link", name=f"{person.last_name}, {person.first_name}")
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{person.first_name} {person.last_name}")

    # Landmarks, and headings in order (no level skipped); nothing wider than a tablet.
    assert page.locator("header").count() == 1 and page.locator("main").count() == 1
    assert page.get_by_role("navigation", name="Huvudmeny").count() == 1
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
