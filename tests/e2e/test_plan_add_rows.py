"""The plan editor's "Lägg till delmål" / "Lägg till aktivitet" in the browser: keyboard only,
htmx swaps the fieldset (no page reload), what was typed is saved and the new row gets focus."""

import datetime

import pytest
from django.utils import timezone

from planning.models import ImplementationPlan
from tests.factories.cases import CoordinatorAssignmentFactory
from tests.factories.planning import PlanFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_add_rows_with_the_keyboard_saves_and_focuses_the_new_row(page, live_server, login, coordinator, caseworker):
    from playwright.sync_api import expect

    person = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    plan = PlanFactory(applicant=person, created_by=coordinator, made_on=timezone.localdate())
    login(page, coordinator)
    page.goto(f"{live_server.url}/planer/{plan.pk}/redigera/")
    expect(page.get_by_role("heading", name="Delmål 2")).to_be_visible()
    page.evaluate("window.__sammaSida = true")  # gone if the whole page reloads

    first = page.locator(".card", has=page.get_by_role("heading", name="Delmål 1"))
    first.get_by_label("Delmål").fill("Ta truckkort")
    first.get_by_label("Vad som mäts").fill("Truckkort A och B")
    first.get_by_label("Målvärde").fill("Godkänt prov")
    first.get_by_label("Ska vara uppnått").fill((timezone.localdate() + datetime.timedelta(days=90)).isoformat())
    first.get_by_label("Ska vara uppnått").blur()
    # Let the checklist's own save (on change) finish first: SQLite serves one writer at a time.
    expect(page.locator('[data-check="sub_goals"]')).to_have_attribute("data-answer", "yes")
    add = page.get_by_role("button", name="Lägg till delmål")
    add.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Delmål 3")).to_be_visible()
    new_row = page.locator(".card", has=page.get_by_role("heading", name="Delmål 3"))
    expect(new_row.get_by_label("Delmål")).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="Delmål 3 har lagts till.")).to_be_visible()
    expect(first.get_by_label("Delmål")).to_have_value("Ta truckkort")
    assert page.evaluate("window.__sammaSida === true")
    assert list(ImplementationPlan.objects.get(pk=plan.pk).subgoals.values_list("description", flat=True)) == [
        "Ta truckkort"
    ]

    page.get_by_role("button", name="Lägg till aktivitet").click()
    expect(page.get_by_role("heading", name="Aktivitet 3")).to_be_visible()
    expect(page.locator(".card", has=page.get_by_role("heading", name="Aktivitet 3")).get_by_label(
        "Aktivitet", exact=True)).to_be_focused()
    expect(page.get_by_role("heading", name="Delmål 3")).to_be_visible()  # the other fieldset kept its rows
