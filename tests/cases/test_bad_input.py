"""Bad input gets a 4xx naming the field and the error code, and NOTHING is written."""

from __future__ import annotations

import pytest

from tests.cases.support import error_fields, new_pnr, row_counts

pytestmark = pytest.mark.django_db


def _wrong_check_digit(valid: str) -> str:
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


def _refused(client, method, url, body, *, status, field, code):
    before = row_counts()
    response = getattr(client, method)(url, data=body, format="json")
    assert response.status_code == status, response.content
    fields = error_fields(response)
    assert field in fields, fields
    assert code in {e["code"] for e in fields[field]}, fields[field]
    assert all(e["message"] for e in fields[field])  # a (Swedish) message for staff
    assert row_counts() == before
    return response


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("19850314-12", "invalid_format"),
        ("abcdefghij", "invalid_format"),
        ("850314+12345", "invalid_format"),
        ("19851314-1234", "invalid_date"),
        (_wrong_check_digit(new_pnr(7)), "invalid_checksum"),
        (_wrong_check_digit(new_pnr(8))[2:], "invalid_checksum"),
    ],
)
def test_malformed_or_wrong_check_digit_personnummer(world, client_for, number, code):
    from cases.identity import parse

    with pytest.raises(Exception):  # noqa: B017 - the input must really be invalid
        parse(number)
    _refused(
        client_for(world.users["caseworker"]), "post", "/api/v1/applicants/",
        {"personal_identity_number": number, "first_name": "Fel", "last_name": "Nummer"},
        status=400, field="personal_identity_number", code=code,
    )


def test_duplicate_personnummer_in_any_form(world, client_for):
    pnr = world.applicant.personal_identity_number  # 12 digits
    short_form = f"{pnr[2:8]}-{pnr[8:]}"
    for number in (pnr, short_form):
        _refused(
            client_for(world.users["caseworker"]), "post", "/api/v1/applicants/",
            {"personal_identity_number": number, "first_name": "Dubbel", "last_name": "Person"},
            status=400, field="personal_identity_number", code="already_registered",
        )


def test_member_period_that_ends_before_it_starts(world, client_for):
    client = client_for(world.users["caseworker"])
    _refused(
        client, "post", "/api/v1/households/",
        {"members": [{"role": "applicant", "applicant": world.applicant.pk,
                      "valid_from": "2025-03-01", "valid_to": "2025-02-28"}]},
        status=400, field="members[0].valid_to", code="period_backwards",
    )
    _refused(
        client, "post", f"/api/v1/households/{world.household.pk}/members/",
        {"role": "child", "first_name": "Ebba", "birth_date": "2020-01-01",
         "valid_from": "2024-05-01", "valid_to": "2024-04-30"},
        status=400, field="valid_to", code="period_backwards",
    )
    member = world.household.members.get(applicant=world.co_applicant)
    _refused(
        client, "post", f"/api/v1/households/{world.household.pk}/end-member/",
        {"member": member.pk, "valid_to": "2023-12-31"},
        status=400, field="valid_to", code="period_backwards",
    )


@pytest.mark.parametrize("body", [{}, {"closed_on": "2025-05-31"}, {"closed_on": "2025-05-31", "closing_reason": ""}])
def test_closing_without_reason(world, client_for, body):
    _refused(
        client_for(world.users["caseworker"]), "post", f"/api/v1/cases/{world.case.pk}/close/", body,
        status=400, field="closing_reason", code="required",
    )
    world.case.refresh_from_db()
    assert world.case.status == "active"


def test_unknown_closing_reason(world, client_for):
    _refused(
        client_for(world.users["caseworker"]), "post", f"/api/v1/cases/{world.case.pk}/close/",
        {"closed_on": "2025-05-31", "closing_reason": "vann-pa-lotto"},
        status=400, field="closing_reason", code="invalid_choice",
    )


def test_unknown_support_barrier_code(world, client_for):
    client = client_for(world.users["caseworker"])
    _refused(
        client, "post", "/api/v1/cases/",
        {"household": world.household.pk, "opened_on": "2025-03-01", "opening_way": "application",
         "support_barriers": [{"applicant": world.applicant.pk, "barrier": "finns-inte"}]},
        status=400, field="support_barriers[0].barrier", code="unknown_code",
    )
    _refused(
        client, "post", f"/api/v1/cases/{world.case.pk}/support-barriers/",
        {"applicant": world.applicant.pk, "barrier": "finns-inte", "valid_from": "2025-02-01"},
        status=400, field="barrier", code="unknown_code",
    )


def test_case_for_a_household_outside_the_callers_scope(world, client_for):
    _refused(
        client_for(world.users["caseworker"]), "post", "/api/v1/cases/",
        {"household": world.other_household.pk, "opened_on": "2025-03-01", "opening_way": "application"},
        status=400, field="household", code="not_found",
    )


def test_household_with_a_person_outside_the_callers_scope(world, client_for):
    _refused(
        client_for(world.users["caseworker"]), "post", "/api/v1/households/",
        {"members": [{"role": "applicant", "applicant": world.other_applicant.pk, "valid_from": "2025-01-01"}]},
        status=400, field="members[0].applicant", code="not_found",
    )


def test_support_barrier_for_a_person_outside_the_household(world, client_for):
    _refused(
        client_for(world.users["caseworker"]), "post", "/api/v1/cases/",
        {"household": world.household.pk, "opened_on": "2025-03-01", "opening_way": "application",
         "support_barriers": [{"applicant": world.other_applicant.pk, "barrier": "arbetslos-ingen-ersattning"}]},
        status=400, field="support_barriers[0].applicant", code="not_member",
    )


def test_valid_input_is_accepted_so_the_refusals_above_are_about_the_field(world, client_for):
    response = client_for(world.users["caseworker"]).post(
        "/api/v1/applicants/",
        {"personal_identity_number": new_pnr(21)[2:8] + "-" + new_pnr(21)[8:], "first_name": "Rätt",
         "last_name": "Nummer"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["personal_identity_number"] == new_pnr(21)


def test_ending_an_assignment_with_a_non_numeric_id(world, client_for):
    _refused(
        client_for(world.users["caseworker"]), "post", f"/api/v1/cases/{world.case.pk}/end-coordinator-assignment/",
        {"assignment": "abc", "valid_to": "2025-02-01"},
        status=400, field="assignment", code="invalid",
    )
