"""Issue 13: the attendance, closing, exemption and referral forms show every error at once,
next to its field, with a summary at the top linking to each."""

import re

import pytest
from django.urls import reverse

from insatser.models import Exemption, ParticipationClosing, WeeklyAttendance
from tests.factories.insatser import ParticipationFactory
from tests.insatser.test_attendance_views import attendance_group, last_monday, post_rows, url

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> list[str]:
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert summary, "no error summary"
    assert 'role="alert"' in summary.group(0) and "Det finns problem" in summary.group(0)
    return re.findall(r'<a href="#([^"]+)">', summary.group(0))


def test_attendance_shows_an_unreadable_number_and_a_rule_broken_on_another_row_at_once(client, insats_staff):
    insats, participations = attendance_group(insats_staff)
    client.force_login(insats_staff)
    response = client.post(url(insats, last_monday()), post_rows(participations, ["abc", "200", "8"]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fyll i ett tal." in html and "mindre än eller lika med 168" in html
    assert html.count('aria-invalid="true"') == 2
    assert summary_links(html) == [f"id_p{participations[0].pk}-attended_hours",
                                   f"id_p{participations[1].pk}-attended_hours"]
    assert WeeklyAttendance.objects.count() == 0


def test_closing_shows_every_missing_part_at_once(client, coordinator, person_of):
    participation = ParticipationFactory(applicant=person_of())
    client.force_login(coordinator)
    response = client.post(reverse("closing_new", args=[participation.pk]),
                           {"reason": "other", "reason_text": "", "end_date": "2001-01-01"})
    html = response.content.decode()
    assert "Beskriv orsaken när den är Annat." in html
    assert "Slutdatumet ligger före deltagandets start." in html
    assert summary_links(html) == ["id_reason_text", "id_end_date"]
    assert ParticipationClosing.objects.count() == 0


def test_exemption_shows_an_unreadable_date_with_the_other_errors(client, coordinator, person_of):
    person = person_of()
    client.force_login(coordinator)
    response = client.post(reverse("exemption_new", args=[person.pk]), {
        "reason": "", "reason_text": "", "valid_from": "2026-01-01", "valid_to": "31/12", "review_on": "",
        "required_hours_per_week": "0",
    })
    html = response.content.decode()
    assert "Fyll i ett giltigt datum." in html and "Avsteget ska motiveras." in html
    assert summary_links(html) == ["id_reason", "id_reason_text", "id_valid_to", "id_review_on"]
    assert Exemption.objects.count() == 0
