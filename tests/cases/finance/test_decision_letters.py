"""Decisions are communicated (issue 14): kommunicering before a decision against the applicant,
the decision letter stored with its hash at signing and never rendered again, when the decision
was sent and the appeal deadline computed from it."""

import datetime
import hashlib

import pytest
from django.db import connection

from audit.models import AccessLogEntry
from cases import decision_services
from cases.application_services import application_calculate
from cases.finance_models import Decision, LegalBasis
from cases.letter_models import Communication, DecisionDelivery, DecisionLetter
from cases.letters import letter_text
from cases.norms import appeal_deadline
from tests.audit.reports.helpers import pdf_text
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.finance import granted_month, make_application
from tests.platform.test_plain_swedish import developer_text

pytestmark = pytest.mark.django_db

URL = "/api/v1/decisions/"
COMMUNICATIONS = "/api/v1/communications/"
MARCH = datetime.date(2019, 3, 1)
APPEAL_WORDS = "överklaga det till förvaltningsrätten"


def fields_of(response):
    return response.json()["error"]["fields"]


@pytest.fixture
def calculated(caseworker, family):
    case, members = family
    application = make_application(actor=caseworker, case=case, month=MARCH, members=members,
                                   costs=[{"cost_type": "housing", "amount_applied": 7000},
                                          {"cost_type": "dental", "amount_applied": 6000}])
    calculation = application_calculate(actor=caseworker, application=application)
    return application, calculation


def decide(client, application, **overrides):
    body = {"application": application.pk, "item_kind": "income_support", "outcome": "granted",
            "legal_basis": "sol-12-1", "delegation_point": "EB-1", "decided_on": "2019-03-05",
            "reasoning": "Hushållet saknar andra inkomster; behovet är styrkt."}
    return client.post(URL, {**body, **overrides}, format="json")


def communicate(client, on, **overrides):
    body = {"application": on.pk, "communicated_on": "2019-03-02", "answer_by": "2019-03-04",
            "content": "Beräkningen visar att inkomsterna räcker till en del av hyran."}
    return client.post(COMMUNICATIONS, {**body, **overrides}, format="json")


# --- kommunicering -------------------------------------------------------------------------------

@pytest.mark.parametrize("outcome", [{"outcome": "refused"}, {"outcome": "partly_granted", "amount": 5000}])
def test_a_decision_against_the_applicant_needs_kommunicering_or_a_reason(api_as, caseworker, calculated, counts,
                                                                          outcome):
    application, _ = calculated
    client = api_as(caseworker)
    before = counts()
    response = decide(client, application, **outcome)
    assert response.status_code == 400
    assert fields_of(response)["communication_omitted_reason"][0]["code"] == "communication_missing"
    assert "förvaltningslagen (2017:900) 25 §" in fields_of(response)["communication_omitted_reason"][0]["message"]
    assert counts() == before
    # With the reason why it was obviously unnecessary: made, stored, and it warns.
    made = decide(client, application, **outcome, communication_omitted_reason="Uppgifterna kommer från sökanden.")
    assert made.status_code == 201, made.json()
    assert made.json()["communication_omitted_reason"] == "Uppgifterna kommer från sökanden."
    assert any("kommunicering" in w for w in made.json()["warnings"])


def test_a_recorded_kommunicering_lets_the_refusal_through_without_warning(api_as, caseworker, calculated):
    application, _ = calculated
    client = api_as(caseworker)
    created = communicate(client, application, answer="Jag har inget att tillägga.", answered_on="2019-03-03")
    assert created.status_code == 201, created.json()
    assert created.json()["answer"] == "Jag har inget att tillägga."
    made = decide(client, application, outcome="refused")
    assert made.status_code == 201, made.json()
    assert made.json()["warnings"] == [] and made.json()["communication_omitted_reason"] == ""
    listed = client.get(COMMUNICATIONS, {"application": application.pk}).json()
    assert [c["id"] for c in listed["results"]] == [created.json()["id"]]


def test_a_kommunicering_after_the_decision_date_does_not_count(api_as, caseworker, calculated):
    application, _ = calculated
    client = api_as(caseworker)
    assert communicate(client, application, communicated_on="2019-03-06", answer_by="2019-03-10").status_code == 201
    response = decide(client, application, outcome="refused")  # decided 2019-03-05
    assert response.status_code == 400 and "communication_omitted_reason" in fields_of(response)


def test_a_granted_decision_needs_no_kommunicering(api_as, caseworker, calculated):
    application, _ = calculated
    made = decide(api_as(caseworker), application)
    assert made.status_code == 201 and made.json()["warnings"] == []


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"content": "  "}, "content"),
        ({"communicated_on": "2099-01-01", "answer_by": "2099-01-08"}, "communicated_on"),
        ({"answer_by": "2019-03-01"}, "answer_by"),
        ({"answer": "Svar utan datum"}, "answered_on"),
        ({"answered_on": "2019-03-03"}, "answer"),
        ({"answer": "Före", "answered_on": "2019-03-01"}, "answered_on"),
        ({"answer_by": "inte ett datum"}, "answer_by"),
        ({"application": 999999}, "application"),
    ],
)
def test_bad_kommunicering_is_refused_naming_the_field_and_nothing_written(api_as, caseworker, calculated, counts,
                                                                           override, field):
    application, _ = calculated
    before = counts()
    response = communicate(api_as(caseworker), application, **override)
    assert response.status_code == 400, response.json()
    assert field in fields_of(response)
    assert counts() == before


def test_kommunicering_out_of_scope_is_not_found_and_nothing_written(api_as, caseworker, calculated, counts):
    application, _ = calculated
    communication = communicate(api_as(caseworker), application).json()
    other = StaffFactory(role="caseworker", unit=UnitFactory(code="annan"))
    before = counts()
    client = api_as(other)
    response = communicate(client, application)
    assert response.status_code == 400 and fields_of(response)["application"][0]["code"] == "not_found"
    assert client.get(f"{COMMUNICATIONS}{communication['id']}/").status_code == 404
    assert client.get(COMMUNICATIONS).json()["count"] == 0
    assert counts() == before
    coordinator = StaffFactory(role="coordinator", unit=UnitFactory(code="koord"))
    assert api_as(coordinator).get(COMMUNICATIONS).status_code == 403


def test_the_kommunicering_list_runs_a_fixed_number_of_queries(api_as, caseworker, calculated,
                                                                django_assert_max_num_queries):
    application, _ = calculated
    client = api_as(caseworker)
    communicate(client, application)
    with django_assert_max_num_queries(20) as one:
        assert client.get(COMMUNICATIONS).json()["count"] == 1
    few = len(one)
    for day in range(2, 14):
        communicate(client, application, communicated_on=f"2019-03-{day:02d}", answer_by="2019-03-20")
    with django_assert_max_num_queries(few):
        assert client.get(COMMUNICATIONS).json()["count"] == 13


# --- the decision letter -------------------------------------------------------------------------

def test_the_letter_is_stored_at_signing_and_says_what_the_decision_rests_on(api_as, caseworker, calculated):
    application, calculation = calculated
    made = decide(api_as(caseworker), application).json()
    letter = DecisionLetter.objects.get(decision_id=made["id"])
    text = letter.text
    assert letter.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert letter.signed_at == Decision.objects.get(pk=made["id"]).signed_at
    kr = f"{made['amount']:,}".replace(",", "\u00a0") + "\u00a0kr"
    assert f"Du beviljas försörjningsstöd för mars 2019 med {kr}." in text
    assert "Beslutsdatum: 5 mars 2019" in text
    assert f"riksnormen {calculation.norm_table.name}" in text
    for line in calculation.lines.all():
        assert line.description in text
    assert "Hushållet saknar andra inkomster; behovet är styrkt." in text
    # SoL (2001:453) was in force in March 2019: the letter cites the old law.
    assert "4 kap. 1 § socialtjänstlagen (2001:453)" in text and "2025:400" not in text
    assert "punkt EB-1 i socialnämndens delegationsordning" in text and caseworker.get_full_name() in text
    assert APPEAL_WORDS in text and "inom tre veckor" in text and "skickar sedan överklagandet vidare" in text
    assert developer_text(text) == []
    assert "sol-12-1" not in text and "income_support" not in text and "granted" not in text


def test_a_partly_granted_cost_item_says_what_it_covers_and_what_was_refused(api_as, caseworker, calculated):
    application, _ = calculated
    dental = application.costs.get(cost_type__code="dental")
    made = decide(api_as(caseworker), application, item_kind="cost", cost=dental.pk, outcome="partly_granted",
                  amount=4000, delegation_point="EB-3", communication_omitted_reason="Sökandens egna uppgifter.")
    text = DecisionLetter.objects.get(decision_id=made.json()["id"]).text
    assert "Du beviljas delvis bistånd till" in text and "4\u00a0000\u00a0kr av de 6\u00a0000\u00a0kr" in text
    assert "Så har vi räknat" not in text  # the income-support calculation is not this item's
    assert developer_text(text) == []


def test_appeal_instructions_only_where_the_decision_can_be_appealed(caseworker, family):
    case, members = family
    _, _, decision = granted_month(actor=caseworker, case=case, month=MARCH, members=members)
    assert APPEAL_WORDS in decision.letter.text
    basis = decision.cited_legal_basis
    LegalBasis.objects.filter(pk=basis.pk).update(appeal_kind="none", appeal_information="")
    decision = Decision.objects.select_related("legal_basis__replaces").get(pk=decision.pk)
    assert APPEAL_WORDS not in letter_text(decision)
    assert "Hur du överklagar" not in letter_text(decision)


def test_changed_reference_data_does_not_change_the_stored_letter(api_as, caseworker, calculated):
    application, _ = calculated
    client = api_as(caseworker)
    made = decide(client, application).json()
    first = client.get(f"{URL}{made['id']}/letter/").json()
    assert first["verified"] is True and first["decision"] == made["id"]
    LegalBasis.objects.update(title="Ett helt annat lagrum")
    caseworker.first_name = "Ändrad"
    caseworker.save()
    again = client.get(f"{URL}{made['id']}/letter/").json()
    assert again == first
    assert "Ett helt annat lagrum".lower() not in again["text"] and "Ändrad" not in again["text"]
    pdf = client.get(f"{URL}{made['id']}/letter/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    read_back = " ".join(pdf_text(pdf.content).split())
    assert "Beslut om ekonomiskt bistånd" in read_back and "Ändrad" not in read_back
    assert "ekonomiskt bistånd (försörjningsstöd och livsföring i övrigt)" in read_back
    assert "överklaga det till" in read_back and first["sha256"] in read_back.replace(" ", "")
    assert developer_text(read_back.replace(first["sha256"], "")) == []


def test_reading_the_letter_is_logged(api_as, caseworker, calculated, family):
    application, _ = calculated
    client = api_as(caseworker)
    made = decide(client, application).json()
    client.get(f"{URL}{made['id']}/letter/")
    client.get(f"{URL}{made['id']}/letter/pdf/")
    letter = DecisionLetter.objects.get(decision_id=made["id"])
    logged = AccessLogEntry.objects.filter(object_type="cases.decisionletter", object_id=str(letter.pk))
    assert set(logged.values_list("action", flat=True)) == {"read", "export"}
    assert {m.applicant_id for m in family[1] if m.applicant_id} <= set(logged.values_list("person_id", flat=True))


def test_no_letter_for_a_decision_without_one_or_out_of_scope(api_as, caseworker, calculated, monkeypatch):
    application, _ = calculated
    client = api_as(caseworker)
    assert client.get(f"{URL}999999/letter/").status_code == 404
    assert client.get(f"{URL}999999/letter/pdf/").status_code == 404
    made = decide(client, application).json()
    other = api_as(StaffFactory(role="caseworker", unit=UnitFactory(code="annan")))
    assert other.get(f"{URL}{made['id']}/letter/").status_code == 404
    # A decision with no stored letter (as one imported from a previous system): 404 naming the letter.
    monkeypatch.setattr(decision_services, "letter_sign", lambda decision: None)
    _, _, imported = granted_month(actor=caseworker, case=application.case, month=datetime.date(2019, 4, 1),
                                   members=list(application.case.household.members.all()))
    made = {"id": imported.pk}
    response = client.get(f"{URL}{made['id']}/letter/")
    assert response.status_code == 404 and "letter" in fields_of(response)
    assert client.get(f"{URL}{made['id']}/").json()["has_letter"] is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's; elsewhere the services guard")
def test_the_database_refuses_to_change_or_remove_a_letter(caseworker, family):
    from django.db import DatabaseError, transaction

    case, members = family
    _, _, decision = granted_month(actor=caseworker, case=case, month=MARCH, members=members)
    for statement in ("UPDATE cases_decisionletter SET text = 'x' WHERE decision_id = %s",
                      "DELETE FROM cases_decisionletter WHERE decision_id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [decision.pk])
    assert DecisionLetter.objects.get(decision=decision).verifies


def test_a_letter_made_in_bulk_is_the_letter_the_service_makes(caseworker, family):
    from cases.letters import letters_sign_bulk

    case, members = family
    _, _, decision = granted_month(actor=caseworker, case=case, month=MARCH, members=members)
    stored = DecisionLetter.objects.get(decision=decision).text
    assert letters_sign_bulk([decision.pk]) == 0  # it has one: nothing made twice
    assert letter_text(Decision.objects.get(pk=decision.pk)) == stored


# --- sent or handed over, and the appeal deadline --------------------------------------------------

def test_recording_when_the_decision_was_sent_gives_the_appeal_deadline(api_as, caseworker, calculated, counts):
    application, _ = calculated
    client = api_as(caseworker)
    made = decide(client, application).json()
    assert made["delivery"] is None
    before = counts()
    early = client.post(f"{URL}{made['id']}/delivery/", {"delivered_on": "2019-03-04", "way": "post"}, format="json")
    assert early.status_code == 400 and fields_of(early)["delivered_on"][0]["code"] == "before_decision"
    bad_way = client.post(f"{URL}{made['id']}/delivery/", {"delivered_on": "2019-03-06", "way": "duva"}, format="json")
    assert bad_way.status_code == 400 and "way" in fields_of(bad_way)
    assert counts() == before
    sent = client.post(f"{URL}{made['id']}/delivery/", {"delivered_on": "2019-03-06", "way": "post"}, format="json")
    assert sent.status_code == 201, sent.json()
    # 6 March 2019 + three weeks = Wednesday 27 March
    delivery = sent.json()["delivery"]
    assert delivery.pop("updated_at")  # every row's version (issue 15)
    assert delivery == {"delivered_on": "2019-03-06", "way": "post", "recorded_by": caseworker.pk,
                        "appeal_deadline": "2019-03-27"}
    assert client.get(f"{URL}{made['id']}/").json()["delivery"]["appeal_deadline"] == "2019-03-27"
    again = client.post(f"{URL}{made['id']}/delivery/", {"delivered_on": "2019-03-07", "way": "digital"}, format="json")
    assert again.status_code == 409 and "delivered_on" in fields_of(again)
    assert DecisionDelivery.objects.filter(decision_id=made["id"]).count() == 1


def test_the_appeal_deadline_rule():
    assert appeal_deadline(datetime.date(2019, 3, 6)) == datetime.date(2019, 3, 27)
    # Three weeks from a Saturday end on a Saturday: the period runs to the Monday.
    assert appeal_deadline(datetime.date(2019, 3, 2)) == datetime.date(2019, 3, 25)
    assert appeal_deadline(datetime.date(2019, 3, 2), 30) == datetime.date(2019, 4, 1)


def test_the_decision_list_stays_a_fixed_number_of_queries_with_letters_and_deliveries(
        api_as, caseworker, family, django_assert_max_num_queries):
    case, members = family
    client = api_as(caseworker)
    _, _, first = granted_month(actor=caseworker, case=case, month=MARCH, members=members)
    decision_services.decision_record_delivery(actor=caseworker, decision=first, delivered_on=MARCH, way="post")
    with django_assert_max_num_queries(30) as one:
        client.get(URL)
    few = len(one)
    for month in range(4, 12):
        _, _, d = granted_month(actor=caseworker, case=case, month=datetime.date(2019, month, 1), members=members)
        decision_services.decision_record_delivery(actor=caseworker, decision=d, delivered_on=d.decided_on,
                                                   way="digital")
    with django_assert_max_num_queries(few):
        response = client.get(URL)
    assert response.json()["count"] == 9
    assert all(row["has_letter"] and row["delivery"]["appeal_deadline"] for row in response.json()["results"])
    assert Communication.objects.count() == 0
