"""Demo data for insatser: a catalogue over the four tracks, and for the demo coordinators'
persons with a current plan: insats decisions, referrals (one insats deliberately full, with a
queue), participations with weekly attendance for recent weeks (some below 40 h), closings
proposed but not yet confirmed, and exemptions (one past its review date).

Persons are selected from the database (open coordinator assignments and planning's current
plans), so this builder depends only on cases and planning having been built. Seeded: same
seed and day, same data. Seed data, not casework: rows are bulk-created and write no change
events (as cases.demo and planning.demo).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from cases.models import Role, Staff, Unit
from cases.selectors import open_assignments
from planning.selectors import current_plans

from . import norms
from .full_time import week_of
from .models import (
    WEEKDAY_FIELDS,
    ClosingReason,
    DecisionKind,
    Exemption,
    ExemptionReason,
    Insats,
    InsatsDecision,
    InsatsType,
    Participation,
    ParticipationClosing,
    ParticipationStatus,
    Referral,
    ReferralStatus,
    Track,
    WeeklyAttendance,
)

PROVIDERS = {
    "insats-matchning": "Insats & Matchning",
    "intern-service": "Intern Service",
    "parketten": "Parketten",
}
FULL_INSATS = "Arbetsträning snickeri"
TEMPORARY_INSATS = "Startpunkten (tillfällig aktivitet)"
# (name, type, track code, provider unit code or "" , external provider, capacity, hours/week)
CATALOGUE = [
    ("Grundaktivitet Steget", InsatsType.BASIC_ACTIVITY, "grundaktivitet", "insats-matchning", "", 15, 20),
    ("Daglig sysselsättning Verkstan", InsatsType.DAILY_OCCUPATION, "grundaktivitet", "parketten", "", 12, 25),
    (TEMPORARY_INSATS, InsatsType.TEMPORARY, "grundaktivitet", "insats-matchning", "", 30, 15),
    ("Språkpraktik storkök", InsatsType.LANGUAGE_PRAKTIK, "sprak", "intern-service", "", 8, 30),
    ("Sfi i kombination", InsatsType.LANGUAGE, "sprak", "", "Vuxenutbildningen", 40, 15),
    ("Språkcafé", InsatsType.LANGUAGE, "sprak", "insats-matchning", "", 20, 6),
    ("Digital grundkurs", InsatsType.DIGITAL, "digital", "insats-matchning", "", 12, 10),
    ("Digital jobbsökning", InsatsType.DIGITAL, "digital", "insats-matchning", "", 15, 8),
    ("Praktik lager och logistik", InsatsType.PRAKTIK, "arbetsmarknad", "intern-service", "", 6, 40),
    (FULL_INSATS, InsatsType.WORK_TRAINING, "arbetsmarknad", "parketten", "", 3, 30),
    ("Arbetsmarknadsanställning park", InsatsType.LABOUR_MARKET_EMPLOYMENT, "arbetsmarknad", "parketten", "", 5, 40),
    ("Rusta och matcha", InsatsType.AF_PROGRAMME, "arbetsmarknad", "", "Arbetsförmedlingen", 50, 40),
]
# Weekly schedules that add up to full time alone or together (hours Monday..Friday).
SCHEDULES = {
    40: (8, 8, 8, 8, 8),
    30: (6, 6, 6, 6, 6),
    25: (5, 5, 5, 5, 5),
    20: (4, 4, 4, 4, 4),
    15: (3, 3, 3, 3, 3),
    10: (2, 2, 2, 2, 2),
    8: (4, 0, 4, 0, 0),
    6: (0, 3, 0, 3, 0),
}
# Combinations a person takes part in (insats names); some add up to 40 h, some do not.
COMBINATIONS = [
    ["Praktik lager och logistik"],
    ["Språkpraktik storkök", "Sfi i kombination"],
    ["Grundaktivitet Steget", "Digital grundkurs"],
    ["Arbetsmarknadsanställning park"],
    ["Daglig sysselsättning Verkstan", "Språkcafé"],
    ["Rusta och matcha"],
    ["Digital jobbsökning", "Grundaktivitet Steget"],
]
ATTENDANCE_WEEKS = 6
EXEMPTIONS = [
    (ExemptionReason.SICKNESS, "Läkarintyg: arbetsförmåga på halvtid under perioden."),
    (ExemptionReason.PART_TIME_WORK, "Arbetar 20 timmar i veckan som vikarie inom äldreomsorgen."),
    (ExemptionReason.CARE_OF_RELATIVE, "Vårdar sin mamma efter en operation, enligt intyg."),
]


def _hours(total: int) -> dict:
    per_day = SCHEDULES[total] + (0, 0)
    return {name: Decimal(h) for name, h in zip(WEEKDAY_FIELDS, per_day, strict=True)}


class _Builder:
    def __init__(self, today: datetime.date, rng: random.Random):
        self.today, self.rng = today, rng
        self.decisions, self.referrals, self.exemptions = [], [], []
        self.participations = []  # (Participation, attendance factor)
        self.closings = []  # (participation index, reason, days ago, confirming caseworker or None)
        self.by_unit_staff: dict[int, Staff] = {}

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def refer(self, plan, insats, coordinator, *, referred_on, status, **extra) -> Referral:
        referral = Referral(
            applicant_id=plan.applicant_id, insats=insats, plan=plan, referred_by=coordinator,
            referred_on=referred_on, valid_until=norms.referral_valid_until(referred_on), status=status, **extra,
        )
        self.referrals.append(referral)
        return referral

    def take_part(self, referral: Referral, start: datetime.date, hours: int, factor: float) -> int:
        participation = Participation(
            applicant_id=referral.applicant_id, insats=referral.insats, referral=referral, start_date=start,
            decision_period_end=norms.decision_period_end(start), **_hours(hours),
        )
        self.participations.append((participation, factor))
        return len(self.participations) - 1


def _catalogue() -> dict[str, Insats]:
    units = {code: Unit.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in PROVIDERS.items()}
    tracks = {t.code: t for t in Track.objects.all()}
    out = {}
    for name, kind, track, unit, external, capacity, hours in CATALOGUE:
        out[name], _ = Insats.objects.get_or_create(
            name=name,
            defaults={
                "insats_type": kind, "track": tracks[track], "provider_unit": units.get(unit),
                "external_provider": external, "capacity": capacity, "normal_hours_per_week": Decimal(hours),
            },
        )
    return out


def build(ctx) -> None:
    today = getattr(ctx, "today", None) or timezone.localdate()
    rng = random.Random(f"insatser-{getattr(ctx, 'seed', 0)}")
    catalogue = _catalogue()
    plans = {p.applicant_id: p for p in current_plans(on=today).order_by("applicant_id", "-version")}
    assignments, seen = [], set()
    for a in open_assignments(on=today).filter(coordinator__role=Role.COORDINATOR).select_related(
        "coordinator", "case__responsible_caseworker"
    ).order_by("pk"):
        if a.applicant_id in plans and a.applicant_id not in seen:
            seen.add(a.applicant_id)
            assignments.append(a)
    fallback_caseworker = Staff.objects.filter(role=Role.CASEWORKER, is_active=True).order_by("pk").first()
    insats_staff = {s.unit_id: s for s in Staff.objects.filter(role=Role.INSATS_STAFF, is_active=True).order_by("-pk")}
    any_insats_staff = next(iter(insats_staff.values()), None)
    b = _Builder(today, rng)
    full = catalogue[FULL_INSATS]
    queue_wait_days = [20, 17, 4]  # two beyond the two-week norm, one of them with a temporary activity

    for index, a in enumerate(assignments):
        plan, coordinator = plans[a.applicant_id], a.coordinator
        caseworker = a.case.responsible_caseworker or fallback_caseworker
        since = max(plan.made_on, today - datetime.timedelta(days=150))
        if caseworker is not None and index % 3 != 2:
            b.decisions.append(InsatsDecision(
                case_id=a.case_id, applicant_id=a.applicant_id, kind=DecisionKind.PRAKTIK if index % 2 else DecisionKind.SKILLS,
                reasoning="Behöver insatser för att närma sig arbetsmarknaden enligt koordinatorns bedömning.",
                decided_on=since, decided_by=caseworker, valid_from=since,
                valid_to=None if index % 4 else norms.add_months(since, 6),
            ))
        if index % 5 == 1 and caseworker is not None:
            past_review = len(b.exemptions) == 0  # the first one is past its review date
            start = today - datetime.timedelta(days=70 if past_review else 10)
            b.exemptions.append(Exemption(
                applicant_id=a.applicant_id,
                reason=EXEMPTIONS[len(b.exemptions) % len(EXEMPTIONS)][0],
                reason_text=EXEMPTIONS[len(b.exemptions) % len(EXEMPTIONS)][1],
                valid_from=start, valid_to=start + datetime.timedelta(days=120), required_hours_per_week=Decimal(20),
                decided_by=caseworker, decided_on=start,
                review_on=start + datetime.timedelta(days=30 if past_review else 60),
            ))
        if index < full.capacity:  # fill the deliberately full insats
            r = b.refer(plan, full, coordinator, referred_on=since, status=ReferralStatus.STARTED, started_on=since)
            b.take_part(r, since, 30, 0.9)
            continue
        if index < full.capacity + len(queue_wait_days):
            position = index - full.capacity + 1
            waited = queue_wait_days[position - 1]
            queued_on = max(today - datetime.timedelta(days=waited), plan.made_on)
            b.refer(plan, full, coordinator, referred_on=queued_on, status=ReferralStatus.QUEUED,
                    queue_position=position, queued_on=queued_on)
            if position == 2:  # waiting > 2 weeks, but in a temporary activity meanwhile
                t = b.refer(plan, catalogue[TEMPORARY_INSATS], coordinator, referred_on=queued_on,
                            status=ReferralStatus.STARTED, started_on=queued_on)
                b.take_part(t, queued_on, 15, 0.8)
            continue
        combination = COMBINATIONS[index % len(COMBINATIONS)]
        # Every third person is scheduled below full time (the second insats left out or fewer hours).
        below = index % 3 == 0
        for n, name in enumerate(combination):
            insats = catalogue[name]
            hours = int(insats.normal_hours_per_week)
            if below and n == len(combination) - 1 and len(combination) > 1:
                continue
            if below and len(combination) == 1:
                hours = 30
            start = since + datetime.timedelta(days=rng.randint(0, 20))
            if start > today:
                start = today
            r = b.refer(plan, insats, coordinator, referred_on=start, status=ReferralStatus.STARTED, started_on=start)
            participation_index = b.take_part(r, start, hours if hours in SCHEDULES else 40, rng.uniform(0.6, 1.0))
            if index % 7 == 4 and n == 0:
                b.closings.append((participation_index, ClosingReason.WORK, rng.randint(1, 6), None))
            elif index % 11 == 5 and n == 0:
                b.closings.append((participation_index, ClosingReason.STUDIES, rng.randint(2, 9), None))
            elif index % 13 == 6 and n == 0 and caseworker is not None:
                b.closings.append((participation_index, ClosingReason.WORK, 30, caseworker))
    _save(b, insats_staff, any_insats_staff, assignments)
    if hasattr(ctx, "extra"):
        ctx.extra["insatser"] = catalogue


def _save(b: _Builder, insats_staff: dict, any_insats_staff, assignments) -> None:
    InsatsDecision.objects.bulk_create(b.decisions)
    Referral.objects.bulk_create(b.referrals)
    for participation, _ in b.participations:
        participation.referral_id = participation.referral.pk
    coordinators = {a.applicant_id: a.coordinator for a in assignments}
    closings = []
    for participation_index, reason, days_ago, confirmed_by in b.closings:
        participation = b.participations[participation_index][0]
        end = max(b.ago(days_ago) + datetime.timedelta(days=14), participation.start_date)
        if confirmed_by is not None:
            end = max(b.ago(days_ago), participation.start_date)
            participation.status, participation.end_date, participation.closing_reason = (
                ParticipationStatus.CLOSED, end, reason)
        closings.append((participation, reason, end, days_ago, confirmed_by))
    Participation.objects.bulk_create([p for p, _ in b.participations])
    now = timezone.now()
    ParticipationClosing.objects.bulk_create([
        ParticipationClosing(
            participation=p, reason=reason, end_date=end, proposed_by=coordinators[p.applicant_id],
            proposed_at=now - datetime.timedelta(days=days_ago),
            confirmed_by=confirmed_by,
            confirmed_at=now - datetime.timedelta(days=days_ago - 1) if confirmed_by else None,
        )
        for p, reason, end, days_ago, confirmed_by in closings
    ])
    attendance = []
    this_week = week_of(b.today)
    for participation, factor in b.participations:
        reporter = insats_staff.get(participation.insats.provider_unit_id) or any_insats_staff
        if reporter is None:
            continue
        for weeks_back in range(1, ATTENDANCE_WEEKS + 1):
            monday = this_week - datetime.timedelta(weeks=weeks_back)
            if monday < week_of(participation.start_date) or monday > participation.last_day:
                continue
            attended = (participation.weekly_hours * Decimal(str(round(factor, 2)))).quantize(Decimal("0.5"))
            attendance.append(WeeklyAttendance(participation=participation, week_start=monday,
                                               attended_hours=attended, reported_by=reporter))
    WeeklyAttendance.objects.bulk_create(attendance)
    Exemption.objects.bulk_create(b.exemptions)
