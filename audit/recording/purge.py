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
The journal and the decision letters are protected and purged the same way: one installer,
`install_append_only`, serves all three (`APPEND_ONLY`).
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class AppendOnly:
    """Rows that are signed and never change (decisions, the journal, decision letters): a trigger
    refuses every UPDATE and DELETE, except a DELETE by gallring through `function`, which runs as
    the tables' owner (SECURITY DEFINER), needs a gallringsprotokoll, refuses rows of a case not
    closed, deletes `deletes` in order and writes its own change event with the counts."""

    refuse: str  # the trigger function
    what: str  # said in the refusal: "holds signed decisions, append-only"
    tables: tuple[str, ...]  # protected by the trigger
    function: str  # gallring's way past it
    deletes: tuple[tuple[str, str, str], ...]  # (label, table, key column matched against the ids), in order
    case_of: str  # FROM clause joining the ids' table (alias r) to cases_case (alias c)
    action: str  # the change event gallring writes

    @property
    def signature(self) -> str:
        return f"{self.function}(bigint[], bigint)"


DECISIONS = AppendOnly(
    refuse="cases_refuse_decision_change", what="holds signed decisions, append-only",
    tables=("cases_decision", "cases_decisionexecutionevent"), function="gallring_purge_decisions",
    deletes=(("cases.decisionexecutionevent", "cases_decisionexecutionevent", "decision_id"),
             ("cases.decision", "cases_decision", "id")),
    case_of="cases_decision r JOIN cases_application a ON a.id = r.application_id JOIN cases_case c ON c.id = a.case_id",
    action="retention.purge_decisions",
)
JOURNAL = AppendOnly(
    refuse="cases_refuse_journal_change", what="holds signed journal entries, append-only",
    tables=("cases_journalentry",), function="gallring_purge_journal",
    deletes=(("cases.journalentry", "cases_journalentry", "id"),),
    case_of="cases_journalentry r JOIN cases_case c ON c.id = r.case_id",
    action="retention.purge_journal",
)
LETTERS = AppendOnly(
    refuse="cases_refuse_letter_change", what="holds signed decision letters, append-only",
    tables=("cases_decisionletter",), function="gallring_purge_letters",
    deletes=(("cases.decisionletter", "cases_decisionletter", "id"),),
    case_of=("cases_decisionletter r JOIN cases_decision d ON d.id = r.decision_id "
             "JOIN cases_application a ON a.id = d.application_id JOIN cases_case c ON c.id = a.case_id"),
    action="retention.purge_letters",
)
APPEND_ONLY = (DECISIONS, JOURNAL, LETTERS)
# Gallring's functions, for the application role's grants (audit/recording/db_roles.py).
PURGE_SIGNATURES = tuple(spec.signature for spec in APPEND_ONLY)


def _refuse_function(spec: AppendOnly, *, gallring: bool = True) -> str:
    let_gallring_through = """
    IF TG_OP = 'DELETE' AND coalesce(current_setting('gallring.purge', true), '') <> ''
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN OLD;
    END IF;""" if gallring else ""
    # Gallring only: the purge function sets gallring.purge and runs as the tables' owner. The
    # application role can set the setting itself but never owns the table, so it is refused.
    return f"""
    CREATE OR REPLACE FUNCTION {spec.refuse}() RETURNS trigger AS $$
    BEGIN{let_gallring_through}
        RAISE EXCEPTION '% {spec.what}: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """


def _purge_function_for(spec: AppendOnly, schema: str) -> str:
    deletes = "\n".join(f"""
        DELETE FROM {table} WHERE {column} = ANY(ids);
        GET DIAGNOSTICS n = ROW_COUNT;
        counts := counts || n;""" for _, table, column in spec.deletes)
    report = ", ".join(f"'{label}', counts[{i}]" for i, (label, _, _) in enumerate(spec.deletes, start=1))
    return f"""
    DROP FUNCTION IF EXISTS {spec.signature};
    CREATE FUNCTION {spec.function}(ids bigint[], purge bigint) RETURNS bigint[]
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    DECLARE
        counts bigint[] := '{{}}';
        n bigint;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_retentionpurge WHERE id = purge AND NOT dry_run) THEN
            RAISE EXCEPTION '{spec.function} needs a gallringsprotokoll (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF EXISTS (SELECT 1 FROM {spec.case_of} WHERE r.id = ANY(ids) AND c.status <> 'closed') THEN
            RAISE EXCEPTION '{spec.function}: a row of a case not closed (purge %)', purge
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM set_config('gallring.purge', purge::text, true);{deletes}
        PERFORM set_config('gallring.purge', '', true);
        INSERT INTO audit_changeevent (occurred_at, actor_username, action, object_type, object_id, changes, channel)
            VALUES (now(), '', '{spec.action}', 'audit.retentionpurge', purge::text, jsonb_build_object({report}), 'task');
        RETURN counts;
    END;
    $$;
    REVOKE ALL ON FUNCTION {spec.signature} FROM PUBLIC;
    """


def install_append_only(schema_editor, spec: AppendOnly) -> None:
    """The trigger on each of `spec`'s tables and gallring's one way past it (idempotent: a later
    migration may install a spec again to bring an older database's function up to date)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    schema_editor.execute(_refuse_function(spec), params=None)
    for table in spec.tables:
        schema_editor.execute(f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION {spec.refuse}();", params=None)
    schema_editor.execute(_purge_function_for(spec, schema), params=None)


def uninstall_append_only(schema_editor, spec: AppendOnly, *, keep_triggers: bool = False) -> None:
    """Drop gallring's function; the triggers too, unless an earlier migration made them (the
    decisions': cases migration 0005), which then refuse everything again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {spec.signature}", params=None)
    if keep_triggers:
        schema_editor.execute(_refuse_function(spec, gallring=False), params=None)
        return
    for table in spec.tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {spec.refuse}()", params=None)


def install_decisions(schema_editor) -> None:
    """Gallring's one way past the signed decisions' protection (audit migration 0018)."""
    install_append_only(schema_editor, DECISIONS)


def uninstall_decisions(schema_editor) -> None:
    uninstall_append_only(schema_editor, DECISIONS, keep_triggers=True)


def install_journal(schema_editor) -> None:
    """The journal's append-only trigger and gallring's one way past it (audit migration 0022)."""
    install_append_only(schema_editor, JOURNAL)


def uninstall_journal(schema_editor) -> None:
    uninstall_append_only(schema_editor, JOURNAL)


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


def purge_through(spec: AppendOnly, *, ids: list[int], purge_id: int) -> dict[str, int]:
    """Remove these rows (and, for decisions, their execution events) through gallring's function
    (PostgreSQL); answers the count removed per kind. Elsewhere there is no protection to pass."""
    if connection.vendor != "postgresql":
        from django.apps import apps

        removed = {}
        for label, _, column in spec.deletes:
            model = apps.get_model(label)
            lookup = "pk__in" if column == "id" else f"{column}__in"
            removed[label] = model.objects.filter(**{lookup: ids})._raw_delete(connection.alias) or 0
        return removed
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {spec.function}(%s::bigint[], %s)", [list(ids), purge_id])
        counts = cursor.fetchone()[0]
    return {label: n for (label, _, _), n in zip(spec.deletes, counts, strict=True)}


# The kinds gallring removes through a spec's function: the first kind named by the ids passed.
PURGED_THROUGH = {spec.deletes[-1][0]: spec for spec in APPEND_ONLY}
PURGED_WITH = {label for spec in APPEND_ONLY for label, _, _ in spec.deletes[:-1]}


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
