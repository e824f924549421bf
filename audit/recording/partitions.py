"""The access log partitioned by month (PostgreSQL; SQLite keeps a plain table).

`audit_accesslogentry` is a declaratively partitioned table, RANGE (occurred_at), one partition
per calendar month in the project's time zone (`audit_accesslogentry_y2026m12`) and a DEFAULT
partition (`audit_accesslogentry_default`), so an insert never fails for want of a partition.
A partitioned table's unique constraints must include the partition key: the primary key is
(id, occurred_at) and the chain's place is unique as (chain_seq, occurred_at); Django still
treats `id` as the primary key (ids come from one sequence, so they stay unique), and the hash
chain's verification names two rows with one place (audit/recording/chain.py). The row
triggers (append-only refusal, the chain link) and the indexes are defined on the parent, so
every partition gets them, also one attached later.

Partitions are made ahead of time by `audit_accesslog_ensure_partitions(first, months)` (a
SECURITY DEFINER function of the owner role; the Celery beat task `audit.access_log_partitions`
and `manage.py access_log_partitions` call it). If rows of a month have landed in the DEFAULT
partition, the function moves them into the month's new partition with every column as it was
(the chain's links unchanged), so a late partition costs nothing but the move.

Gallring of the log by age drops whole months through `audit_accesslog_drop_months(before,
purge)`, SECURITY DEFINER as well: it refuses without a gallringsprotokoll row, refuses a month
that ended less than MIN_MONTHS_KEPT months ago, first copies every dropped row's chain link
(chain_seq, prev_hash, row_hash) into `audit_purgedchainlink`, as `audit_purge_log` does, so
`verify_audit_chain` still passes across the dropped months, then DROPs the partitions. The
application role owns no partition and holds no right on any (audit/recording/db_roles.py): it
cannot drop one, nor DELETE or TRUNCATE rows, except through these functions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

TABLE = "audit_accesslogentry"
DEFAULT_PARTITION = f"{TABLE}_default"
ENSURE_SIGNATURE = "audit_accesslog_ensure_partitions(date, integer)"
DROP_SIGNATURE = "audit_accesslog_drop_months(date, bigint)"
# The newest months gallring may drop: none that ended less than this many months ago, whoever
# calls the function and whatever protocol row it names (a floor inside the database).
MIN_MONTHS_KEPT = 12

_COLUMNS = (
    "id, occurred_at, actor_id, actor_username, actor_role, action, person_id, object_type, object_id, "
    "channel, ip_address, endpoint, chain_seq, prev_hash, row_hash"
)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def _schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def _functions(schema: str, tz: str) -> str:
    # Month bounds are local midnights of the first day (`tz`, the project's TIME_ZONE), written
    # into the bound as timestamptz, so a partition is exactly one calendar month here.
    return f"""
    CREATE OR REPLACE FUNCTION audit_accesslog_ensure_partitions(first date, months integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    DECLARE
        m date;
        lo timestamptz;
        hi timestamptz;
        part text;
        made integer := 0;
    BEGIN
        IF months IS NULL OR months < 1 OR months > 120 THEN
            RAISE EXCEPTION 'audit_accesslog_ensure_partitions: months must be 1..120, not %', months;
        END IF;
        FOR i IN 0 .. months - 1 LOOP
            m := (date_trunc('month', first) + make_interval(months => i))::date;
            part := format('{TABLE}_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
            CONTINUE WHEN to_regclass(part) IS NOT NULL;
            lo := m::timestamp AT TIME ZONE '{tz}';
            hi := (m + interval '1 month')::timestamp AT TIME ZONE '{tz}';
            IF EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE occurred_at >= lo AND occurred_at < hi) THEN
                -- Rows of this month already in DEFAULT: move them, every column as it was.
                EXECUTE format('CREATE TABLE %I (LIKE {TABLE} INCLUDING DEFAULTS)', part);
                PERFORM set_config('audit.purge', 'partition', true);
                EXECUTE format('WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE occurred_at >= $1 '
                               'AND occurred_at < $2 RETURNING {_COLUMNS}) INSERT INTO %I ({_COLUMNS}) '
                               'SELECT {_COLUMNS} FROM moved', part) USING lo, hi;
                PERFORM set_config('audit.purge', '', true);
                EXECUTE format('ALTER TABLE {TABLE} ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
            ELSE
                EXECUTE format('CREATE TABLE %I PARTITION OF {TABLE} FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
            END IF;
            EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', part);
            made := made + 1;
        END LOOP;
        RETURN made;
    END;
    $$;
    REVOKE ALL ON FUNCTION {ENSURE_SIGNATURE} FROM PUBLIC;

    CREATE OR REPLACE FUNCTION audit_accesslog_drop_months(before date, purge bigint)
    RETURNS TABLE (partition_name text, rows_dropped bigint, first_seq bigint, last_seq bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    DECLARE
        p record;
        floor_at timestamptz := (date_trunc('month', now() AT TIME ZONE '{tz}')
                                 - interval '{MIN_MONTHS_KEPT} months') AT TIME ZONE '{tz}';
        cutoff timestamptz := date_trunc('month', before)::timestamp AT TIME ZONE '{tz}';
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_retentionpurge WHERE id = purge AND NOT dry_run) THEN
            RAISE EXCEPTION 'audit_accesslog_drop_months needs a gallringsprotokoll (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF cutoff > floor_at THEN
            RAISE EXCEPTION 'audit_accesslog_drop_months: months after % are kept (asked for before %)',
                floor_at, cutoff USING ERRCODE = 'insufficient_privilege';
        END IF;
        FOR p IN
            SELECT c.relname AS name,
                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS hi
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = '{TABLE}'::regclass AND c.relname <> '{DEFAULT_PARTITION}'
            ORDER BY 2
        LOOP
            CONTINUE WHEN p.hi > cutoff;
            partition_name := p.name;
            EXECUTE format('WITH links AS (INSERT INTO audit_purgedchainlink (chain_seq, prev_hash, row_hash, purge_id) '
                           'SELECT chain_seq, prev_hash, row_hash, $1 FROM %I WHERE chain_seq IS NOT NULL '
                           'RETURNING chain_seq) SELECT count(*), min(chain_seq), max(chain_seq) FROM links', p.name)
                USING purge INTO rows_dropped, first_seq, last_seq;
            EXECUTE format('DROP TABLE %I', p.name);
            RETURN NEXT;
        END LOOP;
    END;
    $$;
    REVOKE ALL ON FUNCTION {DROP_SIGNATURE} FROM PUBLIC;
    """


# The conversion of the existing table (audit migration 0020). Rows keep id, chain_seq and
# hashes; the old identity sequence's position carries over to a plain sequence (a partitioned
# table's identity column needs PostgreSQL 17); indexes keep their names.
def _convert(schema: str) -> list[str]:
    return [
        # The indexes Django made (other than the two constraints), to re-create with their names.
        f"""CREATE TEMP TABLE _accesslog_indexes ON COMMIT DROP AS
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = '{schema}' AND tablename = '{TABLE}'
              AND indexname NOT IN ('{TABLE}_pkey', '{TABLE}_chain_seq_key')""",
        f"""CREATE TEMP TABLE _accesslog_seq ON COMMIT DROP AS
            SELECT last_value, is_called FROM {TABLE}_id_seq""",
        f"ALTER TABLE {TABLE} RENAME TO {TABLE}_unpartitioned",
        """DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT indexname FROM _accesslog_indexes LOOP EXECUTE format('DROP INDEX %I', r.indexname); END LOOP;
        END $$""",
        f"ALTER TABLE {TABLE}_unpartitioned DROP CONSTRAINT {TABLE}_pkey",
        f"ALTER TABLE {TABLE}_unpartitioned DROP CONSTRAINT {TABLE}_chain_seq_key",
        f"ALTER TABLE {TABLE}_unpartitioned ALTER COLUMN id DROP IDENTITY",
        f"""CREATE TABLE {TABLE} (
            id bigint NOT NULL,
            occurred_at timestamp with time zone NOT NULL,
            actor_id bigint NULL,
            actor_username varchar(150) NOT NULL,
            actor_role varchar(32) NOT NULL,
            action varchar(16) NOT NULL,
            person_id bigint NULL,
            object_type varchar(64) NOT NULL,
            object_id varchar(64) NOT NULL,
            channel varchar(16) NOT NULL,
            ip_address inet NULL,
            endpoint varchar(200) NOT NULL,
            chain_seq bigint NULL,
            prev_hash varchar(64) NOT NULL,
            row_hash varchar(64) NOT NULL
        ) PARTITION BY RANGE (occurred_at)""",
        f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT",
        f"REVOKE ALL ON {DEFAULT_PARTITION} FROM PUBLIC",
    ]


def _after_functions() -> list[str]:
    return [
        # One partition per month that has rows, then the months ahead.
        f"""SELECT audit_accesslog_ensure_partitions(m::date, 1) FROM (
            SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE '{settings.TIME_ZONE}') AS m
            FROM {TABLE}_unpartitioned) months""",
        f"SELECT audit_accesslog_ensure_partitions(now()::date, {months_ahead() + 1})",
        f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {TABLE}_unpartitioned",
        f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id",
        f"""SELECT setval('{TABLE}_id_seq', greatest(s.last_value, coalesce((SELECT max(id) FROM {TABLE}), 1)),
                          s.is_called OR EXISTS (SELECT 1 FROM {TABLE})) FROM _accesslog_seq s""",
        f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')",
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, occurred_at)",
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_chain_seq_key UNIQUE (chain_seq, occurred_at)",
        """DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT indexdef FROM _accesslog_indexes LOOP EXECUTE r.indexdef; END LOOP;
        END $$""",
        f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    ]


def install(schema_editor) -> None:
    """Convert the access log into a partitioned table (audit migration 0020)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from audit.recording import chain

    schema = _schema(schema_editor)
    for statement in _convert(schema):
        schema_editor.execute(statement, params=None)
    schema_editor.execute(_functions(schema, settings.TIME_ZONE), params=None)
    for statement in _after_functions():
        schema_editor.execute(statement, params=None)
    # The chain's hash function now takes the partitioned table's row; the link trigger on it.
    schema_editor.execute(f"DROP FUNCTION {TABLE}_hash({TABLE}_unpartitioned)", params=None)
    schema_editor.execute(chain.hash_function(TABLE), params=None)
    # Both tables' triggers now find the last link in the statement's tail, not by probing
    # the end of every partition's index (audit/recording/chain.py).
    schema_editor.execute(chain.tail_function(schema), params=None)
    for table in chain.LOG_TABLES:
        schema_editor.execute(chain.link_function(table, schema), params=None)
    schema_editor.execute(f"DROP TABLE {TABLE}_unpartitioned", params=None)


def months_ahead() -> int:
    return int(getattr(settings, "AUDIT_ACCESS_LOG_MONTHS_AHEAD", 3))


# --- running ---------------------------------------------------------------------------------------


def available() -> bool:
    return connection.vendor == "postgresql"


def ensure(*, first: datetime.date | None = None, months: int | None = None) -> int:
    """Make sure the partitions of `months` months from `first` exist (default: this month and
    AUDIT_ACCESS_LOG_MONTHS_AHEAD more); answers how many were made. Nothing to do on SQLite."""
    if not available():
        return 0
    from django.utils import timezone

    first = first or timezone.localdate()
    months = months if months is not None else months_ahead() + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_accesslog_ensure_partitions(%s, %s)", [first, months])
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Partition:
    name: str
    bound: str
    rows_estimate: int
    bytes: int


def listing() -> list[Partition]:
    """The log's partitions, oldest first (DEFAULT last), with planner row estimates and sizes."""
    if not available():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), greatest(c.reltuples, 0)::bigint,
                       pg_total_relation_size(c.oid)
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = '{TABLE}'::regclass
                ORDER BY c.relname = '{DEFAULT_PARTITION}', c.relname"""
        )
        return [Partition(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class DroppedMonth:
    partition: str
    rows: int
    first_seq: int | None
    last_seq: int | None


def drop_months(*, before: datetime.date, purge_id: int) -> list[DroppedMonth]:
    """Drop every month of the log that ended by the first of `before`'s month (PostgreSQL: through
    `audit_accesslog_drop_months`, which keeps their chain links). On SQLite: a plain DELETE."""
    if not available():
        from django.utils import timezone

        from audit.recording.models import AccessLogEntry

        start = datetime.datetime.combine(before.replace(day=1), datetime.time(0), tzinfo=timezone.get_current_timezone())
        removed = AccessLogEntry.objects.filter(occurred_at__lt=start).delete()[0]
        return [DroppedMonth(partition=TABLE, rows=removed, first_seq=None, last_seq=None)] if removed else []
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_accesslog_drop_months(%s, %s)", [before, purge_id])
        return [DroppedMonth(*row) for row in cursor.fetchall()]
