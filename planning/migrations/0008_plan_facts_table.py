"""On PostgreSQL the plans' facts become a table kept by statement triggers (planning/plan_facts.py):
report 2 read them through the view of migration 0007, which grouped the child tables whole on
every read. Filled here from the same definition. Both gain the person's coordinator assignments
(the last one's start and the end of the last ended), which report 2 looked up per plan. On SQLite
the view is made again with them."""

from django.db import migrations, models

from planning import plan_facts


def forwards(apps, schema_editor):
    plan_facts.install(schema_editor)


def backwards(apps, schema_editor):
    plan_facts.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("planning", "0007_plan_facts_view"),
        ("cases", "0022_decision_outcome_index_dropped"),
    ]

    operations = [
        migrations.AddField("planfacts", "assignments_last_start", models.DateField(null=True)),
        migrations.AddField("planfacts", "assignments_last_end", models.DateField(null=True)),
        migrations.RunPython(forwards, backwards),
    ]
