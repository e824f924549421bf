"""Every read of planning data, scoped through cases.selectors.applicants_for (scoping lives there)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.models import Staff
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
    return ImplementationPlan.objects.filter(applicant__in=applicants_for(user))


def plan_list(*, user: Staff) -> QuerySet[ImplementationPlan]:
    return (
        plans_for(user)
        .select_related("applicant", "created_by", "signed_by", "supersedes")
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
        FollowUp.objects.filter(plan__applicant__in=applicants_for(user))
        .select_related("plan", "recorded_by")
        .prefetch_related(Prefetch("progress", queryset=SubgoalProgress.objects.select_related("subgoal")))
        .order_by("-followed_up_on", "-pk")
    )


def bip_instrument_list() -> QuerySet[BipInstrument]:
    return BipInstrument.objects.filter(is_active=True).prefetch_related(
        Prefetch("indicators", queryset=BipIndicator.objects.order_by("position", "pk")), "scale"
    ).order_by("code")


def bip_assessment_list(*, user: Staff) -> QuerySet[BipAssessment]:
    return (
        BipAssessment.objects.filter(applicant__in=applicants_for(user))
        .select_related("instrument", "recorded_by")
        .prefetch_related(Prefetch("answers", queryset=BipAnswer.objects.select_related("indicator")))
        .order_by("applicant_id", "-assessed_on", "-pk")
    )


def overdue_plans(*, on: datetime.date | None = None) -> QuerySet[ImplementationPlan]:
    """Current plans whose latest follow-up date has passed without a follow-up since."""
    on = on or _today()
    followed = FollowUp.objects.filter(plan_id=OuterRef("pk"))
    return current_plans(on=on).filter(
        Q(latest_follow_up_on__lt=on) & ~Q(Exists(followed.filter(next_follow_up_on__gte=on)))
    )
