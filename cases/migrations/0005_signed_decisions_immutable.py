"""On PostgreSQL signed decisions and their execution events refuse UPDATE and DELETE.

The services never change them (a correction is a new decision with `replaces`); this makes the
database say so too, like audit/migrations/0002.
"""

from django.db import migrations

from config.db_triggers import install_append_only, remove_append_only

TABLES = ("cases_decision", "cases_decisionexecutionevent")
FUNCTION = "cases_refuse_decision_change"


def forwards(apps, schema_editor):
    install_append_only(schema_editor, function=FUNCTION, tables=TABLES, what="holds signed decisions, append-only")


def backwards(apps, schema_editor):
    remove_append_only(schema_editor, function=FUNCTION, tables=TABLES)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_finance_reference_data")]
    operations = [migrations.RunPython(forwards, backwards)]
