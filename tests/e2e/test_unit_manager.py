"""A unit manager in a real browser: draws a control sample, reviews one case, sees the result change."""

import datetime

import pytest
from django.utils import timezone

from audit.control.checklist import QUESTIONS
from audit.control.models import ChecklistAnswer, ControlSample
from tests.factories.cases import CaseFactory

FOLLOW_UP = next(q.text for q in QUESTIONS if q.code == "follow_up_stated")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def test_unit_manager_draws_a_sample_and_reviews_one_case(page, login, live_server, unit_manager):
    today = timezone.localdate()
    for days in (20, 40, 60, 80, 100):
        CaseFactory(unit=unit_manager.unit, opened_on=today - datetime.timedelta(days=days))
    login(page, unit_manager)
    page.goto(f"{live_server.url}/egenkontroll/stickprov/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stickprov")
    expect(page.get_by_text("Inga stickprov ännu.")).to_be_visible()

    # A period that ends before it starts: the service's message shows by the field, nothing drawn.
    page.get_by_label("Period från").fill(today.isoformat())
    page.get_by_label("Period till").fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Antal ärenden").fill("3")
    page.get_by_role("button", name="Dra stickprov").click()
    expect(page.get_by_text("Perioden slutar före sin början.")).to_be_visible()
    assert ControlSample.objects.count() == 0

    page.get_by_label("Period från").fill((today - datetime.timedelta(days=180)).isoformat())
    page.get_by_label("Period till").fill(today.isoformat())
    page.get_by_role("button", name="Dra stickprov").click()
    expect(page.get_by_text("Stickprovet är draget: 3 av 5 ärenden.")).to_be_visible()
    follow_up_row = page.locator('tr[data-fraga="follow_up_stated"]')
    expect(follow_up_row).to_contain_text(FOLLOW_UP)
    expect(follow_up_row.locator("td").first).to_have_text("0 av 3")

    page.get_by_role("link", name="Granska ärende 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Granska ärende 1")
    question = page.get_by_role("group", name=FOLLOW_UP)
    # No plan in these cases: planning's definition answers "no", with the reason shown.
    expect(question).to_contain_text("Förifyllt: nej (Ingen genomförandeplan fanns för personen")
    # Keyboard only: focus the "Ja" radio, select it with the space bar.
    question.get_by_label("Ja").focus()
    page.keyboard.press("Space")
    expect(question.get_by_label("Ja")).to_be_checked()
    question.get_by_label("Kommentar").fill("Uppföljning var fjärde vecka står i planen.")
    page.get_by_role("button", name="Spara granskningen").click()

    expect(page.get_by_text("Granskningen av ärende 1 är sparad.")).to_be_visible()
    expect(follow_up_row.locator("td").first).to_have_text("1 av 3")
    expect(follow_up_row.locator("td").nth(1)).to_have_text("2")  # the other two still say no
    expect(follow_up_row.locator("td").nth(3)).to_have_text("1 av 3")
    expect(page.get_by_role("link", name="Granska ärende 1")).to_be_visible()
    answer = ChecklistAnswer.objects.get(item__position=1, question="follow_up_stated")
    assert (answer.answer, answer.reviewed_by_id) == ("yes", unit_manager.pk)
