"""The journal (issue 14): entries and their kinds (reference data). Their protection on
PostgreSQL (append-only, gallring's one way past it) is audit migration 0022, as for the decisions."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Slag av anteckning, as most municipalities' journal systems name them; an administrator may add
# or deactivate kinds (reference data).
KINDS = [
    ("contact", "Kontakt", 10),
    ("visit", "Besök", 20),
    ("telephone", "Telefonsamtal", 30),
    ("letter", "Brev och e-post", 40),
    ("investigation", "Utredning", 50),
    ("communication", "Kommunicering", 60),
    ("decision", "Beslut", 70),
    ("implementation", "Genomförande av insats", 80),
    ("follow_up", "Uppföljning", 90),
    ("other", "Övrigt", 100),
]


def add_kinds(apps, schema_editor):
    Kind = apps.get_model("cases", "JournalEntryKind")
    for code, name, order in KINDS:
        Kind.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


def remove_kinds(apps, schema_editor):
    apps.get_model("cases", "JournalEntryKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_staff_assignment_periods'),
    ]

    operations = [
        migrations.CreateModel(
            name='JournalEntryKind',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('code', models.SlugField(unique=True)),
                ('name', models.CharField(max_length=100, verbose_name='benämning')),
                ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='ordning')),
                ('is_active', models.BooleanField(default=True, verbose_name='aktiv')),
            ],
            options={
                'verbose_name': 'slag av journalanteckning',
                'verbose_name_plural': 'slag av journalanteckningar',
                'ordering': ['sort_order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='JournalEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('event_date', models.DateField(verbose_name='händelsedatum')),
                ('text', models.TextField(max_length=10000, validators=[django.core.validators.MaxLengthValidator(10000)], verbose_name='text')),
                ('is_persons_view', models.BooleanField(default=False, help_text='Anteckningen återger personens egen uppfattning, så som personen framfört den.', verbose_name='den enskildes synpunkt')),
                ('applicant', models.ForeignKey(blank=True, help_text='Tomt när anteckningen gäller hela hushållets ärende.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='journal_entries', to='cases.applicant', verbose_name='person')),
                ('written_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='skriven och signerad')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='skriven av')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='journal_entries', to='cases.case', verbose_name='ärende')),
                ('corrects', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='cases.journalentry', verbose_name='rättar')),
                ('kind', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.journalentrykind', verbose_name='slag')),
            ],
            options={
                'verbose_name': 'journalanteckning',
                'verbose_name_plural': 'journalanteckningar',
                'indexes': [models.Index(fields=['case', 'event_date'], name='journal_case_event_date'), models.Index(fields=['applicant', 'event_date'], name='journal_person_event_date')],
                'constraints': [models.CheckConstraint(condition=models.Q(('corrects', models.F('pk')), _negated=True), name='journal_entry_corrects_another')],
            },
        ),
        migrations.RunPython(add_kinds, remove_kinds),
    ]
