"""Two database roles on PostgreSQL: the owner runs migrations, the application role runs the app.

The owner owns every table. The application role (setting `DATABASE_APP_ROLE`) may read and
write the ordinary tables, but on the audit tables it may only INSERT and SELECT (the access
log, the change events) or SELECT (the chain head, purged links): it owns nothing, so it can
neither TRUNCATE, ALTER, DISABLE nor DROP a trigger there. `apply_grants` runs in migration
audit 0007 and after every `migrate`, so tables added later get their grants too. The deploy
check (`manage.py check --deploy --database default`) refuses an application role that owns an
audit table or holds more than these rights.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from audit.recording.chain import CHAIN_TABLES, LOG_TABLES
from audit.recording.partitions import DROP_SIGNATURE, ENSURE_SIGNATURE
from audit.recording.purge import PURGE_SIGNATURES

# What the application role may do on each audit table; nothing else.
ALLOWED = {table: ("SELECT", "INSERT") if table in LOG_TABLES else ("SELECT",) for table in CHAIN_TABLES}
FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def app_role() -> str:
    return getattr(settings, "DATABASE_APP_ROLE", "") or ""


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def apply_grants(connection, role: str | None = None) -> bool:
    """Grant the application role its rights (idempotent). Runs as the owner; False if no role is set."""
    role = role if role is not None else app_role()
    if connection.vendor != "postgresql" or not role:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise ImproperlyConfigured(
                f"DATABASE_APP_ROLE names the role {role!r}, which does not exist: create it first "
                "(manage.py database_roles_sql prints the statements)."
            )
        cursor.execute("SELECT current_schema()")
        schema = _quote(connection, cursor.fetchone()[0])
        app = _quote(connection, role)
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {app}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}")
        # Gallring's ways past the append-only log, signed decisions, the journal and letters (audit/recording/purge.py).
        # ... and the access log's partitions: made ahead, old months dropped (audit/recording/partitions.py).
        for function in ("audit_purge_log(bigint[], bigint)", *PURGE_SIGNATURES, ENSURE_SIGNATURE, DROP_SIGNATURE):
            cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
            if cursor.fetchone()[0]:
                cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")
        existing = set(connection.introspection.table_names(cursor))
        for table, rights in ALLOWED.items():
            if table not in existing:  # migrated back before it
                continue
            cursor.execute(f"REVOKE ALL ON {table} FROM {app}")
            cursor.execute(f"GRANT {', '.join(rights)} ON {table} TO {app}")
        # No right on a partition of a log table: rows are read and written through the parent
        # (whose rights are checked), so a grant on a partition would only open a way round them.
        cursor.execute(_PARTITIONS, [list(LOG_TABLES)])
        for (partition,) in cursor.fetchall():
            cursor.execute(f"REVOKE ALL ON {_quote(connection, partition)} FROM {app}")
    return True


def post_migrate_grants(sender, using="default", **kwargs) -> None:
    from django.db import connections

    apply_grants(connections[using])


_PARTITIONS = """
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace n ON n.oid = p.relnamespace
WHERE n.nspname = current_schema() AND p.relname = ANY(%s) ORDER BY c.relname
"""


# --- deploy check -------------------------------------------------------------------------------

_OWNERSHIP = """
SELECT c.relname, pg_get_userbyid(c.relowner)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relname = ANY(%s) AND pg_has_role(current_user, c.relowner, 'USAGE')
ORDER BY c.relname
"""

_TRIGGERS = """
SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relname = ANY(%s) AND NOT t.tgisinternal AND t.tgenabled <> 'D'
"""


def role_problems(connection) -> list[str]:
    """What is wrong with the role this connection runs as, for the audit tables (empty: nothing)."""
    if connection.vendor != "postgresql":
        return []
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        user, superuser, bypass = cursor.fetchone()
        if superuser or bypass:
            problems.append(f"rollen {user} är superanvändare och kan ändra allt, också loggen")
        cursor.execute(_OWNERSHIP, [list(CHAIN_TABLES)])
        for table, owner in cursor.fetchall():
            problems.append(f"rollen {user} äger {table} (ägare {owner}) och kan tömma den eller stänga av dess skydd")
        for table, rights in ALLOWED.items():
            held = []
            for right in (*FORBIDDEN, "INSERT"):
                if right in rights:
                    continue
                cursor.execute("SELECT has_table_privilege(current_user, %s, %s)", [table, right])
                if cursor.fetchone()[0]:
                    held.append(right)
            if held:
                problems.append(f"rollen {user} har {', '.join(held)} på {table}")
        cursor.execute(_PARTITIONS, [list(LOG_TABLES)])
        partitions = [name for (name,) in cursor.fetchall()]
        if partitions:
            cursor.execute(_OWNERSHIP, [partitions])
            for table, owner in cursor.fetchall():
                problems.append(f"rollen {user} äger {table} (ägare {owner}) och kan ta bort den")
            for table in partitions:
                held = []
                for right in ("SELECT", "INSERT", *FORBIDDEN):
                    cursor.execute("SELECT has_table_privilege(current_user, %s, %s)", [table, right])
                    if cursor.fetchone()[0]:
                        held.append(right)
                if held:
                    problems.append(f"rollen {user} har {', '.join(held)} på {table}")
        cursor.execute(_TRIGGERS, [list(LOG_TABLES)])
        enabled = {name for (name,) in cursor.fetchall()}
        for table in LOG_TABLES:
            for trigger in (f"{table}_append_only", f"{table}_chain_begin", f"{table}_chain", f"{table}_chain_head"):
                if trigger not in enabled:
                    problems.append(f"utlösaren {trigger} saknas eller är avstängd")
    return problems


@checks.register(checks.Tags.database, deploy=True)
def check_application_role(app_configs=None, databases=None, **kwargs):
    """`manage.py check --deploy --database default` fails if the app's role could erase the log."""
    from django.db import connections

    errors = []
    for alias in databases or ():
        for problem in role_problems(connections[alias]):
            errors.append(
                checks.Error(
                    f"Databasrollen får inte kunna ändra eller tömma loggen: {problem}.",
                    hint="Kör appen som applikationsrollen (DATABASE_URL) och migreringar som ägaren "
                    "(MIGRATE_DATABASE_URL); se README, Production.",
                    id="audit.E001",
                )
            )
    return errors
