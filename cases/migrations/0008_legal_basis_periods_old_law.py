"""Legal bases are dated: SoL (2025:400) is in force from 1 July 2025; before that decisions cite
SoL (2001:453). The shipped new-law rows get their start date, and the old-law provisions they
replace are added (4 kap. 1 §, 4 kap. 4 §, 4 kap. 5 §; DOMAIN.md introduction and section 1;
seeds 003:304, 003:548, 004:206), ending 30 June 2025, with the same title and appeal information.
"""

import datetime

import django.db.models.deletion
from django.db import migrations, models

NEW_LAW_FROM = datetime.date(2025, 7, 1)
OLD_LAW = "SoL (2001:453)"
# new-law row -> code of the old-law row it replaces (its former_reference holds the number)
OLD_CODES = {"sol-12-1": "sol-2001-4-1", "sol-12-4": "sol-2001-4-4", "sol-12-5": "sol-2001-4-5"}


def forwards(apps, schema_editor):
    LegalBasis = apps.get_model("cases", "LegalBasis")
    for new in LegalBasis.objects.filter(code__in=OLD_CODES, replaces__isnull=True).exclude(former_reference=""):
        old, _ = LegalBasis.objects.get_or_create(
            code=OLD_CODES[new.code],
            defaults={
                "law": OLD_LAW, "reference": new.former_reference, "title": new.title, "appeal_kind": new.appeal_kind,
                "appeal_period_days": new.appeal_period_days, "appeal_information": new.appeal_information,
                "valid_to": NEW_LAW_FROM - datetime.timedelta(days=1),
            },
        )
        new.valid_from = NEW_LAW_FROM
        new.replaces = old
        new.save(update_fields=["valid_from", "replaces"])


def backwards(apps, schema_editor):
    LegalBasis = apps.get_model("cases", "LegalBasis")
    old_ids = list(LegalBasis.objects.filter(replaced_by__isnull=False).values_list("pk", flat=True))
    LegalBasis.objects.update(replaces=None, valid_from=None)
    LegalBasis.objects.filter(pk__in=old_ids).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_execution_delay_reason'),
    ]

    operations = [
        migrations.AddField(
            model_name='legalbasis',
            name='replaces',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaced_by', to='cases.legalbasis', verbose_name='ersätter lagrum'),
        ),
        migrations.AddField(
            model_name='legalbasis',
            name='valid_from',
            field=models.DateField(blank=True, null=True, verbose_name='gäller från'),
        ),
        migrations.AddField(
            model_name='legalbasis',
            name='valid_to',
            field=models.DateField(blank=True, null=True, verbose_name='gäller till'),
        ),
        migrations.AddConstraint(
            model_name='legalbasis',
            constraint=models.CheckConstraint(condition=models.Q(('valid_from__isnull', True), ('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='legal_basis_period_not_backwards'),
        ),
            migrations.RunPython(forwards, backwards),
    ]
