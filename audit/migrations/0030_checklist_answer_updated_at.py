"""A checklist answer gets a version (`updated_at`), so that its review honours If-Match (issue 15).
Existing answers take the time of their review, else the time of this migration."""

import django.utils.timezone
from django.db import migrations, models


def versions_from_reviews(apps, schema_editor):
    ChecklistAnswer = apps.get_model("audit", "ChecklistAnswer")
    ChecklistAnswer.objects.filter(reviewed_at__isnull=False).update(updated_at=models.F("reviewed_at"))


class Migration(migrations.Migration):
    dependencies = [("audit", "0029_engine_unchanged_chunks")]

    operations = [
        migrations.AddField(
            model_name="checklistanswer",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(versions_from_reviews, migrations.RunPython.noop),
    ]
