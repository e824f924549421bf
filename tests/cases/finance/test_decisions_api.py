"""Decisions: delegation, legal basis and appeal information, immutability and corrections,
execution tracking, the delegated-decision list, jobbstimulans from decided months."""

import datetime

import pytest
from django.db import connection

from audit.models import AccessLogEntry
from cases import finance_selectors as fs
from cases.application_services import application_calculate
from cases.finance_models import Decision, DecisionExecutionEvent
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.finance import family_case, granted_month, make_application

pytestmark = pytest.mark.django_db

URL = "/api/v1/decisions/"
MARCH = datetime.date(2019, 3, 1)

# Kommunicering was obviously unnecessary (FL 25 §): the decision rests only on what the applicant gave.
NOT_NEEDED = "Beslutet grundar sig enbart på uppgifter som sökanden själv har lämnat."


@pytest.fixture
def calculated(caseworker, family):
    case, members = family
    application = make_application(actor=caseworker, case=case, month=MARCH, members=members,
                                   costs=[{"cost_type": "housing", "amount_applied": 7000},
                                          {"cost_type": "dental", "amount_applied": 6000}])
    calculation = application_calculate(actor=caseworker, application=application)
    return application, calculation


def body(application, **overrides):
    data = {
        "application": application.pk,
        "item_kind": "income_support",
        "outcome": "granted",
        "legal_basis": "sol-12-1",
        "delegation_point": "EB-1",
        "reasoning": "Hushållet saknar andra inkomster; behovet är styrkt.",
        "decided_on": "2019-03-05",
    }
    data.update(overrides)
    return data


def fields_of(response):
    return response.json()["error"].get("fields", {})


def test_granted_decision_carries_legal_basis_delegation_and_appeal_information(api_as, caseworker, calculated):
    application, calculation = calculated
    response = api_as(caseworker).post(URL, body(application), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    # couple 5 570 + child 2 380 + shared(3) 1 380 + housing 7 000 = 16 330
    assert data["amount"] == data["amount_applied"] == calculation.requested_amount == 16330
    # Decided in 2019: the law then in force (tests/cases/finance/test_legal_basis_dates.py).
    assert (data["legal_basis"]["law"], data["legal_basis"]["reference"]) == ("SoL (2001:453)", "4 kap. 1 §")
    assert "förvaltningsrätten" in data["appeal_information"] and "tre veckor" in data["appeal_information"]
    assert data["delegation_point"] == "EB-1" and data["decided_by"] == caseworker.pk
    assert data["calculation"] == calculation.pk and data["executed_on"] is None
    application.refresh_from_db()
    assert application.status == "decided"


def test_partly_granted_and_refused_cost_items(api_as, caseworker, calculated):
    application, _ = calculated
    dental = application.costs.get(cost_type__code="dental")
    client = api_as(caseworker)
    response = client.post(URL, body(application, item_kind="cost", cost=dental.pk, outcome="partly_granted",
                                     amount=4000, delegation_point="EB-3", communication_omitted_reason=NOT_NEEDED),
                           format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["amount"], response.json()["amount_applied"]) == (4000, 6000)
    housing = application.costs.get(cost_type__code="housing")
    response = client.post(URL, body(application, item_kind="cost", cost=housing.pk, delegation_point="EB-3"),
                           format="json")
    assert response.status_code == 400 and fields_of(response)["cost"][0]["code"] == "part_of_income_support"


def test_missing_delegation_is_403_naming_it(api_as, caseworker, unit_manager, calculated, counts):
    application, _ = calculated
    dental = application.costs.get(cost_type__code="dental")
    client = api_as(caseworker)
    before = counts()
    # EB-3 covers livsföring i övrigt up to 5 000 kr; 6 000 is beyond it.
    response = client.post(URL, body(application, item_kind="cost", cost=dental.pk, delegation_point="EB-3"),
                           format="json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "missing_delegation"
    assert "EB-3" in error["message"] and "5000 kr" in error["message"] and "6000 kr" in error["message"]
    # EB-2 belongs to the unit manager
    response = client.post(URL, body(application, delegation_point="EB-2"), format="json")
    assert response.status_code == 403 and "EB-2" in response.json()["error"]["message"]
    assert "enhetschef" in response.json()["error"]["message"]
    # a point for another legal basis
    response = client.post(URL, body(application, delegation_point="EB-6"), format="json")
    assert response.status_code == 403 and "EB-6" in response.json()["error"]["message"]
    assert counts() == before
    # the unit manager's delegation covers it
    response = api_as(unit_manager).post(
        URL, body(application, item_kind="cost", cost=dental.pk, delegation_point="EB-4"), format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"legal_basis": ""}, "legal_basis"),
        ({"legal_basis": "sol-99-9"}, "legal_basis"),
        ({"reasoning": ""}, "reasoning"),
        ({"reasoning": "   "}, "reasoning"),
        ({"delegation_point": ""}, "delegation_point"),
        ({"outcome": "partly_granted", "amount": 20000}, "amount"),
        ({"outcome": "refused", "amount": 100}, "amount"),
        ({"outcome": "partly_granted", "amount": "100.50"}, "amount"),
    ],
)
def test_incomplete_decisions_are_refused_and_nothing_written(api_as, caseworker, calculated, counts, override, field):
    application, _ = calculated
    before = counts()
    response = api_as(caseworker).post(URL, body(application, **override), format="json")
    assert response.status_code == 400, response.json()
    assert field in fields_of(response)
    assert counts() == before


def test_a_signed_decision_never_changes_and_a_correction_replaces_it(api_as, caseworker, calculated, counts):
    application, _ = calculated
    client = api_as(caseworker)
    first = client.post(URL, body(application), format="json").json()
    before = counts()
    response = client.patch(f"{URL}{first['id']}/", {"amount": 1}, format="json")
    assert response.status_code == 409
    assert fields_of(response)["amount"][0]["code"] == "decision_signed"
    assert client.put(f"{URL}{first['id']}/", {"reasoning": "x"}, format="json").status_code == 409
    # a second decision on the same item must say what it replaces
    duplicate = client.post(URL, body(application), format="json")
    assert duplicate.status_code == 409 and "replaces" in fields_of(duplicate)
    assert counts() == before

    corrected = client.post(f"{URL}{first['id']}/correct/",
                            {"outcome": "partly_granted", "amount": 15000, "legal_basis": "sol-12-1",
                             "delegation_point": "EB-1", "reasoning": "Rättelse: hyran var lägre.",
                             "communication_omitted_reason": NOT_NEEDED}, format="json")
    assert corrected.status_code == 201, corrected.json()
    assert corrected.json()["replaces"] == first["id"]
    old = client.get(f"{URL}{first['id']}/").json()
    assert old["replaced_by"] == corrected.json()["id"]
    assert (old["amount"], old["outcome"], old["reasoning"]) == (first["amount"], "granted", first["reasoning"])
    again = client.post(f"{URL}{first['id']}/correct/", {"outcome": "refused", "legal_basis": "sol-12-1",
                                                          "delegation_point": "EB-1", "reasoning": "x"}, format="json")
    assert again.status_code == 400 and "replaces" in fields_of(again)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger exists on PostgreSQL only")
def test_database_refuses_update_of_a_signed_decision(caseworker, calculated):
    from django.db import DatabaseError, transaction

    application, _ = calculated
    _, _, decision = granted_month(actor=caseworker, case=application.case, month=datetime.date(2019, 4, 1),
                                   members=[m.household_member for m in application.members.all()])
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(amount=1)


def test_execution_dates_and_the_unexecuted_report(api_as, caseworker, family):
    case, members = family
    client = api_as(caseworker)
    decisions = []
    for month in (1, 2, 3):
        decisions.append(granted_month(actor=caseworker, case=case, month=datetime.date(2019, month, 1),
                                       members=members)[2])
    jan, feb, mar = decisions
    response = client.post(f"{URL}{jan.pk}/execution/", {"kind": "executed", "occurred_on": "2019-01-03"}, format="json")
    assert response.status_code == 201 and response.json()["executed_on"] == "2019-01-03"
    bad = client.post(f"{URL}{jan.pk}/execution/", {"kind": "executed", "occurred_on": "2019-01-04"}, format="json")
    assert bad.status_code == 400 and "kind" in fields_of(bad)
    early = client.post(f"{URL}{feb.pk}/execution/", {"kind": "executed", "occurred_on": "2018-12-01"}, format="json")
    assert early.status_code == 400 and "occurred_on" in fields_of(early)
    client.post(f"{URL}{mar.pk}/execution/", {"kind": "executed", "occurred_on": "2019-03-02"}, format="json")
    client.post(f"{URL}{mar.pk}/execution/", {"kind": "interrupted", "occurred_on": "2019-03-10",
                                              "note": "Utbetalning stoppad"}, format="json")

    as_of = datetime.date(2019, 6, 15)
    assert list(fs.unexecuted_decisions(as_of=as_of)) == [feb]  # decided 2019-02-01, never executed
    assert list(fs.interrupted_not_resumed(as_of=as_of)) == [mar]
    assert list(fs.unexecuted_decisions(as_of=datetime.date(2019, 4, 30))) == []  # feb not yet 3 months
    client.post(f"{URL}{mar.pk}/execution/", {"kind": "resumed", "occurred_on": "2019-04-01"}, format="json")
    assert list(fs.interrupted_not_resumed(as_of=as_of)) == []
    assert DecisionExecutionEvent.objects.filter(decision=mar).count() == 3


def test_jobbstimulans_from_six_decided_months(api_as, caseworker):
    # Single adult granted försörjningsstöd January–June 2023; in July she earns 8 000.
    # 3 490 + 1 130 + housing 6 000 = 10 620; 25 % of 8 000 (2 000) is not counted: 10 620 − 6 000 = 4 620
    case, members = family_case(unit=caseworker.unit, opened_on=datetime.date(2023, 1, 1), children=(), couple=False)
    for month in range(1, 7):
        granted_month(actor=caseworker, case=case, month=datetime.date(2023, month, 1), members=members)
    july = make_application(actor=caseworker, case=case, month=datetime.date(2023, 7, 1), members=members,
                            incomes=[{"member": members[0].pk, "income_type": "wages", "amount": 8000}],
                            costs=[{"cost_type": "housing", "amount_applied": 6000}])
    approve = api_as(caseworker).post(f"/api/v1/applications/{july.pk}/approve-costs/", {
        "approvals": [{"cost": july.costs.get().pk, "amount_approved": 6000}]}, format="json")
    assert approve.status_code == 200
    data = api_as(caseworker).post(f"/api/v1/applications/{july.pk}/calculate/").json()
    assert data["income_total"] == 6000 and data["result_amount"] == 4620
    line = next(line for line in data["lines"] if line["kind"] == "jobbstimulans")
    assert line["amount"] == 2000 and line["basis"]["consecutive_months_before"] == 6


def test_delegated_decision_list_for_the_board(api_as, caseworker, unit_manager, board_member, family):
    case, members = family
    for month in (1, 2):
        granted_month(actor=caseworker, case=case, month=datetime.date(2019, month, 1), members=members)
    granted_month(actor=caseworker, decider=unit_manager, case=case, month=datetime.date(2019, 3, 1), members=members)
    url = "/api/v1/delegated-decisions/?decided_from=2019-01-01&decided_to=2019-02-28"
    rows = api_as(board_member).get(url).json()
    assert [(r["delegation_point"], r["decided_by"], r["count"], r["granted"]) for r in rows] == [
        ("EB-1", caseworker.pk, 2, 2)]
    assert rows[0]["amount_total"] == 2 * (5570 + 2380 + 1380 + 6000)
    assert not {"case", "application", "person", "personal_identity_number"} & set(rows[0])
    rows = api_as(unit_manager).get(url.replace("02-28", "03-31")).json()
    assert [(r["delegation_point"], r["count"]) for r in rows] == [("EB-1", 2), ("EB-2", 1)]
    assert api_as(caseworker).get(url).status_code == 403
    bad = api_as(board_member).get("/api/v1/delegated-decisions/?decided_from=2019-03-01&decided_to=2019-01-01")
    assert bad.status_code == 400 and "decided_to" in fields_of(bad)
    assert AccessLogEntry.objects.filter(object_type="cases.delegated_decision_list", actor_id=board_member.pk).exists()


def test_decisions_scoped_logged_and_listed_in_fixed_queries(api_as, caseworker, django_assert_max_num_queries):
    client = api_as(caseworker)

    def build(n):
        for _ in range(n):
            case, members = family_case(unit=caseworker.unit)
            granted_month(actor=caseworker, case=case, month=MARCH, members=members)

    build(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(URL).json()["count"] == 2
    limit = len(few)
    build(5)
    with django_assert_max_num_queries(limit):
        assert client.get(URL).json()["count"] == 7
    decision = Decision.objects.first()
    adults = set(decision.application.case.household.members.filter(applicant__isnull=False)
                 .values_list("applicant_id", flat=True))
    assert set(AccessLogEntry.objects.filter(object_type="cases.decision", action="list", object_id=str(decision.pk))
               .values_list("person_id", flat=True)) == adults
    outsider = api_as(StaffFactory(role="caseworker", unit=UnitFactory(code="annan-enhet")))
    assert outsider.get(f"{URL}{decision.pk}/").status_code == 404
    assert outsider.get(URL).json()["count"] == 0
    assert outsider.post(f"{URL}{decision.pk}/execution/", {"kind": "executed", "occurred_on": "2019-03-02"},
                         format="json").status_code == 404


def test_a_decision_dated_in_the_future_is_refused(api_as, caseworker, calculated, counts):
    application, _ = calculated
    before = counts()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = api_as(caseworker).post(URL, body(application, decided_on=tomorrow), format="json")
    assert response.status_code == 400 and "decided_on" in fields_of(response)
    assert counts() == before
