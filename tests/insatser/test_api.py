"""The insatser API: scoping, access log, bad input naming the field, fixed query counts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry, ChangeEvent
from cases.models import Role
from insatser import services
from insatser.models import Exemption, Participation, ParticipationClosing, Referral
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.insatser import (
    ExemptionFactory,
    InsatsDecisionFactory,
    InsatsFactory,
    ParticipationFactory,
    WeeklyAttendanceFactory,
)
from tests.factories.planning import FollowUpFactory, SignedPlanFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _counts():
    return (Referral.objects.count(), Participation.objects.count(), ParticipationClosing.objects.count(),
            Exemption.objects.count(), ChangeEvent.objects.count())


def _error_fields(response):
    return set(response.json()["error"].get("fields", {}))


def test_coordinator_sees_only_their_persons(api_as, coordinator, planned):
    mine = ParticipationFactory(applicant=planned)
    ParticipationFactory()  # someone else's person
    response = api_as(coordinator).get("/api/v1/participations/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert AccessLogEntry.objects.filter(object_type="insatser.participation", person_id=planned.pk, action="list").exists()


def test_insats_staff_see_only_participations_at_their_unit(api_as, insats_staff, planned):
    here = ParticipationFactory(applicant=planned, insats=InsatsFactory(provider_unit=insats_staff.unit))
    elsewhere = ParticipationFactory(applicant=planned, insats=InsatsFactory(provider_unit=UnitFactory(code="parketten")))
    client = api_as(insats_staff)
    assert [r["id"] for r in client.get("/api/v1/participations/").json()["results"]] == [here.pk]
    assert client.get(f"/api/v1/participations/{elsewhere.pk}/").status_code == 404
    # Insats staff never see decisions, exemptions or the timeline.
    assert client.get("/api/v1/exemptions/").status_code == 403
    assert client.get(f"/api/v1/applicants/{planned.pk}/timeline/").status_code == 403


def test_participation_list_has_a_fixed_number_of_queries(api_as, coordinator, person_of, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            p = ParticipationFactory(applicant=person_of())
            services.participation_extend(actor=coordinator, participation=p, special_reason="Särskilda skäl.",
                                          new_end=p.decision_period_end + datetime.timedelta(days=30))
    client = api_as(coordinator)
    add(2)
    with django_assert_max_num_queries(8) as small:
        assert len(client.get("/api/v1/participations/").json()["results"]) == 2
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/v1/participations/").json()["results"]) == 10


def test_referral_and_start_through_the_api(api_as, coordinator, insats_staff, planned):
    insats = InsatsFactory(provider_unit=insats_staff.unit, capacity=1)
    response = api_as(coordinator).post("/api/v1/referrals/", {"applicant": planned.pk, "insats": insats.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "referred"
    started = api_as(insats_staff).post(
        f"/api/v1/referrals/{response.json()['id']}/start/",
        {"started_on": today().isoformat(), "hours_monday": "8", "hours_tuesday": "8"}, format="json",
    )
    assert started.status_code == 201, started.json()
    assert started.json()["weekly_hours"] == "16.00"


def test_referral_without_current_plan_names_the_field(api_as, coordinator, person_of):
    person = person_of()
    before = _counts()
    response = api_as(coordinator).post("/api/v1/referrals/", {"applicant": person.pk, "insats": InsatsFactory().pk},
                                        format="json")
    assert response.status_code == 400
    assert _error_fields(response) == {"plan"}
    assert _counts() == before


def test_closing_by_the_wrong_role_names_the_field(api_as, coordinator, caseworker, insats_staff, planned):
    participation = ParticipationFactory(applicant=planned, insats=InsatsFactory(provider_unit=insats_staff.unit))
    body = {"reason": "work", "ended_on": today().isoformat()}
    for wrong in (caseworker, insats_staff):
        before = _counts()
        response = api_as(wrong).post(f"/api/v1/participations/{participation.pk}/closing/", body, format="json")
        assert response.status_code == 403
        assert _error_fields(response) == {"proposed_by"}
        assert _counts() == before
    proposed = api_as(coordinator).post(f"/api/v1/participations/{participation.pk}/closing/", body, format="json")
    assert proposed.status_code == 201
    closing_id = proposed.json()["id"]
    assert [c["id"] for c in api_as(caseworker).get("/api/v1/closings/").json()["results"]] == [closing_id]
    assert [c["waiting_for"] for c in api_as(coordinator).get("/api/v1/closings/").json()["results"]] == ["caseworker"]
    before = _counts()
    wrong = api_as(coordinator).post(f"/api/v1/closings/{closing_id}/confirm/")
    assert (wrong.status_code, _error_fields(wrong), _counts()) == (403, {"confirmed_by"}, before)
    confirmed = api_as(caseworker).post(f"/api/v1/closings/{closing_id}/confirm/")
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["closing_reason"]) == ("closed", "work")
    assert api_as(caseworker).get("/api/v1/closings/").json()["results"] == []


def test_exemption_without_end_date_names_the_field(api_as, caseworker, planned):
    before = _counts()
    response = api_as(caseworker).post("/api/v1/exemptions/", {
        "applicant": planned.pk, "reason": "sickness", "reason_text": "Läkarintyg", "valid_from": today().isoformat(),
        "review_on": today().isoformat(),
    }, format="json")
    assert response.status_code == 400
    assert _error_fields(response) == {"valid_to"}
    assert _counts() == before


def test_extension_without_reason_names_the_field(api_as, coordinator, planned):
    participation = ParticipationFactory(applicant=planned)
    before = _counts()
    response = api_as(coordinator).post(f"/api/v1/participations/{participation.pk}/extend/", {
        "decision_period_to": (participation.decision_period_end + datetime.timedelta(days=60)).isoformat(), "special_reason": ""
    }, format="json")
    assert (response.status_code, _error_fields(response), _counts()) == (400, {"special_reason"}, before)


def test_full_time_endpoint_scoped_and_logged(api_as, coordinator, planned, person_of, labour_market_barrier):
    monday = today() - datetime.timedelta(days=today().weekday() + 7)
    participation = ParticipationFactory(applicant=planned, start_date=monday - datetime.timedelta(days=14))
    WeeklyAttendanceFactory(participation=participation, week_start=monday, attended_hours=Decimal(36))
    response = api_as(coordinator).get(f"/api/v1/full-time/?week={(monday + datetime.timedelta(days=3)).isoformat()}")
    assert response.status_code == 200
    assert response.json() == [{
        "applicant": planned.pk, "name": planned.full_name, "birth_date": planned.birth_date.isoformat(),
        "legal_gender": planned.legal_gender, "scheduled_hours": "40.00", "attended_hours": "36.00",
        "norm_hours": "40.00", "is_scheduled_full_time": True, "is_attended_full_time": False,
        "exemption": None, "exemption_reason": None, "exemption_review_on": None,
    }]
    assert AccessLogEntry.objects.filter(object_type="insatser.full_time", person_id=planned.pk).count() == 1
    assert api_as(coordinator).get("/api/v1/full-time/?week=inte-ett-datum").json()["error"]["fields"].keys() == {"week"}


def _history(applicant, caseworker):
    plan = applicant.plans.get()
    FollowUpFactory(plan=plan, followed_up_on=plan.made_on + datetime.timedelta(days=20))
    InsatsDecisionFactory(case=applicant.coordinator_assignments.get().case, applicant=applicant, decided_by=caseworker,
                          decided_on=plan.made_on + datetime.timedelta(days=2))
    ParticipationFactory(applicant=applicant, start_date=plan.made_on + datetime.timedelta(days=5))
    ExemptionFactory(applicant=applicant, valid_from=plan.made_on + datetime.timedelta(days=25), decided_by=caseworker)


def test_timeline_in_date_order_in_fixed_queries(api_as, caseworker, coordinator, planned, django_assert_max_num_queries):
    _history(planned, caseworker)
    client = api_as(coordinator)
    with django_assert_max_num_queries(12) as small:
        events = client.get(f"/api/v1/applicants/{planned.pk}/timeline/").json()
    kinds = [e["kind"] for e in events]
    assert kinds == ["plan", "insats_decision", "referral", "participation_start", "follow_up", "exemption"]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    for _ in range(3):
        _history_more = ParticipationFactory(applicant=planned, start_date=today() - datetime.timedelta(days=3),
                                             **{f"hours_{d}": Decimal(1) for d in ("monday", "tuesday")})
        services.closing_propose(actor=coordinator, participation=_history_more, reason="other",
                                 reason_text="Byter insats.", end_date=today())
    with django_assert_max_num_queries(len(small.captured_queries)):
        more = client.get(f"/api/v1/applicants/{planned.pk}/timeline/").json()
    assert len(more) == len(events) + 3 * 3
    assert AccessLogEntry.objects.filter(object_type="insatser.timeline", person_id=planned.pk).exists()


def test_timeline_of_a_person_outside_scope_is_404(api_as, planned):
    other = StaffFactory(role=Role.COORDINATOR, unit=UnitFactory(code="koordinator"))
    assert api_as(other).get(f"/api/v1/applicants/{planned.pk}/timeline/").status_code == 404


def test_schema_lists_the_insatser_endpoints(api_as, caseworker):
    schema = api_as(caseworker).get("/api/schema/?format=json").json()
    for path in ("/api/v1/insatser/", "/api/v1/referrals/{id}/start/", "/api/v1/participations/{id}/closing/",
                 "/api/v1/closings/{id}/confirm/", "/api/v1/exemptions/", "/api/v1/full-time/",
                 "/api/v1/applicants/{id}/timeline/", "/api/v1/insats-decisions/{id}/end/"):
        assert path in schema["paths"], path


def test_queue_shows_who_waited_too_long_and_whether_they_have_a_temporary_activity(
    api_as, coordinator, person_of, labour_market_barrier
):
    full = InsatsFactory(capacity=1)
    ParticipationFactory(insats=full)
    temporary = InsatsFactory(insats_type="temporary")
    waiting = []
    for days, with_temporary in ((20, False), (16, True), (3, False)):
        person = person_of(labour_market_barrier)
        SignedPlanFactory(applicant=person, made_on=today() - datetime.timedelta(days=60))
        waiting.append(services.referral_create(actor=coordinator, applicant=person, insats=full,
                                                referred_on=today() - datetime.timedelta(days=days)))
        if with_temporary:
            ParticipationFactory(applicant=person, insats=temporary, start_date=today() - datetime.timedelta(days=days))
    rows = api_as(coordinator).get(f"/api/v1/insatser/{full.pk}/queue/").json()
    assert [(r["queue_position"], r["waited_days"], r["needs_temporary_activity"], r["has_temporary_activity"])
            for r in rows] == [(1, 20, True, False), (2, 16, True, True), (3, 3, False, False)]


def test_only_caseworkers_decide_insatser(api_as, caseworker, coordinator, planned):
    case = planned.coordinator_assignments.get().case
    body = {"case": case.pk, "applicant": planned.pk, "kind": "praktik", "reasoning": "Behöver praktik.",
            "decided_on": today().isoformat(), "valid_from": today().isoformat()}
    denied = api_as(coordinator).post("/api/v1/insats-decisions/", body, format="json")
    assert denied.status_code == 403
    made = api_as(caseworker).post("/api/v1/insats-decisions/", body, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["valid_to"], made.json()["legal_basis"]) == (None, "SoL (2025:400) 12 kap. 4 §")
    ended = api_as(caseworker).post(f"/api/v1/insats-decisions/{made.json()['id']}/end/", {
        "ended_on": today().isoformat(), "end_decided_on": today().isoformat(), "end_reasoning": "Fått arbete."
    }, format="json")
    assert (ended.status_code, ended.json()["ended_on"]) == (200, today().isoformat())
    assert [d["id"] for d in api_as(coordinator).get("/api/v1/insats-decisions/").json()["results"]] == [made.json()["id"]]


def test_insats_staff_report_attendance(api_as, insats_staff, planned):
    participation = ParticipationFactory(applicant=planned, insats=InsatsFactory(provider_unit=insats_staff.unit),
                                         start_date=today() - datetime.timedelta(days=21))
    monday = today() - datetime.timedelta(days=today().weekday() + 7)
    response = api_as(insats_staff).post(f"/api/v1/participations/{participation.pk}/attendance/",
                                         {"week_start": monday.isoformat(), "attended_hours": "31.5"}, format="json")
    assert (response.status_code, response.json()["attended_hours"]) == (200, "31.50")
    before = _counts()
    bad = api_as(insats_staff).post(f"/api/v1/participations/{participation.pk}/attendance/",
                                    {"week_start": (monday + datetime.timedelta(days=2)).isoformat(), "attended_hours": "8"},
                                    format="json")
    assert (bad.status_code, _error_fields(bad), _counts()) == (400, {"week_start"}, before)


def test_timeline_plans_and_follow_ups_are_planning_timelines_entries(api_as, caseworker, coordinator, planned):
    """One way to read plans and follow-ups for a timeline: insatser's endpoint shows exactly the
    plan and follow-up items of planning's, and its module no longer reads planning's models."""
    import inspect

    from insatser import timeline

    _history(planned, caseworker)
    client = api_as(coordinator)
    events = client.get(f"/api/v1/applicants/{planned.pk}/timeline/").json()
    entries = client.get(f"/api/v1/applicants/{planned.pk}/planning-timeline/").json()
    ours = [(e["date"], e["kind"], e["object_type"], e["object_id"]) for e in events if e["kind"] in ("plan", "follow_up")]
    theirs = [(e["date"], e["kind"], e["object_type"], e["id"]) for e in entries if e["kind"] in ("plan", "follow_up")]
    assert sorted(ours) == sorted(theirs) and len(ours) == 2
    assert "planning.models" not in inspect.getsource(timeline)

