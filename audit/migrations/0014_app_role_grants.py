"""On PostgreSQL, grant the application role (setting DATABASE_APP_ROLE) its rights: INSERT and
SELECT on the access log and change events, SELECT on the chain tables, nothing that changes or
empties them (audit/recording/db_roles.py). Without the setting nothing is granted here."""

from django.db import migrations

from audit.recording import db_roles


def forwards(apps, schema_editor):
    db_roles.apply_grants(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [('audit', '0013_hash_chain')]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
