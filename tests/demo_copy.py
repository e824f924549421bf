"""The demo municipality built once per test process (PostgreSQL), and put back for each module.

The demo takes many seconds to build through the services, and about ten modules read it. The
first build in a process is copied, table by table, with COPY ... TO STDOUT (binary, a few MB);
a later module's transaction then empties every table and copies the rows back in, with the
triggers of the session off (session_replication_role = replica: the append-only and access-log
chain triggers, and the foreign keys, which the copy satisfies as it was made). TRUNCATE and COPY
are part of the module's transaction, so its rollback gives back the bare database as before.

The copy is made only of a build on the bare migrated database (every table's row count the same
inside the module's transaction as committed), and put back only where the database is bare in the
same way: a module that wrote rows of its own before asking for the demo gets a real build. Ids are the same as the
first build's; sequences are never rolled back, so they are already past them (and a copy read from
another process of the run moves them past, SEQUENCES_PAST_THE_ROWS).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import connection

from tests.template_db import RUN_VARIABLE

# The tables of the app's schema: whole tables, a partitioned one through its parent (its
# partitions are not listed apart), not the session's temporary ones.
TABLES_SQL = """
    SELECT c.oid::regclass::text,
           array_agg(quote_ident(a.attname) ORDER BY a.attnum) FILTER (WHERE a.attgenerated = '')
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    GROUP BY c.oid ORDER BY 1
"""


@dataclass(frozen=True)
class _Copy:
    printed: str  # what demo_data printed
    counts_before: dict[str, int]  # every table's rows before the build
    rows: dict[str, tuple[str, bytes]]  # table -> (its columns, its rows in COPY's binary format)
    # The stored files of the demo's attachments (name in the storage -> content): each test
    # process has a storage of its own (config/settings/test.py), so a copy read from another
    # process of the run puts them back there too.
    files: dict[str, bytes]


_kept: _Copy | None = None


# --- one build for the whole run: the copy on disk, for the run's other test processes ----------
# Under bin/test (TEST_DB_TEMPLATE_RUN) every process clones the same migrated template, so the
# bare databases are alike and the first process's copy fits the others too: it is written to a
# file of the run, and a process that has no copy of its own reads it instead of building (about
# 25 s of CPU each, three processes). A lock makes a second process wait for a build under way.

def _run_file() -> Path | None:
    run = os.environ.get(RUN_VARIABLE, "")
    if not run or connection.vendor != "postgresql":
        return None
    where = f"{connection.settings_dict.get('HOST') or 'local'}-{connection.settings_dict.get('PORT') or 5432}"
    return Path(tempfile.gettempdir()) / f"eb-test-demo-{where}-{run}.pickle"


@contextmanager
def run_lock():
    """Held while a process builds or reads the run's copy (nothing when there is no run)."""
    path = _run_file()
    if path is None:
        yield
        return
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load_run_copy() -> None:
    global _kept
    path = _run_file()
    if _kept is not None or path is None or not path.exists():
        return
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError):
        _kept = pickle.loads(path.read_bytes())


def _save_run_copy() -> None:
    path = _run_file()
    if _kept is None or path is None or path.exists():
        return
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(pickle.dumps(_kept, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)  # whole or not at all, for a reader


@contextmanager
def _as_owner():
    """A cursor of the login user, who owns the tables (the suite runs as the app role, which may
    neither TRUNCATE nor switch triggers off): the harness's own work, as tests/conftest.py's flush
    is. SET LOCAL: the app role is back when the block ends, and at the latest with the rollback."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()
        cursor.execute("SET LOCAL ROLE NONE")
        try:
            yield cursor
        finally:
            cursor.execute(connection.ops.compose_sql("SET LOCAL ROLE %s", [role]))


def _tables() -> list[tuple[str, list[str]]]:
    with connection.cursor() as cursor:
        cursor.execute(TABLES_SQL)
        return cursor.fetchall()


def table_counts(using=None) -> dict[str, int] | None:
    """Rows per table now (None off PostgreSQL), in one query; `using`: another connection."""
    db = using or connection
    if db.vendor != "postgresql":
        return None
    tables = [name for name, _ in _tables()]
    union = " UNION ALL ".join(f"SELECT {i}, count(*) FROM {name}" for i, name in enumerate(tables))
    with db.cursor() as cursor:
        cursor.execute(union)
        return {tables[i]: count for i, count in cursor.fetchall()}


def _committed_counts() -> dict[str, int]:
    """Rows per table as committed: the bare migrated database, seen from a second connection
    outside the module's transaction (which holds what this module wrote so far)."""
    other = connection.copy()
    try:
        return table_counts(using=other)
    finally:
        other.close()


def keep(printed: str, counts_before: dict[str, int] | None) -> None:
    """After a build: copy every table's rows, if it was the first and made on the bare database."""
    global _kept
    if counts_before is None or _kept is not None or counts_before != _committed_counts():
        return
    rows = {}
    with _as_owner() as cursor:
        raw = cursor.cursor
        for name, columns in _tables():
            column_list = ", ".join(columns)
            with raw.copy(f"COPY (SELECT {column_list} FROM {name}) TO STDOUT (FORMAT binary)") as copy:
                rows[name] = (column_list, b"".join(bytes(block) for block in copy))
    _kept = _Copy(printed, counts_before, rows, _stored_files())
    _save_run_copy()


def restore() -> str | None:
    """Put the kept demo back inside the current transaction; None when there is none to put back
    or the database holds other rows than the bare one (then the caller builds)."""
    _load_run_copy()
    if _kept is None or connection.vendor != "postgresql":
        return None
    assert connection.in_atomic_block, "the demo is put back inside a transaction that is rolled back"
    if table_counts() != _kept.counts_before:
        return None
    with _as_owner() as cursor:
        raw = cursor.cursor
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(_kept.rows)}")
        for name, (column_list, data) in _kept.rows.items():
            with raw.copy(f"COPY {name} ({column_list}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
        cursor.execute("SET LOCAL session_replication_role = origin")
        # A copy from another process of the run holds ids this database's sequences have not
        # reached: move each past the largest id (setval is not rolled back; sequences only grow).
        cursor.execute(SEQUENCES_PAST_THE_ROWS)
    from cases.attachment_services import attachment_storage

    storage = attachment_storage()
    for name, content in _kept.files.items():
        if not storage.exists(name):
            storage.save(name, ContentFile(content))
    return _kept.printed


def _stored_files() -> dict[str, bytes]:
    from cases.attachment_services import attachment_storage
    from cases.models import Attachment

    storage = attachment_storage()
    files = {}
    for name in Attachment.objects.values_list("stored_as", flat=True):
        with storage.open(name, "rb") as stored:
            files[name] = stored.read()
    return files


# Every sequence owned by a column of the app's tables, set past that column's largest value.
SEQUENCES_PAST_THE_ROWS = """
DO $$
DECLARE r record; top bigint;
BEGIN
  FOR r IN
    SELECT s.oid::regclass::text AS seq, t.oid::regclass::text AS tab, quote_ident(a.attname) AS col
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    JOIN pg_namespace n ON n.oid = s.relnamespace
    WHERE s.relkind = 'S' AND n.nspname = current_schema()
  LOOP
    EXECUTE format('SELECT max(%s) FROM %s', r.col, r.tab) INTO top;
    IF top IS NOT NULL THEN
      PERFORM setval(r.seq, GREATEST(top, COALESCE(pg_sequence_last_value(r.seq::regclass), 0)));
    END IF;
  END LOOP;
END $$;
"""
