"""The journal (dokumentation): dated, signed entries in a case's file, never changed afterwards.

Imported at the end of cases/models.py, so these are models of the cases app. Social services
document the handling of a case and the carrying out of insatser without undue delay; entries are
not erased, a correction is a new entry that refers to the one it corrects, and the person's own
view, when they think something is wrong, is noted as such (DOMAIN.md 8, SOSFS 2014:5). On
PostgreSQL a trigger refuses every UPDATE and every DELETE but gallring's (audit migration 0022,
audit/recording/purge.py); elsewhere the services are the guard.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.limits import TEXT_MAX_LENGTH, text_max_length
from config.models import TimeStampedModel


class JournalEntryKind(TimeStampedModel):
    """Slag av anteckning (reference data): kontakt, besök, telefonsamtal, utredning, beslut ..."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField("benämning", max_length=100)
    sort_order = models.PositiveSmallIntegerField("ordning", default=0)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "slag av journalanteckning"
        verbose_name_plural = "slag av journalanteckningar"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class JournalEntry(TimeStampedModel):
    """Journalanteckning. Signed by its author when saved, at `written_at` (the service sets it to
    the moment of saving; an import from a previous system keeps the original writing time)."""

    case = models.ForeignKey("cases.Case", verbose_name="ärende", on_delete=models.PROTECT, related_name="journal_entries")
    applicant = models.ForeignKey(
        "cases.Applicant", verbose_name="person", on_delete=models.PROTECT, null=True, blank=True,
        related_name="journal_entries", help_text="Tomt när anteckningen gäller hela hushållets ärende.",
    )
    kind = models.ForeignKey(JournalEntryKind, verbose_name="slag", on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField("händelsedatum")
    text = models.TextField("text", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    is_persons_view = models.BooleanField(
        "den enskildes synpunkt", default=False,
        help_text="Anteckningen återger personens egen uppfattning, så som personen framfört den.",
    )
    corrects = models.ForeignKey(
        "self", verbose_name="rättar", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    author = models.ForeignKey("cases.Staff", verbose_name="skriven av", on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField("skriven och signerad", default=timezone.now)

    class Meta:
        verbose_name = "journalanteckning"
        verbose_name_plural = "journalanteckningar"
        indexes = [
            models.Index(fields=["case", "event_date"], name="journal_case_event_date"),
            models.Index(fields=["applicant", "event_date"], name="journal_person_event_date"),
        ]
        constraints = [
            models.CheckConstraint(name="journal_entry_corrects_another", condition=~Q(corrects=F("pk"))),
        ]

    def __str__(self) -> str:
        return f"{self.event_date} {self.kind_id}"

    @property
    def signed_on(self):
        return timezone.localdate(self.written_at) if self.written_at else None

    @property
    def written_late(self) -> bool:
        """Written on another day than the event: the entry says so (DOMAIN.md 8)."""
        return self.signed_on is not None and self.signed_on != self.event_date
