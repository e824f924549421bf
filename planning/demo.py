"""Demo data for planning: kartläggningar, plans renewed every six months (some deliberately weak,
some run out, some with a new version in draft), monthly follow-ups (some overdue) and BIP
assessments, for every person a demo coordinator has had, from the start of the assignment until
today or its end: two years and more of history for the persons whose cases are long.

The persons are selected from the database (coordinator assignments), not taken from ctx,
so this builder only depends on cases having been built. Seeded: same seed and day, same data.
Seed data, not casework: rows are bulk-created and write no change events (as cases.demo).
The weak plans look like the auditors' sample (seed 004:864-933): no responsible, no sub-goals,
some without a follow-up date, one without a long-term goal.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from cases.demo import insert_rows
from cases.models import CoordinatorAssignment, Role

from . import norms
from .bip_default import INSTRUMENT
from .models import (
    Assessment,
    BipAnswer,
    BipAssessment,
    BipInstrument,
    FollowUp,
    FollowUpMethod,
    ImplementationPlan,
    PlanActivity,
    PlanStatus,
    Progress,
    Subgoal,
    SubgoalProgress,
)

GOALS = [
    "Självförsörjning genom arbete inom vård och omsorg.",
    "Självförsörjning genom arbete inom lager och logistik.",
    "Studier på komvux (vårdbiträde) med studiemedel.",
    "Självförsörjning genom arbete inom restaurang.",
]
SUBGOALS = [
    ("Klara sfi kurs C", "Sfi-kurs", "Kurs C godkänd"),
    ("Ta truckkort", "Truckkort A+B", "Godkänt prov"),
    ("Skriva CV och söka jobb", "Antal sökta jobb per månad", "8 ansökningar/månad"),
    ("Delta regelbundet i praktik", "Närvaro", "Minst 90 % närvaro"),
]
ACTIVITIES = [
    ("Språkpraktik", "Tre dagar i veckan med handledare", "Arbetsmarknadshandläggare, Insats & Matchning",
     ["provider"]),
    ("Jobbsökarstöd", "Veckovis träff, digitalt", "Koordinator", ["arbetsformedlingen"]),
    ("Arbetsträning", "Halvtid, Intern Service", "Instruktör, Intern Service", []),
    ("Hälsosamtal", "Via vårdcentral", "Den enskilde", ["region"]),
]
# What the coordinator's work with a person looks like today (cumulative shares). Most are in
# order, so that a flag on the worklist stands out; the rest show each way work falls behind.
PROFILES = [("good", 0.68), ("weak", 0.83), ("draft", 0.92), ("overdue", 0.96), ("expired", 1.0)]
# A person whose coordinator took them on less than this many days ago has only a kartläggning.
NEW_PERSON_DAYS = 21
DEVIATION = "Uteblev från praktiken två dagar utan anmälan."


def build(ctx) -> None:
    today = getattr(ctx, "today", None) or timezone.localdate()
    rng = random.Random(f"planning-{getattr(ctx, 'seed', 0)}")
    rows = (
        CoordinatorAssignment.objects.filter(coordinator__role=Role.COORDINATOR, start_date__lte=today)
        .select_related("coordinator")
        .order_by("pk")
    )
    seen, people = set(), []
    for a in rows:  # one assignment per person: the first
        if a.applicant_id not in seen:
            seen.add(a.applicant_id)
            people.append(a)
    builder = _Builder(today, rng)
    for index, assignment in enumerate(people):
        ongoing = assignment.end_date is None or assignment.end_date >= today
        builder.person(assignment, _profile(rng.random()) if ongoing else "ended", weak_kind=index % 4)
    builder.save()
    if hasattr(ctx, "extra"):
        ctx.extra["plans"] = builder.plans


def _profile(x: float) -> str:
    return next(name for name, upto in PROFILES if x <= upto)


class _Builder:
    def __init__(self, today: datetime.date, rng: random.Random):
        self.today, self.rng = today, rng
        self.assessments, self.plans = [], []
        self.pending_children = []  # (plan, subgoal specs, activity specs, follow-up dates)
        self.bip = []

    def _ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def person(self, assignment, profile: str, weak_kind: int) -> None:
        """A kartläggning soon after the coordinator took the person on, then a plan renewed
        every six months, followed up monthly, until today or until the assignment ended."""
        coordinator, rng = assignment.coordinator, self.rng
        end = min(assignment.end_date or self.today, self.today)
        assessed = min(assignment.start_date + datetime.timedelta(days=rng.randint(3, 14)), end)
        self.assessments.append(Assessment(
            applicant_id=assignment.applicant_id, assessed_on=assessed, made_by=coordinator,
            work_experience=rng.choice(["Lager 2 år.", "Ingen i Sverige; städ i hemlandet.", "Restaurang 1 år."]),
            education=rng.choice(["Grundskola.", "Gymnasium.", "Universitet i hemlandet, ej validerat."]),
            language=rng.choice(["Sfi kurs B.", "Sfi kurs C.", "Svenska modersmål."]),
            health="Inga hinder enligt den enskilde.", housing="Eget kontrakt.", family="Två barn.",
        ))
        if rng.random() < 0.5:
            self._bip(assignment, assessed, end)
        if (end - assessed).days < NEW_PERSON_DAYS:
            return  # new: the plan is still to be made
        made_dates = self._versions(assessed + datetime.timedelta(days=rng.randint(5, 14)), end, profile)
        previous = None
        for number, made in enumerate(made_dates, start=1):
            last = number == len(made_dates)
            previous = self._plan(
                assignment, version=number, made=made, supersedes=previous,
                quality="weak" if last and profile == "weak" else "good", weak_kind=weak_kind,
                next_made=None if last else made_dates[number], stop_follow_ups=last and profile == "overdue",
            )
        if profile == "draft":  # the next version is being written
            self._plan(assignment, version=len(made_dates) + 1, made=self._ago(rng.randint(1, 10)), quality="good",
                       status=PlanStatus.DRAFT, supersedes=previous)

    def _versions(self, first: datetime.date, end: datetime.date, profile: str) -> list[datetime.date]:
        """The days each signed version was made: renewed a little before the last one ran out."""
        dates = [first]
        while True:
            renewed = norms.plan_valid_until(dates[-1]) - datetime.timedelta(days=self.rng.randint(0, 20))
            if renewed > end:
                break
            dates.append(renewed)
        if profile == "expired":  # not renewed: the latest version ran out some weeks ago
            while len(dates) > 1 and norms.plan_valid_until(dates[-1]) >= self._ago(20):
                dates.pop()
        return dates

    def _plan(self, assignment, *, version, made, quality, status=PlanStatus.SIGNED, supersedes=None, weak_kind=0,
              next_made=None, stop_follow_ups=False):
        rng, weak = self.rng, quality == "weak"
        made = min(made, self.today)
        plan = ImplementationPlan(
            applicant_id=assignment.applicant_id, case_id=assignment.case_id, version=version, status=status,
            made_on=made,
            areas_to_maintain="Boende och nätverk.", areas_to_change="Språk och arbetslivserfarenhet.",
            long_term_goal="" if weak and weak_kind == 3 else (
                "Självförsörjande genom arbete, studier eller annan ersättning." if weak else rng.choice(GOALS)),
            participants="Den enskilde, koordinator.", participation_recorded=True,
            person_views="Vill komma ut i arbete så snart som möjligt.",
            latest_follow_up_on=None if weak and weak_kind in (1, 2) else norms.add_months(made, 1),
            follow_up_method="" if weak else FollowUpMethod.MEETING,
            created_by=assignment.coordinator, supersedes=supersedes,
        )
        if status == PlanStatus.SIGNED:
            plan.valid_until = norms.plan_valid_until(made)
            plan.signed_by = assignment.coordinator
            plan.signed_at = timezone.make_aware(datetime.datetime.combine(made, datetime.time(10)))
        subgoals = [] if weak else rng.sample(SUBGOALS, 2)
        activities = [(d, h, "" if weak else r, p) for d, h, r, p in rng.sample(ACTIVITIES, 2)]
        self.plans.append(plan)
        end = min(assignment.end_date or self.today, self.today)
        self.pending_children.append((plan, subgoals, activities, self._follow_up_dates(plan, next_made, end,
                                                                                         stop_follow_ups)))
        return plan

    def _follow_up_dates(self, plan, next_made, end, stop) -> list[datetime.date]:
        if plan.status != PlanStatus.SIGNED:
            return []
        # Monthly while this version is the one in force; now and then a month is missed. An
        # overdue person's follow-ups stopped two to four months ago.
        last = min(plan.valid_until, end, next_made - datetime.timedelta(days=1) if next_made else end)
        if stop:
            last = min(last, self._ago(self.rng.randint(62, 120)))
        dates, day = [], norms.add_months(plan.made_on, 1)
        while day <= last:
            current = day > self._ago(40)
            if current or self.rng.random() > 0.1:
                dates.append(day)
            day = norms.add_months(day, 1)
        if next_made and (not dates or dates[-1] < last) and not stop:
            dates.append(last)  # the follow-up at the meeting where the next version was made
        return dates

    def _bip(self, assignment, first: datetime.date, end: datetime.date) -> None:
        day = first
        while day <= end:
            self.bip.append((assignment, day))
            day = day + datetime.timedelta(days=91)  # about every 3 months (DOMAIN.md section 5)

    def save(self) -> None:
        Assessment.objects.bulk_create(self.assessments)
        # Version by version: a later version points at the one it supersedes, so that one's
        # primary key must exist first.
        for version in sorted({p.version for p in self.plans}):
            level = [p for p in self.plans if p.version == version]
            for plan in level:
                plan.supersedes_id = plan.supersedes.pk if plan.supersedes else None
            ImplementationPlan.objects.bulk_create(level)
        subgoals, activities, follow_ups, progress = [], [], [], []
        for plan, sg_specs, act_specs, dates in self.pending_children:
            sgs = [Subgoal(plan=plan, position=i, description=d, measure=m, target=t,
                           target_date=norms.add_months(plan.made_on, 3 + i)) for i, (d, m, t) in enumerate(sg_specs)]
            subgoals.extend(sgs)
            activities.extend(PlanActivity(plan=plan, position=i, description=d, how=h, responsible=r, partners=p)
                              for i, (d, h, r, p) in enumerate(act_specs))
            for n, day in enumerate(dates):
                follows = self.rng.random() > 0.2
                fu = FollowUp(plan=plan, followed_up_on=day, method=self.rng.choice(FollowUpMethod.values),
                              participants="Den enskilde, koordinator.", follows_plan=follows,
                              plan_deviation="" if follows else DEVIATION,
                              next_follow_up_on=norms.add_months(day, 1), recorded_by=plan.created_by)
                follow_ups.append(fu)
                progress.extend((fu, sg, _progress(n, len(dates), i)) for i, sg in enumerate(sgs))
        Subgoal.objects.bulk_create(subgoals)
        PlanActivity.objects.bulk_create(activities)
        FollowUp.objects.bulk_create(follow_ups)
        insert_rows(SubgoalProgress, ["follow_up", "subgoal", "status"], [(fu.pk, sg.pk, st) for fu, sg, st in progress])
        self._save_bip()

    def _save_bip(self) -> None:
        instrument = BipInstrument.objects.filter(code=INSTRUMENT["code"]).first()
        if instrument is None or not self.bip:
            return
        indicators = list(instrument.indicators.all())
        values = sorted(instrument.scale.values_list("value", flat=True))
        assessments = [BipAssessment(applicant_id=a.applicant_id, instrument=instrument, assessed_on=day,
                                     recorded_by=a.coordinator) for a, day in self.bip]
        BipAssessment.objects.bulk_create(assessments)
        answers, level = [], {}
        for assessment, (a, _) in zip(assessments, self.bip, strict=True):
            for ind in indicators:
                key = (a.applicant_id, ind.pk)
                # Start low, mostly step up by one (stegförflyttning), sometimes back.
                current = level.get(key, self.rng.choice(values[:3]))
                step = self.rng.choice([0, 1, 1, -1]) if key in level else 0
                level[key] = min(max(current + step, values[0]), values[-1])
                answers.append((assessment.pk, ind.pk, level[key]))
        insert_rows(BipAnswer, ["assessment", "indicator", "value"], answers)


def _progress(n: int, count: int, subgoal: int) -> str:
    """A sub-goal not started at the first follow-up, then in progress; from the fourth one the
    first sub-goal is achieved, and a second sub-goal still open at a version's last follow-up
    was not achieved."""
    if n == 0:
        return Progress.NOT_STARTED
    if subgoal == 0 and n >= 3:
        return Progress.ACHIEVED
    if subgoal == 1 and n == count - 1 and n >= 4:
        return Progress.NOT_ACHIEVED
    return Progress.IN_PROGRESS
