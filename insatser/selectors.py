"""Every read of insatser data, scoped to the user. Builds on cases.selectors' scoping.

- caseworker, coordinator: the persons cases.selectors.applicants_for gives them;
- insats staff: the participants of participations at their unit, and the referrals to their
  unit's insatser (they give the places); never decisions or exemptions;
- unit manager: what their unit sees (persons via cases.selectors, plus, for a provider unit,
  its participants and referrals);
- anyone else: nothing, so objects answer 404.
"""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import Applicant, Role, Staff
from cases.selectors import applicants_for

from . import norms
from .models import (
    Exemption,
    Insats,
    InsatsDecision,
    Participation,
    ParticipationClosing,
    ParticipationStatus,
    Referral,
    ReferralStatus,
    Track,
)

PROVIDER_ROLES = (Role.INSATS_STAFF, Role.UNIT_MANAGER)


def _active(user: Staff) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _provider_unit_id(user: Staff) -> int | None:
    """The unit whose insatser `user` works at, if their role reaches participants that way."""
    return user.unit_id if user.role in PROVIDER_ROLES and user.unit_id else None


def persons_for(user: Staff) -> QuerySet[Applicant]:
    """Persons the user may see in insatser: cases scope plus participants at their unit."""
    if not _active(user):
        return Applicant.objects.none()
    conditions = Q(pk__in=applicants_for(user).values("pk"))
    unit_id = _provider_unit_id(user)
    if unit_id:
        conditions |= Q(Exists(Participation.objects.filter(applicant_id=OuterRef("pk"), insats__provider_unit_id=unit_id)))
    return Applicant.objects.filter(conditions)


def case_persons_for(user: Staff) -> QuerySet[Applicant]:
    """Persons the user sees through their casework (not merely as participants)."""
    if not _active(user):
        return Applicant.objects.none()
    return applicants_for(user)


def participations_for(user: Staff) -> QuerySet[Participation]:
    if not _active(user):
        return Participation.objects.none()
    conditions = Q(applicant__in=applicants_for(user).values("pk"))
    unit_id = _provider_unit_id(user)
    if unit_id:
        conditions |= Q(insats__provider_unit_id=unit_id)
    return Participation.objects.filter(conditions)


def referrals_for(user: Staff) -> QuerySet[Referral]:
    if not _active(user):
        return Referral.objects.none()
    conditions = Q(applicant__in=applicants_for(user).values("pk"))
    unit_id = _provider_unit_id(user)
    if unit_id:
        conditions |= Q(insats__provider_unit_id=unit_id)
    return Referral.objects.filter(conditions)


def decisions_for(user: Staff) -> QuerySet[InsatsDecision]:
    return InsatsDecision.objects.filter(applicant__in=case_persons_for(user).values("pk"))


def exemptions_for(user: Staff) -> QuerySet[Exemption]:
    return Exemption.objects.filter(applicant__in=case_persons_for(user).values("pk"))


# Lists, with what the serializers need loaded up front (no query per row).


def track_list() -> QuerySet[Track]:
    return Track.objects.filter(is_active=True).order_by("name")


def insats_list() -> QuerySet[Insats]:
    return Insats.objects.select_related("track", "provider_unit").order_by("track__name", "name", "pk")


def active_participations(*, on: datetime.date) -> QuerySet[Participation]:
    return Participation.objects.filter(status=ParticipationStatus.ACTIVE, start_date__lte=on)


def decision_list(*, user: Staff) -> QuerySet[InsatsDecision]:
    return decisions_for(user).select_related("applicant", "decided_by", "end_decided_by").order_by("-decided_on", "-pk")


def referral_list(*, user: Staff, on: datetime.date | None = None) -> QuerySet[Referral]:
    """Referrals with `has_temporary_activity`: an active temporary participation on `on`; and
    `needs_temporary_activity`: queued longer than the norm on `on` (norms.max_queue_wait,
    DOMAIN.md 3; 004:550-552), so the rule is applied here, in the query, not by the API."""
    on = on or timezone.localdate()
    over_wait = Q(status=ReferralStatus.QUEUED, queued_on__lt=on - norms.max_queue_wait())
    temporary = active_participations(on=on).filter(
        applicant_id=OuterRef("applicant_id"), insats__insats_type="temporary"
    ).filter(Q(decision_period_end__gte=on))
    return (
        referrals_for(user)
        .select_related("applicant", "insats", "insats__track", "referred_by")
        .annotate(
            has_temporary_activity=Exists(temporary),
            needs_temporary_activity=ExpressionWrapper(over_wait, output_field=BooleanField()),
        )
        .order_by("-referred_on", "-pk")
    )


def queue_for(*, user: Staff, insats: Insats) -> QuerySet[Referral]:
    return referral_list(user=user).filter(insats=insats, status=ReferralStatus.QUEUED).order_by("queue_position")


def participation_list(*, user: Staff) -> QuerySet[Participation]:
    return (
        participations_for(user)
        .select_related("applicant", "insats", "insats__track", "insats__provider_unit", "closing")
        .prefetch_related("extensions")
        .order_by("-start_date", "-pk")
    )


def exemption_list(*, user: Staff) -> QuerySet[Exemption]:
    return exemptions_for(user).select_related("applicant", "decided_by").order_by("-valid_from", "-pk")


def closings_pending(*, user: Staff) -> QuerySet[ParticipationClosing]:
    """Closings proposed by a coordinator and not yet confirmed by a caseworker.

    For a caseworker these are the closings waiting for them; for a coordinator, the ones they
    proposed and are waiting for the caseworker. Both see only their own persons.
    """
    if not _active(user) or user.role not in (Role.CASEWORKER, Role.COORDINATOR, Role.UNIT_MANAGER):
        return ParticipationClosing.objects.none()
    return (
        ParticipationClosing.objects.filter(
            confirmed_at__isnull=True, participation__applicant__in=applicants_for(user).values("pk")
        )
        .select_related("participation", "participation__applicant", "participation__insats", "proposed_by")
        .order_by("proposed_at", "pk")
    )
