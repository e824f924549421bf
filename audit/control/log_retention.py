"""Gallring of the access log by age: whole months dropped (audit/recording/partitions.py).

The personakt's own gallring (audit/control/retention.py) removes a person's log rows with the
rest of their file. This removes the log's oldest months as a whole, for every person, once they
are older than AUDIT_ACCESS_LOG_KEEP_MONTHS (DOMAIN.md 7 sets retention for the file, not for the
log of reads of it; how long the municipality keeps the log is its own decision, so there is no
default and nothing is dropped until it is set). The database refuses months that ended less
than MIN_MONTHS_KEPT months ago. Every run writes a gallringsprotokoll with counts and the chain
places removed, and a change event; `verify_audit_chain` still passes afterwards, because the
dropped rows' links are kept in `audit_purgedchainlink`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.control.retention_models import RetentionPurge
from audit.recording import partitions
from audit.recording.log import record_change
from audit.recording.models import AccessLogEntry
from config.errors import DomainError

KIND = "audit.accesslogentry"


def _months_back(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + (day.month - 1) - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def keep_months() -> int | None:
    return getattr(settings, "AUDIT_ACCESS_LOG_KEEP_MONTHS", None)


def access_log_cutoff(*, today: datetime.date | None = None) -> datetime.date | None:
    """First day of the oldest month kept, or None when no keeping time is set."""
    months = keep_months()
    if not months:
        return None
    return _months_back(today or timezone.localdate(), months)


@transaction.atomic
def access_log_months_purge(*, before: datetime.date) -> RetentionPurge:
    """Drop every month of the access log that ended by the first of `before`'s month."""
    before = before.replace(day=1)
    newest_allowed = _months_back(timezone.localdate(), partitions.MIN_MONTHS_KEPT)
    if before > newest_allowed:
        raise DomainError(
            f"Åtkomstloggen sparas minst {partitions.MIN_MONTHS_KEPT} månader: välj en månad till och med "
            f"{newest_allowed:%Y-%m}.", field="before",
        )
    protocol = RetentionPurge.objects.create(ran_at=timezone.now(), cutoff=before, counts={KIND: 0})
    dropped = partitions.drop_months(before=before, purge_id=protocol.pk)
    seqs = [seq for month in dropped for seq in (month.first_seq, month.last_seq) if seq is not None]
    rows = sum(month.rows for month in dropped)
    protocol.counts = {KIND: rows}
    protocol.chain_links_removed = rows if partitions.available() else 0  # SQLite has no chain
    protocol.first_chain_seq = min(seqs, default=None)
    protocol.last_chain_seq = max(seqs, default=None)
    protocol.save(update_fields=["counts", "chain_links_removed", "first_chain_seq", "last_chain_seq", "updated_at"])
    record_change(actor=None, action="retention.purge_access_log_months", instance=protocol, after={
        "cutoff": before.isoformat(), "counts": protocol.counts, "months": len(dropped),
    })
    return protocol


def access_log_partitions_maintain(*, today: datetime.date | None = None) -> dict:
    """The daily task: partitions for this month and the months ahead; old months dropped once a
    keeping time is set. Idempotent: a second run the same day makes and drops nothing."""
    made = partitions.ensure(first=today)
    cutoff = access_log_cutoff(today=today)
    dropped = None
    if cutoff is not None:
        start = datetime.datetime.combine(cutoff, datetime.time(0), tzinfo=timezone.get_current_timezone())
        dropped = 0
        if AccessLogEntry.objects.filter(occurred_at__lt=start).exists():  # no empty protocol every day
            dropped = access_log_months_purge(before=cutoff).counts[KIND]
    return {"partitions_made": made, "rows_dropped": dropped}
