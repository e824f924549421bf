"""A permission test per ekonomiskt bistånd endpoint and role. Allowed roles get a real
success; the others 403; anonymous 401; objects of another unit 404."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

from cases.application_services import application_calculate
from cases.communication_services import communication_create
from cases.finance_models import Application, Decision, RiksnormTable
from cases.letter_models import Communication
from cases.models import Case, HouseholdMember, Role, Staff
from tests.cases.finance.permission_table import AN, FINANCE_ROUTES, ROLES
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.finance import family_case, granted_month, make_application
from tests.once import built_once

pytestmark = pytest.mark.django_db


@dataclass
class FinanceWorld:
    users: dict[str, Staff | None]
    case: Case
    members: list[HouseholdMember]
    norm: RiksnormTable
    decided: Application
    decision: Decision
    undecided: Application
    other_decision: Decision
    communication: Communication


def _finance_world() -> FinanceWorld:
    eb_unit = UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd")
    coordinator_unit = UnitFactory(code="koordinator", name="Koordinator")
    users = {
        "caseworker": StaffFactory(role=Role.CASEWORKER, unit=eb_unit),
        "coordinator": StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit),
        "insats_staff": StaffFactory(role=Role.INSATS_STAFF, unit=UnitFactory(code="insats-matchning")),
        "unit_manager": StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit),
        "board": StaffFactory(role=Role.BOARD, unit=None),
        "administrator": StaffFactory(role=Role.ADMINISTRATOR, unit=None),
        "anonymous": None,
    }
    cw = users["caseworker"]
    case, members = family_case(unit=eb_unit)
    decided, _, decision = granted_month(actor=cw, case=case, month=datetime.date(2019, 3, 1), members=members)
    undecided = make_application(actor=cw, case=case, month=datetime.date(2019, 4, 1), members=members,
                                 costs=[{"cost_type": "housing", "amount_applied": 6000}])
    application_calculate(actor=cw, application=undecided)
    other_unit = UnitFactory(code="annan-kommundel")
    other_cw = StaffFactory(role=Role.CASEWORKER, unit=other_unit)
    other_case, other_members = family_case(unit=other_unit)
    _, _, other_decision = granted_month(actor=other_cw, case=other_case, month=datetime.date(2019, 3, 1),
                                         members=other_members)
    communication = communication_create(
        actor=cw, application=undecided.pk, communicated_on=datetime.date(2019, 4, 2),
        content="Inkomsten från april räcker till hyran.", answer_by=datetime.date(2019, 4, 9))
    return FinanceWorld(users, case, members, RiksnormTable.objects.get(name="Riksnorm 2019"), decided, decision,
                        undecided, other_decision, communication)


# Built once for the module (every test here reads it; what a successful write adds is rolled back
# with the test's savepoint), instead of once for each of the ~170 route × role requests.
fworld = built_once(_finance_world, name="fworld")


def _client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


CASES = [
    pytest.param(route, role, (ok if role in allowed else 401 if role == AN else 403), id=f"{route}-{role}")
    for route, (_m, _u, _b, allowed, ok) in FINANCE_ROUTES.items()
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role", "expected"), CASES)
def test_endpoint_answers_each_role_as_expected(fworld, route, role, expected):
    method, url, body, _allowed, _ok = FINANCE_ROUTES[route]
    user = fworld.users[role]
    kwargs = {"format": "json", "data": body(fworld, user)} if body else {}
    response = getattr(_client(user), method)(url(fworld), **kwargs)
    assert response.status_code == expected, response.content
    if expected in (401, 403):
        assert response.json()["error"]["code"] in {"not_authenticated", "permission_denied"}


def test_the_table_covers_every_finance_route(fworld):
    from cases.api.urls import router

    finance_views = {"ApplicationViewSet", "CalculationViewSet", "DecisionViewSet", "RiksnormTableViewSet",
                     "CostTypeViewSet", "IncomeTypeViewSet", "LegalBasisViewSet", "DelegationPointViewSet",
                     "CommunicationViewSet"}
    served = {
        (pattern.name, method)
        for pattern in router.urls
        if pattern.callback.cls.__name__ in finance_views
        for method in pattern.callback.actions
        if method != "head"
    }
    tested = {(resolve(url(fworld).split("?")[0]).url_name, method) for method, url, *_ in FINANCE_ROUTES.values()}
    assert served <= tested


@pytest.mark.parametrize("role", ["caseworker", "unit_manager"])
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", lambda w: f"/api/v1/decisions/{w.other_decision.pk}/", None),
        ("get", lambda w: f"/api/v1/applications/{w.other_decision.application_id}/", None),
        ("get", lambda w: f"/api/v1/calculations/{w.other_decision.calculation_id}/", None),
        ("post", lambda w: f"/api/v1/applications/{w.other_decision.application_id}/calculate/", {}),
        ("post", lambda w: f"/api/v1/decisions/{w.other_decision.pk}/execution/",
         {"kind": "executed", "occurred_on": "2019-03-20"}),
        ("get", lambda w: f"/api/v1/decisions/{w.other_decision.pk}/letter/", None),
        ("get", lambda w: f"/api/v1/decisions/{w.other_decision.pk}/letter/pdf/", None),
        ("post", lambda w: f"/api/v1/decisions/{w.other_decision.pk}/delivery/",
         {"delivered_on": "2019-03-10", "way": "post"}),
        ("post", lambda w: f"/api/v1/decisions/{w.other_decision.pk}/correct/",
         {"outcome": "refused", "legal_basis": "sol-12-1", "delegation_point": "EB-1", "reasoning": "x"}),
    ],
)
def test_objects_of_another_unit_answer_404(fworld, role, method, url, body):
    response = getattr(_client(fworld.users[role]), method)(url(fworld), data=body, format="json")
    assert response.status_code == 404
