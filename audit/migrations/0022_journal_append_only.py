"""The journal's entries are append-only on PostgreSQL: a trigger refuses every UPDATE and every
DELETE but gallring's, which goes through gallring_purge_journal as the table's owner with a
gallringsprotokoll (audit/recording/purge.py), as the signed decisions do (migration 0018)."""

from django.db import migrations

from audit.recording import purge


def install(apps, schema_editor):
    purge.install_journal(schema_editor)


def uninstall(apps, schema_editor):
    purge.uninstall_journal(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0021_flag_drop_redundant_indexes"),
        ("cases", "0012_journal"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
