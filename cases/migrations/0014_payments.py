"""Payments (issue 14): attest rights (the attest order, reference data), payment orders, the day's
batches for the bank and returns."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# The attest order as many municipalities write it: a caseworker attests ordinary payments up to an
# amount, the unit manager any amount. A municipality changes the amounts or adds rows (admin).
ATTEST_RIGHTS = [
    ("ATT-1", "Attest av utbetalning av ekonomiskt bistånd upp till 30 000 kr", "caseworker", 30000),
    ("ATT-2", "Attest av utbetalning av ekonomiskt bistånd", "unit_manager", None),
]


def add_attest_rights(apps, schema_editor):
    AttestRight = apps.get_model("cases", "AttestRight")
    for code, description, role, max_amount in ATTEST_RIGHTS:
        AttestRight.objects.update_or_create(
            code=code, defaults={"description": description, "role": role, "max_amount": max_amount})


def remove_attest_rights(apps, schema_editor):
    apps.get_model("cases", "AttestRight").objects.filter(code__in=[r[0] for r in ATTEST_RIGHTS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_decision_letters'),
    ]

    operations = [
        migrations.CreateModel(
            name='AttestRight',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('code', models.CharField(max_length=20, unique=True, verbose_name='attesträtt')),
                ('description', models.CharField(max_length=300, verbose_name='omfattning')),
                ('role', models.CharField(choices=[('caseworker', 'Handläggare'), ('coordinator', 'Koordinator'), ('insats_staff', 'Insatspersonal'), ('unit_manager', 'Enhetschef'), ('board', 'Nämnd'), ('administrator', 'Administratör')], max_length=32, verbose_name='attestant (roll)')),
                ('max_amount', models.PositiveIntegerField(blank=True, null=True, verbose_name='högsta belopp per utbetalning (kr)')),
                ('is_active', models.BooleanField(default=True, verbose_name='aktiv')),
            ],
            options={
                'verbose_name': 'attesträtt',
                'verbose_name_plural': 'attesträtter',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='PaymentBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('payment_date', models.DateField(verbose_name='utbetalningsdag')),
                ('message_id', models.CharField(max_length=35, unique=True, verbose_name='meddelande-id')),
                ('number_of_orders', models.PositiveIntegerField(verbose_name='antal utbetalningar')),
                ('total_amount', models.PositiveBigIntegerField(verbose_name='summa (kr)')),
                ('formed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='skapad')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='skapad av')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.unit', verbose_name='enhet')),
            ],
            options={
                'verbose_name': 'utbetalningsomgång',
                'verbose_name_plural': 'utbetalningsomgångar',
                'ordering': ['-payment_date', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='PaymentOrder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('amount', models.PositiveIntegerField(verbose_name='belopp (kr)')),
                ('payment_date', models.DateField(verbose_name='utbetalningsdag')),
                ('payee_name', models.CharField(max_length=70, verbose_name='betalningsmottagare')),
                ('account_kind', models.CharField(choices=[('bank_account', 'Bankkonto (clearingnummer och kontonummer)'), ('bankgiro', 'Bankgiro'), ('plusgiro', 'Plusgiro'), ('iban', 'IBAN')], max_length=16, verbose_name='betalningssätt')),
                ('clearing_number', models.CharField(blank=True, max_length=5, verbose_name='clearingnummer')),
                ('account_number', models.CharField(max_length=34, verbose_name='kontonummer')),
                ('reference', models.CharField(max_length=140, verbose_name='meddelande till mottagaren')),
                ('prepared_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='upprättad')),
                ('attested_at', models.DateTimeField(blank=True, null=True, verbose_name='attesterad')),
                ('attest_right', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.attestright', verbose_name='attesträtt')),
                ('attested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='attesterad av')),
                ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='cases.paymentbatch', verbose_name='utbetalningsomgång')),
                ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_orders', to='cases.decision', verbose_name='beslut')),
                ('prepared_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='upprättad av')),
                ('reissues', models.OneToOneField(blank=True, help_text='Den returnerade utbetalning som denna betalar ut på nytt.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reissued_by', to='cases.paymentorder', verbose_name='betalar på nytt')),
            ],
            options={
                'verbose_name': 'utbetalning',
                'verbose_name_plural': 'utbetalningar',
                'ordering': ['-payment_date', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='PaymentReturn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('returned_on', models.DateField(verbose_name='returnerad')),
                ('reason', models.CharField(max_length=300, verbose_name='orsak')),
                ('order', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payment_return', to='cases.paymentorder', verbose_name='utbetalning')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registrerad av')),
            ],
            options={
                'verbose_name': 'returnerad utbetalning',
                'verbose_name_plural': 'returnerade utbetalningar',
            },
        ),
        migrations.AddIndex(
            model_name='paymentbatch',
            index=models.Index(fields=['unit', 'payment_date'], name='payment_batch_unit_day'),
        ),
        migrations.AddIndex(
            model_name='paymentorder',
            index=models.Index(fields=['payment_date', 'batch'], name='payment_order_day_batch'),
        ),
        migrations.AddIndex(
            model_name='paymentorder',
            index=models.Index(fields=['decision'], name='payment_order_decision'),
        ),
        migrations.AddConstraint(
            model_name='paymentorder',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_order_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='paymentorder',
            constraint=models.CheckConstraint(condition=models.Q(('attested_by__isnull', True), models.Q(('attested_by', models.F('prepared_by')), _negated=True), _connector='OR'), name='payment_order_attested_by_another'),
        ),
        migrations.AddConstraint(
            model_name='paymentorder',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('attested_by__isnull', True), ('attested_at__isnull', True), ('attest_right__isnull', True)), models.Q(('attested_by__isnull', False), ('attested_at__isnull', False), ('attest_right__isnull', False)), _connector='OR'), name='payment_order_attestation_complete'),
        ),
        migrations.AddConstraint(
            model_name='paymentorder',
            constraint=models.CheckConstraint(condition=models.Q(('batch__isnull', True), ('attested_by__isnull', False), _connector='OR'), name='payment_order_batched_when_attested'),
        ),
        migrations.AddConstraint(
            model_name='paymentreturn',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='payment_return_reason_required'),
        ),
        migrations.RunPython(add_attest_rights, remove_attest_rights),
    ]
