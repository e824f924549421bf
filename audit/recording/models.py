"""Audit models.

The recording layer (AccessLogEntry, ChangeEvent) stores ids and names as plain values, not
foreign keys: the log must outlive the rows it talks about (retention purge, staff leaving)
and must not make other apps' deletes cascade into it. On PostgreSQL both tables refuse
UPDATE and DELETE (see migration 0002).
"""

from django.db import models


class Channel(models.TextChoices):
    API = "api", "API"
    UI = "ui", "Webbgränssnitt"
    ADMIN = "admin", "Administration"
    TASK = "task", "Schemalagt jobb"
    COMMAND = "command", "Kommando"


class AccessAction(models.TextChoices):
    READ = "read", "Läsning"
    LIST = "list", "Lista"
    SEARCH = "search", "Sökning"
    CREATE = "create", "Skapande"
    UPDATE = "update", "Ändring"
    EXPORT = "export", "Export"
    # Sign-in events (object_type "login", object_id the user name tried): each refused
    # password, and the moment an account or address is locked out (audit.recording.logins).
    LOGIN_FAILED = "login_failed", "Misslyckad inloggning"
    LOCKED_OUT = "locked_out", "Inloggning spärrad"


class AccessLogEntry(models.Model):
    """Who read or changed which person's data, when, from where. Append-only."""

    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    person_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The route name or path template, never a URL with personal data in it.
    endpoint = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "loggpost (åtkomst)"
        verbose_name_plural = "åtkomstlogg"
        indexes = [models.Index(fields=["person_id", "occurred_at"], name="accesslog_person_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


class ChangeEvent(models.Model):
    """One change made through a service: who, when, what, old and new values. Append-only."""

    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    person_id = models.BigIntegerField(null=True, db_index=True)
    # {"field": [old, new], ...}; on creation old is null.
    changes = models.JSONField(default=dict)
    channel = models.CharField(max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = "ändringshändelse"
        verbose_name_plural = "ändringshändelser"
        indexes = [models.Index(fields=["object_type", "object_id"], name="changeevent_object")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"

