"""Reservnummer (issue 14, DOMAIN.md 8): a person without personnummer or samordningsnummer gets a
local number in the municipality's pattern, never a valid personnummer; it is found by search and
shown labelled as reservnummer; the real number later replaces it on the same person, every record
kept, the reserve number kept in history; the replacement is its own audited, permitted operation."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import AccessLogEntry, ChangeEvent
from cases import identity
from cases.finance_models import Decision
from cases.models import Applicant, JournalEntry, ReplacedReserveNumber
from cases.reserve_number_services import applicant_replace_reserve_number, reserve_number_issue
from tests.cases.support import error_fields, new_pnr, row_counts
from tests.factories.cases import CaseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/applicants/"


def register(client, **extra):
    body = {"assign_reserve_number": True, "birth_date": "1988-02-03", "legal_gender": "kvinna",
            "first_name": "Amina", "last_name": "Utan"}
    return client.post(URL, body | extra, format="json")


def test_a_person_without_personnummer_gets_a_reserve_number(world, client_for):
    response = register(client_for(world.users["caseworker"]))
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["personal_identity_number"] is None
    assert body["reserve_number"] == f"R{year}000001"
    assert (body["birth_date"], body["legal_gender"]) == ("1988-02-03", "kvinna")
    with pytest.raises(Exception):  # noqa: B017 - never a valid personnummer, so the two cannot collide
        identity.parse(body["reserve_number"])
    second = register(client_for(world.users["caseworker"]), first_name="Bo").json()
    assert second["reserve_number"] == f"R{year}000002"
    assert ChangeEvent.objects.filter(action="applicant.create", object_id=str(body["id"])).exists()


@override_settings(RESERVE_NUMBER_FORMAT="99{sequence:08d}")
def test_the_pattern_is_a_setting_and_numbers_that_would_be_personnummer_are_skipped(world):
    numbers = []
    from django.db import transaction

    with transaction.atomic():
        for _ in range(30):
            numbers.append(reserve_number_issue())
    assert all(n.startswith("99") and len(n) == 10 for n in numbers)
    assert len(set(numbers)) == 30
    for number in numbers:
        with pytest.raises(Exception):  # noqa: B017
            identity.parse(number)


@pytest.mark.parametrize(("extra", "field"), [
    ({"assign_reserve_number": False}, "personal_identity_number"),  # neither a number nor a reserve number
    ({"personal_identity_number": "19850314-0010"}, "assign_reserve_number"),  # both
    ({"birth_date": None}, "birth_date"),
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"birth_date": "1988-02-30"}, "birth_date"),
    ({"legal_gender": ""}, "legal_gender"),
    ({"legal_gender": "okänt"}, "legal_gender"),
])
def test_bad_registration_names_the_field_and_writes_nothing(world, client_for, extra, field):
    before = row_counts()
    response = register(client_for(world.users["caseworker"]), **extra)
    assert response.status_code == 400, response.json()
    assert field in error_fields(response), response.json()
    assert row_counts() == before


def test_birth_date_is_not_entered_with_a_personnummer(world, client_for):
    before = row_counts()
    response = client_for(world.users["caseworker"]).post(URL, {
        "personal_identity_number": new_pnr(21), "birth_date": "1985-03-14", "first_name": "A", "last_name": "B"},
        format="json")
    assert response.status_code == 400 and "birth_date" in error_fields(response)
    assert row_counts() == before


def _reserve_person(world, client_for):
    return Applicant.objects.get(pk=register(client_for(world.users["caseworker"])).json()["id"])


def test_search_by_reserve_number_and_the_page_labels_it(world, client_for, client):
    person = _reserve_person(world, client_for)
    found = client_for(world.users["caseworker"]).post(f"{URL}search/", {"reserve_number": person.reserve_number.lower()},
                                                      format="json")
    assert found.status_code == 200 and [p["id"] for p in found.json()] == [person.pk]
    assert AccessLogEntry.objects.filter(action="search", person_id=person.pk).exists()
    assert client_for(world.users["coordinator"]).post(
        f"{URL}search/", {"reserve_number": person.reserve_number}, format="json").json() == []  # out of scope
    assert (person.identity_label, person.identity_display) == ("Reservnummer", person.reserve_number)


def test_the_real_number_replaces_the_reserve_number_and_every_record_follows(world, client_for):
    person = _reserve_person(world, client_for)
    old = person.reserve_number
    case = CaseFactory(unit=world.case.unit, with_applicant=person, responsible_caseworker=world.users["caseworker"])
    entry = JournalEntry.objects.create(case=case, applicant=person, kind_id=world.journal_entry.kind_id,
                                        event_date=datetime.date(2025, 3, 3), text="Besök.",
                                        author=world.users["caseworker"])
    pnr = new_pnr(31)
    response = client_for(world.users["caseworker"]).post(f"{URL}{person.pk}/replace-reserve-number/",
                                                         {"personal_identity_number": pnr}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == person.pk and body["personal_identity_number"] == pnr and body["reserve_number"] is None
    assert body["replaced_reserve_numbers"] == [old]
    assert body["birth_date"] == "1985-03-14"  # now from the personnummer
    person.refresh_from_db()
    assert ReplacedReserveNumber.objects.get(reserve_number=old).applicant == person
    # The same row: the case's household, the journal and the case still point to the person.
    assert case.household.members.filter(applicant=person).exists()
    entry.refresh_from_db()
    assert entry.applicant_id == person.pk
    event = ChangeEvent.objects.get(action="applicant.replace_reserve_number", object_id=str(person.pk))
    assert event.changes["reserve_number"] == [old, None]
    # A search by the old reserve number still finds the person.
    found = client_for(world.users["caseworker"]).post(f"{URL}search/", {"reserve_number": old}, format="json")
    assert [p["id"] for p in found.json()] == [person.pk]


def test_a_replacement_keeps_decisions_on_the_person(world, client_for):
    from tests.factories.finance import granted_month

    caseworker = world.users["caseworker"]
    person = _reserve_person(world, client_for)
    case = CaseFactory(unit=caseworker.unit, opened_on=datetime.date(2019, 1, 1), with_applicant=person)
    _, _, decision = granted_month(actor=caseworker, case=case, month=datetime.date(2019, 3, 1),
                                   members=list(case.household.members.all()))
    applicant_replace_reserve_number(actor=caseworker, applicant=person, personal_identity_number=new_pnr(33))
    decision = Decision.objects.get(pk=decision.pk)
    member = decision.application.members.get().household_member
    assert member.applicant_id == person.pk
    assert Applicant.objects.get(pk=person.pk).personal_identity_number == new_pnr(33)


@pytest.mark.parametrize(("pnr", "why"), [
    ("19850314-0011", "checksum"),
    ("nonsense", "format"),
    ("taken", "belongs to another person"),
])
def test_a_bad_replacement_names_the_field_and_writes_nothing(world, client_for, pnr, why):
    person = _reserve_person(world, client_for)
    if pnr == "taken":
        pnr = world.other_applicant.personal_identity_number
    before = row_counts(), ReplacedReserveNumber.objects.count()
    response = client_for(world.users["caseworker"]).post(f"{URL}{person.pk}/replace-reserve-number/",
                                                         {"personal_identity_number": pnr}, format="json")
    assert response.status_code == 400, why
    assert "personal_identity_number" in error_fields(response)
    assert (row_counts(), ReplacedReserveNumber.objects.count()) == before
    person.refresh_from_db()
    assert person.personal_identity_number is None and person.reserve_number


def test_a_person_with_personnummer_has_no_reserve_number_to_replace(world, client_for):
    before = row_counts()
    response = client_for(world.users["caseworker"]).post(f"{URL}{world.applicant.pk}/replace-reserve-number/",
                                                         {"personal_identity_number": new_pnr(35)}, format="json")
    assert response.status_code == 400 and "personal_identity_number" in error_fields(response)
    assert row_counts() == before


@pytest.mark.parametrize("role", ["coordinator", "unit_manager", "board", "administrator"])
def test_only_a_caseworker_replaces_a_reserve_number(world, client_for, role):
    person = _reserve_person(world, client_for)
    before = ChangeEvent.objects.count(), ReplacedReserveNumber.objects.count()
    response = client_for(world.users[role]).post(f"{URL}{person.pk}/replace-reserve-number/",
                                                 {"personal_identity_number": new_pnr(37)}, format="json")
    assert response.status_code == 403  # the refusal itself is logged (the access log's refused reads)
    assert (ChangeEvent.objects.count(), ReplacedReserveNumber.objects.count()) == before
    person.refresh_from_db()
    assert person.personal_identity_number is None


@pytest.mark.parametrize("persons", [1, 8])
def test_the_list_with_reserve_numbers_runs_a_fixed_number_of_queries(world, client_for, persons,
                                                                      django_assert_max_num_queries):
    for _ in range(persons):
        _reserve_person(world, client_for)
    client = client_for(world.users["caseworker"])
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert sum(1 for p in response.json()["results"] if p["reserve_number"]) == persons


def test_the_person_page_shows_the_number_labelled_as_reservnummer(world, client_for, client):
    from django.urls import reverse

    from tests.factories.cases import CoordinatorAssignmentFactory

    person = _reserve_person(world, client_for)
    case = CaseFactory(unit=world.case.unit, with_applicant=person)
    CoordinatorAssignmentFactory(case=case, applicant=person, coordinator=world.users["coordinator"],
                                 start_date=datetime.date(2025, 1, 1))
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("person", args=[person.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<dt>Reservnummer</dt>" in html and person.reserve_number in html
    assert "Personnummer" not in html
