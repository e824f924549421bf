"""Report 1's monthly facts (audit/key_figure_fact_models.py) and, on PostgreSQL, the triggers
that mark a month stale when a change touches it (audit/reports/key_figure_facts.py). Every
month already in the database is marked stale, so the first report or beat task builds it."""

from django.db import migrations, models

from audit.reports import key_figure_facts


def forwards(apps, schema_editor):
    key_figure_facts.install(schema_editor)


def backwards(apps, schema_editor):
    key_figure_facts.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0025_idempotency_keys"), ("cases", "0016_transfers_reserve_numbers")]

    operations = [
        migrations.CreateModel(
            name="KeyFigureDirtyMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(db_index=True)),
                ("marked_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="KeyFigureFact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField()),
                ("household_id", models.BigIntegerField()),
                ("unit_id", models.BigIntegerField()),
                ("applicant_gender", models.CharField(max_length=8, null=True)),
                ("applicant_birth_date", models.DateField(null=True)),
                ("support", models.BooleanField()),
                ("income_support_granted", models.BigIntegerField()),
                ("other_costs_granted", models.BigIntegerField()),
                ("income_support_paid", models.BigIntegerField()),
                ("other_costs_paid", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("month", "household_id", "unit_id"), name="audit_kff_month_household_unit"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="KeyFigureWait",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(db_index=True)),
                ("unit_id", models.BigIntegerField()),
                ("applicant_gender", models.CharField(max_length=8, null=True)),
                ("applicant_birth_date", models.DateField(null=True)),
                ("wait_days", models.IntegerField()),
                ("n", models.PositiveIntegerField()),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
