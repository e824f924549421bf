"""A person's timeline: plans, follow-ups, insats decisions, referrals, participations, exemptions.

Lives in insatser because insatser may import planning and cases (ARCHITECTURE.md). Plans and
follow-ups are read through planning.selectors.timeline_entries (the one way to read them, scoped
to the user); the rest one query per source, whatever the number of rows; merged and sorted here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from cases.models import Staff
from config import swedish
from planning.selectors import timeline_entries

from .models import Exemption, InsatsDecision, Participation, ParticipationExtension, Referral

# Within one day, show events in the order things happen in the process (DOMAIN.md 2).
KIND_ORDER = [
    "plan",
    "follow_up",
    "insats_decision",
    "referral",
    "participation_start",
    "participation_extension",
    "closing_proposed",
    "participation_end",
    "insats_decision_end",
    "exemption",
]


@dataclass(frozen=True)
class Event:
    date: datetime.date
    kind: str
    object_type: str
    object_id: int
    title: str
    detail: str = ""

    def sort_key(self):
        return (self.date, KIND_ORDER.index(self.kind), self.object_id)


def _planning(user: Staff, applicant_id: int) -> list[Event]:
    """Plans and follow-ups, from planning's timeline (two queries)."""
    events = []
    for e in timeline_entries(user=user, applicant_id=applicant_id, kinds=("plan", "follow_up")):
        if e["kind"] == "plan":
            detail = f"Giltig till {e['valid_until'] or '–'}; följs upp senast {e['latest_follow_up_on'] or '–'}"
            events.append(Event(e["date"], "plan", e["object_type"], e["id"], e["title"], detail))
        else:
            events.append(Event(e["date"], "follow_up", e["object_type"], e["id"],
                                f"Uppföljning av plan version {e['plan_version']} ({e['method'].lower()})",
                                ("Följer planeringen" if e["follows_plan"] else "Avviker från planeringen")
                                + f"; nästa uppföljning {e['next_follow_up_on']}"))
    return events


def _decisions(applicant_id: int) -> list[Event]:
    events = []
    for d in InsatsDecision.objects.filter(applicant_id=applicant_id):
        until = f"till {d.valid_to}" if d.valid_to else "tills vidare"
        events.append(Event(d.decided_on, "insats_decision", "insatser.insatsdecision", d.pk,
                            f"Beslut om insats: {d.get_kind_display().lower()} ({d.legal_basis})",
                            f"Från {d.valid_from} {until}"))
        if d.ended_on:
            events.append(Event(d.end_decided_on, "insats_decision_end", "insatser.insatsdecision", d.pk,
                                "Beslut om att insatsen upphör", f"Upphör {d.ended_on}"))
    return events


def _referrals(applicant_id: int) -> list[Event]:
    rows = Referral.objects.filter(applicant_id=applicant_id).select_related("insats")
    return [
        Event(r.referred_on, "referral", "insatser.referral", r.pk, f"Anvisning till {r.insats.name}",
              f"{r.get_status_display()}" + (f", plats {r.queue_position} i kön" if r.queue_position else "")
              + f"; gäller till {r.valid_until}")
        for r in rows
    ]


def _participations(applicant_id: int) -> list[Event]:
    rows = (
        Participation.objects.filter(applicant_id=applicant_id)
        .select_related("insats", "closing")
        .prefetch_related(Prefetch("extensions", queryset=ParticipationExtension.objects.order_by("decided_on")))
    )
    events = []
    for p in rows:
        events.append(Event(p.start_date, "participation_start", "insatser.participation", p.pk,
                            f"Deltagande i {p.insats.name} börjar",
                            f"{swedish.number(p.weekly_hours)} timmar i veckan; beslutsperioden slutar {p.decision_period_end}"))
        for ext in p.extensions.all():
            events.append(Event(ext.decided_on, "participation_extension", "insatser.participation", p.pk,
                                f"Deltagande i {p.insats.name} förlängt till {ext.new_end}", ext.special_reason))
        closing = getattr(p, "closing", None)
        if closing is not None:
            events.append(Event(closing.proposed_at.date(), "closing_proposed", "insatser.participation", p.pk,
                                f"Avslut föreslaget: {closing.get_reason_display().lower()}",
                                "Bekräftat av handläggare" if closing.confirmed_at else "Väntar på handläggarens bekräftelse"))
        if p.end_date:
            events.append(Event(p.end_date, "participation_end", "insatser.participation", p.pk,
                                f"Deltagande i {p.insats.name} avslutat", p.get_closing_reason_display()))
    return events


def _exemptions(applicant_id: int) -> list[Event]:
    return [
        Event(e.valid_from, "exemption", "insatser.exemption", e.pk,
              f"Avsteg från heltidsaktivering: {e.get_reason_display().lower()}",
              f"{e.valid_from}–{e.valid_to}; krav {swedish.number(e.required_hours_per_week)} tim/vecka; omprövas {e.review_on}")
        for e in Exemption.objects.filter(applicant_id=applicant_id)
    ]


SOURCES = (_decisions, _referrals, _participations, _exemptions)


def person_timeline(*, user: Staff, applicant_id: int) -> list[Event]:
    """The person's events in date order (7 queries: plans, follow-ups, one per other source, plus
    the extensions). The caller has checked that `user` may see the person; plans and follow-ups
    are scoped to `user` again by planning's selector."""
    events = _planning(user, applicant_id) + [event for source in SOURCES for event in source(applicant_id)]
    return sorted(events, key=Event.sort_key)
