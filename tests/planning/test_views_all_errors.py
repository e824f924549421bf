"""Issue 13: every error of a form at once, next to its field, with a summary at the top linking to
each (GOV.UK's error summary): one save shows every mistake, not one group at a time."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from planning.models import Assessment, FollowUp
from tests.factories.planning import SignedPlanFactory

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> list[str]:
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert summary, "no error summary"
    assert 'role="alert"' in summary.group(0) and "Det finns problem" in summary.group(0)
    return re.findall(r'<a href="#([^"]+)">', summary.group(0))


def test_follow_up_shows_an_unreadable_date_and_the_rules_it_breaks_in_one_save(browser_client, person, coordinator):
    plan = SignedPlanFactory(applicant=person, created_by=coordinator)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = browser_client.post(reverse("follow_up_new", args=[plan.pk]), {
        "followed_up_on": future, "method": "meeting", "follows_plan": "false", "plan_deviation": "",
        "next_follow_up_on": "2026-02-31", "participants": "", "notes": "",
    })
    html = response.content.decode()
    assert "Datumet får inte ligga i framtiden." in html
    assert "Beskriv avvikelsen från planeringen." in html
    assert "Fyll i ett giltigt datum." in html
    assert set(summary_links(html)) == {"id_followed_up_on", "id_plan_deviation", "id_next_follow_up_on"}
    assert html.count('aria-invalid="true"') == 3
    assert FollowUp.objects.count() == 0


def test_follow_up_without_an_answer_links_to_the_first_radio_button(browser_client, person, coordinator):
    plan = SignedPlanFactory(applicant=person, created_by=coordinator)
    response = browser_client.post(reverse("follow_up_new", args=[plan.pk]), {
        "followed_up_on": timezone.localdate().isoformat(), "method": "meeting", "next_follow_up_on": "",
    })
    html = response.content.decode()
    assert summary_links(html) == ["id_follows_plan_0"]
    assert 'id="id_follows_plan_0"' in html


def test_assessment_shows_a_bad_date_and_the_missing_areas_at_once(browser_client, person):
    response = browser_client.post(reverse("assessment_new", args=[person.pk]), {"assessed_on": "igår"})
    html = response.content.decode()
    assert "Fyll i ett giltigt datum." in html
    assert "Kartläggningen måste beskriva minst ett område." in html
    assert summary_links(html) == ["id_assessed_on", "id_work_experience"]
    assert Assessment.objects.count() == 0
