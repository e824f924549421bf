"""Demo data for insatser: a catalogue over the four tracks, and for every person a demo
coordinator has had, from their first plan until today or the end of the assignment: insats
decisions, referrals, and one decision period after another of participations (closed when the
period is over, a few broken off early, the last closed with the case's reason), with weekly
attendance; today one insats deliberately full with a queue, a few persons below 40 h (most of
them with an avsteg), closings proposed but not yet confirmed, a referral not yet started.

No insats is ever over capacity: a place is given only if it is free on every day of the period
(an active participation holds its place until it is closed), else the next combination is tried.

Persons are selected from the database (coordinator assignments and planning's signed plans),
so this builder depends only on cases and planning having been built. Seeded: same
seed and day, same data. Seed data, not casework: rows are bulk-created and write no change
events (as cases.demo and planning.demo).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from cases.demo import insert_rows
from cases.models import CoordinatorAssignment, Role, Staff, Unit
from planning.models import ImplementationPlan, PlanStatus

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
    ("Grundaktivitet Steget", InsatsType.BASIC_ACTIVITY, "grundaktivitet", "insats-matchning", "", 25, 20),
    ("Daglig sysselsättning Verkstan", InsatsType.DAILY_OCCUPATION, "grundaktivitet", "parketten", "", 15, 25),
    (TEMPORARY_INSATS, InsatsType.TEMPORARY, "grundaktivitet", "insats-matchning", "", 30, 15),
    ("Språkpraktik storkök", InsatsType.LANGUAGE_PRAKTIK, "sprak", "intern-service", "", 8, 30),
    ("Sfi i kombination", InsatsType.LANGUAGE, "sprak", "", "Vuxenutbildningen", 40, 15),
    ("Språkcafé", InsatsType.LANGUAGE, "sprak", "insats-matchning", "", 20, 6),
    ("Digital grundkurs", InsatsType.DIGITAL, "digital", "insats-matchning", "", 12, 10),
    ("Digital jobbsökning", InsatsType.DIGITAL, "digital", "insats-matchning", "", 15, 8),
    ("Praktik lager och logistik", InsatsType.PRAKTIK, "arbetsmarknad", "intern-service", "", 6, 40),
    (FULL_INSATS, InsatsType.WORK_TRAINING, "arbetsmarknad", "parketten", "", 3, 30),
    ("Arbetsmarknadsanställning park", InsatsType.LABOUR_MARKET_EMPLOYMENT, "arbetsmarknad", "parketten", "", 5, 40),
    ("Rusta och matcha", InsatsType.AF_PROGRAMME, "arbetsmarknad", "", "Arbetsförmedlingen", 80, 40),
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
# What a person takes part in during one decision period: (insats name, hours a week). Each adds
# up to full time (40 h), as the board's norm asks (DOMAIN.md 3).
COMBINATIONS = [
    [("Praktik lager och logistik", 40)],
    [("Språkpraktik storkök", 25), ("Sfi i kombination", 15)],
    [("Grundaktivitet Steget", 30), ("Digital grundkurs", 10)],
    [("Arbetsmarknadsanställning park", 40)],
    [("Daglig sysselsättning Verkstan", 30), ("Språkcafé", 10)],
    [("Rusta och matcha", 40)],
    [("Digital jobbsökning", 10), ("Grundaktivitet Steget", 30)],
]
FALLBACK = [("Rusta och matcha", 40)]  # the large programme, when the others are full
FULL_COMBINATION = [(FULL_INSATS, 30), ("Språkcafé", 10)]
# Part time (with an avsteg, or flagged): the first that has a place.
BELOW_FULL_TIME = [[("Grundaktivitet Steget", 20)], [("Rusta och matcha", 20)]]
QUEUE_WAIT_DAYS = [20, 17, 4]  # two beyond the two-week norm, one of them with a temporary activity
EXEMPTIONS = {
    ExemptionReason.SICKNESS: "Läkarintyg: arbetsförmåga på halvtid under perioden.",
    ExemptionReason.PART_TIME_WORK: "Arbetar 20 timmar i veckan som vikarie inom äldreomsorgen.",
    ExemptionReason.CARE_OF_RELATIVE: "Vårdar sin mamma efter en operation, enligt intyg.",
    ExemptionReason.PARENTAL: "Föräldraledig med det yngsta barnet under perioden.",
    ExemptionReason.PART_TIME_STUDIES: "Läser en kurs på komvux på halvtid.",
    ExemptionReason.NO_SUITABLE_INSATS: "Ingen insats med anpassning för hörselnedsättning finns just nu.",
    ExemptionReason.OTHER: "Väntar på besked om bostad i annan kommun; aktivitet på halvtid under tiden.",
}
# Why a participation ended when the person's case closed (the case's reason, as the board counts it).
CASE_CLOSING_TO_CLOSING = {
    "work": ClosingReason.WORK,
    "studies": ClosingReason.STUDIES,
    "other_benefit": ClosingReason.OTHER_BENEFIT,
    "moved": ClosingReason.MOVED,
}
# A decision period broken off early, in turn.
EARLY_ENDS = [ClosingReason.SICKNESS, ClosingReason.ENDED_BY_PERSON, ClosingReason.OTHER]
CLOSING_TEXT = {ClosingReason.OTHER: "Flyttade till en släkting under en period; ny anvisning när hen är tillbaka."}
# Roles of the first persons with an ongoing assignment; the rest are ordinary.
FULL_PLACES = 3  # fill the deliberately full insats


def _hours(total: int) -> dict:
    per_day = SCHEDULES[total] + (0, 0)
    return {name: Decimal(h) for name, h in zip(WEEKDAY_FIELDS, per_day, strict=True)}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class _Places:
    """The places taken in each insats, day by day, so that no participation is given a place
    that is not free on every day it runs (an active one holds its place until it is closed)."""

    def __init__(self, today: datetime.date):
        self.taken: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
        self.open_end = today + datetime.timedelta(days=3650)

    def free(self, insats: Insats, first: datetime.date, last: datetime.date) -> bool:
        overlapping = [(a, b) for a, b in self.taken[insats.pk] if a <= last and b >= first]
        if len(overlapping) < insats.capacity:
            return True
        # The most places taken on one day of the period is reached on a day some place is taken.
        return all(
            sum(1 for a, b in overlapping if a <= day <= b) < insats.capacity
            for day in {max(a, first) for a, _ in overlapping}
        )

    def fits(self, combination, catalogue, first, last) -> bool:
        return all(self.free(catalogue[name], first, last) for name, _ in combination)

    def take(self, insats: Insats, first: datetime.date, last: datetime.date) -> None:
        self.taken[insats.pk].append((first, last))


class _Builder:
    def __init__(self, today: datetime.date, rng: random.Random, catalogue: dict[str, Insats]):
        self.today, self.rng, self.catalogue = today, rng, catalogue
        self.places = _Places(today)
        self.decisions, self.referrals, self.exemptions = [], [], []
        self.participations = []  # (Participation, weeks with attendance short, short last week)
        self.closings = []  # ParticipationClosing, participation set before saving
        self.last_week = week_of(today) - datetime.timedelta(weeks=1)

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def refer(self, plan, insats, coordinator, *, referred_on, status, **extra) -> Referral:
        referred_on = max(referred_on, plan.made_on)
        referral = Referral(
            applicant_id=plan.applicant_id, insats=insats, plan=plan, referred_by=coordinator,
            referred_on=referred_on, valid_until=norms.referral_valid_until(referred_on), status=status, **extra,
        )
        self.referrals.append(referral)
        return referral

    def take_part(self, plan, coordinator, insats, start, hours, *, end=None, reason="", short_last_week=False):
        """A referral that started, and its participation: closed on `end` with `reason`, else active."""
        referral = self.refer(plan, insats, coordinator, referred_on=start - datetime.timedelta(days=self.rng.randint(0, 10)),
                              status=ReferralStatus.STARTED, started_on=start)
        participation = Participation(
            applicant_id=plan.applicant_id, insats=insats, referral=referral, start_date=start,
            decision_period_end=norms.participation_period_end(start, insats_type=insats.insats_type), **_hours(hours),
        )
        if end is not None:
            participation.status, participation.end_date, participation.closing_reason = (
                ParticipationStatus.CLOSED, end, reason)
        self.places.take(insats, start, end or self.places.open_end)
        self.participations.append((participation, short_last_week))
        return participation

    def close(self, participation, *, reason, end, proposed_by, confirmed_by) -> None:
        proposed = min(end, self.today) - datetime.timedelta(days=self.rng.randint(0, 10))
        self.closings.append(ParticipationClosing(
            participation=participation, reason=reason, reason_text=CLOSING_TEXT.get(reason, ""), end_date=end,
            proposed_by=proposed_by, proposed_at=_at(max(proposed, participation.start_date)),
            confirmed_by=confirmed_by,
            confirmed_at=_at(max(proposed, participation.start_date), 15) if confirmed_by else None,
        ))

    def exempt(self, applicant_id, caseworker, *, start, days, review_after) -> None:
        reason = list(EXEMPTIONS)[len(self.exemptions) % len(EXEMPTIONS)]
        self.exemptions.append(Exemption(
            applicant_id=applicant_id, reason=reason, reason_text=EXEMPTIONS[reason],
            valid_from=start, valid_to=start + datetime.timedelta(days=days), required_hours_per_week=Decimal(20),
            decided_by=caseworker, decided_on=start, review_on=start + datetime.timedelta(days=review_after),
        ))

    def choose(self, index: int, first, last, *, role: str) -> list[tuple[str, int]] | None:
        """The person's usual combination if it has places for the whole period, else the next
        one that has, else the large programme; None if even that is full."""
        if role == "full":
            options = [FULL_COMBINATION]
        elif role in ("below", "below_unexempted"):
            options = BELOW_FULL_TIME
        else:
            options = COMBINATIONS[index % len(COMBINATIONS):] + COMBINATIONS[:index % len(COMBINATIONS)] + [FALLBACK]
        return next((c for c in options if self.places.fits(c, self.catalogue, first, last)), None)

    def person(self, a, plans, caseworker, *, index: int, role: str) -> None:
        """From the first plan until today or the assignment's end: decision periods one after
        another, each closed (mostly when the period is over) before the next begins."""
        rng, coordinator = self.rng, a.coordinator
        ended = a.end_date is not None and a.end_date < self.today
        stop = a.end_date if ended else self.today
        start = plans[0].made_on + datetime.timedelta(days=rng.randint(3, 14))
        if start > stop:
            if not ended:  # a new plan: referred, to start in a few days
                self.refer(plans[0], self.catalogue[COMBINATIONS[index % len(COMBINATIONS)][0][0]], coordinator,
                           referred_on=plans[0].made_on, status=ReferralStatus.REFERRED)
            return
        if index % 6 != 5:
            self.decisions.append(InsatsDecision(
                case_id=a.case_id, applicant_id=a.applicant_id, kind=DecisionKind.PRAKTIK if index % 2 else DecisionKind.SKILLS,
                reasoning="Behöver insatser för att närma sig arbetsmarknaden enligt koordinatorns bedömning.",
                decided_on=start, decided_by=caseworker, valid_from=start,
                valid_to=None if index % 4 else norms.add_months(start, 6),
                **({"ended_on": stop, "end_decided_on": stop, "end_decided_by": caseworker,
                    "end_reasoning": "Ärendet är avslutat."} if ended else {}),
            ))
        if index % 9 == 0:  # referred first to an insats the person never started
            self.refer(plans[0], self.catalogue["Digital grundkurs"], coordinator,
                       referred_on=start - datetime.timedelta(days=20), status=ReferralStatus.WITHDRAWN,
                       note="Återkallad: personen blev sjukskriven innan start.")
        if index % 8 == 0 and start + datetime.timedelta(days=60) < self.today:
            self.exempt(a.applicant_id, caseworker, start=start, days=60, review_after=30)
        period = 0
        while start <= stop:
            plan = _in_force(plans, start)
            planned_end = norms.decision_period_end(start)
            current = not ended and planned_end >= self.today
            if current and role == "queued":
                self.queue(a, plan, caseworker)
                return
            combination = self.choose(index + period, start, self.places.open_end if current else min(planned_end, stop),
                                      role=role if current else "")
            if combination is None:  # everything full: try again in a month
                start += datetime.timedelta(days=30)
                continue
            if current:
                self.current(a, plan, combination, start, caseworker, index=index, role=role)
                return
            if ended and planned_end >= stop:
                end, reason = stop, CASE_CLOSING_TO_CLOSING.get(a.case.closing_reason, ClosingReason.OTHER)
            elif rng.random() < 0.1:
                end = start + datetime.timedelta(days=rng.randint(30, 120))
                reason = EARLY_ENDS[(index + period) % len(EARLY_ENDS)]
            else:
                end, reason = planned_end, ClosingReason.DECISION_PERIOD_OVER
            end = min(end, planned_end)
            for name, hours in combination:
                p = self.take_part(plan, coordinator, self.catalogue[name], start, hours, end=end, reason=reason)
                self.close(p, reason=reason, end=end, proposed_by=coordinator, confirmed_by=caseworker)
            gap = rng.randint(14, 45) if reason in EARLY_ENDS else rng.randint(1, 10)
            start, period = end + datetime.timedelta(days=gap), period + 1

    def current(self, a, plan, combination, start, caseworker, *, index: int, role: str) -> None:
        coordinator = a.coordinator
        for n, (name, hours) in enumerate(combination):
            p = self.take_part(plan, coordinator, self.catalogue[name], start, hours, short_last_week=role == "short")
            if n == 0 and role == "closing":  # the coordinator has proposed closing; the caseworker has not confirmed
                days_ago = self.rng.randint(1, 20)
                self.close(p, reason=ClosingReason.WORK if index % 2 else ClosingReason.STUDIES,
                           end=max(self.ago(days_ago) + datetime.timedelta(days=14), start), proposed_by=coordinator,
                           confirmed_by=None)
                self.closings[-1].proposed_at = _at(self.ago(days_ago))
        if role == "below":
            past_review = not any(e.valid_to >= self.today for e in self.exemptions)  # the first is past review
            self.exempt(a.applicant_id, caseworker, start=max(start, self.ago(70 if past_review else 10)), days=120,
                        review_after=30 if past_review else 60)
        if role == "referred":  # a further insats to start soon
            insats = self.catalogue["Språkcafé"]
            self.refer(plan, insats, coordinator, referred_on=self.ago(self.rng.randint(0, 4)),
                       status=ReferralStatus.REFERRED, note="Kan börja så snart det finns plats.")

    def queue(self, a, plan, caseworker) -> None:
        full = self.catalogue[FULL_INSATS]
        position = 1 + sum(1 for r in self.referrals if r.status == ReferralStatus.QUEUED)
        queued_on = self.ago(QUEUE_WAIT_DAYS[position - 1])
        r = self.refer(plan, full, a.coordinator, referred_on=queued_on, status=ReferralStatus.QUEUED,
                       queue_position=position, queued_on=max(queued_on, plan.made_on))
        if position == 2:  # waiting more than two weeks, but in a temporary activity meanwhile
            self.take_part(plan, a.coordinator, self.catalogue[TEMPORARY_INSATS], r.queued_on, 15)


def _in_force(plans, day: datetime.date):
    """The latest version made on or before `day` (plans: one person's signed plans by made_on)."""
    return [p for p in plans if p.made_on <= day][-1]


def _role(ongoing_index: int) -> str:
    """What the n-th person with an ongoing assignment shows, besides ordinary full-time work."""
    if ongoing_index < FULL_PLACES:
        return "full"
    if ongoing_index < FULL_PLACES + len(QUEUE_WAIT_DAYS):
        return "queued"
    for role, every, at in (("below", 10, 7), ("below_unexempted", 30, 9), ("short", 40, 23), ("closing", 7, 4),
                            ("referred", 10, 2)):
        if ongoing_index % every == at:
            return role
    return ""


def _catalogue() -> dict[str, Insats]:
    """The catalogue, created in bulk (a few queries, not a few per insats); existing names are kept."""
    units = {u.code: u for u in Unit.objects.filter(code__in=PROVIDERS)}
    missing = [Unit(code=code, name=name) for code, name in PROVIDERS.items() if code not in units]
    for unit in Unit.objects.bulk_create(missing):
        units[unit.code] = unit
    tracks = {t.code: t for t in Track.objects.all()}
    existing = {i.name: i for i in Insats.objects.filter(name__in=[row[0] for row in CATALOGUE])}
    Insats.objects.bulk_create([
        Insats(name=name, insats_type=kind, track=tracks[track], provider_unit=units.get(unit),
               external_provider=external, capacity=capacity, normal_hours_per_week=Decimal(hours))
        for name, kind, track, unit, external, capacity, hours in CATALOGUE
        if name not in existing
    ])
    return {i.name: i for i in Insats.objects.filter(name__in=[row[0] for row in CATALOGUE]).select_related("provider_unit")}



def _plan_chains() -> dict[int, list]:
    """Each person's signed plans, oldest first, in one query."""
    chains = defaultdict(list)
    for plan in ImplementationPlan.objects.filter(status=PlanStatus.SIGNED).order_by("applicant_id", "made_on", "version"):
        chains[plan.applicant_id].append(plan)
    return chains


def build(ctx) -> None:
    today = getattr(ctx, "today", None) or timezone.localdate()
    rng = random.Random(f"insatser-{getattr(ctx, 'seed', 0)}")
    catalogue = _catalogue()
    chains = _plan_chains()
    assignments, seen = [], set()
    for a in CoordinatorAssignment.objects.filter(coordinator__role=Role.COORDINATOR, start_date__lte=today).select_related(
        "coordinator", "case__responsible_caseworker"
    ).order_by("pk"):
        if a.applicant_id in chains and a.applicant_id not in seen:
            seen.add(a.applicant_id)
            assignments.append(a)
    fallback_caseworker = Staff.objects.filter(role=Role.CASEWORKER, is_active=True).order_by("pk").first()
    insats_staff = {s.unit_id: s for s in Staff.objects.filter(role=Role.INSATS_STAFF, is_active=True).order_by("-pk")}
    any_insats_staff = next(iter(insats_staff.values()), None)
    b = _Builder(today, rng, catalogue)
    ongoing = 0
    for index, a in enumerate(assignments):
        caseworker = a.case.responsible_caseworker or fallback_caseworker
        if a.end_date is None or a.end_date >= today:
            role, ongoing = _role(ongoing), ongoing + 1
        else:
            role = ""
        b.person(a, chains[a.applicant_id], caseworker, index=index, role=role)
    _save(b, insats_staff, any_insats_staff)
    if hasattr(ctx, "extra"):
        ctx.extra["insatser"] = catalogue


def _save(b: _Builder, insats_staff: dict, any_insats_staff) -> None:
    InsatsDecision.objects.bulk_create(b.decisions)
    Referral.objects.bulk_create(b.referrals)
    for participation, _ in b.participations:
        participation.referral_id = participation.referral.pk
    Participation.objects.bulk_create([p for p, _ in b.participations])
    for closing in b.closings:
        closing.participation_id = closing.participation.pk
    ParticipationClosing.objects.bulk_create(b.closings)
    attendance = []
    for participation, short_last_week in b.participations:
        reporter = insats_staff.get(participation.insats.provider_unit_id) or any_insats_staff
        if reporter is None:
            continue
        # Every week it ran until the last full one: mostly as scheduled, now and then short.
        monday = week_of(participation.start_date)
        last = min(participation.last_day, b.last_week + datetime.timedelta(days=6))
        while monday <= last:
            short = short_last_week if monday == b.last_week else b.rng.random() < 0.08
            factor = Decimal(str(round(b.rng.uniform(0.5, 0.9), 2))) if short else Decimal(1)
            hours = (participation.weekly_hours * factor).quantize(Decimal("0.5"))
            attendance.append((participation.pk, monday, hours, reporter.pk))
            monday += datetime.timedelta(weeks=1)
    insert_rows(WeeklyAttendance, ["participation", "week_start", "attended_hours", "reported_by"], attendance)
    Exemption.objects.bulk_create(b.exemptions)
