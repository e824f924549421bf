"""On PostgreSQL the access log and change events refuse UPDATE and DELETE at the database level.

TRUNCATE is not covered by a trigger: the test runner empties tables with it between
transactional tests. In production the application's database role must not own these
tables nor hold TRUNCATE on them (the security hardening pass grants that per role).
The retention purge (a later issue) will need a controlled way round this; it must be a
separate, logged mechanism, not a weakening of these triggers.
"""

from django.db import migrations

TABLES = ("audit_accesslogentry", "audit_changeevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_recording_layer")]
    operations = [migrations.RunPython(forwards, backwards)]
