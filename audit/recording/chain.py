"""The hash chain over the access log and the change events (PostgreSQL).

Every row of `audit_accesslogentry` and `audit_changeevent` is one link of a single chain:
`chain_seq` (1, 2, 3 ... across both tables), `prev_hash` (the previous link's hash) and
`row_hash` = sha256 of the row's content with its place and the previous hash. A BEFORE INSERT
row trigger sets the three in the same transaction as the row, holding the one-row chain head
(`audit_chainhead`) FOR UPDATE until the transaction ends, so concurrent writers queue for the
head and never fork the chain; a statement trigger moves the head once per INSERT. The trigger function is SECURITY DEFINER (the owner role): the
application role can neither choose a row's place or hash nor change the head. A bulk INSERT
stays one statement; the trigger links its rows one by one, each from the statement's last link,
kept in a per-session temporary table of the owner role (`audit_chain_tail`, see tail_function):
one probe of a small index per row, however many monthly partitions the access log has
(audit/recording/partitions.py).

The content hash is a SQL function per table (`audit_accesslog_hash(row)`), used by the trigger
and by the verification alike, so both read the row exactly the same way: the row as canonical
jsonb text, the time as integer microseconds since the epoch.

A retention purge removes rows through `audit_purge_person` (audit/recording/purge.py), which
first copies each removed link's place and hashes to `audit_purgedchainlink`, so the chain still
verifies across the gap without the removed content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

GENESIS = "0" * 64
LOG_TABLES = ("audit_accesslogentry", "audit_changeevent")
CHAIN_TABLES = (*LOG_TABLES, "audit_chainhead", "audit_purgedchainlink")

# The content of each table's row, in a fixed order (add a column here only in a migration that
# re-creates the function; existing rows keep verifying only if their hash input is unchanged).
_CONTENT = {
    "audit_accesslogentry": (
        "r.actor_id, r.actor_username, r.actor_role, r.action, r.person_id, r.object_type, r.object_id, "
        "r.channel, host(r.ip_address), r.endpoint"
    ),
    "audit_changeevent": (
        "r.actor_id, r.actor_username, r.action, r.object_type, r.object_id, r.person_id, r.changes, r.channel"
    ),
}


def hash_function(table: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION {table}_hash(r {table}) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(jsonb_build_array(
            '{table}', r.chain_seq, r.prev_hash, floor(extract(epoch FROM r.occurred_at) * 1000000)::bigint,
            {_CONTENT[table]}
        )::text, 'UTF8')), 'hex')
    $$;
    """


def tail_function(schema: str) -> str:
    # The links written by the statement running, in a temporary table of the session owned by
    # the owner role (made by this SECURITY DEFINER function, so the application role can neither
    # read, change nor drop it; one it made itself under that name is refused). The row trigger
    # finds the last link there with one index probe, instead of probing the end of the chain_seq
    # index of every monthly partition of the access log for every row.
    return f"""
    CREATE OR REPLACE FUNCTION audit_chain_tail_begin() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    BEGIN
        IF to_regclass('pg_temp.audit_chain_tail') IS NULL THEN
            CREATE TEMP TABLE audit_chain_tail (seq bigint PRIMARY KEY, hash text NOT NULL);
        END IF;
        IF (SELECT relowner FROM pg_class WHERE oid = 'pg_temp.audit_chain_tail'::regclass)
           IS DISTINCT FROM (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
            RAISE EXCEPTION 'audit_chain_tail belongs to another role: the log is not written'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
    END;
    $$;
    REVOKE ALL ON FUNCTION audit_chain_tail_begin() FROM PUBLIC;
    """


def link_function(table: str, schema: str) -> str:
    # Per statement, first: make sure the session's tail table is there. Per row: continue from
    # the last link (a row this statement wrote, from the tail; for its first row the head,
    # locked), note the new link in the tail. Per statement, last: move the head to the statement's
    # last link, once, and empty the tail (the head now covers it; a statement nested inside
    # another one moves the head to its own last link, which the outer one then continues from).
    # Updating the head row per row would pile up its versions inside one transaction and make
    # a bulk INSERT quadratic. NEW is the row of the partition it lands in: cast to the table's
    # row for the hash.
    return f"""
    CREATE OR REPLACE FUNCTION {table}_chain_link() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    DECLARE
        v_head_seq bigint;
        v_head_hash text;
        v_last_seq bigint;
        v_last_hash text;
    BEGIN
        -- A link in the tail means this statement has locked the head already (the lock is held
        -- until the transaction ends; a failed statement takes its tail rows with it).
        SELECT seq, hash INTO v_last_seq, v_last_hash FROM pg_temp.audit_chain_tail ORDER BY seq DESC LIMIT 1;
        IF NOT FOUND THEN
            SELECT seq, last_hash INTO v_head_seq, v_head_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO audit_chainhead (id, seq, last_hash) VALUES (1, 0, '{GENESIS}') ON CONFLICT (id) DO NOTHING;
                SELECT seq, last_hash INTO v_head_seq, v_head_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE;
            END IF;
            v_last_seq := v_head_seq;
            v_last_hash := v_head_hash;
        END IF;
        NEW.chain_seq := v_last_seq + 1;
        NEW.prev_hash := v_last_hash;
        NEW.row_hash := {table}_hash(ROW(NEW.*)::{table});
        INSERT INTO pg_temp.audit_chain_tail (seq, hash) VALUES (NEW.chain_seq, NEW.row_hash);
        RETURN NEW;
    END;
    $$;
    CREATE OR REPLACE FUNCTION {table}_chain_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    BEGIN
        UPDATE audit_chainhead h SET seq = n.chain_seq, last_hash = n.row_hash
        FROM (SELECT chain_seq, row_hash FROM new_rows ORDER BY chain_seq DESC LIMIT 1) n
        WHERE h.id = 1 AND n.chain_seq > h.seq;
        DELETE FROM pg_temp.audit_chain_tail;
        RETURN NULL;
    END;
    $$;
    REVOKE ALL ON FUNCTION {table}_chain_link() FROM PUBLIC;
    REVOKE ALL ON FUNCTION {table}_chain_head() FROM PUBLIC;
    DROP TRIGGER IF EXISTS {table}_chain_begin ON {table};
    DROP TRIGGER IF EXISTS {table}_chain ON {table};
    DROP TRIGGER IF EXISTS {table}_chain_head ON {table};
    CREATE TRIGGER {table}_chain_begin BEFORE INSERT ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_tail_begin();
    CREATE TRIGGER {table}_chain BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_chain_link();
    CREATE TRIGGER {table}_chain_head AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_chain_head();
    """


# Rows written before the chain existed are linked once, in the order they were written.
_LINK_EXISTING = f"""
DO $$
DECLARE
    r record;
    s bigint := 0;
    h text := '{GENESIS}';
BEGIN
    FOR r IN
        SELECT 'a' AS kind, id, occurred_at FROM audit_accesslogentry
        UNION ALL SELECT 'c', id, occurred_at FROM audit_changeevent
        ORDER BY occurred_at, kind DESC, id
    LOOP
        s := s + 1;
        IF r.kind = 'a' THEN
            UPDATE audit_accesslogentry SET chain_seq = s, prev_hash = h WHERE id = r.id;
            SELECT audit_accesslogentry_hash(t) INTO h FROM audit_accesslogentry t WHERE id = r.id;
            UPDATE audit_accesslogentry SET row_hash = h WHERE id = r.id;
        ELSE
            UPDATE audit_changeevent SET chain_seq = s, prev_hash = h WHERE id = r.id;
            SELECT audit_changeevent_hash(t) INTO h FROM audit_changeevent t WHERE id = r.id;
            UPDATE audit_changeevent SET row_hash = h WHERE id = r.id;
        END IF;
    END LOOP;
    IF s > 0 THEN
        INSERT INTO audit_chainhead (id, seq, last_hash) VALUES (1, s, h);
    END IF;
END $$;
"""


def install(schema_editor) -> None:
    """Create the hash functions and the chain triggers, and link the rows already there."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    for table in LOG_TABLES:
        schema_editor.execute(hash_function(table), params=None)
    for table in LOG_TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only", params=None)
    schema_editor.execute(_LINK_EXISTING, params=None)
    schema_editor.execute(tail_function(schema), params=None)
    for table in LOG_TABLES:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only", params=None)
        schema_editor.execute(link_function(table, schema), params=None)


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in LOG_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_chain_begin ON {table}", params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_chain ON {table}", params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_chain_head ON {table}", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_chain_link()", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_chain_head()", params=None)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_hash({table})", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_chain_tail_begin()", params=None)


# --- verification ------------------------------------------------------------------------------

_LINKS = """
    SELECT 'audit_accesslogentry' AS tbl, id, chain_seq AS seq, prev_hash, row_hash,
           audit_accesslogentry_hash(t) AS recomputed FROM audit_accesslogentry t
    UNION ALL
    SELECT 'audit_changeevent', id, chain_seq, prev_hash, row_hash, audit_changeevent_hash(t) FROM audit_changeevent t
    UNION ALL
    SELECT 'audit_purgedchainlink', id, chain_seq, prev_hash, row_hash, row_hash FROM audit_purgedchainlink
"""

# One pass over every link in chain order; the first link that is wrong, and why.
_FIRST_BREAK = f"""
WITH ordered AS (
    SELECT l.*, lag(seq) OVER w AS lag_seq, lag(row_hash) OVER w AS lag_hash
    FROM ({_LINKS}) l WINDOW w AS (ORDER BY seq, tbl, id)
), judged AS (
    SELECT tbl, id, seq, lag_seq, CASE
        WHEN seq IS NULL THEN 'raden saknar plats i kedjan'
        WHEN row_hash IS DISTINCT FROM recomputed THEN 'radens innehåll har ändrats'
        WHEN seq = lag_seq THEN 'två rader har samma plats i kedjan (infogad i fel ordning)'
        WHEN seq <> coalesce(lag_seq, 0) + 1 THEN 'rader saknas före raden'
        WHEN prev_hash IS DISTINCT FROM coalesce(lag_hash, %s) THEN 'länken till föregående rad stämmer inte'
    END AS reason
    FROM ordered
)
SELECT tbl, id, seq, lag_seq, reason FROM judged WHERE reason IS NOT NULL ORDER BY seq NULLS FIRST, id LIMIT 1
"""

_TOTALS = f"SELECT count(*), max(seq) FROM ({_LINKS}) l"
_HASH_AT = f"SELECT seq, row_hash FROM ({_LINKS}) l WHERE seq = ANY(%s)"


@dataclass(frozen=True)
class Verification:
    intact: bool
    rows_checked: int = 0
    last_seq: int | None = None
    last_hash: str = ""
    broken_table: str = ""
    broken_id: int | None = None
    broken_seq: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.intact:
            return f"Hashkedjan är hel: {self.rows_checked} rader, sista löpnummer {self.last_seq or 0}."
        where = f"{self.broken_table} id {self.broken_id}" if self.broken_id is not None else self.broken_table
        seq = f" (löpnummer {self.broken_seq})" if self.broken_seq is not None else ""
        return f"Hashkedjan är bruten vid {where}{seq}: {self.reason}."


def available() -> bool:
    return connection.vendor == "postgresql"


def verify(*, anchors_dir: str | Path | None = None) -> Verification:
    """Check every link, then the head, then the anchors written outside the database."""
    with connection.cursor() as cursor:
        cursor.execute(_FIRST_BREAK, [GENESIS])
        broken = cursor.fetchone()
        cursor.execute(_TOTALS)
        count, last_seq = cursor.fetchone()
        cursor.execute("SELECT seq, last_hash FROM audit_chainhead WHERE id = 1")
        head = cursor.fetchone() or (0, GENESIS)
        last_hash = GENESIS
        if last_seq is not None:
            cursor.execute(_HASH_AT, [[last_seq]])
            last_hash = cursor.fetchone()[1]
    base = {"rows_checked": count, "last_seq": last_seq, "last_hash": last_hash}
    if broken is not None:
        table, row_id, seq, _lag_seq, reason = broken
        return Verification(intact=False, broken_table=table, broken_id=row_id, broken_seq=seq, reason=reason, **base)
    if (head[0], head[1]) != (last_seq or 0, last_hash):
        return Verification(
            intact=False, broken_table="audit_chainhead", broken_seq=head[0],
            reason=f"kedjans slut pekar på löpnummer {head[0]} men sista raden har {last_seq or 0} (rader borttagna i slutet)",
            **base,
        )
    mismatch = _check_anchors(anchors_dir) if anchors_dir else None
    if mismatch:
        seq, reason = mismatch
        return Verification(intact=False, broken_table="ankare", broken_seq=seq, reason=reason, **base)
    return Verification(intact=True, **base)


def read_anchors(anchors_dir: str | Path) -> list[dict]:
    folder = Path(anchors_dir)
    if not folder.is_dir():
        return []
    return [json.loads(path.read_text()) for path in sorted(folder.glob("audit-chain-*.json"))]


def _check_anchors(anchors_dir) -> tuple[int, str] | None:
    """Each anchor's (seq, hash) must still be in the chain: a chain rewritten from some row on,
    with every later hash recomputed, still differs from what was written outside the database."""
    anchors = [a for a in read_anchors(anchors_dir) if a.get("seq")]
    if not anchors:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_HASH_AT, [[a["seq"] for a in anchors]])
        found = dict(cursor.fetchall())
    for anchor in anchors:
        if found.get(anchor["seq"]) != anchor["hash"]:
            return anchor["seq"], f"ankaret från {anchor['date']} stämmer inte med kedjan (kedjan har skrivits om)"
    return None


def write_anchor(*, directory: str | Path, date, verification: Verification) -> Path | None:
    """Write the chain's last link to `directory` (kept by the municipality outside the database);
    one file per day, never overwritten: a second run the same day keeps the first file."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-chain-{date.isoformat()}.json"
    body = {
        "date": date.isoformat(),
        "seq": verification.last_seq or 0,
        "hash": verification.last_hash,
        "intact": verification.intact,
    }
    try:
        with path.open("x", encoding="utf-8") as handle:
            json.dump(body, handle, sort_keys=True)
            handle.write("\n")
    except FileExistsError:
        return None
    return path
