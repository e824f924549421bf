"""The one controlled path past the append-only protection: `audit_purge_log` (PostgreSQL).

A SECURITY DEFINER function of the owner role, which the application role may EXECUTE but whose
DELETEs it could never run itself (it has no DELETE on the log). It refuses to run without a
gallringsprotokoll row (`audit_retentionpurge`, not a dry run), copies each removed link's place
and hashes to `audit_purgedchainlink` (the purge marker, so the chain still verifies across the
gap without the removed content), then deletes the persons' access-log rows and change events.
The append-only trigger lets a DELETE through only while this function has set `audit.purge`.
"""

from __future__ import annotations

from django.db import connection

REFUSE = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    -- Only audit_purge_log sets this, and only roles with DELETE on the log (the owner) get here.
    IF TG_OP = 'DELETE' AND coalesce(current_setting('audit.purge', true), '') <> '' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

REFUSE_ORIGINAL = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _purge_function(schema: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION audit_purge_log(person_ids bigint[], purge bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    DECLARE
        removed bigint;
        events bigint;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_retentionpurge WHERE id = purge AND NOT dry_run) THEN
            RAISE EXCEPTION 'audit_purge_log needs a gallringsprotokoll (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        INSERT INTO audit_purgedchainlink (chain_seq, prev_hash, row_hash, purge_id)
            SELECT chain_seq, prev_hash, row_hash, purge FROM audit_accesslogentry
            WHERE person_id = ANY(person_ids) AND chain_seq IS NOT NULL
            UNION ALL
            SELECT chain_seq, prev_hash, row_hash, purge FROM audit_changeevent
            WHERE person_id = ANY(person_ids) AND chain_seq IS NOT NULL;
        PERFORM set_config('audit.purge', purge::text, true);
        DELETE FROM audit_accesslogentry WHERE person_id = ANY(person_ids);
        GET DIAGNOSTICS removed = ROW_COUNT;
        DELETE FROM audit_changeevent WHERE person_id = ANY(person_ids);
        GET DIAGNOSTICS events = ROW_COUNT;
        PERFORM set_config('audit.purge', '', true);
        RETURN removed + events;
    END;
    $$;
    REVOKE ALL ON FUNCTION audit_purge_log(bigint[], bigint) FROM PUBLIC;
    """


def install(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    schema_editor.execute(REFUSE, params=None)
    schema_editor.execute(_purge_function(schema), params=None)


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_purge_log(bigint[], bigint)", params=None)
    schema_editor.execute(REFUSE_ORIGINAL, params=None)


def purge_log(*, person_ids: list[int], purge_id: int) -> int:
    """Remove these persons' access-log rows and change events, leaving purge markers (PostgreSQL).
    On other databases there is no protection to pass and no chain: a plain DELETE."""
    if connection.vendor != "postgresql":
        from audit.recording.models import AccessLogEntry, ChangeEvent

        return (AccessLogEntry.objects.filter(person_id__in=person_ids).delete()[0]
                + ChangeEvent.objects.filter(person_id__in=person_ids).delete()[0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_purge_log(%s::bigint[], %s)", [list(person_ids), purge_id])
        return cursor.fetchone()[0]
