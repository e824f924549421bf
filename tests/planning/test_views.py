"""The coordinator's planning pages, through the Django test client: services do the
validating, errors appear by the field in Swedish, nothing is written when refused."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry, ChangeEvent
from planning.models import BipAssessment, BipIndicator, FollowUp, ImplementationPlan, PlanStatus
from tests.factories.planning import SignedPlanFactory, SubgoalFactory

pytestmark = pytest.mark.django_db


def _plan_post(made_on, **extra):
    data = {
        "made_on": made_on.isoformat(), "long_term_goal": "", "areas_to_maintain": "", "areas_to_change": "",
        "participants": "", "participation_recorded": "", "person_views": "", "latest_follow_up_on": "",
        "follow_up_method": "",
        "subgoals-TOTAL_FORMS": "2", "subgoals-INITIAL_FORMS": "0",
        "activities-TOTAL_FORMS": "2", "activities-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_plan_draft_refused_then_signed(browser_client, person):
    response = browser_client.post(reverse("plan_new", args=[person.pk]))
    plan = ImplementationPlan.objects.get(applicant=person)
    assert response.url == reverse("plan_edit", args=[plan.pk])
    today = timezone.localdate()

    # Incomplete: signing is refused, the checklist's reasons are shown, the plan stays a draft.
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]),
                                   _plan_post(today, long_term_goal="Arbete inom vården", faststall="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Planen kan inte fastställas" in html
    assert "Delmål saknas." in html
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.long_term_goal == "Arbete inom vården"

    # The htmx checklist endpoint saves and answers with the checklist only.
    response = browser_client.post(reverse("plan_checklist", args=[plan.pk]), _plan_post(
        today, long_term_goal="Arbete inom vården", participation_recorded="true",
        **{"subgoals-0-description": "Undersköterskeutbildning", "subgoals-0-measure": "Kurser",
           "subgoals-0-target": "2 kurser", "subgoals-0-target_date": (today + datetime.timedelta(days=90)).isoformat()},
    ))
    html = response.content.decode()
    assert 'data-check="sub_goals" data-answer="yes"' in html
    assert 'data-check="activities" data-answer="no"' in html
    assert "<html" not in html

    complete = _plan_post(
        today, long_term_goal="Arbete inom vården", participation_recorded="true", follow_up_method="meeting",
        latest_follow_up_on=(today + datetime.timedelta(days=30)).isoformat(), faststall="1",
        **{"subgoals-0-description": "Undersköterskeutbildning", "subgoals-0-measure": "Kurser",
           "subgoals-0-target": "2 kurser", "subgoals-0-target_date": (today + datetime.timedelta(days=90)).isoformat(),
           "activities-0-description": "Studiebesök", "activities-0-how": "En dag", "activities-0-responsible": "Koordinator"},
    )
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), complete)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SIGNED
    html = browser_client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "Gör en ny version" in html and "Planen kan inte ändras" in html


def test_subgoal_error_is_shown_by_its_row_and_the_row_kept_in_the_draft(browser_client, person):
    browser_client.post(reverse("plan_new", args=[person.pk]))
    plan = ImplementationPlan.objects.get(applicant=person)
    today = timezone.localdate()
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), _plan_post(
        today, long_term_goal="Nytt mål", **{"subgoals-0-description": "Utan mått"}), follow=True)
    html = response.content.decode()
    assert "Ange vad som mäts: ett delmål ska vara mätbart." in html and 'value="Utan mått"' in html
    plan.refresh_from_db()
    # Issue 13: the draft keeps what was typed; the invalid row waits in it, not among the plan's rows.
    assert plan.long_term_goal == "Nytt mål" and plan.subgoals.count() == 0
    assert plan.draft_input["subgoals"][0]["description"] == "Utan mått"


def test_without_the_licensed_bip_instrument_the_form_says_what_is_missing(browser_client, person, coordinator):
    plan = SignedPlanFactory(applicant=person, created_by=coordinator)
    page = browser_client.get(reverse("follow_up_new", args=[plan.pk])).content.decode()
    assert "kommunen har inte lagt in det licensierade BIP-instrumentet" in page
    assert "10 av 11 indikatorer saknar bekräftad benämning" in page
    assert "BIP-indikatorer" not in page and "latshållare" not in page


def test_follow_up_with_bip_and_change_since_last_time(browser_client, person, coordinator):
    BipIndicator.objects.update(is_confirmed=True)  # the municipality has loaded its licensed instrument
    plan = SignedPlanFactory(applicant=person, created_by=coordinator)
    subgoal = SubgoalFactory(plan=plan)
    url = reverse("follow_up_new", args=[plan.pk])
    page = browser_client.get(url).content.decode()
    assert "BIP-indikatorer" in page and "Ingen tidigare skattning." in page
    today = timezone.localdate()
    base = {"followed_up_on": today.isoformat(), "method": "meeting", "participants": "", "notes": "",
            "next_follow_up_on": "", f"progress_{subgoal.pk}": "in_progress"}

    # Not following the plan without saying how: refused, nothing written (not the BIP either).
    response = browser_client.post(url, {**base, "follows_plan": "false", "plan_deviation": "", "bip_halsa": "2"})
    assert "Beskriv avvikelsen från planeringen." in response.content.decode()
    assert FollowUp.objects.count() == 0 and BipAssessment.objects.count() == 0


def test_pages_are_logged_and_outsiders_get_404(browser_client, person, client, coordinator, staff_factory):
    browser_client.get(reverse("person", args=[person.pk]))
    entry = AccessLogEntry.objects.filter(person_id=person.pk, object_type="cases.applicant").latest("pk")
    assert entry.channel == "ui" and entry.actor_id == coordinator.pk
    other = staff_factory(role="coordinator", unit=coordinator.unit, username="annan")
    client.force_login(other)
    assert client.get(reverse("person", args=[person.pk])).status_code == 404


def _rows(html: str, prefix: str) -> int:
    return int(re.search(rf'name="{prefix}-TOTAL_FORMS" value="(\d+)"', html).group(1))


def test_editor_has_accessible_add_row_buttons_posting_through_htmx(browser_client, person):
    browser_client.post(reverse("plan_new", args=[person.pk]))
    plan = ImplementationPlan.objects.get(applicant=person)
    html = browser_client.get(reverse("plan_edit", args=[plan.pk])).content.decode()
    url = reverse("plan_edit", args=[plan.pk])
    for value, label, target in (("delmal", "Lägg till delmål", "#delmal"), ("aktivitet", "Lägg till aktivitet", "#aktiviteter")):
        # A real submit button (keyboard, no script needed) that htmx turns into a partial update.
        assert (f'<button type="submit" name="lagg_till" value="{value}" class="secondary"\n'
                f'        hx-post="{url}" hx-target="{target}" hx-select="{target}"') in html
        assert f">{label}</button>" in html
    assert 'id="delmal"' in html and 'id="aktiviteter"' in html


@pytest.mark.parametrize(("value", "prefix", "other"), [("delmal", "subgoals", "activities"),
                                                        ("aktivitet", "activities", "subgoals")])
def test_add_row_saves_the_draft_through_the_service_and_shows_one_more_blank_row(
    browser_client, person, coordinator, value, prefix, other
):
    browser_client.post(reverse("plan_new", args=[person.pk]))
    plan = ImplementationPlan.objects.get(applicant=person)
    today = timezone.localdate()
    events = ChangeEvent.objects.filter(action="plan.update").count()
    goal_date = (today + datetime.timedelta(days=90)).isoformat()
    filled = {"subgoals-0-description": "Truckkort", "subgoals-0-measure": "Kort", "subgoals-0-target": "A+B",
              "subgoals-0-target_date": goal_date,
              "subgoals-1-description": "Svenska B", "subgoals-1-measure": "Betyg", "subgoals-1-target": "E",
              "subgoals-1-target_date": goal_date,
              "activities-0-description": "Studiebesök", "activities-0-how": "En dag",
              "activities-1-description": "Praktik", "activities-1-how": "Fyra veckor"}
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), _plan_post(
        today, long_term_goal="Arbete som truckförare", lagg_till=value, **filled), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html, prefix) == 3 and _rows(html, other) == 2
    assert f'name="{prefix}-2-description"' in html and f'name="{other}-2-description"' not in html
    new_field = re.search(rf'<input[^>]*name="{prefix}-2-description"[^>]*>', html).group(0)
    assert "autofocus" in new_field and 'value=' not in new_field
    assert 'value="Svenska B"' in html and 'value="Praktik"' in html  # what was typed stays
    assert 'role="status"' in html
    # Saved through plan_update (audited), blank rows not stored.
    plan.refresh_from_db()
    assert plan.long_term_goal == "Arbete som truckförare"
    assert list(plan.subgoals.values_list("description", flat=True).order_by("pk")) == ["Truckkort", "Svenska B"]
    assert plan.activities.count() == 2
    assert ChangeEvent.objects.filter(action="plan.update").count() == events + 1


def test_add_row_with_an_invalid_row_keeps_it_and_shows_the_error(browser_client, person):
    browser_client.post(reverse("plan_new", args=[person.pk]))
    plan = ImplementationPlan.objects.get(applicant=person)
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), _plan_post(
        timezone.localdate(), long_term_goal="Nytt mål", lagg_till="delmal", **{"subgoals-0-description": "Utan mått"}))
    html = response.content.decode()
    assert response.status_code == 200 and _rows(html, "subgoals") == 3
    assert "Ange vad som mäts: ett delmål ska vara mätbart." in html
    plan.refresh_from_db()
    assert plan.long_term_goal == "Nytt mål" and plan.subgoals.count() == 0
    assert [row["description"] for row in plan.draft_input["subgoals"]] == ["Utan mått"]


def test_unknown_add_value_is_an_ordinary_save(browser_client, person):
    browser_client.post(reverse("plan_new", args=[person.pk]))
    plan = ImplementationPlan.objects.get(applicant=person)
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), _plan_post(
        timezone.localdate(), long_term_goal="Mål", lagg_till="annat",
        **{"subgoals-0-description": "Truckkort", "subgoals-0-measure": "Kort", "subgoals-0-target": "A+B",
           "subgoals-0-target_date": (timezone.localdate() + datetime.timedelta(days=90)).isoformat()}))
    # Saved like the plain "Spara" button: back to the editor, the draft stored, no blank row added.
    assert response.status_code == 302 and response.url == reverse("plan_edit", args=[plan.pk])
    plan.refresh_from_db()
    assert (plan.status, plan.long_term_goal) == (PlanStatus.DRAFT, "Mål")
    assert list(plan.subgoals.values_list("description", flat=True)) == ["Truckkort"]
    assert ChangeEvent.objects.filter(action="plan.update", object_id=str(plan.pk)).count() == 1
    html = browser_client.get(response.url).content.decode()
    assert "Utkastet är sparat." in html and _rows(html, "subgoals") == 2
