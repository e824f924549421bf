"""Shared fixtures. Factories live in tests/factories/, one module per app."""

import pytest
from rest_framework.test import APIClient

from cases.models import Role
from tests.factories.cases import StaffFactory, UnitFactory


@pytest.fixture
def eb_unit(db):
    return UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd")


@pytest.fixture
def coordinator_unit(db):
    return UnitFactory(code="koordinator", name="Koordinator")


@pytest.fixture
def staff_factory(db):
    return StaffFactory


@pytest.fixture
def caseworker(eb_unit):
    return StaffFactory(role=Role.CASEWORKER, unit=eb_unit, username="handlaggare")


@pytest.fixture
def coordinator(coordinator_unit):
    return StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit, username="koordinator")


@pytest.fixture
def unit_manager(eb_unit):
    return StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit, username="enhetschef")


@pytest.fixture
def board_member(db):
    return StaffFactory(role=Role.BOARD, unit=None, username="namnd")


@pytest.fixture
def administrator(db):
    return StaffFactory(role=Role.ADMINISTRATOR, unit=None, username="admin")


@pytest.fixture
def api():
    """An API client; call api.force_authenticate(user) or use `api_as`."""
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker, in a thread, consuming from the configured broker (Redis in CI).

    Tasks see the test database because the worker runs in this process; tests using it are
    transactional so the worker's connection sees committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    # Tests without a worker still queue tasks on commit (report builds, rule runs); left in the
    # queue they would be this worker's first work and slow it down. Start from an empty queue.
    app.control.purge()
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30):
        yield app


def pytest_collection_modifyitems(items):
    """Transactional tests (real Celery worker, live server for the browser) empty the database
    when they end, which also removes the reference data the migrations loaded (riksnorm, cost
    types, support barriers, BIP instrument, rules). Serialized rollback reloads it before each
    of them, so no test depends on the order tests run in."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in fixtures or "live_server" in fixtures or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional:
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs))


def api_token_headers(user) -> dict[str, str]:
    """Headers that authenticate `user` with an API token, as an integration would. The one place
    tests obtain a token, so that a change of token scheme is made here only."""
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=user)
    return {"Authorization": f"Token {token}"}
