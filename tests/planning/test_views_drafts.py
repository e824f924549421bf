"""Issue 13, "forms never lose work": a draft plan keeps whatever the coordinator typed, valid or
not; invalid rows come back marked with their errors; only signing needs validity, and its
problems show once, in the error summary at the top."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from planning.models import ImplementationPlan, PlanStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(browser_client, person):
    browser_client.post(reverse("plan_new", args=[person.pk]))
    return ImplementationPlan.objects.get(applicant=person)


def _later(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _post(**extra):
    data = {
        "made_on": timezone.localdate().isoformat(), "long_term_goal": "", "areas_to_maintain": "",
        "areas_to_change": "", "participants": "", "participation_recorded": "", "person_views": "",
        "latest_follow_up_on": "", "follow_up_method": "",
        "subgoals-TOTAL_FORMS": "3", "subgoals-INITIAL_FORMS": "0",
        "activities-TOTAL_FORMS": "2", "activities-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


# What the issue saw lost: a goal, a sub-goal and an activity with one bad date, plus a sub-goal
# without a measure, a sub-goal whose date is before the plan's, and an unreadable follow-up date.
TYPED = {
    "long_term_goal": "Arbete inom vården",
    "latest_follow_up_on": "2026-02-30",
    "subgoals-0-description": "Undersköterskeutbildning", "subgoals-0-measure": "Kurser",
    "subgoals-0-target": "2 kurser", "subgoals-0-target_date": _later(90),
    "subgoals-1-description": "Körkort", "subgoals-1-measure": "", "subgoals-1-target": "B-körkort",
    "subgoals-1-target_date": _later(120),
    "subgoals-2-description": "Svenska", "subgoals-2-measure": "Betyg", "subgoals-2-target": "E",
    "subgoals-2-target_date": "1999-01-01",
    "activities-0-description": "Studiebesök", "activities-0-how": "En dag",
    "activities-0-responsible": "Koordinator", "activities-0-starts_on": "2026-13-45",
    "activities-1-description": "Praktik", "activities-1-starts_on": _later(10), "activities-1-ends_on": _later(5),
}


def test_a_draft_with_invalid_rows_keeps_everything_typed_and_marks_the_errors_after_reload(browser_client, plan):
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), _post(spara="1", **TYPED))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.long_term_goal == "Arbete inom vården" and plan.status == PlanStatus.DRAFT
    # The valid sub-goal is a real row; the invalid ones wait, as typed, in the draft.
    assert list(plan.subgoals.values_list("description", flat=True)) == ["Undersköterskeutbildning"]
    assert plan.activities.count() == 0

    html = browser_client.get(reverse("plan_edit", args=[plan.pk])).content.decode()
    for text in ("Arbete inom vården", "2026-02-30", "Körkort", "B-körkort", "1999-01-01", "Svenska",
                 "Studiebesök", "2026-13-45", "Praktik"):
        assert f'value="{text}"' in html or f"{text}</textarea>" in html, text
    # Each invalid field is marked next to itself ...
    assert "Ange vad som mäts: ett delmål ska vara mätbart." in html
    assert "Måldatumet ligger före planens datum." in html
    assert "Slutdatumet ligger före startdatumet." in html
    assert html.count('aria-invalid="true"') == 5
    # ... and the summary at the top links to each of them.
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary and "Det finns problem" in summary
    for field_id in ("id_latest_follow_up_on", "id_subgoals-1-measure", "id_subgoals-2-target_date",
                     "id_activities-0-starts_on", "id_activities-1-ends_on"):
        assert f'href="#{field_id}"' in summary, field_id


def test_saving_again_after_fixing_the_rows_stores_them_and_clears_the_marks(browser_client, plan):
    browser_client.post(reverse("plan_edit", args=[plan.pk]), _post(spara="1", **TYPED))
    fixed = {**TYPED, "latest_follow_up_on": _later(30), "subgoals-1-measure": "Prov",
             "subgoals-2-target_date": _later(60), "activities-0-starts_on": _later(1),
             "activities-1-ends_on": _later(40)}
    browser_client.post(reverse("plan_edit", args=[plan.pk]), _post(spara="1", **fixed))
    plan.refresh_from_db()
    assert plan.draft_input == {}
    assert plan.latest_follow_up_on.isoformat() == _later(30)
    assert list(plan.subgoals.values_list("description", flat=True)) == ["Undersköterskeutbildning", "Körkort", "Svenska"]
    assert list(plan.activities.values_list("description", flat=True)) == ["Studiebesök", "Praktik"]
    html = browser_client.get(reverse("plan_edit", args=[plan.pk])).content.decode()
    assert "error-summary" not in html and 'aria-invalid="true"' not in html


def test_the_live_save_keeps_invalid_rows_too(browser_client, plan):
    response = browser_client.post(reverse("plan_checklist", args=[plan.pk]), _post(**TYPED))
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.long_term_goal == "Arbete inom vården"
    assert [row["description"] for row in plan.draft_input["subgoals"]] == ["Körkort", "Svenska"]
    assert "4 rader har fel" in response.content.decode() or "har fel" in response.content.decode()


def test_signing_a_draft_with_invalid_rows_is_refused_once_styled_as_an_error(browser_client, plan):
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), _post(faststall="1", **TYPED))
    assert response.status_code == 200
    html = response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert plan.draft_input  # and still nothing typed was lost
    # One summary, styled as an error, never as a success message; each problem once.
    assert html.count('class="error-summary"') == 1
    assert "Planen kan inte fastställas" in html
    assert 'class="messages"' not in html
    assert html.count("Ange vad som mäts: ett delmål ska vara mätbart.") == 2  # summary + by its field


def test_signing_problems_of_a_valid_but_incomplete_plan_show_once(browser_client, plan):
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), _post(
        faststall="1", long_term_goal="Arbete inom vården"))
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "Delmål saknas." in summary
    # Once in the summary; nowhere else as a refusal (the checklist beside says Nej, without the list).
    assert html.count("Delmål saknas.") - html.count('<span class="help">Delmål saknas.</span>') == 1
    assert 'class="messages"' not in html


def test_a_signed_plan_never_holds_typed_but_invalid_input(plan, coordinator):
    from django.db import IntegrityError, transaction

    ImplementationPlan.objects.filter(pk=plan.pk).update(draft_input={"subgoals": [{"position": 0}]})
    with pytest.raises(IntegrityError), transaction.atomic():
        ImplementationPlan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.SIGNED, signed_at=timezone.now(), signed_by=coordinator,
            valid_until=timezone.localdate() + datetime.timedelta(days=180))


def test_a_post_without_the_row_counts_keeps_the_stored_rows(browser_client, plan):
    browser_client.post(reverse("plan_edit", args=[plan.pk]), _post(spara="1", **TYPED))
    data = {k: v for k, v in _post(spara="1", long_term_goal="Annat").items() if "FORMS" not in k}
    response = browser_client.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 200 and "Sidan skickades ofullständig." in response.content.decode()
    plan.refresh_from_db()
    assert plan.long_term_goal == "Arbete inom vården" and plan.subgoals.count() == 1


def test_plan_sign_refuses_input_kept_with_errors_whoever_calls_it(plan, coordinator):
    from django.core.exceptions import ValidationError

    from planning import services

    ImplementationPlan.objects.filter(pk=plan.pk).update(draft_input={"plan": {"latest_follow_up_on": "2026-02-30"}})
    with pytest.raises(ValidationError) as refused:
        services.plan_sign(actor=coordinator, plan=plan)
    assert [e.code for e in refused.value.error_dict["draft_input"]] == ["draft_invalid"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_the_api_update_replaces_what_it_changes_in_the_kept_input(browser_client, plan, coordinator):
    from planning import services

    browser_client.post(reverse("plan_edit", args=[plan.pk]), _post(spara="1", **TYPED))
    plan.refresh_from_db()
    services.plan_update(actor=coordinator, plan=plan, latest_follow_up_on=None, subgoals=[])
    plan.refresh_from_db()
    assert set(plan.draft_input) == {"activities"} and plan.subgoals.count() == 0
