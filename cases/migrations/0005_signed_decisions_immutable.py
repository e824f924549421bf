"""On PostgreSQL signed decisions and their execution events refuse UPDATE and DELETE.

The services never change them (a correction is a new decision with `replaces`); this makes the
database say so too, like audit/migrations/0002. TRUNCATE is not covered (test runner).
"""

from django.db import migrations

TABLES = ("cases_decision", "cases_decisionexecutionevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION cases_refuse_decision_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % holds signed decisions and is append-only: % refused', TG_TABLE_NAME, TG_OP
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
            f"FOR EACH ROW EXECUTE FUNCTION cases_refuse_decision_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS cases_refuse_decision_change();")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_finance_reference_data")]
    operations = [migrations.RunPython(forwards, backwards)]
