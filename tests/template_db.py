"""One migrated test database per `bin/test` run, cloned for each test process (PostgreSQL).

Every pytest process (each pytest-xdist worker and the API fuzz process beside them) used to
create its own test database and run every migration into it, about 30 s of CPU each on this
machine, and the processes did it at the same time on two cores. Django's own parallel runner
migrates once and clones (`CREATE DATABASE ... TEMPLATE`); pytest-xdist's processes are started
independently, so here the first process to take a file lock migrates a template database and
records, beside it, the run it belongs to and the serialized reference data (what serialized
rollback reloads); every process then clones its own database from the template in a second or two.

Only when `bin/test` says which run this is (`TEST_DB_TEMPLATE_RUN`, new for each run), so a
template is never reused across runs: migrations and the code they call may have changed since.
Elsewhere (a plain `pytest`, `--reuse-db`, SQLite) Django's own setup runs unchanged.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases as django_setup_databases

RUN_VARIABLE = "TEST_DB_TEMPLATE_RUN"


def setup_databases(verbosity, interactive, *, keepdb=False, aliases=None, serialized_aliases=None, **kwargs):
    """Django's setup_databases, with the default database cloned from this run's template."""
    run = os.environ.get(RUN_VARIABLE, "")
    connection = connections["default"]
    if not run or keepdb or connection.vendor != "postgresql":
        return django_setup_databases(verbosity, interactive, keepdb=keepdb, aliases=aliases,
                                      serialized_aliases=serialized_aliases, **kwargs)
    template = _Template(connection, run)
    creation = connection.creation
    with mock.patch.object(creation, "create_test_db", template.clone_into_test_db), \
            mock.patch.object(creation, "serialize_db_to_string", template.serialized):
        return django_setup_databases(verbosity, interactive, aliases=aliases,
                                      serialized_aliases=serialized_aliases, **kwargs)


class _Template:
    def __init__(self, connection, run: str):
        self.connection = connection
        self.run = run
        self.base_name = connection.settings_dict["NAME"]
        self.name = f"test_{self.base_name}_template"[:63]
        self.contents = ""
        settings_dict = connection.settings_dict
        where = f"{settings_dict.get('HOST') or 'local'}-{settings_dict.get('PORT') or 5432}-{self.name}"
        self.state_file = Path(tempfile.gettempdir()) / f"eb-test-template-{where}.json"

    def clone_into_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        creation = self.connection.creation
        test_name = creation._get_test_db_name()
        with self._locked():
            state = self._read_state()
            if state.get("run") != self.run:
                state = self._build(creation, verbosity)
            self.contents = state["contents"]
            self._execute_without_db(f'DROP DATABASE IF EXISTS "{test_name}"',
                                     f'CREATE DATABASE "{test_name}" WITH TEMPLATE "{self.name}"')
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = test_name
        self.connection.settings_dict["NAME"] = test_name
        if verbosity >= 1:
            creation.log(f"Cloned test database {test_name} from {self.name} (run {self.run})")
        return test_name

    def serialized(self) -> str:
        return self.contents

    def _build(self, creation, verbosity) -> dict:
        test_settings = self.connection.settings_dict["TEST"]
        wanted_name = test_settings.get("NAME")
        test_settings["NAME"] = self.name
        try:
            # The real create_test_db (mock.patch replaced it on the instance, not the class).
            type(creation).create_test_db(creation, verbosity=verbosity, autoclobber=True,
                                          serialize=False, keepdb=False)
            contents = type(creation).serialize_db_to_string(creation)
        finally:
            test_settings["NAME"] = wanted_name
            self.connection.close()
            settings.DATABASES[self.connection.alias]["NAME"] = self.base_name
            self.connection.settings_dict["NAME"] = self.base_name
        state = {"run": self.run, "contents": contents}
        written = self.state_file.with_suffix(".tmp")
        written.write_text(json.dumps(state), encoding="utf-8")
        written.replace(self.state_file)
        return state

    def _read_state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _execute_without_db(self, *statements: str) -> None:
        with self.connection._nodb_cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    @contextlib.contextmanager
    def _locked(self):
        # One process builds the template while the others wait; cloning is under the lock too:
        # CREATE DATABASE refuses a template that another session is connected to.
        with open(self.state_file.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
