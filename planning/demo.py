"""Demo data for planning: kartläggningar, plans (some superseded, some deliberately weak),
follow-ups (some overdue) and BIP assessments, for the persons assigned to the demo coordinators.

The persons are selected from the database (open coordinator assignments), not taken from ctx,
so this builder only depends on cases having been built. Seeded: same seed and day, same data.
Seed data, not casework: rows are bulk-created and write no change events (as cases.demo).
The weak plans look like the auditors' sample (seed 004:864-933): no responsible, no sub-goals,
some without a follow-up date, one without a long-term goal.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from cases.models import Role
from cases.selectors import open_assignments

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
# How the persons are spread over profiles (cumulative shares).
PROFILES = [("good", 0.30), ("superseded", 0.50), ("weak", 0.75), ("draft", 0.85), ("assessment_only", 1.0)]


def build(ctx) -> None:
    today = getattr(ctx, "today", None) or timezone.localdate()
    rng = random.Random(f"planning-{getattr(ctx, 'seed', 0)}")
    rows = list(
        open_assignments(on=today)
        .filter(coordinator__role=Role.COORDINATOR)
        .select_related("coordinator")
        .order_by("pk")
    )
    seen, people = set(), []
    for a in rows:
        if a.applicant_id not in seen:
            seen.add(a.applicant_id)
            people.append(a)
    builder = _Builder(today, rng)
    for index, assignment in enumerate(people):
        builder.person(assignment, _profile(rng.random()), weak_kind=index % 4)
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
        coordinator, rng = assignment.coordinator, self.rng
        assessed = max(self._ago(rng.randint(200, 320)), assignment.start_date)
        self.assessments.append(Assessment(
            applicant_id=assignment.applicant_id, assessed_on=assessed, made_by=coordinator,
            work_experience=rng.choice(["Lager 2 år.", "Ingen i Sverige; städ i hemlandet.", "Restaurang 1 år."]),
            education=rng.choice(["Grundskola.", "Gymnasium.", "Universitet i hemlandet, ej validerat."]),
            language=rng.choice(["Sfi kurs B.", "Sfi kurs C.", "Svenska modersmål."]),
            health="Inga hinder enligt den enskilde.", housing="Eget kontrakt.", family="Två barn.",
        ))
        if profile == "assessment_only":
            return
        if profile == "superseded":
            old = self._plan(assignment, version=1, made=assessed + datetime.timedelta(days=7), quality="good")
            self._plan(assignment, version=2, made=norms.add_months(old.made_on, 6), quality="good", supersedes=old)
        elif profile == "draft":
            self._plan(assignment, version=1, made=self._ago(rng.randint(1, 10)), quality="good",
                       status=PlanStatus.DRAFT)
        else:
            made = self._ago(rng.randint(20, 170))
            self._plan(assignment, version=1, made=made, quality=profile, weak_kind=weak_kind)
        if rng.random() < 0.5:
            self._bip(assignment, assessed)

    def _plan(self, assignment, *, version, made, quality, status=PlanStatus.SIGNED, supersedes=None, weak_kind=0):
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
        self.pending_children.append((plan, subgoals, activities, self._follow_up_dates(plan)))
        if supersedes is None:
            plan.save()  # a later version needs this one's pk
        return plan

    def _follow_up_dates(self, plan) -> list[datetime.date]:
        if plan.status != PlanStatus.SIGNED:
            return []
        # Monthly until the plan ends or today; about a third stop early, so they are overdue.
        end = min(plan.valid_until, self.today)
        stop_early = self.rng.random() < 0.35
        dates, day = [], norms.add_months(plan.made_on, 1)
        while day <= end:
            dates.append(day)
            day = norms.add_months(day, 1)
        if stop_early and len(dates) > 1:
            dates = dates[: self.rng.randint(0, len(dates) - 1)]
        return dates

    def _bip(self, assignment, first: datetime.date) -> None:
        day = first
        while day <= self.today:
            self.bip.append((assignment, day))
            day = day + datetime.timedelta(days=91)  # about every 3 months (DOMAIN.md section 5)

    def save(self) -> None:
        Assessment.objects.bulk_create(self.assessments)
        for plan in self.plans:
            if plan.pk is None:
                plan.save()
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
                              plan_deviation="" if follows else "Uteblev från praktiken två dagar utan anmälan.",
                              next_follow_up_on=norms.add_months(day, 1), recorded_by=plan.created_by)
                follow_ups.append(fu)
                status = Progress.ACHIEVED if n >= 3 else Progress.IN_PROGRESS
                progress.extend((fu, sg, status) for sg in sgs)
        Subgoal.objects.bulk_create(subgoals)
        PlanActivity.objects.bulk_create(activities)
        FollowUp.objects.bulk_create(follow_ups)
        SubgoalProgress.objects.bulk_create(SubgoalProgress(follow_up=fu, subgoal=sg, status=st) for fu, sg, st in progress)
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
                answers.append(BipAnswer(assessment=assessment, indicator=ind, value=level[key]))
        BipAnswer.objects.bulk_create(answers)
