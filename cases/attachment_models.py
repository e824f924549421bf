"""Bilagor: documents kept with a case, a journal entry or an application.

Imported at the end of cases/models.py, so these are models of the cases app. The file itself is
stored outside the database (cases/attachment_rules.py ATTACHMENT_STORAGE); the row holds what it
is, who added it when, and its SHA-256, checked again on every download. An attachment is never
changed: a wrong one is marked withdrawn with a reason, and stays (DOMAIN.md 8: nothing in the
file is erased but by gallring, which removes the rows and the stored files together).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from config.models import TimeStampedModel

from .attachment_rules import DESCRIPTION_MAX_LENGTH, FILE_NAME_MAX_LENGTH, WITHDRAWAL_REASON_MAX_LENGTH


class Attachment(TimeStampedModel):
    case = models.ForeignKey("cases.Case", verbose_name="ärende", on_delete=models.PROTECT, related_name="attachments")
    journal_entry = models.ForeignKey(
        "cases.JournalEntry", verbose_name="journalanteckning", on_delete=models.PROTECT, null=True, blank=True,
        related_name="attachments",
    )
    application = models.ForeignKey(
        "cases.Application", verbose_name="ansökan", on_delete=models.PROTECT, null=True, blank=True,
        related_name="attachments",
    )
    description = models.CharField("beskrivning", max_length=DESCRIPTION_MAX_LENGTH)
    file_name = models.CharField("filnamn", max_length=FILE_NAME_MAX_LENGTH,
                                 help_text="Namnet filen hade när den lämnades in.")
    content_type = models.CharField("filtyp", max_length=50, help_text="Avläst ur filens innehåll.")
    size = models.PositiveIntegerField("storlek (byte)")
    sha256 = models.CharField("kontrollsumma (SHA-256)", max_length=64)
    stored_as = models.CharField("lagrad som", max_length=255, unique=True)
    uploaded_by = models.ForeignKey("cases.Staff", verbose_name="tillagd av", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("tillagd")
    withdrawn_at = models.DateTimeField("återkallad", null=True, blank=True)
    withdrawn_by = models.ForeignKey("cases.Staff", verbose_name="återkallad av", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    withdrawal_reason = models.CharField("skäl för återkallelse", max_length=WITHDRAWAL_REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = "bilaga"
        verbose_name_plural = "bilagor"
        indexes = [models.Index(fields=["case", "uploaded_at"], name="attachment_case_uploaded")]
        constraints = [
            models.CheckConstraint(
                name="attachment_one_parent",
                condition=Q(journal_entry__isnull=True) | Q(application__isnull=True),
            ),
            models.CheckConstraint(
                name="attachment_withdrawal_complete",
                condition=(Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                           | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawal_reason=""))),
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
