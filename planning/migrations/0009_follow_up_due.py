"""Each follow-up's due date (planning/follow_up_due.py): on PostgreSQL a table kept by statement
triggers on the follow-ups and the plans, filled here; on SQLite a view. Report 2 counted the due
dates with two windows over every follow-up on each read."""

import django.db.models.deletion
from django.db import migrations, models

from planning import follow_up_due


def forwards(apps, schema_editor):
    follow_up_due.install(schema_editor)


def backwards(apps, schema_editor):
    follow_up_due.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("planning", "0008_plan_facts_table"),
        ("cases", "0022_decision_outcome_index_dropped"),
    ]

    operations = [
        migrations.CreateModel(
            name="FollowUpDue",
            fields=[
                ("follow_up", models.OneToOneField(db_column="follow_up_id", on_delete=django.db.models.deletion.DO_NOTHING,
                                                   primary_key=True, related_name="due", serialize=False,
                                                   to="planning.followup")),
                ("followed_up_on", models.DateField()),
                ("follows_plan", models.BooleanField()),
                ("due_on", models.DateField(null=True)),
                ("applicant", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                                related_name="+", to="cases.applicant")),
            ],
            options={
                "verbose_name": "uppföljningens planerade datum",
                "verbose_name_plural": "uppföljningarnas planerade datum",
                "db_table": "planning_followupdue",
                "managed": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
