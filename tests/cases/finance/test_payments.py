"""Payments (issue 14, DOMAIN.md 8): orders for granted decisions, prepared by one and attested by
another with an attest right; the day's attested orders form a batch whose pain.001 file is valid
against the ISO 20022 schema and adds up to the batch; returns reopen an order, history kept.
Every refusal names the field and writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from django.utils import timezone

from audit.models import AccessLogEntry, ChangeEvent
from cases import payment_services as services
from cases.decision_services import decision_make
from cases.models import Role
from cases.pain001 import file_totals, pain001_document
from cases.payment_models import PaymentBatch, PaymentOrder, PaymentReturn
from config.errors import Conflict
from tests.cases.support import error_fields
from tests.factories.cases import StaffFactory
from tests.factories.finance import granted_month, make_application, point_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/payment-orders/"
BATCHES = "/api/v1/payment-batches/"
SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "schemas" / "pain.001.001.03.xsd")
MARCH = datetime.date(2019, 3, 1)
# Valid numbers: Luhn check digits for the giros, ISO 13616 for the IBAN.
BANKGIRO = "5678-1230"
IBAN = "SE45 5000 0000 0583 9825 7466"


@pytest.fixture
def attester(caseworker):
    """A second caseworker of the same unit: may attest what `caseworker` prepared."""
    return StaffFactory(role=Role.CASEWORKER, unit=caseworker.unit, username="handlaggare2")


@pytest.fixture
def decision(caseworker, family):
    case, members = family
    return granted_month(actor=caseworker, case=case, month=MARCH, members=members)[2]


@pytest.fixture
def refused(caseworker, family):
    case, members = family
    application = make_application(actor=caseworker, case=case, month=datetime.date(2019, 4, 1), members=members,
                                   costs=[{"cost_type": "housing", "amount_applied": 6000}])
    from cases.application_services import application_calculate

    application_calculate(actor=caseworker, application=application)
    return decision_make(actor=caseworker, application=application, item_kind="income_support", outcome="refused",
                         legal_basis="sol-12-1", delegation_point=point_for(caseworker),
                         reasoning="Inkomsterna täcker behovet.", decided_on=datetime.date(2019, 4, 1),
                         communication_omitted_reason="Beslutet bygger bara på sökandens egna uppgifter.")


def body(decision, **overrides):
    data = {"decision": decision.pk, "amount": 1000, "payment_date": timezone.localdate().isoformat(),
            "payee_name": "Anna Andersson", "account_kind": "bank_account", "clearing_number": "8327-9",
            "account_number": "923 456 789-0"}
    return {**data, **overrides}


def prepare(actor, decision, **overrides):
    data = body(decision, **overrides)
    data["payment_date"] = datetime.date.fromisoformat(data["payment_date"])
    return services.payment_order_prepare(actor=actor, **data)


def rows():
    return (PaymentOrder.objects.count(), PaymentBatch.objects.count(), PaymentReturn.objects.count(),
            ChangeEvent.objects.count(), list(PaymentOrder.objects.values_list("attested_by", "batch").order_by("pk")))


def sent(caseworker, attester, decision, amounts=(1000,)):
    orders = [prepare(caseworker, decision, amount=a) for a in amounts]
    for order in orders:
        services.payment_order_attest(actor=attester, order=order)
    batch = services.payment_batch_create(actor=attester, payment_date=timezone.localdate())
    return orders, batch


# --- preparing --------------------------------------------------------------------------------

def test_a_caseworker_prepares_an_order_for_a_granted_decision(api_as, caseworker, decision):
    response = api_as(caseworker).post(URL, body(decision), format="json")
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["status"] == "prepared" and order["amount"] == 1000 and order["attested_by"] is None
    assert order["clearing_number"] == "83279" and order["account_number"] == "9234567890"
    assert order["reference"] == "Ekonomiskt bistånd 2019-03"
    assert ChangeEvent.objects.filter(action="payment_order.prepare", object_id=str(order["id"])).exists()


def test_a_payment_on_a_refused_decision_is_refused_naming_the_decision(api_as, caseworker, refused):
    before = rows()
    response = api_as(caseworker).post(URL, body(refused), format="json")
    assert response.status_code == 400
    assert error_fields(response)["decision"][0]["code"] == "refused"
    assert rows() == before


def test_more_than_the_granted_amount_in_total_is_refused_naming_the_amount(api_as, caseworker, decision):
    client = api_as(caseworker)
    assert client.post(URL, body(decision, amount=decision.amount - 100), format="json").status_code == 201
    before = rows()
    response = client.post(URL, body(decision, amount=101), format="json")
    assert response.status_code == 400
    error = error_fields(response)["amount"][0]
    assert error["code"] == "over_granted" and "högst 100 kr" in error["message"]
    assert rows() == before
    assert client.post(URL, body(decision, amount=100), format="json").status_code == 201


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"account_kind": "bankgiro", "clearing_number": "", "account_number": "5678-1234"}, "account_number",
     "invalid_check_digit"),
    ({"account_kind": "bankgiro", "clearing_number": "", "account_number": "123"}, "account_number", "invalid_account"),
    ({"account_kind": "plusgiro", "clearing_number": "", "account_number": "12345-6"}, "account_number",
     "invalid_check_digit"),
    ({"account_kind": "iban", "clearing_number": "", "account_number": "SE45 5000 0000 0583 9825 7467"},
     "account_number", "invalid_iban"),
    ({"clearing_number": "123"}, "clearing_number", "invalid_clearing"),
    ({"clearing_number": "8327-8"}, "clearing_number", "invalid_check_digit"),
    ({"account_number": "12345"}, "account_number", "invalid_account"),
    ({"account_kind": "bankgiro", "account_number": BANKGIRO}, "clearing_number", "not_applicable"),
    ({"account_kind": "cash"}, "account_kind", "invalid_choice"),
    ({"amount": 0}, "amount", "zero"),
    ({"amount": -5}, "amount", "negative"),
    ({"payment_date": "2019-03-20"}, "payment_date", "in_past"),
    ({"payee_name": ""}, "payee_name", "blank"),
    ({"reference": "Bistånd 19850601-1234"}, "reference", "personal_number"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(api_as, caseworker, decision, overrides, field,
                                                                      code):
    from tests.factories.cases import valid_pnr

    if field == "reference":
        overrides = {"reference": f"Bistånd {valid_pnr(datetime.date(1985, 6, 1), 123)}"}
    before = rows()
    response = api_as(caseworker).post(URL, body(decision, **overrides), format="json")
    assert response.status_code == 400, response.json()
    assert error_fields(response)[field][0]["code"] == code
    assert rows() == before


@pytest.mark.parametrize(("kind", "number", "stored"), [
    ("bankgiro", BANKGIRO, "56781230"),
    ("plusgiro", "4100-0001", "41000001"),
    ("iban", IBAN, "SE4550000000058398257466"),
])
def test_giro_and_iban_accounts_are_stored_normalised(caseworker, decision, kind, number, stored):
    order = prepare(caseworker, decision, account_kind=kind, clearing_number="", account_number=number)
    assert order.account_number == stored and order.clearing_number == ""


# --- attesting --------------------------------------------------------------------------------

def test_the_preparer_may_never_attest_the_order(api_as, caseworker, decision):
    order = prepare(caseworker, decision)
    before = rows()
    response = api_as(caseworker).post(f"{URL}{order.pk}/attest/", format="json")
    assert response.status_code == 400
    assert error_fields(response)["attested_by"][0]["code"] == "preparer_attests"
    assert rows() == before


def test_another_caseworker_attests_under_the_attest_right_covering_the_amount(api_as, caseworker, attester,
                                                                              decision):
    order = prepare(caseworker, decision)
    response = api_as(attester).post(f"{URL}{order.pk}/attest/", format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "attested" and response.json()["attest_right"] == "ATT-1"
    assert response.json()["attested_by"] == attester.pk
    again = api_as(attester).post(f"{URL}{order.pk}/attest/", format="json")
    assert again.status_code == 400 and error_fields(again)["attested_by"][0]["code"] == "already_attested"


def test_an_amount_beyond_the_caseworkers_attest_right_needs_the_unit_manager(api_as, caseworker, attester,
                                                                             unit_manager, decision):
    from cases.payment_models import AttestRight

    AttestRight.objects.filter(code="ATT-1").update(max_amount=500)
    order = prepare(caseworker, decision)
    before = rows()
    response = api_as(attester).post(f"{URL}{order.pk}/attest/", format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_attest_right"
    assert "attest_right" in error_fields(response) and "500 kr" in response.json()["error"]["message"]
    assert rows() == before
    response = api_as(unit_manager).post(f"{URL}{order.pk}/attest/", format="json")
    assert response.status_code == 200 and response.json()["attest_right"] == "ATT-2"


def test_the_database_refuses_an_attestation_by_the_preparer(caseworker, decision):
    from django.db import IntegrityError, transaction

    order = prepare(caseworker, decision)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOrder.objects.filter(pk=order.pk).update(
            attested_by=caseworker, attested_at=timezone.now(), attest_right_id=1)


# --- batches and the file ---------------------------------------------------------------------

def test_the_days_attested_orders_form_a_batch_whose_file_is_valid_and_adds_up(api_as, caseworker, attester,
                                                                              decision):
    orders = [prepare(caseworker, decision, amount=a) for a in (1200, 800)]
    orders.append(prepare(caseworker, decision, amount=300, account_kind="bankgiro", clearing_number="",
                          account_number=BANKGIRO))
    orders.append(prepare(caseworker, decision, amount=50, account_kind="iban", clearing_number="", account_number=IBAN))
    orders.append(prepare(caseworker, decision, amount=25, account_kind="plusgiro", clearing_number="",
                          account_number="4100-0001"))
    unattested = prepare(caseworker, decision, amount=5)
    for order in orders:
        services.payment_order_attest(actor=attester, order=order)
    client = api_as(attester)
    response = client.post(BATCHES, {"payment_date": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["number_of_orders"] == 5 and batch["total_amount"] == 2375
    assert sorted(batch["orders"]) == sorted(o.pk for o in orders) and unattested.pk not in batch["orders"]

    logged = AccessLogEntry.objects.filter(action="export", object_type="cases.paymentorder").count()
    download = client.get(f"{BATCHES}{batch['id']}/pain001/")
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    content = download.content
    SCHEMA.validate(content)  # raises when the file breaks the ISO 20022 schema
    assert file_totals(content) == (5, Decimal("2375.00"))
    assert b"<CtrlSum>2375.00</CtrlSum>" in content and b'<InstdAmt Ccy="SEK">1200.00</InstdAmt>' in content
    assert b"<Prtry>BGNR</Prtry>" in content and b"<IBAN>SE4550000000058398257466</IBAN>" in content
    assert b"<MmbId>83279</MmbId>" in content
    # No more personal data than the bank needs: no personnummer, no case.
    for person in decision.application.case.household.members.exclude(applicant=None):
        assert person.applicant.personal_identity_number.encode() not in content
    assert AccessLogEntry.objects.filter(action="export", object_type="cases.paymentorder").count() > logged
    assert not client.post(BATCHES, {"payment_date": timezone.localdate().isoformat()},
                           format="json").status_code == 201


def test_a_batch_with_nothing_attested_is_refused_naming_the_day(api_as, caseworker, decision):
    prepare(caseworker, decision)
    before = rows()
    response = api_as(caseworker).post(BATCHES, {"payment_date": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 400 and error_fields(response)["payment_date"][0]["code"] == "nothing_to_batch"
    assert rows() == before


def test_a_file_that_does_not_add_up_to_its_batch_is_never_produced(caseworker, attester, decision):
    orders, batch = sent(caseworker, attester, decision, amounts=(1000, 500))
    with pytest.raises(Conflict):
        pain001_document(batch, orders[:1])
    batch.total_amount += 1
    with pytest.raises(Conflict):
        pain001_document(batch, orders)


# --- returns ----------------------------------------------------------------------------------

def test_a_returned_payment_is_recorded_and_can_be_paid_again(api_as, caseworker, attester, decision):
    (order,), _ = sent(caseworker, attester, decision, amounts=(decision.amount,))
    client = api_as(attester)
    response = client.post(f"{URL}{order.pk}/return/", {"returned_on": timezone.localdate().isoformat(),
                                                         "reason": "Kontot är avslutat."}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "returned" and response.json()["payment_return"]["reason"] == "Kontot är avslutat."
    # History: the order is still there as it was.
    order.refresh_from_db()
    assert order.batch_id and order.attested_by == attester and order.amount == decision.amount
    # The whole granted amount is free again, for a new order that pays the returned one again.
    again = api_as(caseworker).post(URL, body(decision, amount=decision.amount, reissues=order.pk, account_kind="bankgiro",
                                              clearing_number="", account_number=BANKGIRO), format="json")
    assert again.status_code == 201, again.json()
    assert again.json()["reissues"] == order.pk
    assert client.post(f"{URL}{again.json()['id']}/attest/", format="json").status_code == 200
    listed = {row["id"]: row for row in client.get(URL, {"decision": decision.pk}).json()["results"]}
    assert listed[order.pk]["reissued_by"] == again.json()["id"]
    twice = api_as(caseworker).post(URL, body(decision, amount=1, reissues=order.pk), format="json")
    assert twice.status_code == 400


@pytest.mark.parametrize(("payload", "field", "code"), [
    ({"returned_on": "2019-01-01", "reason": "Fel konto"}, "returned_on", "before_payment"),
    ({"returned_on": "2999-01-01", "reason": "Fel konto"}, "returned_on", "in_future"),
    ({"returned_on": "today", "reason": "   "}, "reason", "blank"),
])
def test_a_return_with_bad_input_is_refused_naming_the_field(api_as, caseworker, attester, decision, payload, field,
                                                             code):
    (order,), _ = sent(caseworker, attester, decision)
    if payload["returned_on"] == "today":
        payload = {**payload, "returned_on": timezone.localdate().isoformat()}
    before = rows()
    response = api_as(attester).post(f"{URL}{order.pk}/return/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in error_fields(response)
    assert rows() == before


def test_an_order_not_yet_sent_cannot_be_returned(api_as, caseworker, attester, decision):
    order = prepare(caseworker, decision)
    before = rows()
    response = api_as(attester).post(f"{URL}{order.pk}/return/", {"returned_on": timezone.localdate().isoformat(),
                                                                  "reason": "Fel"}, format="json")
    assert response.status_code == 400 and error_fields(response)["order"][0]["code"] == "not_sent"
    assert rows() == before


# --- reading ----------------------------------------------------------------------------------

def test_every_read_is_logged_and_lists_filter_by_status(api_as, caseworker, attester, decision):
    sent(caseworker, attester, decision, amounts=(100, 200))
    prepared = prepare(caseworker, decision, amount=300)
    client = api_as(caseworker)
    before = AccessLogEntry.objects.filter(object_type="cases.paymentorder").count()
    listed = client.get(URL, {"status": "prepared"}).json()["results"]
    assert [row["id"] for row in listed] == [prepared.pk]
    assert {row["status"] for row in client.get(URL, {"status": "sent"}).json()["results"]} == {"sent"}
    assert AccessLogEntry.objects.filter(object_type="cases.paymentorder").count() > before
    backwards = client.get(URL, {"payment_date_from": "2026-02-01", "payment_date_to": "2026-01-01"})
    assert backwards.status_code == 400 and "payment_date_to" in error_fields(backwards)


def test_another_units_order_is_not_found(api_as, caseworker, decision):
    from tests.factories.cases import UnitFactory

    order = prepare(caseworker, decision)
    stranger = StaffFactory(role=Role.CASEWORKER, unit=UnitFactory(code="annan"))
    assert api_as(stranger).get(f"{URL}{order.pk}/").status_code == 404
    assert api_as(stranger).post(f"{URL}{order.pk}/attest/").status_code == 404
    assert api_as(stranger).get(URL).json()["results"] == []


def _queries(client, url) -> tuple[int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        data = client.get(url).json()
    return len(captured.captured_queries), data


def test_lists_run_a_fixed_number_of_queries(api_as, caseworker, attester, family, django_assert_max_num_queries):
    case, members = family
    decisions = [granted_month(actor=caseworker, case=case, month=datetime.date(2019, m, 1), members=members)[2]
                 for m in (3, 5)]
    sent(caseworker, attester, decisions[0], amounts=(100,))
    client = api_as(attester)
    orders_one, data = _queries(client, URL)
    batches_one, batches = _queries(client, BATCHES)
    assert len(data["results"]) == 1 and len(batches["results"]) == 1
    for d in decisions:
        for amount in (10, 20, 30):
            services.payment_order_attest(actor=attester, order=prepare(caseworker, d, amount=amount))
    services.payment_batch_create(actor=attester, payment_date=timezone.localdate())
    with django_assert_max_num_queries(orders_one):
        assert len(client.get(URL).json()["results"]) == 7
    with django_assert_max_num_queries(batches_one):
        assert len(client.get(BATCHES).json()["results"]) == 2
    assert orders_one <= 12 and batches_one <= 8
