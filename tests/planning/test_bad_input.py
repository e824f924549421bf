"""Bad input (issue 4): a 4xx naming the field, and nothing written."""

import datetime

import pytest

from audit.models import ChangeEvent
from planning.models import (
    Assessment,
    BipAnswer,
    BipAssessment,
    FollowUp,
    ImplementationPlan,
    PlanActivity,
    Subgoal,
    SubgoalProgress,
)
from tests.factories.planning import PlanFactory, SignedPlanFactory, SubgoalFactory
from tests.planning.test_api import plan_payload

pytestmark = pytest.mark.django_db

D = datetime.timedelta
MODELS = (ImplementationPlan, Subgoal, PlanActivity, FollowUp, SubgoalProgress, Assessment, BipAssessment, BipAnswer,
          ChangeEvent)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def assert_refused(response, field, status=400):
    assert response.status_code == status, response.json()
    assert field in response.json()["error"]["fields"], response.json()


def test_editing_a_signed_plan(as_coordinator, person):
    plan = SignedPlanFactory(applicant=person)
    SubgoalFactory(plan=plan)
    before = counts()
    r = as_coordinator.patch(f"/api/v1/plans/{plan.pk}/", {"long_term_goal": "Nytt mål"}, format="json")
    assert_refused(r, "status", status=409)
    r = as_coordinator.patch(f"/api/v1/plans/{plan.pk}/", {"subgoals": []}, format="json")
    assert_refused(r, "status", status=409)
    r = as_coordinator.post(f"/api/v1/plans/{plan.pk}/sign/")
    assert_refused(r, "status", status=409)
    plan.refresh_from_db()
    assert plan.long_term_goal != "Nytt mål" and plan.subgoals.count() == 1
    assert counts() == before


@pytest.mark.parametrize(("missing", "field"), [
    ("target", "subgoals[0].target"),
    ("target_date", "subgoals[0].target_date"),
    ("measure", "subgoals[0].measure"),
])
def test_subgoal_without_target_or_date(as_coordinator, person, today, missing, field):
    payload = plan_payload(person, today)
    payload["subgoals"][0].pop(missing)
    before = counts()
    assert_refused(as_coordinator.post("/api/v1/plans/", payload, format="json"), field)
    assert counts() == before


def test_subgoal_without_target_on_draft_update(as_coordinator, coordinator, person):
    draft = PlanFactory(applicant=person, created_by=coordinator)
    SubgoalFactory(plan=draft)
    before = counts()
    r = as_coordinator.patch(f"/api/v1/plans/{draft.pk}/", {
        "long_term_goal": "Ändrat", "subgoals": [{"description": "x", "measure": "y", "target": ""}]}, format="json")
    assert_refused(r, "subgoals[0].target")
    draft.refresh_from_db()
    assert draft.long_term_goal != "Ändrat" and draft.subgoals.count() == 1
    assert counts() == before


def follow_up(plan, **overrides):
    payload = {"plan": plan.pk, "followed_up_on": (plan.made_on + D(days=3)).isoformat(), "method": "meeting",
               "follows_plan": True}
    payload.update(overrides)
    return payload


@pytest.mark.parametrize(("overrides", "field"), [
    ({"followed_up_on": (datetime.date.today() + D(days=2)).isoformat()}, "followed_up_on"),
    ({"followed_up_on": "2000-01-01"}, "followed_up_on"),
    ({"follows_plan": False, "plan_deviation": "   "}, "plan_deviation"),
    ({"follows_plan": False}, "plan_deviation"),
    ({"follows_plan": None}, "follows_plan"),
    ({"next_follow_up_on": "2000-01-01"}, "next_follow_up_on"),
    ({"progress": [{"subgoal": 999999, "status": "achieved"}]}, "progress[0].subgoal"),
])
def test_follow_up_bad_input(as_coordinator, person, today, overrides, field):
    plan = SignedPlanFactory(applicant=person, made_on=today - D(days=20))
    before = counts()
    assert_refused(as_coordinator.post("/api/v1/follow-ups/", follow_up(plan, **overrides), format="json"), field)
    assert counts() == before


def test_follow_up_of_a_draft_or_of_someone_elses_plan(as_coordinator, person, other_person, today):
    draft = PlanFactory(applicant=person, made_on=today - D(days=20))
    theirs = SignedPlanFactory(applicant=other_person, made_on=today - D(days=20))
    before = counts()
    assert_refused(as_coordinator.post("/api/v1/follow-ups/", follow_up(draft), format="json"), "plan")
    assert_refused(as_coordinator.post("/api/v1/follow-ups/", follow_up(theirs), format="json"), "plan")
    assert counts() == before


def test_deviation_text_is_kept_when_not_followed(as_coordinator, person, today):
    plan = SignedPlanFactory(applicant=person, made_on=today - D(days=20))
    r = as_coordinator.post("/api/v1/follow-ups/", follow_up(plan, follows_plan=False, plan_deviation="Uteblev"),
                            format="json")
    assert r.status_code == 201 and r.json()["plan_deviation"] == "Uteblev"


@pytest.mark.parametrize(("payload", "field"), [
    ({"made_on": (datetime.date.today() + D(days=1)).isoformat()}, "made_on"),
    ({"latest_follow_up_on": "2000-01-01"}, "latest_follow_up_on"),
    ({"activities": [{"description": "Praktik", "partners": ["okand"]}]}, "activities[0].partners[0]"),
    ({"activities": [{"description": ""}]}, "activities[0].description"),
])
def test_plan_bad_input(as_coordinator, person, today, payload, field):
    before = counts()
    assert_refused(as_coordinator.post("/api/v1/plans/", plan_payload(person, today, **payload), format="json"), field)
    assert counts() == before


def test_second_draft_for_the_same_person(as_coordinator, person, today):
    PlanFactory(applicant=person)
    before = counts()
    assert_refused(as_coordinator.post("/api/v1/plans/", plan_payload(person, today), format="json"), "applicant",
                   status=409)
    assert counts() == before


@pytest.mark.parametrize(("payload", "field"), [
    ({"answers": {"halsa": 9}}, "answers.halsa"),
    ({"answers": {"okand": 3}}, "answers.okand"),
    ({"answers": {}}, "answers"),
    ({"assessed_on": (datetime.date.today() + D(days=1)).isoformat()}, "assessed_on"),
])
def test_bip_bad_input(as_coordinator, person, today, payload, field):
    before = counts()
    body = {"applicant": person.pk, "assessed_on": today.isoformat(), "answers": {"halsa": 3}, **payload}
    assert_refused(as_coordinator.post("/api/v1/bip-assessments/", body, format="json"), field)
    assert counts() == before


def test_assessment_bad_input(as_coordinator, person, other_person, today):
    before = counts()
    future = (today + D(days=1)).isoformat()
    r = as_coordinator.post("/api/v1/assessments/", {"applicant": person.pk, "assessed_on": future, "language": "x"},
                            format="json")
    assert_refused(r, "assessed_on")
    r = as_coordinator.post("/api/v1/assessments/", {"applicant": other_person.pk, "assessed_on": today.isoformat(),
                                                      "language": "x"}, format="json")
    assert_refused(r, "applicant")
    assert counts() == before


@pytest.mark.parametrize("field", ["long_term_goal", "person_views", "subgoals[0].description",
                                   "activities[0].how"])
def test_a_text_beyond_the_bound_is_refused(as_coordinator, person, today, field):
    """Issue 11: a 1 MB plan text was accepted; free text has a bound (config/limits.py)."""
    from config.limits import TEXT_MAX_LENGTH

    payload = plan_payload(person, today, activities=[{"description": "Praktik", "how": "Två dagar i veckan"}])
    name, _, sub = field.partition(".")
    target = payload[name.split("[")[0]][0] if sub else payload
    target[sub or name] = "x" * (TEXT_MAX_LENGTH + 1)
    before = counts()
    assert_refused(as_coordinator.post("/api/v1/plans/", payload, format="json"), field)
    assert counts() == before
    target[sub or name] = "x" * TEXT_MAX_LENGTH  # at the bound: accepted
    assert as_coordinator.post("/api/v1/plans/", payload, format="json").status_code == 201


def test_a_text_beyond_the_bound_is_refused_by_the_model_too(person, today):
    """Forms and services run full_clean: the model field carries the same bound."""
    from django.core.exceptions import ValidationError

    from config.limits import TEXT_MAX_LENGTH

    plan = PlanFactory(applicant=person)
    plan.long_term_goal = "x" * (TEXT_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "long_term_goal" in error.value.message_dict
