"""Where imported rows came from: one row per record of a previous system, pointing at what it became.

A small model of its own rather than fields on every imported table: the apps stay as they are,
and (source, kind, external_id) is unique, so importing the same file again finds every record
already there and writes nothing (idempotency). Related models are lazy strings, as elsewhere in
the control layer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["ImportBatch", "ImportedRecord"]


class ImportBatch(models.Model):
    """One committed import of a file (a dry run or a refused file writes nothing, not even this)."""

    source = models.CharField("källsystem", max_length=100)
    file_name = models.CharField("fil", max_length=255, blank=True)
    file_sha256 = models.CharField("filens kontrollsumma (SHA-256)", max_length=64, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("startad")
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    channel = models.CharField("kanal", max_length=16)
    accept_valid = models.BooleanField("giltiga poster importerade trots avvisade", default=False)
    # Counts per record type: created, already imported, matched to an existing person, refused.
    counts = models.JSONField("antal", default=dict)

    class Meta:
        verbose_name = "import"
        verbose_name_plural = "importer"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} från {self.source}"


class ImportedRecord(models.Model):
    """Provenance: the record `external_id` of type `kind` from `source` is the row (content_type, object_id)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")
    line = models.PositiveIntegerField("rad i filen")
    source = models.CharField("källsystem", max_length=100)
    kind = models.CharField("posttyp", max_length=32)
    external_id = models.CharField("id i källsystemet", max_length=100)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    # True when the record was matched to a row that existed before (a person already registered).
    linked = models.BooleanField("kopplad till befintlig", default=False)

    class Meta:
        verbose_name = "importerad post"
        verbose_name_plural = "importerade poster"
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "external_id"], name="imported_record_once_per_source"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="imported_record_object")]

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.external_id}"
