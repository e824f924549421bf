"""A permission test per payment endpoint and role (issue 14). Allowed roles get a real success;
the others 403; anonymous 401. The money is the handling unit's: caseworkers and its unit manager."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from cases import payment_services as services
from cases.finance_models import Decision
from cases.models import Role, Staff
from cases.payment_models import PaymentBatch, PaymentOrder
from tests.cases.support import ROLES
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.finance import family_case, granted_month
from tests.once import built_once

pytestmark = pytest.mark.django_db

CW, CO, IS, UM, BO, AD, AN = ROLES
FINANCE = {CW, UM}
# The payment routes' views: their permissions are tested here, not in tests/cases/test_api_permissions.py.
PAYMENT_VIEWSETS = frozenset({"PaymentOrderViewSet", "PaymentBatchViewSet"})


@dataclass
class PaymentWorld:
    users: dict[str, Staff | None]
    decision: Decision
    prepared: PaymentOrder  # by another caseworker: the caseworker and unit manager may attest it
    sent: PaymentOrder  # in `batch`
    batch: PaymentBatch


def _payment_world() -> PaymentWorld:
    eb_unit = UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd")
    users = {
        "caseworker": StaffFactory(role=Role.CASEWORKER, unit=eb_unit),
        "coordinator": StaffFactory(role=Role.COORDINATOR, unit=UnitFactory(code="koordinator")),
        "insats_staff": StaffFactory(role=Role.INSATS_STAFF, unit=UnitFactory(code="insats-matchning")),
        "unit_manager": StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit),
        "board": StaffFactory(role=Role.BOARD, unit=None),
        "administrator": StaffFactory(role=Role.ADMINISTRATOR, unit=None),
        "anonymous": None,
    }
    preparer = StaffFactory(role=Role.CASEWORKER, unit=eb_unit)
    case, members = family_case(unit=eb_unit)
    decision = granted_month(actor=preparer, case=case, month=datetime.date(2019, 3, 1), members=members)[2]
    today = timezone.localdate()

    def order(amount):
        return services.payment_order_prepare(
            actor=preparer, decision=decision, amount=amount, payment_date=today, payee_name="Anna Andersson",
            account_kind="bankgiro", account_number="5678-1230")

    sent = order(100)
    services.payment_order_attest(actor=users["unit_manager"], order=sent)
    batch = services.payment_batch_create(actor=users["unit_manager"], payment_date=today)
    prepared = order(200)
    services.payment_order_attest(actor=users["unit_manager"], order=order(300))  # attested, for a new batch
    return PaymentWorld(users, decision, prepared, sent, batch)


pworld = built_once(_payment_world, name="pworld")

# name: (method, url(w), body(w) or None, allowed roles, success status)
PAYMENT_ROUTES = {
    "payment-order-list": ("get", lambda w: "/api/v1/payment-orders/", None, FINANCE, 200),
    "payment-order-detail": ("get", lambda w: f"/api/v1/payment-orders/{w.sent.pk}/", None, FINANCE, 200),
    "payment-order-create": (
        "post", lambda w: "/api/v1/payment-orders/",
        lambda w: {"decision": w.decision.pk, "amount": 50, "payment_date": timezone.localdate().isoformat(),
                   "payee_name": "Anna Andersson", "account_kind": "iban",
                   "account_number": "SE4550000000058398257466"},
        {CW}, 201,
    ),
    "payment-order-attest": ("post", lambda w: f"/api/v1/payment-orders/{w.prepared.pk}/attest/", lambda w: {},
                             FINANCE, 200),
    "payment-order-record-return": (
        "post", lambda w: f"/api/v1/payment-orders/{w.sent.pk}/return/",
        lambda w: {"returned_on": timezone.localdate().isoformat(), "reason": "Kontot är avslutat."}, FINANCE, 201,
    ),
    "payment-batch-list": ("get", lambda w: "/api/v1/payment-batches/", None, FINANCE, 200),
    "payment-batch-detail": ("get", lambda w: f"/api/v1/payment-batches/{w.batch.pk}/", None, FINANCE, 200),
    "payment-batch-create": ("post", lambda w: "/api/v1/payment-batches/",
                             lambda w: {"payment_date": timezone.localdate().isoformat()}, FINANCE, 201),
    "payment-batch-pain001": ("get", lambda w: f"/api/v1/payment-batches/{w.batch.pk}/pain001/", None, FINANCE, 200),
}

CASES = [
    pytest.param(route, role, (ok if role in allowed else 401 if role == AN else 403), id=f"{route}-{role}")
    for route, (_m, _u, _b, allowed, ok) in PAYMENT_ROUTES.items()
    for role in ROLES
]


def _client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize(("route", "role", "expected"), CASES)
def test_endpoint_answers_each_role_as_expected(pworld, route, role, expected):
    method, url, body, _allowed, _ok = PAYMENT_ROUTES[route]
    kwargs = {"format": "json", "data": body(pworld)} if body else {}
    response = getattr(_client(pworld.users[role]), method)(url(pworld), **kwargs)
    assert response.status_code == expected, response.content
    if expected in (401, 403):
        assert response.json()["error"]["code"] in {"not_authenticated", "permission_denied"}


def test_the_table_covers_every_payment_route(pworld):
    from cases.api.urls import router

    served = {
        (pattern.name, method)
        for pattern in router.urls
        if pattern.callback.cls.__name__ in PAYMENT_VIEWSETS
        for method in pattern.callback.actions
        if method != "head"
    }
    tested = {(resolve(url(pworld)).url_name, method) for method, url, *_ in PAYMENT_ROUTES.values()}
    assert served and served <= tested


def test_another_units_unit_manager_finds_none_of_it(pworld):
    stranger = _client(StaffFactory(role=Role.UNIT_MANAGER, unit=UnitFactory(code="annan")))
    for name in ("payment-order-detail", "payment-batch-detail", "payment-batch-pain001"):
        assert stranger.get(PAYMENT_ROUTES[name][1](pworld)).status_code == 404, name
    assert stranger.post(f"/api/v1/payment-orders/{pworld.prepared.pk}/attest/").status_code == 404
    assert stranger.get("/api/v1/payment-batches/").json()["results"] == []
