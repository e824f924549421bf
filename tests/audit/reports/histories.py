"""Decision histories for the unexecuted-decision reports: a fast builder and an independent oracle.

The builder writes rows directly (bulk) rather than through the services, so a property test can
make many histories cheaply; the services' own rules (events in order, executed once, interrupted
only after execution, resumed only while interrupted) are respected by construction.

The oracle does not share code or formulas with cases.execution_selectors: it walks the
calendar day by day and asks "is this decision overdue on this day?".
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from cases.finance_models import (
    Application,
    ApplicationCost,
    CostType,
    Decision,
    DecisionExecutionEvent,
    DelegationPoint,
    LegalBasis,
)
from tests.factories.cases import ApplicantFactory, CaseFactory, UnitFactory

DAY = datetime.timedelta(days=1)


@dataclass
class History:
    """One decision: outcome, item, whose it is, when, its execution events (kind, date), and
    optionally a correction (a later decision replacing it, with its own outcome and events)."""

    outcome: str
    decided_on: datetime.date
    gender: str = "kvinna"
    item: str = "income_support"
    events: list[tuple[str, datetime.date]] = field(default_factory=list)
    correction: History | None = None


@dataclass
class Built:
    unit_id: int
    # id(history) -> Decision pk, for originals and corrections
    pks: dict[int, int]


def build(histories: list[History], *, staff) -> Built:
    """Rows for `histories` in a unit of their own (the report is filtered by unit)."""
    unit = UnitFactory()
    cases = {g: CaseFactory(unit=unit, with_applicant=ApplicantFactory(registered_unit=unit, legal_gender=g))
             for g in ("kvinna", "man")}
    basis = LegalBasis.objects.get(code="sol-12-1")
    point = DelegationPoint.objects.filter(item_kind="income_support").first()
    cost_type = CostType.objects.filter(counts=False).first()
    apps = Application.objects.bulk_create(
        Application(case=cases[h.gender], month=datetime.date(2000 + i // 12, i % 12 + 1, 1),
                    received_on=h.decided_on, status="decided", created_by=staff)
        for i, h in enumerate(histories)
    )
    costs = {
        i: c for i, c in zip(
            [i for i, h in enumerate(histories) if h.item == "cost"],
            ApplicationCost.objects.bulk_create(
                ApplicationCost(application=apps[i], cost_type=cost_type, amount_applied=1000)
                for i, h in enumerate(histories) if h.item == "cost"
            ),
            strict=True,
        )
    }

    def decision(i, h, replaces=None):
        amount = {"granted": 1000, "partly_granted": 500, "refused": 0}[h.outcome]
        return Decision(
            application=apps[i], item_kind=h.item, cost=costs.get(i), outcome=h.outcome, amount_applied=1000,
            amount=amount, legal_basis=basis, reasoning="Prövat.", decided_by=staff, decided_by_role=staff.role,
            delegation_point=point, decided_on=h.decided_on, signed_at=timezone.now(), replaces=replaces,
        )

    originals = Decision.objects.bulk_create(decision(i, h) for i, h in enumerate(histories))
    pks = {id(h): d.pk for h, d in zip(histories, originals, strict=True)}
    corrected = [(i, h) for i, h in enumerate(histories) if h.correction]
    corrections = Decision.objects.bulk_create(
        decision(i, h.correction, replaces=originals[i]) for i, h in corrected
    )
    pks.update({id(h.correction): d.pk for (_, h), d in zip(corrected, corrections, strict=True)})
    every = [h for h in histories] + [h.correction for h in histories if h.correction]
    DecisionExecutionEvent.objects.bulk_create(
        DecisionExecutionEvent(decision_id=pks[id(h)], kind=kind, occurred_on=on, recorded_by=staff,
                               note=f"{kind} {on}")
        for h in every for kind, on in h.events
    )
    return Built(unit_id=unit.pk, pks=pks)


# --- the oracle -----------------------------------------------------------------------------------

def plus_months(day: datetime.date, months: int) -> datetime.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _episodes(h: History, replaced_on, q_end):
    """(kind, started, closed-or-None) for each way the decision can be late, seen at q_end."""
    events = [(k, on) for k, on in h.events if on <= q_end]
    executed = next((on for k, on in events if k == "executed"), None)
    found = [("unexecuted", h.decided_on, executed)]
    for n, (kind, on) in enumerate(events):
        if kind == "interrupted":
            resumed = next((o for k, o in events[n + 1:] if k == "resumed"), None)
            found.append(("interrupted", on, resumed))
    out = []
    for kind, started, resolved in found:
        ends = [d for d in (resolved, replaced_on) if d is not None]
        out.append((kind, started, min(ends) if ends else None, resolved))
    return out


def expected(histories: list[History], pks: dict[int, int], q_start, q_end, months=3):
    """{(decision pk, kind): facts} of every episode that must be reported for [q_start, q_end]."""
    result = {}
    pairs = [(h, None) for h in histories] + [(h.correction, h) for h in histories if h.correction]
    replaced = {id(h): h.correction.decided_on for h in histories if h.correction}
    for h, _original in pairs:
        if h.outcome == "refused" or h.decided_on > q_end:
            continue
        replaced_on = replaced.get(id(h))
        replaced_on = replaced_on if replaced_on and replaced_on <= q_end else None
        for kind, started, closed, resolved in _episodes(h, replaced_on, q_end):
            limit = plus_months(started, months)

            def overdue(day, started=started, closed=closed, limit=limit):
                # Past the limit, and not yet executed when the day began (executed that day: late).
                return started <= day and day > limit and (closed is None or closed >= day)

            days = [q_start + DAY * n for n in range((q_end - q_start).days + 1)]
            if not any(overdue(d) for d in days):
                continue
            earlier = any(overdue(started + DAY * n) for n in range(max(0, (q_start - started).days)))
            to = closed if closed is not None else q_end
            band = "low" if to < plus_months(started, 6) else "mid" if to < plus_months(started, 12) else "high"
            how = None if closed is None else ("replaced" if closed != resolved else
                                               "executed" if kind == "unexecuted" else "resumed")
            result[(pks[id(h)], kind)] = {
                "reported_before": earlier, "closed_on": closed, "how": how, "item": h.item,
                "gender": h.gender, "band": band,
            }
    return result


def expected_counts(found: dict) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}

    def add(dim, key):
        counts.setdefault(dim, {})
        counts[dim][key] = counts[dim].get(key, 0) + 1

    for (_pk, kind), f in found.items():
        add("episode", kind)
        add("item", f["item"])
        add("band", f["band"])
        add("gender", f["gender"])
        add("reported", "before" if f["reported_before"] else "new")
        add("status", f["how"] or "open")
    return counts
