"""Monthly applications through the API: create, calculate (stored and dry run), bad input."""

import datetime

import pytest

from audit.models import AccessLogEntry
from cases.finance_models import Application, CalculationLine, RiksnormTable
from tests.factories.cases import CaseFactory, HouseholdMemberFactory, StaffFactory, UnitFactory
from tests.factories.finance import family_case, make_application

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def payload(case, members, month="2019-03-01", incomes=(), costs=()):
    return {
        "case": case.pk,
        "month": month,
        "members": [{"household_member": m.pk} for m in members],
        "incomes": list(incomes),
        "costs": list(costs),
    }


def fields_of(response):
    return response.json()["error"].get("fields", {})


def test_create_and_calculate_stores_every_line_with_the_norm_rows_used(api_as, caseworker, family, march_2019):
    case, (applicant, co_applicant, child) = family
    client = api_as(caseworker)
    body = payload(case, [applicant, co_applicant, child],
                   incomes=[{"member": applicant.pk, "income_type": "child_allowance", "amount": 1250}],
                   costs=[{"cost_type": "housing", "amount_applied": 7000}, {"cost_type": "medical", "amount_applied": 400}])
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    application = Application.objects.get()
    assert application.month == march_2019 and application.members.count() == 3
    # Costs count once approved (housing approved as applied; medical is decided on its own).
    approvals = [{"cost": c.pk, "amount_approved": c.amount_applied} for c in application.costs.all()]
    assert client.post(f"{URL}{application.pk}/approve-costs/", {"approvals": approvals}, format="json").status_code == 200

    response = client.post(f"{URL}{application.pk}/calculate/", format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    # couple 5 570 + child 2 years 2 380 + shared(3) 1 380 = 9 330; housing 7 000 (medical is
    # livsföring i övrigt, decided on its own); child allowance 1 250: 9 330 + 7 000 − 1 250 = 15 080
    assert (data["norm_total"], data["costs_total"], data["income_total"], data["result_amount"]) == (9330, 7000, 1250, 15080)
    assert data["warnings"] == []
    table = RiksnormTable.objects.get(name="Riksnorm 2019")
    child_line = CalculationLine.objects.get(kind="personal")
    assert child_line.personal_amount.table == table and child_line.personal_amount.amount == 2380
    assert child_line.basis["age"] == 2
    assert CalculationLine.objects.get(kind="shared").household_amount.size == 3
    # the stored one is served back with the application
    detail = client.get(f"{URL}{application.pk}/").json()
    assert detail["latest_calculation"]["result_amount"] == 15080


def test_dry_run_saves_nothing_and_matches_the_stored_calculation(api_as, caseworker, family, counts):
    case, members = family
    client = api_as(caseworker)
    body = payload(case, members, costs=[{"cost_type": "housing", "amount_applied": 7000}])
    before = counts()
    response = client.post(f"{URL}dry-run/", body, format="json")
    assert response.status_code == 200, response.json()
    assert counts() == before
    assert response.json()["saved"] is False
    assert AccessLogEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).exists()

    created = client.post(URL, body, format="json").json()
    stored = client.post(f"{URL}{created['id']}/calculate/").json()
    # The housing cost applied for is not approved yet: it is asked for, and does not count.
    assert stored["result_amount"] == response.json()["result_amount"] == 9330
    assert stored["requested_amount"] == response.json()["requested_amount"] == 9330 + 7000
    assert [line["amount"] for line in stored["lines"]] == [line["amount"] for line in response.json()["lines"]]


def test_unofficial_norm_is_said_visibly(api_as, caseworker, family):
    case, members = family
    RiksnormTable.objects.create(name="Demo 2030", valid_from=datetime.date(2030, 1, 1), is_official=False,
                                 single_adult=1, cohabiting_couple=2, shared_per_member_beyond_7=1)
    from cases.finance_models import RiksnormHouseholdAmount, RiksnormPersonalAmount
    table = RiksnormTable.objects.get(name="Demo 2030")
    RiksnormPersonalAmount.objects.create(table=table, age_from=0, age_to=20, amount=10)
    for size in range(1, 8):
        RiksnormHouseholdAmount.objects.create(table=table, size=size, amount=size)
    response = api_as(caseworker).post(f"{URL}dry-run/", payload(case, members, month="2030-02-01"), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["norm_is_official"] is False
    assert "INTE är officiell" in response.json()["warnings"][0]
    # a decision made on it says so too
    application = make_application(actor=caseworker, case=case, month=datetime.date(2030, 2, 1), members=members)
    client = api_as(caseworker)
    client.post(f"{URL}{application.pk}/calculate/")
    decision = client.post("/api/v1/decisions/", {
        "application": application.pk, "item_kind": "income_support", "outcome": "granted", "legal_basis": "sol-12-1",
        "delegation_point": "EB-1", "reasoning": "Styrkt behov."}, format="json").json()
    assert decision["norm_is_official"] is False and "INTE är officiell" in decision["warnings"][0]


# --- bad input: 4xx naming the field, nothing written ------------------------------------------

def test_month_with_no_norm_is_refused(api_as, caseworker, family, counts):
    case, members = family
    client = api_as(caseworker)
    before = counts()
    response = client.post(f"{URL}dry-run/", payload(case, members, month="2021-03-01"), format="json")
    assert response.status_code == 400
    assert fields_of(response)["month"][0]["code"] == "no_norm"
    assert "ingen riksnorm för 2021-03" in fields_of(response)["month"][0]["message"]
    assert counts() == before
    application = make_application(actor=caseworker, case=case, month=datetime.date(2021, 3, 1), members=members)
    before = counts()
    response = client.post(f"{URL}{application.pk}/calculate/")
    assert response.status_code == 400 and "month" in fields_of(response)
    assert counts() == before


def test_member_outside_the_household_that_month_is_refused(api_as, caseworker, family, counts):
    case, members = family
    moved_in = HouseholdMemberFactory(household=case.household, role="child", applicant=None, first_name="Sen",
                                      birth_date=datetime.date(2010, 1, 1), valid_from=datetime.date(2019, 4, 1))
    other_case = CaseFactory(unit=caseworker.unit)
    stranger = other_case.household.members.get()
    before = counts()
    for member in (moved_in, stranger):
        response = api_as(caseworker).post(URL, payload(case, [members[0], member]), format="json")
        assert response.status_code == 400
        assert fields_of(response)["members[1].household_member"][0]["code"] == "not_member"
    assert counts() == before


@pytest.mark.parametrize(
    ("body_part", "field", "code"),
    [
        ({"costs": [{"cost_type": "housing", "amount_applied": -100}]}, "costs[0].amount_applied", "negative"),
        ({"costs": [{"cost_type": "housing", "amount_applied": "7000.50"}]}, "costs[0].amount_applied", "ore_not_allowed"),
        ({"incomes": [{"member": None, "income_type": "wages", "amount": "1000.25"}]}, "incomes[0].amount",
         "ore_not_allowed"),
        ({"incomes": [{"member": None, "income_type": "lottovinst", "amount": 100}]}, "incomes[0].income_type",
         "unknown_code"),
        ({"costs": [{"cost_type": "yacht", "amount_applied": 100}]}, "costs[0].cost_type", "unknown_code"),
    ],
)
def test_bad_amounts_and_unknown_types_are_refused(api_as, caseworker, family, counts, body_part, field, code):
    case, members = family
    body = payload(case, members)
    for income in body_part.get("incomes", []):
        income["member"] = members[0].pk
    body.update(body_part)
    before = counts()
    for url in (URL, f"{URL}dry-run/"):
        response = api_as(caseworker).post(url, body, format="json")
        assert response.status_code == 400, response.json()
        assert fields_of(response)[field][0]["code"] == code
    assert counts() == before


def test_second_active_application_for_the_month_is_refused_until_withdrawn(api_as, caseworker, family, counts):
    case, members = family
    client = api_as(caseworker)
    first = client.post(URL, payload(case, members), format="json").json()
    before = counts()
    response = client.post(URL, payload(case, members, month="2019-03-15"), format="json")
    assert response.status_code == 400
    assert fields_of(response)["month"][0]["code"] == "duplicate_application"
    assert counts() == before
    assert client.post(f"{URL}{first['id']}/withdraw/").status_code == 200
    assert client.post(URL, payload(case, members), format="json").status_code == 201
    assert Application.objects.filter(case=case, month=datetime.date(2019, 3, 1)).count() == 2


def test_approved_costs_replace_applied_in_the_calculation(api_as, caseworker, family):
    case, members = family
    client = api_as(caseworker)
    app = client.post(URL, payload(case, members, costs=[{"cost_type": "housing", "amount_applied": 9000}]),
                      format="json").json()
    cost_id = app["costs"][0]["id"]
    too_much = client.post(f"{URL}{app['id']}/approve-costs/",
                           {"approvals": [{"cost": cost_id, "amount_approved": 9500}]}, format="json")
    assert too_much.status_code == 400 and "approvals[0].amount_approved" in fields_of(too_much)
    ok = client.post(f"{URL}{app['id']}/approve-costs/", {"approvals": [{"cost": cost_id, "amount_approved": 7000}]},
                     format="json")
    assert ok.status_code == 200
    calc = client.post(f"{URL}{app['id']}/calculate/").json()
    assert (calc["costs_total"], calc["result_amount"], calc["requested_amount"]) == (7000, 9330 + 7000, 9330 + 9000)


# --- scoping, roles, access log, query counts ---------------------------------------------------

def test_other_units_caseworker_gets_404_and_an_empty_list(api_as, caseworker, family):
    case, members = family
    application = make_application(actor=caseworker, case=case, month=datetime.date(2019, 3, 1), members=members)
    outsider = StaffFactory(role="caseworker", unit=UnitFactory(code="annan-enhet"))
    client = api_as(outsider)
    assert client.get(f"{URL}{application.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert client.post(f"{URL}{application.pk}/calculate/").status_code == 404
    response = client.post(URL, payload(case, members, month="2019-04-01"), format="json")
    assert response.status_code == 400 and fields_of(response)["case"][0]["code"] == "not_found"
    assert client.get(f"/api/v1/calculations/?application={application.pk}").json()["count"] == 0


@pytest.mark.parametrize("role", ["coordinator", "board", "administrator", "insats_staff"])
def test_roles_without_financial_access_are_refused(api_as, role, family):
    user = StaffFactory(role=role, unit=None if role in ("board", "administrator") else UnitFactory(code="koordinator"))
    assert api_as(user).get(URL).status_code == 403
    assert api_as(user).get("/api/v1/decisions/").status_code == 403


def test_unit_manager_reads_but_does_not_register(api_as, unit_manager, caseworker, family):
    case, members = family
    make_application(actor=caseworker, case=case, month=datetime.date(2019, 3, 1), members=members)
    client = api_as(unit_manager)
    assert client.get(URL).json()["count"] == 1
    assert client.post(URL, payload(case, members, month="2019-05-01"), format="json").status_code == 403


def test_reads_are_access_logged_per_person(api_as, caseworker, family):
    case, members = family
    application = make_application(actor=caseworker, case=case, month=datetime.date(2019, 3, 1), members=members)
    client = api_as(caseworker)
    client.get(URL)
    client.get(f"{URL}{application.pk}/")
    calc = client.post(f"{URL}{application.pk}/calculate/").json()
    client.get(f"/api/v1/calculations/{calc['id']}/")
    adults = {m.applicant_id for m in members if m.applicant_id}
    for action, object_type in (("list", "cases.application"), ("read", "cases.application"),
                                ("read", "cases.calculation"), ("create", "cases.calculation")):
        logged = AccessLogEntry.objects.filter(action=action, object_type=object_type, actor_id=caseworker.pk)
        assert set(logged.values_list("person_id", flat=True)) == adults, (action, object_type)


def test_list_runs_a_fixed_number_of_queries(api_as, caseworker, django_assert_max_num_queries):
    client = api_as(caseworker)

    def build(n):
        for _ in range(n):
            case, members = family_case(unit=caseworker.unit)
            application = make_application(actor=caseworker, case=case, month=datetime.date(2019, 3, 1), members=members,
                                           incomes=[{"member": members[0].pk, "income_type": "wages", "amount": 100}],
                                           costs=[{"cost_type": "housing", "amount_applied": 5000}])
            client.post(f"{URL}{application.pk}/calculate/")

    build(2)
    with django_assert_max_num_queries(14) as small:
        assert client.get(URL).json()["count"] == 2
    few = len(small)
    build(6)
    with django_assert_max_num_queries(few):
        assert client.get(URL).json()["count"] == 8
    with django_assert_max_num_queries(10) as calcs:
        client.get("/api/v1/calculations/")
    few = len(calcs)
    build(3)
    with django_assert_max_num_queries(few):
        client.get("/api/v1/calculations/")
