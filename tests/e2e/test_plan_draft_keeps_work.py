"""Issue 13 in the browser: a draft with an invalid row is saved as typed; after a reload the row
is there, marked, and the error summary at the top links to the field."""

import datetime
import re

import pytest
from django.utils import timezone

from planning.models import ImplementationPlan
from tests.factories.cases import CoordinatorAssignmentFactory
from tests.factories.planning import PlanFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_invalid_row_survives_a_reload_marked_and_linked_from_the_summary(page, live_server, login, coordinator,
                                                                              caseworker):
    from playwright.sync_api import expect

    person = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    plan = PlanFactory(applicant=person, created_by=coordinator, made_on=timezone.localdate())
    login(page, coordinator)
    url = f"{live_server.url}/planer/{plan.pk}/redigera/"
    page.goto(url)
    page.get_by_label("Långsiktigt mål").fill("Arbete inom vården")
    first = page.locator(".card", has=page.get_by_role("heading", name="Delmål 1"))
    first.get_by_label("Delmål").fill("Körkort")  # no measure, no target: not valid yet
    first.get_by_label("Ska vara uppnått").fill((timezone.localdate() + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Spara utkast").click()

    page.goto(url)  # a fresh load: what is shown comes from what was stored
    expect(page.get_by_label("Långsiktigt mål")).to_have_value("Arbete inom vården")
    expect(first.get_by_label("Delmål")).to_have_value("Körkort")
    expect(first.get_by_label("Vad som mäts")).to_have_attribute("aria-invalid", "true")
    summary = page.get_by_role("alert").filter(has_text="Det finns problem")
    summary.get_by_role("link", name="Delmål 1: Ange vad som mäts: ett delmål ska vara mätbart.").click()
    expect(page).to_have_url(re.compile(r"#id_subgoals-0-measure$"))
    expect(first.get_by_label("Vad som mäts")).to_be_in_viewport()
    assert ImplementationPlan.objects.get(pk=plan.pk).draft_input["subgoals"][0]["description"] == "Körkort"
