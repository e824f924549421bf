"""The one controlled path past the append-only protection: `audit_purge_log` (PostgreSQL).

A SECURITY DEFINER function of the owner role, which the application role may EXECUTE but whose
DELETEs it could never run itself (it has no DELETE on the log). It refuses to run without a
gallringsprotokoll row (`audit_retentionpurge`, not a dry run), copies each removed link's place
and hashes to `audit_purgedchainlink` (the purge marker, so the chain still verifies across the
gap without the removed content), then deletes the persons' access-log rows and change events.
The append-only trigger lets a DELETE through only while this function has set `audit.purge`.

Signed decisions and their execution events (cases migration 0005) are append-only the same way,
but the application role holds DELETE on those tables, so a setting alone would not do: the
trigger there also requires that the deleting role owns the table, which inside the SECURITY
DEFINER function `gallring_purge_decisions` it does, and outside it the application role never
does. That function refuses without a protocol row, refuses decisions of a case not closed, and
writes its own change event (counts only), so even a misuse of it leaves a trace in the chain.
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


DECISIONS_REFUSE = """
CREATE OR REPLACE FUNCTION cases_refuse_decision_change() RETURNS trigger AS $$
BEGIN
    -- Gallring only: gallring_purge_decisions sets gallring.purge and runs as the tables' owner.
    -- The application role can set the setting itself but never owns the table, so it is refused.
    IF TG_OP = 'DELETE' AND coalesce(current_setting('gallring.purge', true), '') <> ''
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% holds signed decisions, append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

DECISIONS_REFUSE_ORIGINAL = """
CREATE OR REPLACE FUNCTION cases_refuse_decision_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% holds signed decisions, append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

DECISIONS_SIGNATURE = "gallring_purge_decisions(bigint[], bigint)"


def _decisions_function(schema: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION gallring_purge_decisions(decision_ids bigint[], purge bigint) RETURNS bigint[]
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    DECLARE
        events bigint;
        decisions bigint;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_retentionpurge WHERE id = purge AND NOT dry_run) THEN
            RAISE EXCEPTION 'gallring_purge_decisions needs a gallringsprotokoll (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF EXISTS (SELECT 1 FROM cases_decision d JOIN cases_application a ON a.id = d.application_id
                   JOIN cases_case c ON c.id = a.case_id WHERE d.id = ANY(decision_ids) AND c.status <> 'closed') THEN
            RAISE EXCEPTION 'gallring_purge_decisions: a decision of a case not closed (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM set_config('gallring.purge', purge::text, true);
        DELETE FROM cases_decisionexecutionevent WHERE decision_id = ANY(decision_ids);
        GET DIAGNOSTICS events = ROW_COUNT;
        DELETE FROM cases_decision WHERE id = ANY(decision_ids);
        GET DIAGNOSTICS decisions = ROW_COUNT;
        PERFORM set_config('gallring.purge', '', true);
        INSERT INTO audit_changeevent (occurred_at, actor_username, action, object_type, object_id, changes, channel)
            VALUES (now(), '', 'retention.purge_decisions', 'audit.retentionpurge', purge::text,
                    jsonb_build_object('cases.decision', decisions, 'cases.decisionexecutionevent', events), 'task');
        RETURN ARRAY[events, decisions];
    END;
    $$;
    REVOKE ALL ON FUNCTION {DECISIONS_SIGNATURE} FROM PUBLIC;
    """


def install_decisions(schema_editor) -> None:
    """Gallring's one way past the signed decisions' protection (audit migration 0018)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    schema_editor.execute(DECISIONS_REFUSE, params=None)
    schema_editor.execute(_decisions_function(schema), params=None)


def uninstall_decisions(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {DECISIONS_SIGNATURE}", params=None)
    schema_editor.execute(DECISIONS_REFUSE_ORIGINAL, params=None)


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


def purge_decisions(*, decision_ids: list[int], purge_id: int) -> tuple[int, int]:
    """Remove these signed decisions and their execution events (PostgreSQL: through
    `gallring_purge_decisions`); answers (events, decisions) removed."""
    if connection.vendor != "postgresql":
        from cases.models import Decision, DecisionExecutionEvent

        return (DecisionExecutionEvent.objects.filter(decision_id__in=decision_ids)._raw_delete(connection.alias) or 0,
                Decision.objects.filter(pk__in=decision_ids)._raw_delete(connection.alias) or 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT gallring_purge_decisions(%s::bigint[], %s)", [list(decision_ids), purge_id])
        events, decisions = cursor.fetchone()[0]
        return events, decisions


# The journal (cases.JournalEntry): never updated; removed only by gallring, through
# gallring_purge_journal (as the table's owner, with the gallringsprotokoll), like the decisions.
JOURNAL_REFUSE = """
CREATE OR REPLACE FUNCTION cases_refuse_journal_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('gallring.purge', true), '') <> ''
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% holds signed journal entries, append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

JOURNAL_SIGNATURE = "gallring_purge_journal(bigint[], bigint)"


def _journal_function(schema: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION gallring_purge_journal(entry_ids bigint[], purge bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    DECLARE
        entries bigint;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_retentionpurge WHERE id = purge AND NOT dry_run) THEN
            RAISE EXCEPTION 'gallring_purge_journal needs a gallringsprotokoll (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF EXISTS (SELECT 1 FROM cases_journalentry j JOIN cases_case c ON c.id = j.case_id
                   WHERE j.id = ANY(entry_ids) AND c.status <> 'closed') THEN
            RAISE EXCEPTION 'gallring_purge_journal: an entry of a case not closed (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM set_config('gallring.purge', purge::text, true);
        DELETE FROM cases_journalentry WHERE id = ANY(entry_ids);
        GET DIAGNOSTICS entries = ROW_COUNT;
        PERFORM set_config('gallring.purge', '', true);
        INSERT INTO audit_changeevent (occurred_at, actor_username, action, object_type, object_id, changes, channel)
            VALUES (now(), '', 'retention.purge_journal', 'audit.retentionpurge', purge::text,
                    jsonb_build_object('cases.journalentry', entries), 'task');
        RETURN entries;
    END;
    $$;
    REVOKE ALL ON FUNCTION {JOURNAL_SIGNATURE} FROM PUBLIC;
    """


def install_journal(schema_editor) -> None:
    """The journal's append-only trigger and gallring's one way past it (audit migration 0022)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    schema_editor.execute(JOURNAL_REFUSE, params=None)
    schema_editor.execute(
        "CREATE TRIGGER cases_journalentry_append_only BEFORE UPDATE OR DELETE ON cases_journalentry "
        "FOR EACH ROW EXECUTE FUNCTION cases_refuse_journal_change();",
        params=None,
    )
    schema_editor.execute(_journal_function(schema), params=None)


def uninstall_journal(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {JOURNAL_SIGNATURE}", params=None)
    schema_editor.execute("DROP TRIGGER IF EXISTS cases_journalentry_append_only ON cases_journalentry", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS cases_refuse_journal_change()", params=None)


def purge_journal(*, entry_ids: list[int], purge_id: int) -> int:
    """Remove these journal entries (PostgreSQL: through `gallring_purge_journal`); answers how many."""
    if connection.vendor != "postgresql":
        from cases.models import JournalEntry

        return JournalEntry.objects.filter(pk__in=entry_ids)._raw_delete(connection.alias) or 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT gallring_purge_journal(%s::bigint[], %s)", [list(entry_ids), purge_id])
        return cursor.fetchone()[0]


# Bilagor (cases.Attachment): the rows go with the file like any other; their stored files go too,
# once the purge's transaction has committed (removed before, a rolled-back purge would leave rows
# whose files are gone). One file per row, counted in the protocol as ATTACHMENT_FILES.
ATTACHMENT_FILES = "cases.attachment.file"


def purge_attachments(*, attachment_ids: list[int]) -> tuple[int, int]:
    """Remove these attachments' rows now and their stored files on commit; answers (rows, files)."""
    from django.db import transaction

    from cases.attachment_services import attachment_storage
    from cases.models import Attachment

    rows = Attachment.objects.filter(pk__in=attachment_ids)
    names = list(rows.values_list("stored_as", flat=True))
    removed = rows._raw_delete(connection.alias) or 0

    def remove_files():
        storage = attachment_storage()
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return removed, len(names)
