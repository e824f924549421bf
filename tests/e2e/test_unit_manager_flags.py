"""A unit manager handles a flag in the browser: htmx swaps the panel, errors show by the fields."""

import datetime

import pytest
from django.utils import timezone

from audit.control.models import CorrectiveAction, FlagStatus
from cases.models import Role
from tests.factories.audit import FlagFactory
from tests.factories.cases import ApplicantFactory, StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def test_unit_manager_acknowledges_a_flag_and_plans_an_action(page, login, live_server, unit_manager):
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit, first_name="Kim", last_name="Lund")
    flag = FlagFactory(responsible=caseworker, person=ApplicantFactory(first_name="Nora", last_name="Ek"))
    login(page, unit_manager)
    page.goto(f"{live_server.url}/egenkontroll/flaggor/")
    page.get_by_role("link", name=flag.rule.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(flag.rule.title)
    expect(page.get_by_text("Nora Ek")).to_be_visible()

    page.get_by_role("button", name="Kvittera").click()
    expect(page.locator("#flagga").get_by_role("status")).to_have_text("Flaggan är kvitterad.")
    expect(page.locator("#flagga")).to_contain_text("Kvitterad")

    # No description, no owner: the service's messages show next to the fields, nothing is saved.
    page.get_by_role("button", name="Spara åtgärden").click()
    expect(page.get_by_text("Beskriv åtgärden.")).to_be_visible()
    expect(page.get_by_text("Ange vem som äger åtgärden.")).to_be_visible()
    assert CorrectiveAction.objects.count() == 0

    due = timezone.localdate() + datetime.timedelta(days=10)
    page.get_by_label("Vad ska göras?").fill("Gå igenom planen med handläggaren.")
    page.get_by_label("Ansvarig").select_option(label="Kim Lund")
    page.get_by_label("Klar senast").fill(due.isoformat())
    page.get_by_role("button", name="Spara åtgärden").click()
    expect(page.get_by_role("heading", name="Gå igenom planen med handläggaren.")).to_be_visible()
    expect(page.locator("#flagga")).to_contain_text("Åtgärd planerad")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACTION_PLANNED
