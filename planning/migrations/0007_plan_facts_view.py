"""The plans' facts as a view (planning.models.PlanFacts): each child table grouped once by plan.

Every plan has a row (the plans table leads, the grouped tables are left-joined). Written in SQL
that PostgreSQL and SQLite both read."""

from django.db import migrations, models

VIEW = """
CREATE VIEW planning_planfacts AS
SELECT p.id AS plan_id,
       COALESCE(s.n, 0) AS subgoals,
       COALESCE(a.n, 0) AS activities,
       COALESCE(a.without_responsible, 0) AS activities_without_responsible,
       COALESCE(a.without_how, 0) AS activities_without_how,
       f.first_on AS first_follow_up_on,
       r.first_on AS first_signed_successor_on
FROM planning_implementationplan p
LEFT JOIN (SELECT plan_id, COUNT(*) AS n FROM planning_subgoal GROUP BY plan_id) s ON s.plan_id = p.id
LEFT JOIN (SELECT plan_id, COUNT(*) AS n,
                  SUM(CASE WHEN responsible = '' THEN 1 ELSE 0 END) AS without_responsible,
                  SUM(CASE WHEN how = '' THEN 1 ELSE 0 END) AS without_how
           FROM planning_planactivity GROUP BY plan_id) a ON a.plan_id = p.id
LEFT JOIN (SELECT plan_id, MIN(followed_up_on) AS first_on FROM planning_followup GROUP BY plan_id) f
       ON f.plan_id = p.id
LEFT JOIN (SELECT supersedes_id, MIN(made_on) AS first_on FROM planning_implementationplan
           WHERE status = 'signed' AND supersedes_id IS NOT NULL GROUP BY supersedes_id) r
       ON r.supersedes_id = p.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ("planning", "0006_plan_draft_input"),
    ]

    operations = [
        migrations.RunSQL(VIEW, "DROP VIEW planning_planfacts"),
        migrations.CreateModel(
            name="PlanFacts",
            fields=[
                ("plan", models.OneToOneField(db_column="plan_id", on_delete=models.DO_NOTHING, primary_key=True,
                                              related_name="facts", serialize=False,
                                              to="planning.implementationplan")),
                ("subgoals", models.IntegerField()),
                ("activities", models.IntegerField()),
                ("activities_without_responsible", models.IntegerField()),
                ("activities_without_how", models.IntegerField()),
                ("first_follow_up_on", models.DateField(null=True)),
                ("first_signed_successor_on", models.DateField(null=True)),
            ],
            options={
                "verbose_name": "planens fakta",
                "verbose_name_plural": "planernas fakta",
                "db_table": "planning_planfacts",
                "managed": False,
            },
        ),
    ]
