"""A bounded schemathesis run over the whole API, against the schema it serves at /api/schema/.

Two roles (caseworker, coordinator) over the demo municipality, so that generated ids often name
real rows in the caller's scope. Every answer must be no server error and conform to the schema
(status code documented, body and content type as documented). Seeded and derandomized, so the
same requests run every time; the number of requests is counted and asserted.
"""

from __future__ import annotations

import json
import os
import zlib

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cases.models import Staff
from config.wsgi import application
from tests.conftest import api_token_headers
from tests.once import checked_now, demo_municipality

# Requests per operation and role (fuzzing phase; fewer where the schema allows fewer inputs):
# 121 operations x 2 roles x 10 gives about 2 400 requests, above the 2 000 the issue asks for,
# in about a minute and a half of CPU. The coverage phase (FUZZ_COVERAGE=1) sends ten times more.
MAX_EXAMPLES = 10
MIN_REQUESTS = 2000
ROLES = {"caseworker": "handlaggare", "coordinator": "koordinator"}
REQUESTS: dict[str, int] = {}
pytestmark = pytest.mark.django_db
STATUSES: dict[int, int] = {}

# What /api/schema/ serves (the fixture checks they are the same), generated at collection: the
# tests are parametrized by its operations before any database exists.
SERVED = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))
CONFIG = schemathesis.Config.from_dict({
    "seed": 2026,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"}},
    # What this run asserts: no server error, and every answer as the schema documents it (status
    # code, content type, headers, body), auth enforced, undocumented methods 405. Not asserted:
    # that the API refuses every value the schema would not produce (django-filter ignores an
    # unknown boolean, for instance) or accepts every value it would (domain rules refuse many).
    "checks": {"negative_data_rejection": {"enabled": False}, "positive_data_acceptance": {"enabled": False}},
})
schema = schemathesis.openapi.from_dict(SERVED, config=CONFIG)
schema.app = application


def _ids_in_scope(user, path: str) -> list[int]:
    """Ids of real rows the user sees at a detail path (its view's own scoped queryset)."""
    url = path.replace("{id}", "1").replace("{applicant_id}", "1").replace("{fmt}", "csv")
    match = resolve(url)
    view_class = getattr(match.func, "cls", None)
    if view_class is None or not hasattr(view_class, "get_queryset"):
        return []
    view = view_class(kwargs={}, action="retrieve", format_kwarg=None, args=())
    view.request = Request(APIRequestFactory().get(url))
    view.request.user = user
    try:
        return list(view.get_queryset().order_by("pk").values_list("pk", flat=True)[:8])
    except Exception:  # noqa: BLE001 - a view without a queryset of its own: random ids only
        return []


@pytest.fixture(scope="module")
def fuzz_setup(django_db_setup, django_db_blocker):
    """The demo municipality, tokens and the served schema, once for the module (rolled back).

    Requests go through the real WSGI handler, which closes the database connection when a
    request ends; like Django's test client, keep it open, or the module's transaction would go.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        demo_municipality()  # as bin/serve builds it (or the run's copy of it: tests/demo_copy.py)
        checked_now()  # the foreign keys of a build once here, not in each test's teardown (tests/once.py)
        users = {role: Staff.objects.get(username=name) for role, name in ROLES.items()}
        client = Client()
        client.force_login(users["caseworker"])
        served = client.get("/api/schema/", {"format": "json"})
        assert served.status_code == 200
        assert served.json() == SERVED, "the schema fuzzed is the one /api/schema/ serves"
        detail_paths = [p for p in SERVED["paths"] if "{" in p]
        ids = {role: {p: _ids_in_scope(user, p) for p in detail_paths} for role, user in users.items()}
        # After the test client's request above: it connects the signals again when it is done.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        yield {"headers": {r: api_token_headers(u) for r, u in users.items()}, "ids": ids}
        transaction.set_rollback(True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _run(case, setup, role):
    # Three of four generated ids are replaced by a real row in the caller's scope (when there is one).
    ids = setup["ids"][role].get(case.path)
    if ids and case.path_parameters:
        for name in ("id", "applicant_id"):
            if name in case.path_parameters:
                drawn = zlib.crc32(repr(case.path_parameters[name]).encode())
                if drawn % 4:
                    case.path_parameters[name] = ids[drawn % len(ids)]
    response = case.call(headers=setup["headers"][role])
    REQUESTS[role] = REQUESTS.get(role, 0) + 1
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
    case.validate_response(response, headers=setup["headers"][role])


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\nfuzzed: {REQUESTS} statuses: {dict(sorted(STATUSES.items()))}")


FUZZ_SETTINGS = settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ_SETTINGS
def test_caseworker(case, fuzz_setup, db):
    _run(case, fuzz_setup, "caseworker")


@schema.parametrize()
@FUZZ_SETTINGS
def test_coordinator(case, fuzz_setup, db):
    _run(case, fuzz_setup, "coordinator")


def test_the_run_was_large_enough():
    """Runs last in this module: the two runs above together sent at least MIN_REQUESTS requests."""
    if set(REQUESTS) != set(ROLES):
        pytest.skip("the fuzz runs did not run in this session (selected out)")
    print(f"fuzzed: {REQUESTS} statuses: {dict(sorted(STATUSES.items()))}")
    assert sum(REQUESTS.values()) >= MIN_REQUESTS, REQUESTS
    assert not any(status >= 500 for status in STATUSES)
