"""Gallring (retention purge): who is due, what would go, and the purge itself.

A person is due when the last entry in their file (their latest change event, or the person row's
own last change) is before the cutoff (audit/control/norms.py RETENTION_YEARS), they have no case
that is not closed, and no live RetentionHold. The purge removes the person's records through
Django's deletion collector (cascading to every app's rows about them) and their access-log rows
and change events through `audit_purge_log` (audit/recording/purge.py), in one transaction, and
writes a gallringsprotokoll (RetentionPurge) with counts and dates only.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import router, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from audit.control.norms import RETENTION_YEARS
from audit.control.retention_models import RetentionHold, RetentionPurge
from audit.recording import purge
from audit.recording.log import record_change
from audit.recording.models import AccessLogEntry, ChangeEvent, PurgedChainLink
from cases.models import Applicant, Case, CaseStatus
from config.errors import Conflict

LOG_KINDS = ("audit.accesslogentry", "audit.changeevent")


def purge_cutoff(today: datetime.date) -> datetime.date:
    """Files whose last entry is before this date are due (DOMAIN.md 7: 5 years, by the end of the next year)."""
    return datetime.date(today.year - RETENTION_YEARS, 1, 1)


def purge_candidates(*, today: datetime.date):
    last_event = ChangeEvent.objects.filter(person_id=OuterRef("pk")).values("person_id").annotate(
        last=Max("occurred_at")).values("last")
    open_case = Case.objects.filter(household__members__applicant_id=OuterRef("pk")).exclude(status=CaseStatus.CLOSED)
    hold = RetentionHold.objects.filter(person_id=OuterRef("pk")).filter(Q(until__isnull=True) | Q(until__gte=today))
    cutoff = datetime.datetime.combine(purge_cutoff(today), datetime.time(0), tzinfo=timezone.get_current_timezone())
    return (
        Applicant.objects.annotate(last_entry=Greatest(Coalesce(Subquery(last_event), F("updated_at")), F("updated_at")))
        .filter(last_entry__lt=cutoff)
        .exclude(Exists(open_case))
        .exclude(Exists(hold))
        .order_by("pk")
    )


def _collect(persons) -> tuple[Collector, Counter]:
    collector = Collector(using=router.db_for_write(Applicant))
    collector.collect(list(persons))
    counts = Counter({model._meta.label_lower: len(objs) for model, objs in collector.data.items()})
    for qs in collector.fast_deletes:
        counts[qs.model._meta.label_lower] += qs.count()
    return collector, counts


def _log_counts(person_ids: list[int]) -> Counter:
    return Counter({
        "audit.accesslogentry": AccessLogEntry.objects.filter(person_id__in=person_ids).count(),
        "audit.changeevent": ChangeEvent.objects.filter(person_id__in=person_ids).count(),
    })


def retention_preview(*, today: datetime.date | None = None) -> dict:
    """What a purge would remove today, in counts per kind. Reads only."""
    today = today or timezone.localdate()
    persons = list(purge_candidates(today=today))
    ids = [p.pk for p in persons]
    blocked = {}
    try:
        _, counts = _collect(persons)
    except (ProtectedError, RestrictedError) as exc:
        counts = Counter()
        blocked = dict(Counter(obj._meta.label_lower for obj in exc.args[1]))
    counts.update(_log_counts(ids))
    return {"cutoff": purge_cutoff(today), "persons": len(ids), "counts": dict(sorted(counts.items())),
            "blocked_by": blocked}


@transaction.atomic
def retention_purge(*, today: datetime.date | None = None) -> RetentionPurge:
    """Purge every file due today, all or nothing; the protocol row is the only trace, with counts."""
    today = today or timezone.localdate()
    persons = list(purge_candidates(today=today).select_for_update(of=("self",)))
    ids = [p.pk for p in persons]
    try:
        collector, counts = _collect(persons)
    except (ProtectedError, RestrictedError) as exc:
        kinds = sorted({obj._meta.verbose_name_plural for obj in exc.args[1]})
        raise Conflict(
            f"Gallringen avbröts: uppgifter som inte får tas bort hänger ihop med personerna ({', '.join(kinds)}).",
            field="persons",
        ) from exc
    counts.update(_log_counts(ids))
    protocol = RetentionPurge.objects.create(
        ran_at=timezone.now(), cutoff=purge_cutoff(today), persons=len(ids), counts=dict(sorted(counts.items())),
    )
    if ids:
        collector.delete()
        removed = purge.purge_log(person_ids=ids, purge_id=protocol.pk)
        links = PurgedChainLink.objects.filter(purge_id=protocol.pk).order_by("chain_seq")
        protocol.chain_links_removed = removed
        protocol.first_chain_seq = links.values_list("chain_seq", flat=True).first()
        protocol.last_chain_seq = links.values_list("chain_seq", flat=True).last()
        protocol.save(update_fields=["chain_links_removed", "first_chain_seq", "last_chain_seq", "updated_at"])
    record_change(actor=None, action="retention.purge", instance=protocol, after={
        "cutoff": protocol.cutoff.isoformat(), "persons": protocol.persons, "counts": protocol.counts,
    })
    return protocol
