"""Rule family: referrals, participations, heltidsaktivering, exemptions and closings (DOMAIN.md 2.5-2.8, 3).

Rules 6 (queue and referral limits), 7 (decision period), 8 (heltidsaktivering, weekly; uses
insatser.full_time), 9 (exemption review date) and 11 (closing confirmed on one side only).
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, Value
from django.utils import timezone

from audit.control.models import OwnerBasis, Schedule, Severity
from audit.control.rules.base import FunctionRule, Param, register
from audit.control.rules.common import grace_days, past_limit
from audit.control.rules.ownership import owned
from insatser import norms as insatser_norms
from insatser.full_time import full_time_activity, week_of
from insatser.models import (
    Exemption,
    InsatsType,
    Participation,
    ParticipationClosing,
    ParticipationStatus,
    Referral,
    ReferralStatus,
)


def _referrer(qs, as_of):
    return owned(qs, as_of=as_of, person="applicant_id", referrer="referred_by_id")


def _queued(*, as_of, params):
    return Referral.objects.filter(status=ReferralStatus.QUEUED, queued_on__lte=as_of)


def _queued_without_temporary_activity(*, as_of, params):
    limit = as_of - datetime.timedelta(days=params["max_queue_days"])
    temporary = Participation.objects.filter(
        applicant_id=OuterRef("applicant_id"),
        insats__insats_type=InsatsType.TEMPORARY,
        status=ParticipationStatus.ACTIVE,
        start_date__lte=as_of,
    )
    return _referrer(_queued(as_of=as_of, params=params).filter(queued_on__lt=limit).exclude(Exists(temporary)), as_of)


QUEUE_WAIT = register(
    FunctionRule(
        code="r06a_queue_without_temporary_activity",
        title="Anvisning i kö längre än 2 veckor utan tillfällig aktivitet",
        source="DOMAIN.md 2.5 och 3 (004:550-552)",
        description="En anvisning som stått i kö längre än gränsen medan personen saknar pågående tillfällig aktivitet.",
        severity=Severity.MEDIUM,
        subject_model="insatser.Referral",
        reads=("insatser.referral", "insatser.participation"),
        params=(
            Param(
                "max_queue_days", "Längsta väntan i kö", lambda: insatser_norms.norm("MAX_QUEUE_WAIT_DAYS"), 1, 90,
                "dagar", "DOMAIN.md 3 (004:550)",
            ),
        ),
        facts=("queued_on", "insats_id"),
        owners=(OwnerBasis.REFERRER,),
        find=_queued_without_temporary_activity,
        examine=_queued,
    )
)


def _live_referrals(*, as_of, params):
    """Referrals still in play: not withdrawn, and not started into a participation that has ended."""
    ended = Participation.objects.filter(referral_id=OuterRef("pk"), status=ParticipationStatus.CLOSED)
    return Referral.objects.exclude(status=ReferralStatus.WITHDRAWN).filter(referred_on__lte=as_of).exclude(Exists(ended))


def _referral_expired(*, as_of, params):
    return _referrer(
        _live_referrals(as_of=as_of, params=params).filter(valid_until__lt=past_limit(as_of, params)), as_of
    )


REFERRAL_EXPIRED = register(
    FunctionRule(
        code="r06b_referral_past_time_limit",
        title="Anvisningen har passerat sin tidsgräns",
        source="DOMAIN.md 2.5 och 3 (004:553-555: koordinatorns anvisning gäller normalt 3 månader)",
        description="En anvisning som fortfarande gäller i praktiken (ej återkallad, deltagandet pågår) efter sitt slutdatum.",
        severity=Severity.MEDIUM,
        subject_model="insatser.Referral",
        reads=("insatser.referral", "insatser.participation"),
        params=(grace_days("DOMAIN.md 3 (004:553-555)"),),
        facts=("valid_until", "status"),
        owners=(OwnerBasis.REFERRER,),
        find=_referral_expired,
        examine=_live_referrals,
    )
)


def _active(*, as_of, params):
    return Participation.objects.filter(status=ParticipationStatus.ACTIVE, start_date__lte=as_of)


def _past_decision_period(*, as_of, params):
    # An extension moves decision_period_end (with its reason in ParticipationExtension); a
    # proposed closing is rule 11's business.
    closing = ParticipationClosing.objects.filter(participation_id=OuterRef("pk"))
    qs = (
        _active(as_of=as_of, params=params)
        .filter(decision_period_end__lt=past_limit(as_of, params))
        .exclude(Exists(closing))
    )
    return owned(qs, as_of=as_of, person="applicant_id", referrer="referral__referred_by_id")


DECISION_PERIOD = register(
    FunctionRule(
        code="r07_participation_past_decision_period",
        title="Deltagande har passerat beslutsperioden utan avslut eller förlängning",
        source="DOMAIN.md 2.6 och 3 (004:567-572: beslutsperiod 6 månader)",
        description="Ett pågående deltagande vars beslutsperiod (med eventuell förlängning) har löpt ut och som inte avslutats.",
        severity=Severity.HIGH,
        subject_model="insatser.Participation",
        reads=("insatser.participation", "insatser.participationclosing"),
        params=(grace_days("DOMAIN.md 3 (004:567-572)"),),
        facts=("decision_period_end", "start_date"),
        owners=(OwnerBasis.COORDINATOR, OwnerBasis.REFERRER),
        find=_past_decision_period,
        examine=_active,
    )
)


def last_full_week(as_of: datetime.date) -> datetime.date:
    """The Monday of the last week that has ended before `as_of`."""
    return week_of(as_of) - datetime.timedelta(days=7)


def _under_norm(*, as_of, params):
    # The norm hours are the rule's parameter (an administrator's setting), passed into the same
    # computation the caseload and the API use; an exemption still replaces them per person.
    return full_time_activity(week_start=last_full_week(as_of), norm_hours=params["norm_hours"]).order_by()


def _not_full_time(*, as_of, params):
    week = last_full_week(as_of)
    return owned(
        _under_norm(as_of=as_of, params=params)
        .filter(exemption_id__isnull=True)
        .filter(Q(is_scheduled_full_time=False) | Q(is_attended_full_time=False))
        .annotate(week_start=Value(week)),
        as_of=as_of,
        person="pk",
    )


FULL_TIME = register(
    FunctionRule(
        code="r08_full_time_activation",
        title="Heltidsaktivering: senaste hela veckans schemalagda eller närvarotimmar under normen",
        source="DOMAIN.md 3 (004:114-116, 652-657; 003:546)",
        description=(
            "En person med försörjningshinder av arbetsmarknadsskäl vars schemalagda eller faktiska "
            "timmar förra hela veckan (måndag-söndag) understiger normen (insatser.norms), utan avsteg. "
            "Beräkningen är insatser.full_time.full_time_activity."
        ),
        severity=Severity.HIGH,
        subject_model="cases.Applicant",
        reads=("insatser.participation", "insatser.weeklyattendance", "insatser.exemption", "cases.casesupportbarrier"),
        subject_person="pk",
        params=(
            # Default: insatser.norms FULL_TIME_HOURS_PER_WEEK (40 h). At most the most hours a week
            # may be scheduled (a higher norm could never be met).
            Param(
                "norm_hours", "Heltidsnorm", lambda: insatser_norms.norm("FULL_TIME_HOURS_PER_WEEK"),
                1, insatser_norms.DEFAULTS["MAX_SCHEDULED_HOURS_PER_WEEK"], "timmar/vecka",
                "DOMAIN.md 3 heltidsaktivering (004:114-116, 652-657; 003:546)",
            ),
        ),
        facts=("week_start", "scheduled_hours", "attended_hours", "norm_hours"),
        schedule=Schedule.WEEKLY,
        find=_not_full_time,
        examine=_under_norm,
    )
)


def _exemptions_in_force(*, as_of, params):
    return Exemption.objects.filter(valid_from__lte=as_of, valid_to__gte=as_of)


def _exemption_review_passed(*, as_of, params):
    qs = _exemptions_in_force(as_of=as_of, params=params).filter(review_on__lt=past_limit(as_of, params))
    return owned(qs, as_of=as_of, person="applicant_id", decided_by="decided_by_id")


EXEMPTION_REVIEW = register(
    FunctionRule(
        code="r09_exemption_review_passed",
        title="Avsteg har passerat sitt omprövningsdatum",
        source="DOMAIN.md 3 (avsteg ska dokumenteras, tidsbegränsas och följas upp)",
        description="Ett avsteg från heltidsaktivering som fortfarande gäller men vars omprövningsdatum har passerat.",
        severity=Severity.MEDIUM,
        subject_model="insatser.Exemption",
        reads=("insatser.exemption",),
        params=(grace_days("DOMAIN.md 3 (avsteg tidsbegränsas och följs upp; 004:652-657)"),),
        facts=("review_on", "valid_to", "reason"),
        owners=(OwnerBasis.DECIDED_BY,),
        find=_exemption_review_passed,
        examine=_exemptions_in_force,
    )
)


def _unconfirmed(*, as_of, params):
    return ParticipationClosing.objects.filter(confirmed_at__isnull=True)


def _closing_one_sided(*, as_of, params):
    # Proposed more than N days ago: before the start of the day N days back (local time).
    cutoff = as_of - datetime.timedelta(days=params["max_days"])
    start_of_cutoff = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    qs = _unconfirmed(as_of=as_of, params=params).filter(proposed_at__lt=start_of_cutoff)
    return owned(qs, as_of=as_of, person="participation__applicant_id", proposed_by="proposed_by_id")


CLOSING_ONE_SIDED = register(
    FunctionRule(
        code="r11_closing_one_sided",
        title="Avslut bekräftat av bara en part i mer än 2 veckor",
        source="DOMAIN.md 2.8 (004:573-576: koordinator och handläggare avslutar båda)",
        description="Ett avslut som koordinatorn föreslagit men handläggaren inte bekräftat inom gränsen.",
        severity=Severity.MEDIUM,
        subject_model="insatser.ParticipationClosing",
        reads=("insatser.participationclosing",),
        subject_person="participation__applicant",
        params=(
            Param(
                "max_days", "Längsta tid med ensidigt avslut",
                lambda: insatser_norms.norm("CLOSING_CONFIRMATION_MAX_DAYS"), 1, 90, "dagar",
                "DOMAIN.md 2.8 (004:573-576)",
            ),
        ),
        facts=("proposed_at", "end_date", "reason"),
        owners=(OwnerBasis.PROPOSED_BY,),
        find=_closing_one_sided,
        examine=_unconfirmed,
    )
)
