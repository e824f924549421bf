"""Control samples: the population they are drawn from, the plan each item judged, and checklist
answers that are yes / no / not applicable (planning.quality's three values) instead of booleans."""

import django.db.models.deletion
from django.db import migrations, models

VALUES = [("yes", "Ja"), ("no", "Nej"), ("not_applicable", "Ej aktuellt")]
TRUE, FALSE = {"true", "1", "t", "True"}, {"false", "0", "f", "False"}


def _immediate(schema_editor, mode: str) -> None:
    # PostgreSQL refuses to ALTER a table with pending (deferred foreign-key) trigger events from
    # rows updated earlier in the same transaction; checking them at once leaves none pending.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"SET CONSTRAINTS ALL {mode}")


def booleans_to_values(apps, schema_editor):
    ChecklistAnswer = apps.get_model("audit", "ChecklistAnswer")
    _immediate(schema_editor, "IMMEDIATE")
    for name in ("prefilled", "answer"):
        ChecklistAnswer.objects.filter(**{f"{name}__in": TRUE}).update(**{name: "yes"})
        ChecklistAnswer.objects.filter(**{f"{name}__in": FALSE}).update(**{name: "no"})
        ChecklistAnswer.objects.filter(**{f"{name}__isnull": True}).update(**{name: ""})
    _immediate(schema_editor, "DEFERRED")


def values_to_booleans(apps, schema_editor):
    ChecklistAnswer = apps.get_model("audit", "ChecklistAnswer")
    _immediate(schema_editor, "IMMEDIATE")
    for name in ("prefilled", "answer"):
        ChecklistAnswer.objects.filter(**{name: "yes"}).update(**{name: "true"})
        ChecklistAnswer.objects.filter(**{name: "no"}).update(**{name: "false"})
        ChecklistAnswer.objects.exclude(**{f"{name}__in": ["true", "false"]}).update(**{name: None})
    _immediate(schema_editor, "DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ('audit', '0009_flag_owner_basis'),
        ("planning", "0001_plans_followups_bip"),
    ]

    operations = [
        migrations.AddField(
            model_name="controlsample",
            name="population",
            field=models.CharField(
                choices=[("unit_cases", "Ärenden som enheten har"), ("unit_persons", "Personer som enheten arbetar med")],
                default="unit_cases", max_length=16, verbose_name="urval ur",
            ),
        ),
        migrations.AddField(
            model_name="controlsampleitem",
            name="plan",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="planning.implementationplan", verbose_name="plan",
            ),
        ),
        migrations.RemoveConstraint(model_name="controlsampleitem", name="case_once_per_sample"),
        migrations.AddConstraint(
            model_name="controlsampleitem",
            constraint=models.UniqueConstraint(fields=("sample", "case", "person"), name="item_once_per_sample"),
        ),
        migrations.AddField(
            model_name="checklistanswer",
            name="prefill_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="förifyllt enligt"),
        ),
        # Booleans become text ('true'/'1' ...), are mapped to the values, then the column is required.
        migrations.AlterField(
            model_name="checklistanswer", name="prefilled",
            field=models.CharField(max_length=16, null=True, verbose_name="förifyllt svar"),
        ),
        migrations.AlterField(
            model_name="checklistanswer", name="answer", field=models.CharField(max_length=16, null=True, verbose_name="svar"),
        ),
        migrations.RunPython(booleans_to_values, values_to_booleans),
        migrations.AlterField(
            model_name="checklistanswer", name="prefilled",
            field=models.CharField(blank=True, choices=VALUES, max_length=16, verbose_name="förifyllt svar"),
        ),
        migrations.AlterField(
            model_name="checklistanswer", name="answer",
            field=models.CharField(blank=True, choices=VALUES, max_length=16, verbose_name="svar"),
        ),
        migrations.AddConstraint(
            model_name="checklistanswer",
            constraint=models.CheckConstraint(
                condition=~models.Q(answer="not_applicable") | ~models.Q(comment=""), name="not_applicable_answer_has_reason"
            ),
        ),
    ]
