"""Rules 6-9 and 11: queues, referrals, decision periods, heltidsaktivering, exemptions, closings."""

import datetime
from decimal import Decimal

from django.utils import timezone

from audit.control.models import Flag
from audit.control.rules.insatser import last_full_week
from insatser.models import ClosingReason, InsatsType, ParticipationClosing, ParticipationStatus, ReferralStatus
from tests.audit.helpers import person_with_barrier
from tests.factories.cases import ApplicantFactory, StaffFactory
from tests.factories.insatser import (
    ExemptionFactory,
    InsatsFactory,
    ParticipationFactory,
    ReferralFactory,
    WeeklyAttendanceFactory,
)

D = datetime.date
DAY = datetime.timedelta(days=1)


def _queued(on):
    return ReferralFactory(
        status=ReferralStatus.QUEUED, queue_position=1, queued_on=on, referred_on=on, started_on=None
    )


def test_rule_6a_queued_more_than_two_weeks_without_temporary_activity(run_rule):
    as_of = D(2026, 3, 20)  # two weeks back: 2026-03-06
    on_limit = _queued(D(2026, 3, 6))
    past_limit = _queued(D(2026, 3, 5))
    with_temporary = _queued(D(2026, 3, 1))
    ParticipationFactory(
        applicant=with_temporary.applicant, insats=InsatsFactory(insats_type=InsatsType.TEMPORARY),
        start_date=D(2026, 3, 2),
    )

    flagged = run_rule("r06a_queue_without_temporary_activity", as_of)

    assert flagged == {past_limit.pk}
    assert not {on_limit.pk, with_temporary.pk} & flagged


def test_rule_6b_referral_past_its_time_limit(run_rule):
    as_of = D(2026, 6, 10)
    last_day_today = ReferralFactory(status=ReferralStatus.REFERRED, started_on=None, referred_on=D(2026, 3, 1),
                                     valid_until=as_of)
    expired = ReferralFactory(status=ReferralStatus.REFERRED, started_on=None, referred_on=D(2026, 3, 1),
                              valid_until=as_of - DAY)
    ended = ParticipationFactory(
        start_date=D(2026, 1, 1), status=ParticipationStatus.CLOSED, end_date=D(2026, 3, 1),
        closing_reason=ClosingReason.WORK,
    )

    flagged = run_rule("r06b_referral_past_time_limit", as_of)

    assert flagged == {expired.pk}
    assert not {last_day_today.pk, ended.referral_id} & flagged


def test_rule_7_participation_past_decision_period(run_rule):
    as_of = D(2026, 7, 10)
    ends_today = ParticipationFactory(start_date=D(2026, 1, 10), decision_period_end=as_of)
    ended_yesterday = ParticipationFactory(start_date=D(2026, 1, 10), decision_period_end=as_of - DAY)
    closing_proposed = ParticipationFactory(start_date=D(2026, 1, 10), decision_period_end=as_of - DAY)
    ParticipationClosing.objects.create(
        participation=closing_proposed, reason=ClosingReason.WORK, end_date=as_of - DAY,
        proposed_by=closing_proposed.referral.referred_by, proposed_at=timezone.now(),
    )

    flagged = run_rule("r07_participation_past_decision_period", as_of)

    assert flagged == {ended_yesterday.pk}
    assert not {ends_today.pk, closing_proposed.pk} & flagged


def _scheduled_person(week, *, friday_hours=Decimal(8), attended=Decimal(40)):
    person, _ = person_with_barrier(opened_on=D(2025, 1, 1))
    participation = ParticipationFactory(applicant=person, start_date=D(2026, 1, 5), hours_friday=friday_hours)
    WeeklyAttendanceFactory(participation=participation, week_start=week, attended_hours=attended)
    return person


def test_rule_8_full_time_activation_last_full_week(run_rule):
    as_of = D(2026, 3, 16)  # a Monday: the last full week is 9-15 March
    week = last_full_week(as_of)
    assert week == D(2026, 3, 9)
    full_time = _scheduled_person(week)
    attended_less = _scheduled_person(week, attended=Decimal("39.5"))
    scheduled_less = _scheduled_person(week, friday_hours=Decimal(7), attended=Decimal(39))
    exempt = _scheduled_person(week, friday_hours=Decimal(0), attended=Decimal(32))
    ExemptionFactory(applicant=exempt, valid_from=week, valid_to=week + datetime.timedelta(days=30),
                     review_on=week + datetime.timedelta(days=20))
    exemption_ended = _scheduled_person(week, friday_hours=Decimal(0), attended=Decimal(32))
    ExemptionFactory(applicant=exemption_ended, valid_from=D(2026, 2, 1), valid_to=week - DAY,
                     review_on=D(2026, 2, 20))
    not_under_norm = ApplicantFactory()  # no labour-market barrier: not under heltidsaktivering

    flagged = run_rule("r08_full_time_activation", as_of)

    assert flagged == {attended_less.pk, scheduled_less.pk, exemption_ended.pk}
    assert not {full_time.pk, exempt.pk, not_under_norm.pk} & flagged
    facts = Flag.objects.get(subject_id=scheduled_less.pk, rule__code="r08_full_time_activation").facts
    assert facts["week_start"] == "2026-03-09"
    assert Decimal(str(facts["scheduled_hours"])) == 39


def test_rule_9_exemption_past_review_date(run_rule):
    as_of = D(2026, 3, 10)
    review_today = ExemptionFactory(valid_from=D(2026, 2, 1), valid_to=D(2026, 4, 30), review_on=as_of)
    review_passed = ExemptionFactory(valid_from=D(2026, 2, 1), valid_to=D(2026, 4, 30), review_on=as_of - DAY)
    expired = ExemptionFactory(valid_from=D(2026, 2, 1), valid_to=as_of - DAY, review_on=D(2026, 2, 15))

    flagged = run_rule("r09_exemption_review_passed", as_of)

    assert flagged == {review_passed.pk}
    assert not {review_today.pk, expired.pk} & flagged


def _closing(proposed_on, *, confirmed=False):
    participation = ParticipationFactory(start_date=D(2026, 1, 5))
    proposer = participation.referral.referred_by
    at = timezone.make_aware(datetime.datetime.combine(proposed_on, datetime.time(16, 0)))
    return ParticipationClosing.objects.create(
        participation=participation, reason=ClosingReason.WORK, end_date=proposed_on, proposed_by=proposer,
        proposed_at=at, confirmed_by=StaffFactory() if confirmed else None, confirmed_at=at if confirmed else None,
    )


def test_rule_11_closing_confirmed_on_one_side_only_more_than_two_weeks(run_rule):
    as_of = D(2026, 3, 10)  # two weeks back: 2026-02-24
    on_limit = _closing(D(2026, 2, 24))
    past_limit = _closing(D(2026, 2, 23))
    confirmed = _closing(D(2026, 2, 1), confirmed=True)

    flagged = run_rule("r11_closing_one_sided", as_of)

    assert flagged == {past_limit.pk}
    assert not {on_limit.pk, confirmed.pk} & flagged
    assert Flag.objects.get(subject_id=past_limit.pk).responsible_id == past_limit.proposed_by_id
