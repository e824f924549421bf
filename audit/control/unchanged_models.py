"""What lets an unchanged re-run skip a chunk (audit/control/unchanged.py): the facts' change marks,
written by a database trigger, and each range chunk's last evaluation."""

from django.db import models


class FactChange(models.Model):
    """A table some rule reads was written by a transaction: one row per table and transaction,
    written only by the statement trigger `egk_fact_changed` (PostgreSQL, migration audit 0029),
    never by the application. `xact` is the writing transaction's id (pg_current_xact_id), `seq`
    orders the statements of one transaction (a sequence, the latest statement's)."""

    table_name = models.CharField(max_length=63)
    xact = models.BigIntegerField()
    seq = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table_name", "xact"], name="one_fact_change_per_table_xact")]

    def __str__(self) -> str:
        return f"{self.table_name} ({self.xact})"


class ChunkEvaluation(models.Model):
    """The last time a range chunk of a rule was evaluated and written: what it computed (the
    fingerprint of its SQL and parameters, the run date) and what it saw (the database snapshot
    its findings were read in, its own transaction and the last change mark it had made), with
    the counts it reported. A re-run finding the same fingerprint and no change mark the snapshot
    did not see returns these counts and writes nothing."""

    rule_code = models.SlugField(max_length=50)
    lower = models.BigIntegerField()
    upper = models.BigIntegerField()
    as_of = models.DateField()
    fingerprint = models.CharField(max_length=64)
    snapshot = models.TextField()
    xact = models.BigIntegerField()
    seq = models.BigIntegerField()
    server_started = models.DateTimeField()
    counts = models.JSONField(default=dict)
    evaluated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule_code", "lower", "upper"], name="one_evaluation_per_rule_chunk")
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} [{self.lower}, {self.upper}) {self.as_of}"
