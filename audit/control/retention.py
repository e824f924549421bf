"""Gallring (retention purge, DOMAIN.md 7, SoL 16 kap.): which files are due, what would go, and
the purge itself.

The unit purged. The personakt is the unit of retention, and a household's records (cases,
applications, calculations, decisions ...) are in the file of every member. So a person who has
been a member of several households over time has all of them in their file, and each of those
households has every one of its members' files in it. The rule chosen: persons and households
linked by membership (or by a record naming a person in a household's case) form one purge
unit, the connected group; it goes as a whole or not at all. Its last entry is the latest entry
over all its persons and households and their records; it is due when that is before the cutoff
of the longest retention that applies to any of it, no case of it is open, and no person in it
has a live hold. So nothing of a household goes while one member's file is within five years, and
no person goes while any household they were in is kept.

Queries are set-based: a fixed number per kind of record and per retention extension, whatever
the number of persons; the grouping into units is done in memory over (household, person) pairs.
The purge removes every kind's rows by primary key in the order of `personakt.deletion_order`,
signed decisions, the journal and decision letters through gallring's functions (purge.APPEND_ONLY) and the log through `audit_purge_log`
(audit/recording/purge.py), in one transaction, and writes a gallringsprotokoll (RetentionPurge)
with counts and dates only.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import router, transaction
from django.db.models import Max, Q
from django.utils import timezone

from audit.control import personakt
from audit.control.norms import RETENTION_YEARS
from audit.control.retention_models import RetentionExtension, RetentionHold, RetentionPurge
from audit.recording import purge
from audit.recording.log import record_change
from audit.recording.models import AccessLogEntry, ChangeEvent, PurgedChainLink
from cases.models import Applicant, Case, CaseStatus, Decision, Household
from insatser.models import InsatsDecision

LOG_KINDS = ("audit.accesslogentry", "audit.changeevent")
OPEN_CASE = "open_case"
CASE_TYPE = "case_type"
DELETE_CHUNK = 5000  # primary keys per DELETE: within SQLite's bound on query parameters


def purge_cutoff(today: datetime.date, years: int = RETENTION_YEARS) -> datetime.date:
    """Files whose last entry is before this date are due (DOMAIN.md 7: `years` after the last
    entry, by the end of the next calendar year): the yearly January run takes every file that
    reached its years during last year at the latest."""
    return datetime.date(today.year - years, 1, 1)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


@dataclass
class PurgeUnit:
    """Persons and households whose files are bound together (see the module docstring)."""

    households: set[int] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)
    last_entry: datetime.datetime | None = None
    years: int = RETENTION_YEARS
    kept_because: str = ""  # a RetentionHoldKind value, OPEN_CASE, CASE_TYPE, or "" (due)


@dataclass
class PurgePlan:
    cutoff: datetime.date
    due: list[PurgeUnit]
    kept: Counter

    @property
    def households(self) -> list[int]:
        return sorted(h for unit in self.due for h in unit.households)

    @property
    def persons(self) -> list[int]:
        return sorted(p for unit in self.due for p in unit.persons)


class _Units:
    """Union-find over ("h", id) and ("p", id) nodes."""

    def __init__(self):
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}

    def add(self, node):
        self.parent.setdefault(node, node)

    def root(self, node):
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, a, b):
        self.add(a), self.add(b)
        self.parent[self.root(a)] = self.root(b)


def _latest(entries: dict, node, when) -> None:
    if when is not None and (entries.get(node) is None or when > entries[node]):
        entries[node] = when


def _last_entries(units: _Units) -> dict:
    """The last entry of each person and household: their own rows' last change, their change
    events (not the egenkontroll's), and the last change of every record of their file."""
    entries: dict = {}
    for pk, when in Applicant.objects.values_list("pk", "updated_at"):
        units.add(("p", pk)), _latest(entries, ("p", pk), when)
    for pk, when in Household.objects.values_list("pk", "updated_at"):
        units.add(("h", pk)), _latest(entries, ("h", pk), when)
    events = (ChangeEvent.objects.filter(person_id__isnull=False).exclude(object_type__startswith="audit.")
              .values_list("person_id").annotate(last=Max("occurred_at")).order_by())
    for pk, when in events:
        if ("p", pk) in units.parent:
            _latest(entries, ("p", pk), when)
    for label, (household, person) in personakt.PATHS.items():
        model = personakt.model(label)
        if label in personakt.NOT_ENTRIES or "pk" in (household, person) or not hasattr(model, "updated_at"):
            continue  # rows without a time of their own are written with their parent row
        nodes = [(kind, path) for kind, path in (("h", household), ("p", person)) if path]
        last = model.objects.values_list(*(path for _, path in nodes)).annotate(last=Max("updated_at"))
        for *pks, when in last.order_by():
            for (kind, _), pk in zip(nodes, pks, strict=True):
                if pk is not None:
                    _latest(entries, (kind, pk), when)
    return entries


def _bind(units: _Units) -> None:
    """Join each person with the households they are bound to (membership, and records of a
    household's case naming them)."""
    for label in ("cases.householdmember", *personakt.LINKS):
        household, person = personakt.PATHS[label]
        pairs = (personakt.model(label).objects.filter(**{f"{household}__isnull": False, f"{person}__isnull": False})
                 .values_list(household, person).distinct().order_by())
        for h, p in pairs:
            units.join(("h", h), ("p", p))


def _extended_years() -> dict:
    """Years per household or person under a RetentionExtension (one query per extension)."""
    years: dict = {}
    for extension in RetentionExtension.objects.select_related("legal_basis"):
        basis = extension.legal_basis
        same = Q(legal_basis=basis) | Q(legal_basis__replaces=basis)
        if basis.replaces_id:
            same |= Q(legal_basis_id=basis.replaces_id)
        nodes = [("h", h) for h in Decision.objects.filter(same).values_list("application__case__household", flat=True)]
        if basis.code == InsatsDecision.LEGAL_BASIS_CODE:
            nodes += [("p", p) for p in InsatsDecision.objects.values_list("applicant", flat=True)]
        for node in nodes:
            years[node] = max(years.get(node, RETENTION_YEARS), extension.years)
    return years


def _kept(today: datetime.date) -> dict:
    """Why a person or household is kept whatever its age: a live hold, or an open case."""
    kept = {("h", h): OPEN_CASE for h in Case.objects.exclude(status=CaseStatus.CLOSED).values_list("household", flat=True)}
    holds = RetentionHold.objects.filter(Q(until__isnull=True) | Q(until__gte=today)).values_list("person", "kind")
    kept.update({("p", p): kind for p, kind in holds})
    return kept


def purge_plan(*, today: datetime.date) -> PurgePlan:
    """The purge units due today, and how many otherwise due were kept, per reason. Reads only."""
    units = _Units()
    entries = _last_entries(units)
    _bind(units)
    extended, kept = _extended_years(), _kept(today)
    grouped: dict = defaultdict(PurgeUnit)
    for node in units.parent:
        unit = grouped[units.root(node)]
        (unit.households if node[0] == "h" else unit.persons).add(node[1])
        when = entries.get(node)
        if when is not None and (unit.last_entry is None or when > unit.last_entry):
            unit.last_entry = when
        unit.years = max(unit.years, extended.get(node, RETENTION_YEARS))
        unit.kept_because = unit.kept_because or kept.get(node, "")
    due, kept_counts = [], Counter()
    default_cutoff = _start_of(purge_cutoff(today))
    for unit in grouped.values():
        if unit.last_entry is None or unit.last_entry >= default_cutoff:
            continue  # within the general five years: not an exception, just not due
        if not unit.kept_because and unit.last_entry >= _start_of(purge_cutoff(today, unit.years)):
            unit.kept_because = CASE_TYPE
        if unit.kept_because:
            kept_counts[unit.kept_because] += 1
        else:
            due.append(unit)
    return PurgePlan(cutoff=purge_cutoff(today), due=due, kept=kept_counts)


def purge_candidates(*, today: datetime.date):
    """The persons due today (as a queryset of Applicant)."""
    return Applicant.objects.filter(pk__in=purge_plan(today=today).persons).order_by("pk")


def _file_ids(plan: PurgePlan) -> dict[str, list[int]]:
    """The primary keys of every kind's rows in the due files: one query per kind, all read
    before anything is removed (generic references need their subjects to still exist)."""
    if not plan.due:
        return {}
    found = personakt.rows(plan.households, plan.persons)
    return {label: list(qs.values_list("pk", flat=True).order_by()) for label, qs in found.items()}


def _log_counts(person_ids: list[int]) -> Counter:
    if not person_ids:
        return Counter()
    return Counter({
        "audit.accesslogentry": AccessLogEntry.objects.filter(person_id__in=person_ids).count(),
        "audit.changeevent": ChangeEvent.objects.filter(person_id__in=person_ids).count(),
    })


def _counts(ids: dict[str, list[int]], persons: list[int]) -> dict[str, int]:
    counts = Counter({label: len(pks) for label, pks in ids.items() if pks})
    counts[purge.ATTACHMENT_FILES] = len(ids.get("cases.attachment", ()))  # one stored file each
    counts.update(_log_counts(persons))
    return dict(sorted((label, n) for label, n in counts.items() if n))


def retention_preview(*, today: datetime.date | None = None) -> dict:
    """What a purge would remove today, in counts per kind, and what is kept, per reason. Reads only."""
    today = today or timezone.localdate()
    plan = purge_plan(today=today)
    return {"cutoff": plan.cutoff, "persons": len(plan.persons), "households": len(plan.households),
            "counts": _counts(_file_ids(plan), plan.persons), "kept": dict(sorted(plan.kept.items()))}


def _delete(label: str, pks: list[int]) -> int:
    """Remove these rows of one kind, one DELETE per chunk of keys, without Django's collector
    (every row of the file is already chosen, and PROTECT only guards against removing a part)."""
    model = personakt.model(label)
    using = router.db_for_write(model)
    removed = 0
    for start in range(0, len(pks), DELETE_CHUNK):
        removed += model.objects.filter(pk__in=pks[start:start + DELETE_CHUNK])._raw_delete(using) or 0
    return removed


@transaction.atomic
def retention_purge(*, today: datetime.date | None = None) -> RetentionPurge:
    """Purge every file due today, all or nothing; the protocol row is the only trace, with counts."""
    today = today or timezone.localdate()
    plan = purge_plan(today=today)
    households, persons = plan.households, plan.persons
    # Hold the rows purged against concurrent writes until the transaction ends.
    list(Household.objects.filter(pk__in=households).select_for_update().values_list("pk"))
    list(Applicant.objects.filter(pk__in=persons).select_for_update().values_list("pk"))
    ids = _file_ids(plan)
    protocol = RetentionPurge.objects.create(
        ran_at=timezone.now(), cutoff=plan.cutoff, persons=len(persons), households=len(households),
        counts=_counts(ids, persons), kept=dict(sorted(plan.kept.items())),
    )
    removed = Counter()
    for label in personakt.deletion_order() if ids else ():
        if label in purge.PURGED_WITH or not ids[label]:
            continue  # execution events go with their decisions, below
        if label in purge.PURGED_THROUGH:  # signed rows: only through gallring's own function
            removed.update(purge.purge_through(purge.PURGED_THROUGH[label], ids=ids[label], purge_id=protocol.pk))
        elif label == "cases.attachment":
            removed[label], removed[purge.ATTACHMENT_FILES] = purge.purge_attachments(attachment_ids=ids[label])
        else:
            removed[label] = _delete(label, ids[label])
    expected = {label: n for label, n in protocol.counts.items() if label not in LOG_KINDS}
    if {label: n for label, n in removed.items() if n} != expected:  # something changed under us: undo it all
        raise RuntimeError(f"gallring removed {dict(removed)}, expected {expected}")
    if persons:
        protocol.chain_links_removed = purge.purge_log(person_ids=persons, purge_id=protocol.pk)
        seqs = PurgedChainLink.objects.filter(purge_id=protocol.pk).values_list("chain_seq", flat=True)
        protocol.first_chain_seq = seqs.order_by("chain_seq").first()
        protocol.last_chain_seq = seqs.order_by("-chain_seq").first()
        protocol.save(update_fields=["chain_links_removed", "first_chain_seq", "last_chain_seq", "updated_at"])
    record_change(actor=None, action="retention.purge", instance=protocol, after={
        "cutoff": protocol.cutoff.isoformat(), "persons": protocol.persons, "households": protocol.households,
        "counts": protocol.counts, "kept": protocol.kept,
    })
    return protocol
