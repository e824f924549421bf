"""Bilagor (issue 14): documents with a case, a journal entry or an application; the files themselves
are stored outside the database (settings.STORAGES["attachments"])."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_payments'),
    ]

    operations = [
        migrations.CreateModel(
            name='Attachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('description', models.CharField(max_length=200, verbose_name='beskrivning')),
                ('file_name', models.CharField(help_text='Namnet filen hade när den lämnades in.', max_length=200, verbose_name='filnamn')),
                ('content_type', models.CharField(help_text='Avläst ur filens innehåll.', max_length=50, verbose_name='filtyp')),
                ('size', models.PositiveIntegerField(verbose_name='storlek (byte)')),
                ('sha256', models.CharField(max_length=64, verbose_name='kontrollsumma (SHA-256)')),
                ('stored_as', models.CharField(max_length=255, unique=True, verbose_name='lagrad som')),
                ('uploaded_at', models.DateTimeField(verbose_name='tillagd')),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='återkallad')),
                ('withdrawal_reason', models.CharField(blank=True, max_length=500, verbose_name='skäl för återkallelse')),
                ('application', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='cases.application', verbose_name='ansökan')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='cases.case', verbose_name='ärende')),
                ('journal_entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='cases.journalentry', verbose_name='journalanteckning')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='tillagd av')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='återkallad av')),
            ],
            options={
                'verbose_name': 'bilaga',
                'verbose_name_plural': 'bilagor',
                'indexes': [models.Index(fields=['case', 'uploaded_at'], name='attachment_case_uploaded')],
                'constraints': [models.CheckConstraint(condition=models.Q(('journal_entry__isnull', True), ('application__isnull', True), _connector='OR'), name='attachment_one_parent'), models.CheckConstraint(condition=models.Q(models.Q(('withdrawal_reason', ''), ('withdrawn_at__isnull', True), ('withdrawn_by__isnull', True)), models.Q(('withdrawn_at__isnull', False), ('withdrawn_by__isnull', False), models.Q(('withdrawal_reason', ''), _negated=True)), _connector='OR'), name='attachment_withdrawal_complete')],
            },
        ),
    ]
