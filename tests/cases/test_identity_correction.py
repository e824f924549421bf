"""Correcting a personnummer or samordningsnummer (issue 15: "a correction of a personnummer is
its own audited operation"; DOMAIN.md 8, one person with every record kept). PATCH refuses the
number by name (tests/cases/test_applicant_api); the correction is POST
applicants/{id}/correct-identity-number/: caseworkers only, with a reason, the old number kept and
still found by search, birth date and legal gender following the new number."""

from __future__ import annotations

import datetime

import pytest
from stdnum import luhn

from audit.models import ChangeEvent
from cases.models import Applicant, CorrectedIdentityNumber, JournalEntry
from tests.cases.support import error_fields, new_pnr, row_counts
from tests.factories.cases import ApplicantFactory, CaseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/applicants/"
REASON = "Samordningsnumret har ersatts av personnummer enligt Skatteverket."


def coordination_number(serial: int) -> str:
    """A valid samordningsnummer for 1992-08-09 (day + 60)."""
    base = f"920869{serial % 1000:03d}"
    return f"19{base}{luhn.calc_check_digit(base)}"


def correct(client, person, number, reason=REASON):
    return client.post(f"{URL}{person.pk}/correct-identity-number/",
                       {"personal_identity_number": number, "reason": reason}, format="json")


def test_a_samordningsnummer_is_corrected_to_the_personnummer_on_the_same_person(world, client_for):
    caseworker = world.users["caseworker"]
    person = ApplicantFactory(registered_unit=caseworker.unit, personal_identity_number=coordination_number(12),
                              is_coordination_number=True, birth_date=datetime.date(1992, 8, 9))
    case = CaseFactory(unit=caseworker.unit, with_applicant=person, responsible_caseworker=caseworker)
    entry = JournalEntry.objects.create(case=case, applicant=person, kind_id=world.journal_entry.kind_id,
                                        event_date=datetime.date(2025, 3, 3), text="Besök.", author=caseworker)
    old, pnr = person.personal_identity_number, new_pnr(41)

    response = correct(client_for(caseworker), person, pnr[2:8] + "-" + pnr[8:])  # 850314-NNNN form
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["personal_identity_number"], body["is_coordination_number"]) == (person.pk, pnr, False)
    assert body["corrected_identity_numbers"] == [old]
    assert body["birth_date"] == "1985-03-14"  # from the new number
    kept = CorrectedIdentityNumber.objects.get(applicant=person)
    assert (kept.previous_number, kept.previous_was_coordination_number, kept.reason, kept.corrected_by) == (
        old, True, REASON, caseworker)
    entry.refresh_from_db()
    assert entry.applicant_id == person.pk and case.household.members.filter(applicant=person).exists()
    event = ChangeEvent.objects.get(action="applicant.correct_identity_number", object_id=str(person.pk))
    assert event.changes["personal_identity_number"] == [old, pnr]
    assert event.changes["is_coordination_number"] == [True, False]
    # A search by the old number still finds the person; by the new one too.
    for number in (old, pnr):
        found = client_for(caseworker).post(f"{URL}search/", {"personal_identity_number": number}, format="json")
        assert [p["id"] for p in found.json()] == [person.pk], number


@pytest.mark.parametrize(("field", "number", "reason"), [
    ("personal_identity_number", "19850314-0011", REASON),  # checksum
    ("personal_identity_number", "nonsense", REASON),
    ("personal_identity_number", "taken", REASON),  # another person's
    ("personal_identity_number", "own", REASON),  # the number the person has
    ("reason", "new", ""),
    ("reason", "new", "   "),
])
def test_a_bad_correction_names_the_field_and_writes_nothing(world, client_for, field, number, reason):
    person = world.applicant
    number = {"taken": world.other_applicant.personal_identity_number, "own": person.personal_identity_number,
              "new": new_pnr(43)}.get(number, number)
    before = row_counts(), CorrectedIdentityNumber.objects.count()
    response = correct(client_for(world.users["caseworker"]), person, number, reason)
    assert response.status_code == 400
    assert field in error_fields(response)
    assert (row_counts(), CorrectedIdentityNumber.objects.count()) == before
    assert Applicant.objects.get(pk=person.pk).personal_identity_number == person.personal_identity_number


def test_a_reserve_number_is_not_corrected_but_replaced(world, client_for):
    client = client_for(world.users["caseworker"])
    created = client.post(URL, {"assign_reserve_number": True, "birth_date": "1988-02-03", "legal_gender": "kvinna",
                                "first_name": "Amina", "last_name": "Utan"}, format="json").json()
    person = Applicant.objects.get(pk=created["id"])
    response = correct(client, person, new_pnr(45))
    assert response.status_code == 400
    assert error_fields(response)["personal_identity_number"][0]["code"] == "has_reserve_number"
    assert not CorrectedIdentityNumber.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "unit_manager", "board", "administrator"])
def test_only_a_caseworker_corrects_a_personnummer(world, client_for, role):
    before = ChangeEvent.objects.count()
    response = correct(client_for(world.users[role]), world.applicant, new_pnr(47))
    assert response.status_code == 403
    assert ChangeEvent.objects.count() == before and not CorrectedIdentityNumber.objects.exists()


def test_out_of_scope_is_404(world, client_for):
    response = correct(client_for(world.users["caseworker"]), world.other_applicant, new_pnr(49))
    assert response.status_code == 404
    assert not CorrectedIdentityNumber.objects.exists()
