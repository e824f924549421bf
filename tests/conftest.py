"""Shared fixtures. Factories live in tests/factories/, one module per app.

Also: the hypothesis profiles, and the time per test directory printed at the end of a run."""

import os
import time
from collections import defaultdict
from pathlib import PurePosixPath

import pytest
from django.conf import settings
from django.db import DatabaseError, connections
from django.test import TransactionTestCase
from django.test.utils import teardown_databases
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import _get_databases_for_setup
from rest_framework.test import APIClient

from cases.models import Role
from tests import durations, template_db
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


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist the longest files first (tests/durations.py), so no long file is left for
    the end while the other process waits.

    Transactional tests (real Celery worker, live server for the browser) empty the database
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
            # Prepended: the closest marker wins, and a module's pytestmark is already on the item.
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    if not getattr(config.option, "loadscopereorder", True):  # bin/test: --no-loadscope-reorder
        items[:] = durations.longest_first(items)


def api_token_headers(user) -> dict[str, str]:
    """Headers that authenticate `user` with an API token, as an integration would. The one place
    tests obtain a token, so that a change of token scheme is made here only."""
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=user)
    return {"Authorization": f"Token {token}"}


# --- the suite runs as the application role (PostgreSQL with DATABASE_APP_ROLE, as in CI) -------
#
# The login user (CI: postgres) creates and migrates the test database, so it owns every table,
# as the owner role does in production; the migrations grant DATABASE_APP_ROLE its rights. Then
# every connection (tests, the Celery worker thread, the live server) runs `SET ROLE <app role>`
# through Django's `assume_role` option, so the application code is tested with exactly the
# rights it has in production. Only the harness's own reset between transactional tests (flush,
# which TRUNCATEs every table, and reloading the reference data) runs as the owner: that is what
# `migrate` and a database restore do in production, never the application.

def _app_role_in_use() -> str:
    role = getattr(settings, "DATABASE_APP_ROLE", "")
    return role if role and connections["default"].vendor == "postgresql" else ""


def _set_role(alias: str, role: str | None) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if role:
            cursor.execute(connection.ops.compose_sql("SET ROLE %s", [role]))
        else:
            cursor.execute("RESET ROLE")


# Django keeps the serialized copy of the migrations' reference data (what serialized rollback
# reloads after a flush) as an attribute of one connection object, the one the test database was
# set up with. A test may get another object for the same database: Django keeps connections per
# thread, but per asyncio context while an event loop is marked running in the thread, and
# Playwright's sync API (the browser tests' session-scoped browser) leaves its loop marked running
# in the main thread from the first browser test to the end of the session. Every transactional
# test after it then found no copy, reloaded nothing, and ran on a database its predecessor's flush
# had emptied (issue 16). So the copy is kept here per database alias and given to whichever
# connection object the harness's reset uses, as Django's own parallel runner gives it to each
# worker process's connection.
_SERIALIZED_COPIES: dict[str, str] = {}


def _keep_serialized_copies() -> None:
    for connection in connections.all():
        if hasattr(connection, "_test_serialized_contents"):
            _SERIALIZED_COPIES[connection.alias] = connection._test_serialized_contents


def _give_serialized_copies() -> None:
    for alias, contents in _SERIALIZED_COPIES.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb,
                    django_db_createdb, django_db_modify_db_settings):
    """pytest-django's own setup, except that on PostgreSQL under bin/test each process clones
    the run's one migrated template instead of migrating its own database (tests/template_db.py);
    then every connection assumes the application role."""
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        old_config = template_db.setup_databases(verbosity, False, keepdb=keepdb, aliases=aliases,
                                                 serialized_aliases=serialized_aliases)
    _keep_serialized_copies()
    role = _app_role_in_use()
    if role:
        with django_db_blocker.unblock():
            for connection in connections.all():
                connection.close()
                connection.settings_dict.setdefault("OPTIONS", {})["assume_role"] = role
    yield
    with django_db_blocker.unblock():
        if role:
            for connection in connections.all():
                connection.settings_dict["OPTIONS"].pop("assume_role", None)
                connection.close()
        if not keepdb:
            for connection in connections.all():  # the reports' mirror alias too
                connection.close()
            _end_sessions_left_behind(request)
            try:
                teardown_databases(old_config, verbosity=verbosity)
            except DatabaseError as exc:  # as pytest-django: a database left behind is not a failed test
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


def _end_sessions_left_behind(request) -> None:
    """Before the test database is dropped: any other session still on it (a thread's connection
    nobody closed, a subprocess still exiting) would make DROP DATABASE fail and leave the database
    behind (seen twice in CI). Name each one in a warning, so the code that left it can be found
    from its last statement, then end it so the drop succeeds."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, coalesce(application_name, ''), backend_start, state, left(query, 200) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        left_behind = cursor.fetchall()
        for pid, *_ in left_behind:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.close()
    if left_behind:
        described = "; ".join(f"pid {pid} {app!r} since {since:%H:%M:%S} {state}: {query}"
                              for pid, app, since, state, query in left_behind)
        request.node.warn(pytest.PytestWarning(
            f"{len(left_behind)} other session(s) still on the test database at its teardown, ended: {described}"))


# The reference data is put back right after a transactional test's flush, not before the next
# transactional test (Django's order): the database then holds it between any two tests, whatever
# runs next. Django relies on running every transactional test after all the others, which holds
# in one process but not under pytest-xdist, where a process runs a whole file, transactional tests
# included, and then the next file (bin/test --dist loadfile). Before a transactional test it is
# then in place already, and reloading it there is skipped.
_reference_data_in_place = True


def _reload_reference_data() -> None:
    global _reference_data_in_place
    for alias, contents in _SERIALIZED_COPIES.items():
        connections[alias].creation.deserialize_db_from_string(contents)
    _reference_data_in_place = True


def _reset_step(name, method, self_or_cls, *args, **kwargs):
    global _reference_data_in_place
    if name == "_fixture_teardown":
        _reference_data_in_place = False
        result = method(self_or_cls, *args, **kwargs)
        if self_or_cls.serialized_rollback:
            _reload_reference_data()
        return result
    if not _reference_data_in_place:
        return method(self_or_cls, *args, **kwargs)
    cls = self_or_cls if isinstance(self_or_cls, type) else type(self_or_cls)
    wanted, cls.serialized_rollback = cls.serialized_rollback, False
    try:
        return method(self_or_cls, *args, **kwargs)
    finally:
        cls.serialized_rollback = wanted


def _harness_reset(name):
    """Wrap the harness's reset (flush, reload): as the owner, with the serialized copy at hand."""
    raw = TransactionTestCase.__dict__[name]
    method = raw.__func__ if isinstance(raw, classmethod) else raw

    def run(self_or_cls, *args, **kwargs):
        _give_serialized_copies()
        role = connections["default"].settings_dict.get("OPTIONS", {}).get("assume_role")
        if not role:
            return _reset_step(name, method, self_or_cls, *args, **kwargs)
        _set_role("default", None)
        try:
            return _reset_step(name, method, self_or_cls, *args, **kwargs)
        finally:
            _set_role("default", role)

    setattr(TransactionTestCase, name, classmethod(run) if isinstance(raw, classmethod) else run)


_harness_reset("_fixture_setup")
_harness_reset("_fixture_teardown")


@pytest.fixture
def as_owner_role(db):
    """Inside one test (its transaction), act as the owner: the triggers, not the missing rights,
    are then what refuses a change. Rolled back with the test."""
    if _app_role_in_use():
        _set_role("default", None)
    yield


# Hypothesis: each property test draws this many examples (a test's own @settings may set
# deadline and health checks, not max_examples). "ci" is the default, bounded so the whole run
# stays within CI's time; "nightly" explores far more (HYPOTHESIS_PROFILE=nightly bin/test), e.g.
# in a scheduled job; "dev" is a quick local check.
_PROPERTY_TESTS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                   "print_blob": True}
hypothesis_settings.register_profile("ci", max_examples=25, **_PROPERTY_TESTS)
hypothesis_settings.register_profile("nightly", max_examples=500, **_PROPERTY_TESTS)
hypothesis_settings.register_profile("dev", max_examples=10, **_PROPERTY_TESTS)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Seconds per test directory (setup + call + teardown of its tests), printed after the run and,
# with PYTEST_TIMINGS_FILE set, appended there as "pytest tests/<dir> <seconds>" lines (bin/test
# does). Session-scoped setup (creating and migrating the test database, the browser) is counted
# on its own line, not in the directory whose test happened to come first.
SESSION_SETUP = "(session setup: test database, browser)"


class _TimePerDirectory:
    """A plugin, not conftest hooks: a conftest's hooks do not see session-scoped fixtures."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.session_setup = 0.0  # seconds of session-scoped setup inside the setup phase now running
        self.started = time.monotonic()

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        started = time.monotonic()
        try:
            return (yield)
        finally:
            if fixturedef.scope == "session":
                self.session_setup += time.monotonic() - started

    def pytest_runtest_logreport(self, report):
        session = 0.0
        if report.when == "setup":
            session, self.session_setup = self.session_setup, 0.0
            self.seconds[SESSION_SETUP] += session
        self.seconds[str(PurePosixPath(report.nodeid.split("::", 1)[0]).parent)] += report.duration - session

    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        rows = sorted(self.seconds.items(), key=lambda kv: -kv[1])
        terminalreporter.section("time per test directory")
        for directory, seconds in rows:
            terminalreporter.write_line(f"{seconds:8.1f} s  {directory}")
        terminalreporter.write_line(f"{time.monotonic() - self.started:8.1f} s  whole pytest run (collection included)")
        path = os.environ.get("PYTEST_TIMINGS_FILE")
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.writelines(f"pytest {directory.replace(' ', '_')} {seconds:.1f}\n" for directory, seconds in rows)


def pytest_configure(config):
    # Under pytest-xdist only the controlling process sums the times (every test's report reaches
    # it); its processes would each write a partial sum.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(_TimePerDirectory(), "time-per-directory")
