"""Decision letters are append-only on PostgreSQL like the decisions and the journal: a trigger
refuses every UPDATE and every DELETE but gallring's, through gallring_purge_letters as the table's
owner with a gallringsprotokoll. The one installer (audit/recording/purge.py) also brings the
decisions' and the journal's functions to its shape (each answers its counts as an array)."""

from django.db import migrations

from audit.recording import purge


def install(apps, schema_editor):
    for spec in purge.APPEND_ONLY:
        purge.install_append_only(schema_editor, spec)


def uninstall(apps, schema_editor):
    purge.uninstall_append_only(schema_editor, purge.LETTERS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0022_journal_append_only"),
        ("cases", "0013_decision_letters"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
