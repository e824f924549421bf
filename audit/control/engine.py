"""The rule engine: turns a rule's set-based findings into flags, idempotently.

For one rule and one range of subject ids (a chunk) it runs the rule's set-based query once and
  1. inserts a flag for each finding that has no live flag yet (bulk INSERT ... ON CONFLICT DO
     NOTHING against the partial unique constraint `one_live_flag_per_rule_subject`),
  2. marks live flags still found as seen today (one UPDATE), and gives them their current owner
     where it changed (audit/control/rules/ownership.py: one UPDATE + one INSERT of history rows),
  3. resolves live flags no longer found, with the date and why (one UPDATE + one bulk INSERT of
     history rows).
Nothing loops over all persons: Python only compares the chunk's findings with the chunk's live
flags (both bounded by the chunk size) to build those statements. A fixed number of queries per
chunk; running a chunk twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
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


def rules_sync() -> None:
    """Create the Rule and RuleParameter rows of rules defined in code; never overwrite settings."""
    Rule.objects.bulk_create(
        [
            Rule(
                code=r.code,
                title=r.title,
                source=r.source,
                description=r.description,
                severity=r.severity,
                schedule=r.schedule,
            )
            for r in REGISTRY.values()
        ],
        ignore_conflicts=True,
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
        ignore_conflicts=True,
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


@transaction.atomic
def run_chunk(*, rule_code: str, lower: int, upper: int, as_of: datetime.date) -> ChunkCounts:
    rule = REGISTRY[rule_code]
    rule_row = Rule.objects.get(code=rule_code)
    params = parameters_for(rule)
    in_range = {"pk__gte": lower, "pk__lt": upper}
    counts = ChunkCounts(subjects_examined=rule.population(as_of=as_of, params=params).filter(**in_range).count())
    # The rule's query runs once per chunk; what follows compares at most a chunk's rows.
    found = {
        row["pk"]: row
        for row in rule.findings(as_of=as_of, params=params)
        .filter(**in_range)
        .values("pk", PERSON, *ownership.fields(rule), *rule.facts)
    }
    owners = ownership.resolve(rule, found.values())
    live = Flag.objects.filter(
        rule=rule_row,
        subject_type=rule.subject_type,
        status__in=LIVE_FLAG_STATUSES,
        subject_id__gte=lower,
        subject_id__lt=upper,
    )
    live_before = {
        subject_id: (pk, status, ownership.Owner(responsible_id, unit_id, basis))
        for subject_id, pk, status, responsible_id, unit_id, basis in live.values_list(
            "subject_id", "pk", "status", "responsible_id", "unit_id", "owner_basis"
        )
    }

    # 3. resolve the live flags whose condition no longer holds, with the date and why.
    stale = {pk: status for subject_id, (pk, status, _) in live_before.items() if subject_id not in found}
    if stale:
        now = timezone.now()
        Flag.objects.filter(pk__in=stale).update(
            status=FlagStatus.RESOLVED, resolved_on=as_of, resolution_reason=RESOLVED_REASON, updated_at=now
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

    # 2. the ones still found are kept; note when they were last seen (once a day is enough).
    kept = [pk for subject_id, (pk, _, _) in live_before.items() if subject_id in found]
    counts.flags_kept = len(kept)
    Flag.objects.filter(pk__in=kept, last_seen__lt=as_of).update(last_seen=as_of)
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
