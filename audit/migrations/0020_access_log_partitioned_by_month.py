"""On PostgreSQL the access log becomes a table partitioned by month (audit/recording/partitions.py):
existing rows keep their ids, places in the hash chain and hashes; indexes, the append-only and
chain triggers, the id sequence and the application role's grants are made again on the new
table; the functions that make partitions ahead and drop old months are installed. On SQLite
nothing changes. Not reversible: going back would mean copying the log into a plain table again."""

from django.db import migrations

from audit.recording import db_roles, partitions


def forwards(apps, schema_editor):
    partitions.install(schema_editor)
    db_roles.apply_grants(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [('audit', '0019_rule_what_to_do_and_plain_sources')]
    operations = [migrations.RunPython(forwards)]
