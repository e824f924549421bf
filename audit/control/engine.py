"""The rule engine: turns a rule's set-based findings into flags, idempotently.

For one rule and one chunk of subjects (a range of subject ids, as the nightly run slices the
table, or an explicit set of ids, as a re-check after a saved fact names them) it runs the rule's
set-based query once and
  1. inserts a flag for each finding that has no live flag yet (bulk INSERT ... ON CONFLICT DO
     NOTHING against the partial unique constraint `one_live_flag_per_rule_subject`),
  2. marks live flags still found as seen today and checked now (one UPDATE), and gives them their
     current owner where it changed (audit/control/rules/ownership.py: one UPDATE + one INSERT of
     history rows),
  3. resolves live flags no longer found, with the date and why (one UPDATE + one bulk INSERT of
     history rows).
Nothing loops over all persons: Python only compares the chunk's findings with the chunk's live
flags (both bounded by the chunk size) to build those statements. A fixed number of queries per
chunk; running a chunk twice changes nothing the second time. Both kinds of chunk are the same
code below: only the WHERE on the subject id differs (`_scope`).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from audit.control.models import LIVE_FLAG_STATUSES, Flag, FlagStatus, FlagTransition, Rule, RuleParameter
from audit.control.rules import REGISTRY, ownership
from audit.control.rules.base import PERSON, RuleDefinition

RESOLVED_REASON = "Villkoret gäller inte längre (kontrollerat vid regelkörning)."
REASSIGNED_REASON = "Ny ansvarig enligt ansvarskedjan (kontrollerat vid regelkörning)."
DEFAULT_CHUNK_SIZE = 5000


@dataclass
class ChunkCounts:
    subjects_examined: int = 0
    flags_opened: int = 0
    flags_kept: int = 0
    flags_resolved: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def chunk_size() -> int:
    return int(getattr(settings, "AUDIT_RULE_CHUNK_SIZE", DEFAULT_CHUNK_SIZE))


# Texts the code owns: a new wording reaches every page at the next sync. Settings a municipality
# makes (enabled, severity, escalation days, parameter values) are never overwritten.
RULE_TEXTS = ["title", "source", "description", "what_to_do", "closes_when"]
PARAMETER_TEXTS = ["label", "unit", "source"]


def rules_sync() -> None:
    """Create the Rule and RuleParameter rows of rules defined in code and refresh their texts;
    never overwrite settings."""
    Rule.objects.bulk_create(
        [
            Rule(
                code=r.code,
                title=r.title,
                source=r.source,
                description=r.description,
                what_to_do=r.what_to_do,
                closes_when=r.closes_when,
                severity=r.severity,
                schedule=r.schedule,
            )
            for r in REGISTRY.values()
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=RULE_TEXTS,
    )
    ids = dict(Rule.objects.filter(code__in=REGISTRY).values_list("code", "pk"))
    RuleParameter.objects.bulk_create(
        [
            RuleParameter(
                rule_id=ids[r.code],
                key=p.key,
                label=p.label,
                unit=p.unit,
                value=p.default_value(),
                default=p.default_value(),
                min_value=p.min_value,
                max_value=p.max_value,
                source=p.source,
            )
            for r in REGISTRY.values()
            for p in r.params
        ],
        update_conflicts=True,
        unique_fields=["rule", "key"],
        update_fields=PARAMETER_TEXTS,
    )


def parameters_for(rule: RuleDefinition) -> dict[str, int]:
    """The configured values, falling back to DOMAIN.md's defaults for any not stored yet."""
    values = {p.key: p.default_value() for p in rule.params}
    values.update(RuleParameter.objects.filter(rule__code=rule.code).values_list("key", "value"))
    return values


def plan_chunks(rule: RuleDefinition, size: int | None = None) -> list[tuple[int, int]]:
    """Ranges of subject ids covering every subject and every live flag of the rule."""
    size = size or chunk_size()
    subjects = rule.model().objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    flags = Flag.objects.filter(rule__code=rule.code, status__in=LIVE_FLAG_STATUSES).aggregate(
        lo=Min("subject_id"), hi=Max("subject_id")
    )
    lows = [v for v in (subjects["lo"], flags["lo"]) if v is not None]
    highs = [v for v in (subjects["hi"], flags["hi"]) if v is not None]
    if not lows:
        return [(0, 1)]
    lo, hi = min(lows), max(highs) + 1
    return [(start, min(start + size, hi)) for start in range(lo, hi, size)]


def _jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


def _reassign(changed: dict[int, tuple[str, ownership.Owner, ownership.Owner]], rule: RuleDefinition) -> None:
    """Give live flags their current owner (one UPDATE, one INSERT of history rows)."""
    if not changed:
        return
    now = timezone.now()
    flags = [
        Flag(pk=pk, responsible_id=new.responsible_id, unit_id=new.unit_id, owner_basis=new.basis, updated_at=now)
        for pk, (_, _, new) in changed.items()
    ]
    Flag.objects.bulk_update(flags, ["responsible_id", "unit_id", "owner_basis", "updated_at"], batch_size=1000)
    FlagTransition.objects.bulk_create(
        FlagTransition(
            flag_id=pk, from_status=status, to_status=status, event="reassigned", occurred_at=now,
            comment=REASSIGNED_REASON + (f" ({ownership.explain(rule, new.basis)})" if new.basis else ""),
        )
        for pk, (status, _, new) in changed.items()
    )


def _scope(field: str, lower: int | None, upper: int | None, subject_ids: Collection[int] | None) -> Q:
    """The chunk's subjects as a condition on `field`: a range [lower, upper), or explicit ids."""
    if subject_ids is not None:
        if lower is not None or upper is not None:
            raise ValueError("A chunk is a range or a set of subject ids, not both.")
        return Q(**{f"{field}__in": list(subject_ids)})
    if lower is None or upper is None:
        raise ValueError("A range chunk needs both lower and upper.")
    return Q(**{f"{field}__gte": lower, f"{field}__lt": upper})


def subjects_touched(rule: RuleDefinition, *, object_ids: Iterable[int], person_ids: Iterable[int]) -> set[int]:
    """The rule's subjects a saved fact may have changed: the saved objects themselves when they are
    the rule's subjects, every subject of the persons concerned, and every live flag of theirs (so a
    flag whose subject no longer qualifies is looked at, and resolved)."""
    ids = {int(pk) for pk in object_ids}
    persons = sorted({int(pk) for pk in person_ids if pk is not None})
    if persons:
        ids |= set(
            rule.model().objects.filter(**{f"{rule.subject_person}__in": persons}).values_list("pk", flat=True)
        )
        ids |= set(
            Flag.objects.filter(
                rule__code=rule.code, subject_type=rule.subject_type, status__in=LIVE_FLAG_STATUSES,
                person_id__in=persons,
            ).values_list("subject_id", flat=True)
        )
    return ids


def id_chunks(ids: Iterable[int], size: int | None = None) -> list[list[int]]:
    """An explicit set of subject ids cut into chunks of at most the chunk size (bounded IN lists)."""
    ordered, size = sorted(set(ids)), size or chunk_size()
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


@transaction.atomic
def run_chunk(
    *,
    rule_code: str,
    as_of: datetime.date,
    lower: int | None = None,
    upper: int | None = None,
    subject_ids: Collection[int] | None = None,
) -> ChunkCounts:
    """Evaluate one rule over one chunk: the range [lower, upper) of subject ids, or `subject_ids`."""
    rule = REGISTRY[rule_code]
    rule_row = Rule.objects.get(code=rule_code)
    params = parameters_for(rule)
    in_chunk = _scope("pk", lower, upper, subject_ids)
    live = Flag.objects.filter(
        _scope("subject_id", lower, upper, subject_ids),
        rule=rule_row,
        subject_type=rule.subject_type,
        status__in=LIVE_FLAG_STATUSES,
    )
    # Locked before the rule's query: a nightly chunk and a re-check after a saved fact may look at
    # the same subject at once; the second waits, and its query then reads what the first
    # committed (no double resolution, and no flag reopened from data read before the fact).
    live_before = {
        subject_id: (pk, status, ownership.Owner(responsible_id, unit_id, basis))
        # In primary-key order, so two overlapping chunks lock in the same order (no deadlock).
        for subject_id, pk, status, responsible_id, unit_id, basis in live.select_for_update()
        .order_by("pk")
        .values_list("subject_id", "pk", "status", "responsible_id", "unit_id", "owner_basis")
    }

    counts = ChunkCounts(subjects_examined=rule.population(as_of=as_of, params=params).filter(in_chunk).count())
    # The rule's query runs once per chunk; what follows compares at most a chunk's rows.
    found = {
        row["pk"]: row
        for row in rule.findings(as_of=as_of, params=params)
        .filter(in_chunk)
        .values("pk", PERSON, *ownership.fields(rule), *rule.facts)
    }
    owners = ownership.resolve(rule, found.values())

    # 3. resolve the live flags whose condition no longer holds, with the date and why.
    stale = {pk: status for subject_id, (pk, status, _) in live_before.items() if subject_id not in found}
    if stale:
        now = timezone.now()
        Flag.objects.filter(pk__in=stale).update(
            status=FlagStatus.RESOLVED, resolved_on=as_of, resolution_reason=RESOLVED_REASON, checked_at=now,
            updated_at=now,
        )
        FlagTransition.objects.bulk_create(
            FlagTransition(
                flag_id=pk,
                from_status=status,
                to_status=FlagStatus.RESOLVED,
                event="auto_resolved",
                occurred_at=now,
                comment=RESOLVED_REASON,
            )
            for pk, status in stale.items()
        )
    counts.flags_resolved = len(stale)

    # 2. the ones still found are kept; note the day they were last seen and checked (shown on the
    # flag's page). Once a day: a re-run or re-check the same day writes nothing.
    kept = [pk for subject_id, (pk, _, _) in live_before.items() if subject_id in found]
    counts.flags_kept = len(kept)
    if kept:
        Flag.objects.filter(pk__in=kept, last_seen__lt=as_of).update(last_seen=as_of, checked_at=timezone.now())
    # ... and follow their owner: a coordinator assigned, a caseworker gone, a flag made before
    # the ownership chain (audit/control/rules/ownership.py) existed.
    _reassign(
        {pk: (status, before, owners[subject_id]) for subject_id, (pk, status, before) in live_before.items()
         if subject_id in found and owners[subject_id] != before},
        rule,
    )

    # 1. insert the new ones; the partial unique constraint makes a concurrent duplicate a no-op.
    new = [row for subject_id, row in found.items() if subject_id not in live_before]
    if new:
        Flag.objects.bulk_create(
            (
                Flag(
                    rule=rule_row,
                    subject_type=rule.subject_type,
                    subject_id=row["pk"],
                    person_id=row[PERSON],
                    responsible_id=owners[row["pk"]].responsible_id,
                    unit_id=owners[row["pk"]].unit_id,
                    owner_basis=owners[row["pk"]].basis,
                    first_seen=as_of,
                    last_seen=as_of,
                    checked_at=timezone.now(),
                    facts={name: _jsonable(row[name]) for name in rule.facts},
                )
                for row in new
            ),
            batch_size=1000,
            ignore_conflicts=True,
        )
        # What was really inserted (a concurrent run may have inserted some first).
        counts.flags_opened = live.count() - len(kept)
    return counts
