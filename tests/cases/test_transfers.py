"""Transfers (överflyttning, issue 14, DOMAIN.md 8): a case moves to another caseworker or unit
from a date; the history keeps who held it when; scoping follows the transfer date; a planned
transfer takes effect on its date; bad input answers 400 naming the field and writes nothing; the
egenkontroll's flags follow the new holder."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import AccessLogEntry, ChangeEvent
from cases import transfer_services
from cases.models import Case, CaseStatus, CaseTransfer, Role
from tests.cases.support import error_fields
from tests.factories.cases import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(case, action="transfer"):
    return f"/api/v1/cases/{case.pk}/{action}/"


@pytest.fixture
def north(world):
    """Another unit with an active caseworker and a unit manager, to transfer cases to."""
    unit = UnitFactory(code="eb-norr", name="Ekonomiskt bistånd Norr 2")
    return {
        "unit": unit,
        "caseworker": StaffFactory(role=Role.CASEWORKER, unit=unit, username="norr-handlaggare"),
        "manager": StaffFactory(role=Role.UNIT_MANAGER, unit=unit, username="norr-chef"),
    }


def body(north=None, days=0, **extra):
    data = {"transferred_on": (TODAY() + datetime.timedelta(days=days)).isoformat(),
            "reason": "Personen har flyttat till norra kommundelen."}
    if north is not None:
        data |= {"to_unit": north["unit"].code, "to_caseworker": north["caseworker"].pk}
    return data | extra


def sees(client_for, user, case) -> bool:
    return client_for(user).get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_a_transfer_to_another_unit_moves_the_case_and_keeps_who_held_it(world, north, client_for):
    old_caseworker = world.users["caseworker"]
    response = client_for(old_caseworker).post(url(world.case), body(north), format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["from_unit"], row["to_unit"]) == ("ekonomiskt-bistand", "eb-norr")
    assert (row["from_caseworker"], row["to_caseworker"]) == (old_caseworker.pk, north["caseworker"].pk)
    assert row["is_planned"] is False and row["took_effect_at"]
    world.case.refresh_from_db()
    assert (world.case.unit, world.case.responsible_caseworker) == (north["unit"], north["caseworker"])
    assert ChangeEvent.objects.filter(action="case.transfer", object_id=str(row["id"])).exists()
    assert ChangeEvent.objects.filter(action="case.transfer_take_effect", object_id=str(world.case.pk)).exists()
    # Scoping follows: the new unit's caseworker sees the case, the old unit's staff no longer do.
    assert sees(client_for, north["caseworker"], world.case)
    assert not sees(client_for, old_caseworker, world.case)
    assert not sees(client_for, world.users["unit_manager"], world.case)
    # The history is read by the new holder: who held it before, and from when the new one does.
    history = client_for(north["caseworker"]).get(url(world.case, "transfers"))
    assert history.status_code == 200
    assert [(h["from_unit"], h["to_unit"], h["transferred_on"]) for h in history.json()] == [
        ("ekonomiskt-bistand", "eb-norr", TODAY().isoformat())]


def test_a_caseworker_change_within_the_unit_keeps_the_unit(world, client_for):
    colleague = StaffFactory(role=Role.CASEWORKER, unit=world.case.unit)
    response = client_for(world.users["unit_manager"]).post(
        url(world.case), body(to_caseworker=colleague.pk, reason="Jämnare fördelning av ärenden."), format="json")
    assert response.status_code == 201, response.json()
    world.case.refresh_from_db()
    assert (world.case.unit_id, world.case.responsible_caseworker) == (world.users["unit_manager"].unit_id, colleague)
    assert sees(client_for, world.users["caseworker"], world.case)  # the unit still holds it


def test_scoping_before_and_after_a_planned_transfer_date(world, north, client_for):
    old_caseworker, new_caseworker = world.users["caseworker"], north["caseworker"]
    response = client_for(old_caseworker).post(url(world.case), body(north, days=3), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_planned"] is True
    # Before the date: the old unit holds the case, the new unit does not see it yet.
    assert sees(client_for, old_caseworker, world.case) and not sees(client_for, new_caseworker, world.case)
    assert transfer_services.transfers_take_effect(today=TODAY() + datetime.timedelta(days=2)) == 0
    assert sees(client_for, old_caseworker, world.case) and not sees(client_for, new_caseworker, world.case)
    # On the date (the nightly step): the new unit sees it, the old unit's staff lose it.
    assert transfer_services.transfers_take_effect(today=TODAY() + datetime.timedelta(days=3)) == 1
    assert sees(client_for, new_caseworker, world.case) and not sees(client_for, old_caseworker, world.case)
    assert transfer_services.transfers_take_effect(today=TODAY() + datetime.timedelta(days=4)) == 0  # idempotent
    assert CaseTransfer.objects.get(case=world.case).took_effect_at is not None


def test_the_coordinator_of_a_person_keeps_the_case_across_the_transfer(world, north, client_for):
    client_for(world.users["caseworker"]).post(url(world.case), body(north), format="json")
    coordinator = world.users["coordinator"]
    assert sees(client_for, coordinator, world.case)  # by the assignment, not by the unit
    assert client_for(coordinator).get(url(world.case, "transfers")).status_code == 200


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (CaseTransfer.objects.count(), ChangeEvent.objects.count(), case.unit_id, case.responsible_caseworker_id)


def _inactive_unit_only(world, north):
    unit = UnitFactory(code="tom-enhet", name="Enhet utan handläggare")
    StaffFactory(role=Role.CASEWORKER, unit=unit, is_active=False)
    StaffFactory(role=Role.UNIT_MANAGER, unit=unit)
    return {"to_unit": unit.code}


BAD = {
    "unit_without_active_caseworkers": ("to_unit", _inactive_unit_only),
    "unknown_unit": ("to_unit", lambda w, n: {"to_unit": "finns-inte"}),
    "same_holder": ("to_caseworker", lambda w, n: {"to_unit": w.case.unit.code, "to_caseworker": w.users["caseworker"].pk}),
    "same_unit_no_caseworker": ("to_caseworker", lambda w, n: {"to_unit": w.case.unit.code}),
    "caseworker_of_another_unit": ("to_caseworker", lambda w, n: {"to_unit": n["unit"].code,
                                                                 "to_caseworker": w.users["caseworker"].pk}),
    "before_the_case_opened": ("transferred_on", lambda w, n: {"transferred_on": "2023-12-31"}),
    "too_far_ahead": ("transferred_on", lambda w, n: {"transferred_on": (TODAY() + datetime.timedelta(days=15)).isoformat()}),
    "malformed_date": ("transferred_on", lambda w, n: {"transferred_on": "2026-13-01"}),
    "no_reason": ("reason", lambda w, n: {"reason": "   "}),
}


@pytest.mark.parametrize("case_name", sorted(BAD))
def test_bad_input_names_the_field_and_writes_nothing(world, north, client_for, case_name):
    field, extra = BAD[case_name]
    before = snapshot(world.case)
    response = client_for(world.users["caseworker"]).post(url(world.case), body(north) | extra(world, north),
                                                          format="json")
    assert response.status_code == 400, response.json()
    assert field in error_fields(response), response.json()
    assert snapshot(world.case) == before


def test_a_transfer_dated_before_the_last_one_is_refused(world, north, client_for):
    client = client_for(world.users["caseworker"])
    colleague = StaffFactory(role=Role.CASEWORKER, unit=world.case.unit)
    first = client.post(url(world.case), body(to_caseworker=colleague.pk, days=-10), format="json")
    assert first.status_code == 201, first.json()
    before = snapshot(world.case)
    for days in (-20, -10):  # backwards, and the same day as the last
        response = client.post(url(world.case), body(north, days=days), format="json")
        assert response.status_code == 400 and "transferred_on" in error_fields(response), response.json()
    assert snapshot(world.case) == before


def test_a_second_transfer_waits_for_the_planned_one(world, north, client_for):
    client = client_for(world.users["caseworker"])
    assert client.post(url(world.case), body(north, days=5), format="json").status_code == 201
    before = snapshot(world.case)
    response = client.post(url(world.case), body(to_caseworker=StaffFactory(
        role=Role.CASEWORKER, unit=world.case.unit).pk, days=6), format="json")
    assert response.status_code == 400 and "transferred_on" in error_fields(response)
    assert snapshot(world.case) == before


@override_settings(CASE_TRANSFER_MAX_DAYS_AHEAD=0)
def test_how_far_ahead_a_transfer_may_be_planned_is_a_setting(world, north, client_for):
    response = client_for(world.users["caseworker"]).post(url(world.case), body(north, days=1), format="json")
    assert response.status_code == 400 and "transferred_on" in error_fields(response)
    assert "0 dagar" in str(error_fields(response)["transferred_on"])


def test_a_closed_case_is_not_transferred(world, north, client_for):
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.CLOSED, closed_on=TODAY(), closing_reason="work")
    before = snapshot(world.case)
    response = client_for(world.users["caseworker"]).post(url(world.case), body(north), format="json")
    assert response.status_code == 400 and "case" in error_fields(response)
    assert snapshot(world.case) == before


@pytest.mark.parametrize(("role", "status"), [
    ("coordinator", 403), ("insats_staff", 403), ("board", 403), ("administrator", 403), ("anonymous", 401),
])
def test_only_the_holding_units_staff_transfer(world, north, client_for, role, status):
    before = snapshot(world.case)
    response = client_for(world.users[role]).post(url(world.case), body(north), format="json")
    assert response.status_code == status
    assert snapshot(world.case) == before


def test_another_units_case_is_not_found(world, north, client_for):
    before = snapshot(world.other_case)
    response = client_for(world.users["caseworker"]).post(url(world.other_case), body(north), format="json")
    assert response.status_code == 404
    assert snapshot(world.other_case) == before


def test_reading_the_history_is_logged(world, north, client_for):
    transfer = transfer_services.case_transfer(actor=world.users["caseworker"], case=world.case,
                                               transferred_on=TODAY(), reason="Flytt.", to_unit=north["unit"].code)
    reader = north["manager"]
    assert client_for(reader).get(url(world.case, "transfers")).status_code == 200
    logged = AccessLogEntry.objects.filter(actor_id=reader.pk)
    assert logged.filter(object_type="cases.casetransfer", object_id=str(transfer.pk),
                         person_id=world.applicant.pk).exists()
    assert logged.filter(object_type="cases.case", object_id=str(world.case.pk)).exists()
    assert client_for(world.users["board"]).get(url(world.case, "transfers")).status_code == 403


@pytest.mark.parametrize("transfers", [1, 6])
def test_the_history_is_read_in_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries,
                                                          transfers):
    unit = world.case.unit
    for i in range(transfers):
        CaseTransfer.objects.create(
            case=world.case, transferred_on=datetime.date(2024, 2, 1) + datetime.timedelta(days=i), from_unit=unit,
            to_unit=unit, to_caseworker=StaffFactory(role=Role.CASEWORKER, unit=unit), reason="Fördelning.",
            transferred_by=world.users["caseworker"], took_effect_at=timezone.now())
    client = client_for(world.users["caseworker"])
    with django_assert_max_num_queries(12):
        response = client.get(url(world.case, "transfers"))
    assert response.status_code == 200 and len(response.json()) == transfers


def test_egenkontroll_flags_follow_the_new_holder(eb_unit, unit_manager):
    from audit.control.models import OwnerBasis
    from tests.audit.helpers import person_with_barrier
    from tests.audit.test_ownership import FULL_TIME, flag_of, run_all

    old = StaffFactory(role=Role.CASEWORKER, unit=eb_unit)
    north = UnitFactory(code="eb-norr", name="Ekonomiskt bistånd Norr 2")
    new = StaffFactory(role=Role.CASEWORKER, unit=north)
    person, case = person_with_barrier()
    case.responsible_caseworker = old
    case.save()
    run_all()
    flag = flag_of(FULL_TIME, person.pk)
    assert (flag.responsible, flag.unit, flag.owner_basis) == (old, eb_unit, OwnerBasis.CASEWORKER)
    transfer_services.case_transfer(actor=old, case=case, transferred_on=TODAY(), reason="Flytt.",
                                    to_unit=north.code, to_caseworker=new.pk)
    run_all()
    flag = flag_of(FULL_TIME, person.pk)
    assert (flag.responsible, flag.unit, flag.owner_basis) == (new, north, OwnerBasis.CASEWORKER)
