"""Every read of planning data, scoped through cases.selectors.applicants_for (scoping lives there)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.models import CoordinatorAssignment, Role, Staff
from cases.selectors import applicants_for

from .models import (
    Assessment,
    BipAnswer,
    BipAssessment,
    BipIndicator,
    BipInstrument,
    FollowUp,
    ImplementationPlan,
    PlanActivity,
    PlanStatus,
    Subgoal,
    SubgoalProgress,
)
from .quality import annotate_quality


def _today() -> datetime.date:
    return timezone.localdate()


# --- current plans (used by insatser: a referral needs a current plan)


def current_plans(*, on: datetime.date | None = None) -> QuerySet[ImplementationPlan]:
    """Signed plans in force on `on`: made on or before it, not expired, not replaced by a later
    signed version made on or before it. At most one per person. One query, unscoped: callers
    scope by person (e.g. `.filter(applicant__in=applicants_for(user))`)."""
    on = on or _today()
    newer = ImplementationPlan.objects.filter(
        supersedes_id=OuterRef("pk"), status=PlanStatus.SIGNED, made_on__lte=on
    )
    return ImplementationPlan.objects.filter(
        status=PlanStatus.SIGNED, made_on__lte=on, valid_until__gte=on
    ).exclude(Exists(newer))


def current_plan(applicant_id: int, on: datetime.date | None = None) -> ImplementationPlan | None:
    return current_plans(on=on).filter(applicant_id=applicant_id).order_by("-version").first()


# --- scoped lists


def plans_for(user: Staff) -> QuerySet[ImplementationPlan]:
    """Plans of the persons the user sees (cases.selectors.applicants_for), and, read-only after
    the case has closed: for caseworkers and unit managers the plans made in their unit's cases,
    for a unit manager the plans of cases where a coordinator of the unit held an assignment
    for the person (the coordinator unit keeps sight of its own plans)."""
    in_scope = Q(applicant__in=applicants_for(user))
    if user.is_authenticated and user.is_active and user.unit_id:
        if user.role in (Role.CASEWORKER, Role.UNIT_MANAGER):
            in_scope |= Q(case__unit_id=user.unit_id)
        if user.role == Role.UNIT_MANAGER:
            in_scope |= Q(Exists(CoordinatorAssignment.objects.filter(
                case_id=OuterRef("case_id"), applicant_id=OuterRef("applicant_id"), coordinator__unit_id=user.unit_id,
            )))
    return ImplementationPlan.objects.filter(in_scope)


def plan_list(*, user: Staff, on: datetime.date | None = None) -> QuerySet[ImplementationPlan]:
    """Plans with their sub-goals, activities and the plan-quality facts (quality.annotate_quality)."""
    return (
        annotate_quality(plans_for(user), on=on)
        .annotate(q_superseded_by=Subquery(
            ImplementationPlan.objects.filter(supersedes_id=OuterRef("pk")).values("pk")[:1]
        ))
        .select_related("applicant", "case__unit", "created_by", "signed_by", "supersedes")
        .prefetch_related(
            Prefetch("subgoals", queryset=Subgoal.objects.order_by("position", "pk")),
            Prefetch("activities", queryset=PlanActivity.objects.order_by("position", "pk")),
        )
        .order_by("applicant_id", "-version")
    )


def assessment_list(*, user: Staff) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(applicant__in=applicants_for(user))
        .select_related("made_by")
        .order_by("-assessed_on", "-pk")
    )


def follow_up_list(*, user: Staff) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(plan__in=plans_for(user))
        .select_related("plan", "recorded_by")
        .prefetch_related(Prefetch("progress", queryset=SubgoalProgress.objects.select_related("subgoal")))
        .order_by("-followed_up_on", "-pk")
    )


def bip_instrument_list() -> QuerySet[BipInstrument]:
    return BipInstrument.objects.filter(is_active=True).prefetch_related(
        Prefetch("indicators", queryset=BipIndicator.objects.order_by("position", "pk")), "scale"
    ).order_by("code")


def bip_answers_with_change() -> QuerySet[BipAnswer]:
    """Each answer with the same indicator's value at the person's previous assessment
    (stegförflyttning, DOMAIN.md section 5). A correlated subquery, so it holds however the
    answers are filtered or paged; `change` is None for a first assessment."""
    previous = BipAnswer.objects.filter(
        indicator_id=OuterRef("indicator_id"),
        assessment__applicant_id=OuterRef("assessment__applicant_id"),
        assessment__instrument_id=OuterRef("assessment__instrument_id"),
        assessment__assessed_on__lt=OuterRef("assessment__assessed_on"),
    ).order_by("-assessment__assessed_on")
    return (
        BipAnswer.objects.select_related("indicator")
        .annotate(previous_value=Subquery(previous.values("value")[:1]))
        .annotate(change=F("value") - F("previous_value"))
        .order_by("indicator__position", "indicator_id")
    )


def bip_assessment_list(*, user: Staff) -> QuerySet[BipAssessment]:
    return (
        BipAssessment.objects.filter(applicant__in=applicants_for(user))
        .select_related("instrument", "recorded_by")
        .prefetch_related(Prefetch("answers", queryset=bip_answers_with_change()))
        .order_by("applicant_id", "-assessed_on", "-pk")
    )


TIMELINE_KINDS = ("assessment", "plan", "follow_up", "bip_assessment")


def timeline_entries(*, user: Staff, applicant_id: int, kinds: tuple[str, ...] = TIMELINE_KINDS) -> list[dict]:
    """The planning part of a person's timeline, in date order: kartläggningar, plans (made and
    signed), follow-ups and BIP assessments (or only `kinds` of them). One query per kind whatever
    the number of entries. The one way to read plans and follow-ups for a timeline: insatser's
    person timeline takes its plan and follow-up events from here (the extra keys are for it)."""
    entries = []
    if "assessment" in kinds:
        for a in assessment_list(user=user).filter(applicant_id=applicant_id):
            entries.append(_entry(a.assessed_on, "assessment", a, "Kartläggning"))
    plans = plans_for(user).filter(applicant_id=applicant_id).order_by("version")
    if "plan" in kinds:
        for p in plans:
            entries.append(_entry(p.made_on, "plan", p,
                                  f"Genomförandeplan version {p.version} ({p.get_status_display().lower()})",
                                  valid_until=p.valid_until, latest_follow_up_on=p.latest_follow_up_on, version=p.version))
    if "follow_up" in kinds:
        for f in FollowUp.objects.filter(plan__in=plans).select_related("plan"):
            text = "följer planeringen" if f.follows_plan else "avviker från planeringen"
            entries.append(_entry(f.followed_up_on, "follow_up", f,
                                  f"Uppföljning ({f.get_method_display().lower()}): {text}",
                                  plan=f.plan_id, next_follow_up_on=f.next_follow_up_on, plan_version=f.plan.version,
                                  method=f.get_method_display(), follows_plan=f.follows_plan))
    if "bip_assessment" in kinds:
        for b in BipAssessment.objects.filter(applicant_id=applicant_id, applicant__in=applicants_for(user)):
            entries.append(_entry(b.assessed_on, "bip_assessment", b, "BIP-skattning"))
    entries.sort(key=lambda e: (e["date"], e["kind"], e["id"]))
    return entries


def _entry(date: datetime.date, kind: str, obj, title: str, **extra) -> dict:
    return {"date": date, "kind": kind, "object_type": obj._meta.label_lower, "id": obj.pk, "title": title, **extra}


def overdue_plans(*, on: datetime.date | None = None) -> QuerySet[ImplementationPlan]:
    """Current plans whose latest follow-up date has passed without a follow-up since."""
    on = on or _today()
    followed = FollowUp.objects.filter(plan_id=OuterRef("pk"))
    return current_plans(on=on).filter(
        Q(latest_follow_up_on__lt=on) & ~Q(Exists(followed.filter(next_follow_up_on__gte=on)))
    )
