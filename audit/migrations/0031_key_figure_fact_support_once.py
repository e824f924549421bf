"""Report 1's facts get support_once: true on one of a household's support rows per month, so the
whole-municipality household counts need no DISTINCT (audit/reports/key_figure_fact_queries.py).
The rows already built have it false, so every month is marked stale: the beat task or the first
report rebuilds them before anything reads them."""

from django.db import migrations, models

from audit.reports import key_figure_facts


def mark_stale(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(key_figure_facts.MARK_ALL)


class Migration(migrations.Migration):
    dependencies = [("audit", "0030_checklist_answer_updated_at")]

    operations = [
        migrations.AddField(
            model_name="keyfigurefact",
            name="support_once",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_stale, migrations.RunPython.noop),
    ]
