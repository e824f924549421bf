"""The planning API: the coordinator's flow, scope, access log, fixed query counts."""

import datetime

import pytest

from audit.models import AccessLogEntry, ChangeEvent
from cases.models import Role
from planning.models import BipInstrument, FollowUp, ImplementationPlan, PlanStatus
from planning.norms import add_months
from tests.factories.cases import StaffFactory
from tests.factories.planning import PlanActivityFactory, SignedPlanFactory, SubgoalFactory

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def plan_payload(person, today, **overrides):
    made_on = today - D(days=5)
    payload = {
        "applicant": person.pk,
        "made_on": made_on.isoformat(),
        "areas_to_maintain": "Boendet",
        "areas_to_change": "Språk och arbetslivserfarenhet",
        "long_term_goal": "Självförsörjning genom arbete inom vården.",
        "participants": "Den enskilde, koordinator, AF-handläggare",
        "participation_recorded": True,
        "person_views": "Vill bli undersköterska.",
        "latest_follow_up_on": (made_on + D(days=30)).isoformat(),
        "follow_up_method": "meeting",
        "subgoals": [
            {"description": "Klara sfi D", "measure": "Sfi-kurs", "target": "Kurs D godkänd",
             "target_date": (made_on + D(days=90)).isoformat()},
        ],
        "activities": [
            {"description": "Språkpraktik", "how": "Tre dagar i veckan", "responsible": "Koordinator",
             "partners": ["arbetsformedlingen"], "subgoal_index": 0},
        ],
    }
    payload.update(overrides)
    return payload


def test_coordinator_drafts_signs_follows_up_and_versions(as_coordinator, person, today):
    r = as_coordinator.post("/api/v1/assessments/", {"applicant": person.pk, "assessed_on": today.isoformat(),
                                                      "language": "Sfi C", "health": "Ryggbesvär enligt personen"},
                            format="json")
    assert r.status_code == 201, r.json()
    r = as_coordinator.post("/api/v1/plans/", plan_payload(person, today, assessment=r.json()["id"]), format="json")
    assert r.status_code == 201, r.json()
    plan = r.json()
    assert plan["status"] == "draft" and plan["version"] == 1
    assert plan["quality"]["missing_for_signing"] == []
    assert plan["activities"][0]["subgoal"] == plan["subgoals"][0]["id"]

    r = as_coordinator.post(f"/api/v1/plans/{plan['id']}/sign/")
    assert r.status_code == 200, r.json()
    made_on = datetime.date.fromisoformat(plan["made_on"])
    assert r.json()["status"] == "signed"
    assert r.json()["valid_to"] == add_months(made_on, 6).isoformat()
    # Webhooks: the signing wrote its event (ids only) in the same transaction.
    from audit.models import OutboxEvent

    assert list(OutboxEvent.objects.values_list("event_type", "subject_type", "subject_id")) == [
        ("plan.signed", "plan", plan["id"])]
    r = as_coordinator.post("/api/v1/follow-ups/", {
        "plan": plan["id"], "followed_up_on": today.isoformat(), "method": "phone", "follows_plan": True,
        "participants": "Den enskilde", "progress": [{"subgoal": plan["subgoals"][0]["id"], "status": "in_progress"}],
    }, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["next_follow_up_on"] == add_months(today, 1).isoformat()
    progress = [{k: v for k, v in row.items() if k != "updated_at"} for row in r.json()["progress"]]  # every row has its version
    assert progress == [{"subgoal": plan["subgoals"][0]["id"], "status": "in_progress", "comment": ""}]

    r = as_coordinator.post(f"/api/v1/plans/{plan['id']}/new-version/", {}, format="json")
    assert r.status_code == 201, r.json()
    v2 = r.json()
    assert (v2["version"], v2["supersedes"], v2["status"]) == (2, plan["id"], "draft")
    assert v2["long_term_goal"] == plan["long_term_goal"] and len(v2["subgoals"]) == 1
    old = as_coordinator.get(f"/api/v1/plans/{plan['id']}/").json()
    assert old["status"] == "signed" and old["superseded_by"] == v2["id"]


def test_signing_refused_lists_what_is_missing(as_coordinator, person, today):
    r = as_coordinator.post("/api/v1/plans/", plan_payload(
        person, today, subgoals=[], latest_follow_up_on=None,
        activities=[{"description": "Praktik", "responsible": ""}]), format="json")
    assert r.status_code == 201
    plan_id = r.json()["id"]
    assert set(r.json()["quality"]["missing_for_signing"]) == {"sub_goals", "follow_up_date", "responsible_named"}
    events = ChangeEvent.objects.count()
    r = as_coordinator.post(f"/api/v1/plans/{plan_id}/sign/")
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"subgoals", "latest_follow_up_on", "activities.responsible"}
    assert ImplementationPlan.objects.get(pk=plan_id).status == PlanStatus.DRAFT
    assert ChangeEvent.objects.count() == events


def test_required_checkpoints_are_configuration(as_coordinator, person, today, settings):
    settings.PLANNING_NORMS = {"required_checkpoints": ["long_term_goal"], "plan_validity_months": 12}
    r = as_coordinator.post("/api/v1/plans/", plan_payload(person, today, subgoals=[], activities=[]), format="json")
    r = as_coordinator.post(f"/api/v1/plans/{r.json()['id']}/sign/")
    assert r.status_code == 200, r.json()
    made_on = datetime.date.fromisoformat(r.json()["made_on"])
    assert r.json()["valid_to"] == made_on.replace(year=made_on.year + 1).isoformat()


def test_coordinator_sees_only_assigned_persons(as_coordinator, person, other_person):
    mine, theirs = SignedPlanFactory(applicant=person), SignedPlanFactory(applicant=other_person)
    ids = [p["id"] for p in as_coordinator.get("/api/v1/plans/").json()["results"]]
    assert ids == [mine.pk]
    assert as_coordinator.get(f"/api/v1/plans/{theirs.pk}/").status_code == 404
    r = as_coordinator.post("/api/v1/plans/", plan_payload(other_person, datetime.date.today()), format="json")
    assert r.status_code == 400 and "applicant" in r.json()["error"]["fields"]
    assert ImplementationPlan.objects.count() == 2


def test_caseworker_and_unit_manager_read_in_scope_but_do_not_write(api_as, caseworker, person, other_person):
    mine = SignedPlanFactory(applicant=person)
    SignedPlanFactory(applicant=other_person)
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=caseworker.unit)
    for user in (caseworker, manager):
        ids = [p["id"] for p in api_as(user).get("/api/v1/plans/").json()["results"]]
        assert ids == [mine.pk]
    r = api_as(caseworker).post(f"/api/v1/plans/{mine.pk}/new-version/", {}, format="json")
    assert r.status_code == 403
    board = StaffFactory(role=Role.BOARD, unit=None)
    assert api_as(board).get("/api/v1/plans/").status_code == 403


def test_reads_are_access_logged(as_coordinator, person):
    plan = SignedPlanFactory(applicant=person)
    as_coordinator.get("/api/v1/plans/")
    as_coordinator.get(f"/api/v1/plans/{plan.pk}/quality/")
    rows = AccessLogEntry.objects.filter(object_type="planning.implementationplan", person_id=person.pk)
    assert set(rows.values_list("action", flat=True)) == {"list", "read"}


def _plans_with_children(person, n):
    plans = []
    for i in range(n):
        plan = SignedPlanFactory(applicant=person, version=i + 1)
        SubgoalFactory(plan=plan)
        PlanActivityFactory(plan=plan)
        plans.append(plan)
    return plans


def test_plan_list_runs_a_fixed_number_of_queries(as_coordinator, person, django_assert_max_num_queries):
    _plans_with_children(person, 2)
    with django_assert_max_num_queries(8) as few:
        assert len(as_coordinator.get("/api/v1/plans/").json()["results"]) == 2
    for i in range(3, 12):
        plan = SignedPlanFactory(applicant=person, version=i)
        SubgoalFactory(plan=plan)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(as_coordinator.get("/api/v1/plans/").json()["results"]) == 11


def test_bip_assessment_shows_change_since_previous(as_coordinator, person, today):
    instrument = BipInstrument.objects.get(code="bip-standard")
    assert instrument.indicators.count() == 11
    assert instrument.indicators.filter(is_confirmed=True).get().name == "Handläggarens tro på att individen får jobb"
    assert all(i.name.startswith("[Platshållare]") for i in instrument.indicators.filter(is_confirmed=False))
    first = {"handlaggarens-tro": 2, "halsa": 3}
    r = as_coordinator.post("/api/v1/bip-assessments/", {"applicant": person.pk, "answers": first,
                                                          "assessed_on": (today - D(days=90)).isoformat()},
                            format="json")
    assert r.status_code == 201, r.json()
    assert {a["indicator"]: a["change"] for a in r.json()["answers"]} == {"handlaggarens-tro": None, "halsa": None}
    r = as_coordinator.post("/api/v1/bip-assessments/", {"applicant": person.pk, "assessed_on": today.isoformat(),
                                                          "answers": {"handlaggarens-tro": 4, "halsa": 3,
                                                                      "natverk": 2}}, format="json")
    assert r.status_code == 201, r.json()
    assert {a["indicator"]: (a["previous_value"], a["change"]) for a in r.json()["answers"]} == {
        "handlaggarens-tro": (2, 2), "halsa": (3, 0), "natverk": (None, None)}


def test_planning_timeline_in_date_order(as_coordinator, person, other_person, django_assert_max_num_queries):
    plan = SignedPlanFactory(applicant=person, made_on=datetime.date(2025, 1, 10))
    FollowUp.objects.create(plan=plan, followed_up_on=datetime.date(2025, 2, 10), method="meeting",
                            follows_plan=False, plan_deviation="Uteblev", next_follow_up_on=datetime.date(2025, 3, 10),
                            recorded_by=plan.created_by)
    with django_assert_max_num_queries(12):
        r = as_coordinator.get(f"/api/v1/applicants/{person.pk}/planning-timeline/")
    assert [(e["date"], e["kind"]) for e in r.json()] == [("2025-01-10", "plan"), ("2025-02-10", "follow_up")]
    assert as_coordinator.get(f"/api/v1/applicants/{other_person.pk}/planning-timeline/").status_code == 404
    assert AccessLogEntry.objects.filter(object_type="planning.timeline", person_id=person.pk).exists()
