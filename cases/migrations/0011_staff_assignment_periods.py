"""Staff membership over time (cases.models.StaffAssignmentPeriod), backfilled with one open spell per
staff member from their current role and unit. The history before this migration is unknown, so the
first spell has no start: reads before it are judged by the current role and unit, as they were
before the table existed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    Staff = apps.get_model("cases", "Staff")
    Period = apps.get_model("cases", "StaffAssignmentPeriod")
    Period.objects.bulk_create(
        Period(staff_id=pk, role=role, unit_id=unit_id, started_at=None)
        for pk, role, unit_id in Staff.objects.values_list("pk", "role", "unit_id").iterator()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_free_text_length_bound'),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffAssignmentPeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('caseworker', 'Handläggare'), ('coordinator', 'Koordinator'), ('insats_staff', 'Insatspersonal'), ('unit_manager', 'Enhetschef'), ('board', 'Nämnd'), ('administrator', 'Administratör')], max_length=32, verbose_name='roll')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='från')),
                ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='till')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignment_periods', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.unit', verbose_name='enhet')),
            ],
            options={
                'verbose_name': 'medarbetarens roll och enhet under en period',
                'verbose_name_plural': 'medarbetares roller och enheter över tid',
                'indexes': [models.Index(fields=['staff', 'started_at'], name='staff_period_start')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('staff',), name='one_open_staff_period'), models.CheckConstraint(condition=models.Q(('ended_at__isnull', True), ('started_at__isnull', True), ('ended_at__gte', models.F('started_at')), _connector='OR'), name='staff_period_ends_after_start')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
