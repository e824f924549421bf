"""Audit models.

The recording layer (AccessLogEntry, ChangeEvent) stores ids and names as plain values, not
foreign keys: the log must outlive the rows it talks about (retention purge, staff leaving)
and must not make other apps' deletes cascade into it. On PostgreSQL both tables refuse
UPDATE and DELETE (see migration 0002), and every row is linked into one hash chain by a trigger
(`audit/recording/chain.py`): `chain_seq`, `prev_hash` and `row_hash` are set by the database,
never by Python, and stay empty on SQLite. On PostgreSQL the access log is partitioned by month
(`audit/recording/partitions.py`): there its primary key is (id, occurred_at) and chain_seq is
unique together with occurred_at; Django keeps `id` as the key.
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
    # A request to a personal route answered 401, 403 or 404 (object_id holds the status code).
    REFUSED = "refused", "Nekad åtkomst"


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
    # Hash chain (PostgreSQL): set by the database on INSERT, see audit/recording/chain.py.
    chain_seq = models.BigIntegerField(null=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

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
    # Hash chain (PostgreSQL): set by the database on INSERT, see audit/recording/chain.py.
    chain_seq = models.BigIntegerField(null=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "ändringshändelse"
        verbose_name_plural = "ändringshändelser"
        indexes = [models.Index(fields=["object_type", "object_id"], name="changeevent_object")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"



class ChainHead(models.Model):
    """The end of the hash chain: the last sequence number and hash (one row, id 1).

    Written only by the chain trigger (a SECURITY DEFINER function of the owner role); the
    application role may read it, never change it.
    """

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "hashkedjans slut"
        verbose_name_plural = "hashkedjans slut"

    def __str__(self) -> str:
        return f"{self.seq} {self.last_hash}"


class PurgedChainLink(models.Model):
    """A link of the chain whose row a retention purge removed: its place and hashes, no content.

    Written only by the purge function, so the chain stays verifiable across removed rows.
    """

    chain_seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)
    purge_id = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = "gallrad kedjelänk"
        verbose_name_plural = "gallrade kedjelänkar"

    def __str__(self) -> str:
        return f"{self.chain_seq} {self.row_hash}"


class ChainVerification(models.Model):
    """One verification of the hash chain (nightly task or `manage.py verify_audit_chain`).

    A broken one names the first broken link; the egenkontroll rule on it opens a flag for the
    administrator. No personal data: table, id, sequence number and what was wrong.
    """

    checked_at = models.DateTimeField("kontrollerad", db_index=True)
    intact = models.BooleanField("hel")
    rows_checked = models.BigIntegerField("kontrollerade rader", default=0)
    last_seq = models.BigIntegerField("sista löpnummer", null=True, blank=True)
    last_hash = models.CharField("sista hash", max_length=64, blank=True)
    broken_table = models.CharField("tabell", max_length=64, blank=True)
    broken_id = models.BigIntegerField("rad-id", null=True, blank=True)
    broken_seq = models.BigIntegerField("löpnummer", null=True, blank=True)
    reason = models.CharField("fel", max_length=200, blank=True)

    class Meta:
        verbose_name = "kontroll av hashkedjan"
        verbose_name_plural = "kontroller av hashkedjan"

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'hel' if self.intact else 'bruten'}"
