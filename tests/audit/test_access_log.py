"""Every API read of a person writes access-log rows; every change a ChangeEvent in the same transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.models import AccessLogEntry, ChangeEvent
from cases import services

pytestmark = pytest.mark.django_db


def _rows(**filters):
    return AccessLogEntry.objects.filter(**filters)


READS = [
    # (method, url(world), body(world), action, object_type, object_id(world))
    ("get", lambda w: "/api/v1/applicants/", None, "list", "cases.applicant", lambda w: w.applicant.pk),
    ("get", lambda w: f"/api/v1/applicants/{w.applicant.pk}/", None, "read", "cases.applicant",
     lambda w: w.applicant.pk),
    ("post", lambda w: "/api/v1/applicants/search/", lambda w: {"name": "Sara Lind"}, "search", "cases.applicant",
     lambda w: w.applicant.pk),
    ("get", lambda w: "/api/v1/households/", None, "list", "cases.household", lambda w: w.household.pk),
    ("get", lambda w: f"/api/v1/households/{w.household.pk}/", None, "read", "cases.household",
     lambda w: w.household.pk),
    ("get", lambda w: "/api/v1/cases/", None, "list", "cases.case", lambda w: w.case.pk),
    ("get", lambda w: f"/api/v1/cases/{w.case.pk}/", None, "read", "cases.case", lambda w: w.case.pk),
]


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "unit_manager"])
@pytest.mark.parametrize("index", range(len(READS)), ids=[f"{r[0]}-{r[3]}-{r[4]}" for r in READS])
def test_each_api_read_of_a_person_writes_an_access_log_row(world, client_for, role, index):
    method, url, body, action, object_type, object_id = READS[index]
    user = world.users[role]
    response = getattr(client_for(user), method)(url(world), data=body(world) if body else None, format="json")
    assert response.status_code == 200
    row = _rows(person_id=world.applicant.pk, object_type=object_type, object_id=str(object_id(world))).get()
    assert (row.actor_id, row.actor_username, row.actor_role) == (user.pk, user.username, user.role)
    assert row.action == action
    assert row.channel == "api"
    assert row.ip_address == "127.0.0.1"
    assert row.endpoint.startswith("api/v1/")
    # The coordinator is not assigned the co-applicant: a household/case read still names them,
    # because the row records whose data was served.
    if object_type != "cases.applicant":
        assert _rows(person_id=world.co_applicant.pk, object_type=object_type).exists()


def test_a_refused_read_writes_no_read_row_only_the_refusal(world, client_for):
    response = client_for(world.users["board"]).get("/api/v1/applicants/")
    assert response.status_code == 403
    (row,) = AccessLogEntry.objects.all()
    assert (row.action, row.object_id, row.person_id) == ("refused", "403", None)


def test_a_change_writes_change_event_with_old_and_new_values(world, client_for):
    old_city = world.applicant.city
    user = world.users["caseworker"]
    response = client_for(user).patch(f"/api/v1/applicants/{world.applicant.pk}/", {"city": "Ekby"}, format="json")
    assert response.status_code == 200
    event = ChangeEvent.objects.get(action="applicant.update")
    assert event.changes == {"city": [old_city, "Ekby"]}
    assert (event.actor_id, event.person_id, event.channel) == (user.pk, world.applicant.pk, "api")
    assert event.object_type == "cases.applicant" and event.object_id == str(world.applicant.pk)
    assert _rows(action="update", person_id=world.applicant.pk, object_type="cases.applicant").exists()


def test_closing_a_case_records_status_change_for_each_adult(world, client_for):
    response = client_for(world.users["caseworker"]).post(
        f"/api/v1/cases/{world.case.pk}/close/", {"closed_on": "2025-05-31", "closing_reason": "work"}, format="json"
    )
    assert response.status_code == 200
    events = ChangeEvent.objects.filter(action="case.close")
    assert {e.person_id for e in events} == {world.applicant.pk, world.co_applicant.pk}
    assert events[0].changes["status"] == ["active", "closed"]
    assert events[0].changes["closing_reason"] == ["", "work"]


def test_the_change_event_rolls_back_with_the_change(world):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.applicant_update(actor=world.users["caseworker"], applicant=world.applicant, city="Rollback")
        assert ChangeEvent.objects.filter(action="applicant.update").exists()  # written inside the transaction
        raise Boom
    world.applicant.refresh_from_db()
    assert world.applicant.city != "Rollback"
    assert not ChangeEvent.objects.exists()
    assert not AccessLogEntry.objects.filter(action="update").exists()


def test_a_failing_service_leaves_no_change_event(world):
    """case_open saves the case before it validates the barriers: the whole write must roll back."""
    from django.core.exceptions import ValidationError

    from cases.models import Case

    cases_before = Case.objects.count()
    with pytest.raises(ValidationError):
        services.case_open(
            actor=world.users["caseworker"], household=world.household, opened_on=world.case.opened_on,
            opening_way="application", support_barriers=[{"applicant": world.applicant.pk, "barrier": "nej"}],
        )
    assert Case.objects.count() == cases_before
    assert not ChangeEvent.objects.exists()


# The recording layer itself (audit.recording.log): what a read or a change leaves in the log.
# "Every read logged" (DOMAIN.md 7, OSL 26 kap. 1 §): no row may be lost or made up.


def test_a_repeated_subject_is_logged_once_and_the_subjects_after_it_still_are(world):
    from audit.recording.log import record_access

    a, b = world.applicant.pk, world.co_applicant.pk
    record_access(actor=world.users["caseworker"], action="list", object_type="cases.applicant",
                  subjects=[(a, a), (a, a), (b, b), (b, None)])
    rows = [(r.object_id, r.person_id) for r in _rows(action="list")]
    assert len(rows) == 3
    assert set(rows) == {(str(a), a), (str(b), b), (str(b), None)}


def test_an_actor_that_is_not_a_signed_in_user_is_logged_as_no_one(world):
    """Only an authenticated user is named in the log; anything else (no user, an object without
    is_authenticated) gets an empty actor, never an id or name taken from it."""
    from types import SimpleNamespace

    from audit.recording.log import record_access

    pk = world.applicant.pk
    not_a_user = SimpleNamespace(pk=world.users["caseworker"].pk, get_username=lambda: "x", role="caseworker")
    record_access(actor=not_a_user, action="read", object_type="cases.applicant", subjects=[(pk, pk)])
    record_access(actor=None, action="list", object_type="cases.applicant", subjects=[(pk, pk)])
    for action in ("read", "list"):
        row = _rows(action=action).get()
        assert (row.actor_id, row.actor_username, row.actor_role) == (None, "", ""), action


def test_snapshot_keeps_empty_values_empty_and_numbers_numbers(world):
    """The old and new values in a change event are the stored values: an empty field is null
    (not the text "None"), a number stays a number, a date is written as an ISO date."""
    from audit.recording.log import snapshot

    applicant = world.applicant
    values = snapshot(applicant, ["registered_unit", "birth_date", "first_name"])
    assert values["registered_unit"] == applicant.registered_unit_id
    assert values["birth_date"] == applicant.birth_date.isoformat()
    assert values["first_name"] == applicant.first_name
    applicant.registered_unit = None
    assert snapshot(applicant, ["registered_unit"]) == {"registered_unit": None}
    applicant.registered_unit_id = world.case.unit_id
    assert snapshot(applicant, ["registered_unit"]) == {"registered_unit": world.case.unit_id}


def test_a_creation_records_every_new_value_and_a_create_row(world):
    """A creation has no old values: every field given is in the change event (old value null),
    and the access log says the person's data was created, not updated."""
    from audit.recording.log import record_change

    applicant, user = world.applicant, world.users["caseworker"]
    record_change(actor=user, action="applicant.create", instance=applicant, person_ids=[applicant.pk],
                  after={"city": "Ekby", "first_name": "Sara"})
    event = ChangeEvent.objects.get(action="applicant.create")
    assert event.changes == {"city": [None, "Ekby"], "first_name": [None, "Sara"]}
    assert _rows(action="create", person_id=applicant.pk, object_id=str(applicant.pk)).exists()
    assert not _rows(action="update").exists()


def test_the_listeners_hear_the_persons_of_each_saved_object_without_the_empty_one(world):
    """changes_recorded tells the control layer whose facts changed (it re-checks their flags):
    the persons named, never a None for an object that concerns no one person."""
    from audit.recording.log import Change, record_changes
    from audit.recording.signals import changes_recorded

    heard = []

    def listener(sender, action, changes, **kwargs):
        heard.extend(changes)

    changes_recorded.connect(listener)
    try:
        record_changes(actor=world.users["caseworker"], action="applicant.update", changes=[
            Change(world.applicant, [world.applicant.pk, None], {"city": "A"}, {"city": "B"}),
            Change(world.case, [None], {"status": "active"}, {"status": "closed"}),
        ])
    finally:
        changes_recorded.disconnect(listener)
    assert heard == [("cases.applicant", world.applicant.pk, [world.applicant.pk]), ("cases.case", world.case.pk, [])]
