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
first build's; sequences are never rolled back, so they are already past them.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

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


_kept: _Copy | None = None


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
    _kept = _Copy(printed, counts_before, rows)


def restore() -> str | None:
    """Put the kept demo back inside the current transaction; None when there is none to put back
    or the database holds other rows than the bare one (then the caller builds)."""
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
    return _kept.printed
