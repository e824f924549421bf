"""Reproducers from the fuzzing run (issue 11): each answered 500 before; now a 4xx naming the field
and nothing written."""

import datetime

import pytest

from tests.factories.finance import make_application

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2019, 3, 1)


@pytest.fixture
def decided(api_as, caseworker, family):
    from cases.application_services import application_calculate

    case, members = family
    application = make_application(actor=caseworker, case=case, month=MARCH, members=members,
                                   costs=[{"cost_type": "housing", "amount_applied": 7000}])
    application_calculate(actor=caseworker, application=application)
    response = api_as(caseworker).post("/api/v1/decisions/", {
        "application": application.pk, "item_kind": "income_support", "outcome": "granted",
        "legal_basis": "sol-12-1", "delegation_point": "EB-1", "reasoning": "Behovet är styrkt.",
        "decided_on": "2019-03-05"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def fields_of(response):
    return response.json()["error"].get("fields", {})


def _refused(response, field, status=400):
    assert response.status_code == status, response.content
    assert field in fields_of(response), response.json()
    assert all(e["message"] for e in fields_of(response)[field])


def test_correction_with_only_an_outcome_names_the_missing_fields(api_as, caseworker, decided, counts):
    before = counts()
    response = api_as(caseworker).post(f"/api/v1/decisions/{decided['id']}/correct/", {"outcome": "refused"},
                                       format="json")
    _refused(response, "reasoning")
    assert {"legal_basis", "delegation_point"} <= set(fields_of(response))
    assert counts() == before


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("payload", [[1, 2], ["amount"], "text", 7, None])
def test_changing_a_decision_with_a_body_that_is_not_an_object(api_as, caseworker, decided, counts, method, payload):
    before = counts()
    response = getattr(api_as(caseworker), method)(f"/api/v1/decisions/{decided['id']}/", payload, format="json")
    assert response.status_code in (400, 409), response.content
    assert fields_of(response), response.json()
    assert counts() == before


@pytest.mark.parametrize("amount", ["1e30", 1e30, 10**30, "1E+400", "NaN", "Infinity", "-1e30", "12345678901234567890"])
def test_an_amount_beyond_the_bound_is_refused(api_as, caseworker, decided, family, counts, amount):
    case, members = family
    client = api_as(caseworker)
    before = counts()
    response = client.post(f"/api/v1/decisions/{decided['id']}/correct/", {
        "outcome": "partly_granted", "amount": amount, "legal_basis": "sol-12-1", "delegation_point": "EB-1",
        "reasoning": "Rättelse."}, format="json")
    _refused(response, "amount")
    response = client.post("/api/v1/applications/dry-run/", {
        "case": case.pk, "month": "2019-03-01", "members": [{"household_member": m.pk} for m in members],
        "costs": [{"cost_type": "housing", "amount_applied": amount}]}, format="json")
    _refused(response, "costs[0].amount_applied")
    assert counts() == before


@pytest.mark.parametrize("month", ["9999-12-01", "0001-01-01", "1899-12-01", "2200-01-01"])
def test_a_month_beyond_the_bound_is_refused_on_the_dry_run(api_as, caseworker, family, counts, month):
    case, members = family
    before = counts()
    response = api_as(caseworker).post("/api/v1/applications/dry-run/", {
        "case": case.pk, "month": month, "members": [{"household_member": m.pk} for m in members]}, format="json")
    _refused(response, "month")
    assert counts() == before


def test_ids_beyond_the_database_range_are_refused(api_as, caseworker, family, counts):
    case, members = family
    before = counts()
    response = api_as(caseworker).post("/api/v1/applications/dry-run/", {
        "case": 2**70, "month": "2019-03-01", "members": [{"household_member": 2**70}]}, format="json")
    _refused(response, "case")
    assert counts() == before
