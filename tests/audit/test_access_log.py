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
