"""One person's timeline: kartläggning, plans (every version), follow-ups, BIP, decisions,
referrals, participations and exemptions, newest first.

A fixed number of queries (one per kind), each through the scoped selectors of its app, so
what a user sees here is exactly what the API would show them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from cases.models import Staff
from planning import selectors as planning_selectors

from . import selectors


@dataclass(frozen=True)
class Entry:
    on: datetime.date
    kind: str  # stable code, used for filtering and styling
    label: str  # Swedish, shown
    title: str
    obj: Any


def person_timeline(*, user: Staff, person_id: int) -> list[Entry]:
    entries: list[Entry] = []
    for a in planning_selectors.assessment_list(user=user).filter(applicant_id=person_id):
        entries.append(Entry(a.assessed_on, "assessment", "Kartläggning", f"Kartläggning av {a.made_by.get_full_name()}", a))
    for p in planning_selectors.plan_list(user=user).filter(applicant_id=person_id):
        title = f"Genomförandeplan version {p.version} ({p.get_status_display().lower()})"
        entries.append(Entry(p.made_on, "plan", "Genomförandeplan", title, p))
    for f in planning_selectors.follow_up_list(user=user).filter(plan__applicant_id=person_id):
        title = "Följer planeringen" if f.follows_plan else "Avvikelse från planeringen"
        entries.append(Entry(f.followed_up_on, "follow_up", "Uppföljning", title, f))
    for b in planning_selectors.bip_assessment_list(user=user).filter(applicant_id=person_id):
        entries.append(Entry(b.assessed_on, "bip", "BIP-skattning", b.instrument.name, b))
    for d in selectors.decision_list(user=user).filter(applicant_id=person_id):
        entries.append(Entry(d.decided_on, "decision", "Beslut om insats", d.get_kind_display(), d))
    for r in selectors.referral_list(user=user).filter(applicant_id=person_id):
        status = r.get_status_display()
        if r.queue_position:
            status += f", plats {r.queue_position} i kön"
        entries.append(Entry(r.referred_on, "referral", "Anvisning", f"{r.insats.name} – {status}", r))
    for p in selectors.participation_list(user=user).filter(applicant_id=person_id):
        entries.append(Entry(p.start_date, "participation", "Deltagande", f"{p.insats.name} – {p.get_status_display()}", p))
    for e in selectors.exemption_list(user=user).filter(applicant_id=person_id):
        entries.append(Entry(e.valid_from, "exemption", "Avsteg", f"{e.get_reason_display()} till {e.valid_to:%Y-%m-%d}", e))
    entries.sort(key=lambda e: (e.on, e.kind), reverse=True)
    return entries
