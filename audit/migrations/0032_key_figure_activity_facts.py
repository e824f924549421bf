"""Report 1's facts of the insatser (audit/key_figure_fact_models.py: confirmed closings per end
month, participations per start month) and, on PostgreSQL, the triggers that mark their months
stale (audit/reports/key_figure_activity_facts.py). Every month with a closing or a participation
is marked stale, so the beat task or the first report builds them before anything reads them."""

from django.db import migrations, models

from audit.reports import key_figure_facts


def forwards(apps, schema_editor):
    key_figure_facts.install_activity(schema_editor)


def backwards(apps, schema_editor):
    key_figure_facts.uninstall_activity(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0031_key_figure_fact_support_once"),
        ("insatser", "0004_free_text_length_bound"),
        ("cases", "0022_decision_outcome_index_dropped"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyFigureClosing",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(db_index=True)),
                ("reason", models.CharField(max_length=32)),
                ("unit_id", models.BigIntegerField(null=True)),
                ("applicant_gender", models.CharField(max_length=8, null=True)),
                ("applicant_birth_date", models.DateField(null=True)),
                ("n", models.PositiveIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="KeyFigureParticipation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(db_index=True)),
                ("applicant_id", models.BigIntegerField()),
                ("applicant_gender", models.CharField(max_length=8, null=True)),
                ("applicant_birth_date", models.DateField(null=True)),
                ("start_date", models.DateField()),
                ("last_day", models.DateField()),
                ("insats_type", models.CharField(max_length=32)),
                ("provider_unit_id", models.BigIntegerField(null=True)),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
