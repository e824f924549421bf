"""Rule family: referrals, participations, heltidsaktivering, exemptions and closings (DOMAIN.md 2.5-2.8, 3).

Rules 6 (queue and referral limits), 7 (decision period), 8 (heltidsaktivering, weekly; uses
insatser.full_time), 9 (exemption review date) and 11 (closing confirmed on one side only).
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, Value
from django.utils import timezone

from audit import sources
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
        # DOMAIN.md 2.5 and 3 (004:550-552).
        title="Anvisning i kö längre än 2 veckor utan tillfällig aktivitet",
        source=sources.audit("3.4.2"),
        description="En anvisning som stått i kö längre än gränsen medan personen saknar pågående tillfällig aktivitet.",
        what_to_do="Ge personen en tillfällig aktivitet medan hen väntar, eller starta insatsen.",
        closes_when="När personen har en pågående tillfällig aktivitet eller anvisningen inte längre står i kö.",
        severity=Severity.MEDIUM,
        subject_model="insatser.Referral",
        reads=("insatser.referral", "insatser.participation"),
        params=(
            Param(
                "max_queue_days", "Längsta väntan i kö", lambda: insatser_norms.norm("MAX_QUEUE_WAIT_DAYS"), 1, 90,
                "dagar", sources.audit("3.4.2"),
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
        # DOMAIN.md 2.5 and 3 (004:553-555: the coordinator's referral normally holds 3 months).
        title="Anvisningen har passerat sin tidsgräns",
        source=sources.audit("3.4.2"),
        description="En anvisning som fortfarande gäller i praktiken (ej återkallad, deltagandet pågår) efter sitt slutdatum.",
        what_to_do="Pröva om anvisningen ska förlängas eller återkallas, eller avsluta deltagandet.",
        closes_when="När anvisningen förlängs eller återkallas, eller deltagandet avslutas.",
        severity=Severity.MEDIUM,
        subject_model="insatser.Referral",
        reads=("insatser.referral", "insatser.participation"),
        params=(grace_days(sources.audit("3.4.2")),),
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
        # DOMAIN.md 2.6 and 3 (004:567-572: a decision period of 6 months).
        title="Deltagande har passerat beslutsperioden utan avslut eller förlängning",
        source=sources.audit("3.4.3"),
        description="Ett pågående deltagande vars beslutsperiod (med eventuell förlängning) har löpt ut och som inte avslutats.",
        what_to_do="Förläng deltagandet med ett skäl, eller föreslå att det avslutas.",
        closes_when="När beslutsperioden förlängs eller ett avslut föreslås.",
        severity=Severity.HIGH,
        subject_model="insatser.Participation",
        reads=("insatser.participation", "insatser.participationclosing"),
        params=(grace_days(sources.audit("3.4.3")),),
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
        # DOMAIN.md 3 (004:114-116, 652-657; 003:546). The computation is
        # insatser.full_time.full_time_activity, shared with the caseload and the API.
        title="Heltidsaktivering: senaste hela veckans schemalagda eller närvarotimmar under normen",
        source=sources.both(sources.audit("2", "3.4.5"), sources.minutes(38)),
        description=(
            "En person med försörjningshinder av arbetsmarknadsskäl vars schemalagda eller faktiska "
            "timmar förra hela veckan (måndag–söndag) understiger heltidsnormen, utan avsteg."
        ),
        what_to_do=(
            "Planera fler aktiviteter så att personen är aktiverad på heltid, registrera närvaron, "
            "eller besluta om ett tidsbegränsat avsteg med skäl."
        ),
        closes_when="När en hel vecka når normen i både schema och närvaro, eller ett avsteg gäller.",
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
                sources.both(sources.audit("2", "3.4.5"), sources.minutes(38)),
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
        # DOMAIN.md 3 (an exemption is documented, limited in time and followed up; 004:652-657).
        title="Avsteg har passerat sitt omprövningsdatum",
        source=sources.audit("3.4.5"),
        description="Ett avsteg från heltidsaktivering som fortfarande gäller men vars omprövningsdatum har passerat.",
        what_to_do="Pröva avsteget på nytt: förläng det med ett nytt omprövningsdatum och skäl, eller avsluta det.",
        closes_when="När avsteget får ett nytt omprövningsdatum eller upphör att gälla.",
        severity=Severity.MEDIUM,
        subject_model="insatser.Exemption",
        reads=("insatser.exemption",),
        params=(grace_days(sources.audit("3.4.5")),),
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
        # DOMAIN.md 2.8 (004:573-576: the coordinator and the caseworker both close).
        title="Avslut bekräftat av bara en part i mer än 2 veckor",
        source=sources.audit("3.4.3"),
        description="Ett avslut som koordinatorn föreslagit men handläggaren inte bekräftat inom gränsen.",
        what_to_do="Handläggaren bekräftar avslutet, eller kontaktar koordinatorn om det inte ska avslutas.",
        closes_when="När handläggaren bekräftar avslutet.",
        severity=Severity.MEDIUM,
        subject_model="insatser.ParticipationClosing",
        reads=("insatser.participationclosing",),
        subject_person="participation__applicant",
        params=(
            Param(
                "max_days", "Längsta tid med ensidigt avslut",
                lambda: insatser_norms.norm("CLOSING_CONFIRMATION_MAX_DAYS"), 1, 90, "dagar",
                sources.audit("3.4.3"),
            ),
        ),
        facts=("proposed_at", "end_date", "reason"),
        owners=(OwnerBasis.PROPOSED_BY,),
        find=_closing_one_sided,
        examine=_unconfirmed,
    )
)
