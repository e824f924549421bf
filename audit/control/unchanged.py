"""An unchanged re-run does almost nothing (issue 12): a range chunk whose rule, parameters and run
date are those of its last evaluation, and whose facts no transaction has written since that
evaluation read them, would find exactly what it found then and write nothing. The engine then
returns the counts it reported then, after one query, instead of running the rule again.

How "no one wrote since" is known, inside the database and exactly (PostgreSQL):
- every table a rule reads has the statement trigger `egk_fact_changed` (migration audit 0029):
  after any INSERT, UPDATE, DELETE or TRUNCATE it marks (table, writing transaction) in
  audit_factchange, in the writer's own transaction, so the mark is visible exactly when the write is;
- a chunk's evaluation (ChunkEvaluation) keeps the snapshot (pg_current_snapshot) taken before its
  findings were read, its own transaction and the last mark sequence number when it wrote;
- a mark of another transaction that snapshot does not see, or a later mark of its own
  transaction, is a write the evaluation may have missed: the chunk is evaluated again.
The engine's own flag writes are not marked (`egk.engine_writing`, set only around a chunk's
writes): a chunk writes only its own rule's flags of its own subjects, and no rule's findings read
flags the engine writes; every other write of flags (a person acknowledging or closing one, an
escalation) is marked.

Safe by default: the chunk is evaluated whenever a table its SQL names lacks the trigger (the
access log, a table added later), on SQLite, for a chunk of explicit ids (a re-check after a saved
fact), after a database server restart, or when the fingerprint (the chunk's SQL, parameters,
range and run date) differs.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.apps import apps
from django.db import connection

from audit.control.models import Flag

TRIGGER = "egk_fact_changed"
ENGINE_WRITING = "egk.engine_writing"
SEQUENCE = "egk_fact_change_seq"


def enabled() -> bool:
    return connection.vendor == "postgresql"


def tables_read(*sql_texts: str) -> list[str]:
    """The tables of installed models that the findings' SQL names (quoted, as Django and the
    engine's ownership SQL write them), and the flags, which the engine's writes read (the history
    and the outbox it only writes)."""
    text = " ".join(sql_texts)
    names = {m._meta.db_table for m in apps.get_models() if connection.ops.quote_name(m._meta.db_table) in text}
    return sorted(names | {Flag._meta.db_table})


def fingerprint(*, rule_code: str, lower: int, upper: int, as_of: datetime.date, sql: str, params) -> str:
    """What the chunk computes: its SQL with parameters, range and run date."""
    text = json.dumps([rule_code, lower, upper, as_of.isoformat(), sql, [str(p) for p in params]])
    return hashlib.sha256(text.encode()).hexdigest()


_UNCHANGED = f"""
SELECT e.counts FROM audit_chunkevaluation e
WHERE e.rule_code = %s AND e.lower = %s AND e.upper = %s AND e.as_of = %s AND e.fingerprint = %s
  AND e.server_started = pg_postmaster_start_time()
  AND (SELECT COUNT(DISTINCT c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE t.tgname = '{TRIGGER}' AND t.tgenabled <> 'D' AND c.relnamespace = current_schema()::regnamespace
         AND c.relname = ANY(%s)) = %s
  AND NOT EXISTS (
      SELECT 1 FROM audit_factchange f WHERE f.table_name = ANY(%s)
        AND CASE WHEN f.xact = e.xact THEN f.seq > e.seq
                 ELSE NOT pg_visible_in_snapshot(f.xact::text::xid8, e.snapshot::pg_snapshot) END)
"""


def unchanged_counts(cursor, *, rule_code, lower, upper, as_of, fingerprint: str, tables: list[str]) -> dict | None:
    """The counts of the chunk's last evaluation if nothing it read changed since, else None."""
    cursor.execute(_UNCHANGED, [rule_code, lower, upper, as_of, fingerprint, tables, len(tables), tables])
    row = cursor.fetchone()
    if row is None:
        return None
    counts = row[0]
    return json.loads(counts) if isinstance(counts, str) else counts


def snapshot(cursor) -> str:
    """The snapshot to keep: taken before the findings are read, so it sees no more than they did."""
    cursor.execute("SELECT pg_current_snapshot()::text")
    return cursor.fetchone()[0]


def engine_writing(cursor, on: bool) -> None:
    """The chunk's own flag writes are not marked as changed facts (for this transaction only)."""
    cursor.execute("SELECT set_config(%s, %s, true)", [ENGINE_WRITING, "on" if on else "off"])


def record(cursor, *, rule_code, lower, upper, as_of, fingerprint: str, snapshot: str, counts: dict, now) -> None:
    """Keep the chunk's evaluation (one row per rule and range, replaced each time)."""
    cursor.execute(
        "INSERT INTO audit_chunkevaluation (rule_code, lower, upper, as_of, fingerprint, snapshot, xact, seq, "
        "server_started, counts, evaluated_at) "
        f"SELECT %s, %s, %s, %s, %s, %s, pg_current_xact_id()::text::bigint, (SELECT last_value FROM {SEQUENCE}), "
        "pg_postmaster_start_time(), %s, %s "
        "ON CONFLICT (rule_code, lower, upper) DO UPDATE SET as_of = EXCLUDED.as_of, "
        "fingerprint = EXCLUDED.fingerprint, snapshot = EXCLUDED.snapshot, xact = EXCLUDED.xact, seq = EXCLUDED.seq, "
        "server_started = EXCLUDED.server_started, counts = EXCLUDED.counts, evaluated_at = EXCLUDED.evaluated_at",
        [rule_code, lower, upper, as_of, fingerprint, snapshot, json.dumps(counts), now],
    )


def prune() -> None:
    """Forget evaluations made more than a day ago (a re-run is the same day's) and the marks
    every kept evaluation's snapshot already sees (those of transactions that ended before its
    oldest snapshot began). At a run's start."""
    if not enabled():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_chunkevaluation WHERE evaluated_at < now() - interval '1 day'")
        cursor.execute(
            "DELETE FROM audit_factchange WHERE xact::text::xid8 < COALESCE("
            "(SELECT MIN(pg_snapshot_xmin(snapshot::pg_snapshot)) FROM audit_chunkevaluation), "
            "pg_snapshot_xmin(pg_current_snapshot()))"
        )
