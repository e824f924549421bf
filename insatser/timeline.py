"""A person's timeline: plans, follow-ups, insats decisions, referrals, participations, exemptions.

Lives in insatser because insatser may import planning and cases (ARCHITECTURE.md). One query
per source, whatever the number of rows; merged and sorted in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from planning.models import FollowUp, ImplementationPlan

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


def _plans(applicant_id: int) -> list[Event]:
    rows = ImplementationPlan.objects.filter(applicant_id=applicant_id).only(
        "pk", "version", "status", "made_on", "valid_until", "latest_follow_up_on"
    )
    return [
        Event(p.made_on, "plan", "planning.implementationplan", p.pk,
              f"Genomförandeplan version {p.version} ({p.get_status_display().lower()})",
              f"Giltig till {p.valid_until or '–'}; följs upp senast {p.latest_follow_up_on or '–'}")
        for p in rows
    ]


def _follow_ups(applicant_id: int) -> list[Event]:
    rows = FollowUp.objects.filter(plan__applicant_id=applicant_id).select_related("plan").only(
        "pk", "followed_up_on", "method", "follows_plan", "next_follow_up_on", "plan__version"
    )
    return [
        Event(f.followed_up_on, "follow_up", "planning.followup", f.pk,
              f"Uppföljning av plan version {f.plan.version} ({f.get_method_display().lower()})",
              ("Följer planeringen" if f.follows_plan else "Avviker från planeringen")
              + f"; nästa uppföljning {f.next_follow_up_on}")
        for f in rows
    ]


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
                            f"{p.weekly_hours} timmar i veckan; beslutsperioden slutar {p.decision_period_end}"))
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
              f"{e.valid_from}–{e.valid_to}; krav {e.required_hours_per_week} tim/vecka; omprövas {e.review_on}")
        for e in Exemption.objects.filter(applicant_id=applicant_id)
    ]


SOURCES = (_plans, _follow_ups, _decisions, _referrals, _participations, _exemptions)


def person_timeline(*, applicant_id: int) -> list[Event]:
    """The person's events in date order (7 queries: one per source, plus the extensions)."""
    events = [event for source in SOURCES for event in source(applicant_id)]
    return sorted(events, key=Event.sort_key)
