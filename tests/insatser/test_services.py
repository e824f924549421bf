"""Services: the queue, closings in two steps, and bad input that must write nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import ChangeEvent
from config.errors import Conflict, NotAllowed
from insatser import norms, services
from insatser.attendance_services import attendance_report
from insatser.models import (
    Exemption,
    Participation,
    ParticipationClosing,
    ParticipationExtension,
    ParticipationStatus,
    Referral,
    ReferralStatus,
)
from tests.factories.insatser import InsatsFactory, ParticipationFactory
from tests.factories.planning import SignedPlanFactory

pytestmark = pytest.mark.django_db

FULL_WEEK = {f"hours_{d}": Decimal(8) for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def today():
    return timezone.localdate()


def _counts():
    return (
        Referral.objects.count(),
        Participation.objects.count(),
        ParticipationExtension.objects.count(),
        ParticipationClosing.objects.count(),
        Exemption.objects.count(),
        ChangeEvent.objects.count(),
    )


def _field(exc) -> set:
    return set(exc.value.message_dict) if isinstance(exc.value, ValidationError) else {exc.value.field}


@pytest.fixture
def planned(person_of, labour_market_barrier):
    applicant = person_of(labour_market_barrier)
    SignedPlanFactory(applicant=applicant)
    return applicant


def test_referral_queue_positions_and_start(planned, person_of, coordinator, insats_staff):
    insats = InsatsFactory(capacity=1, provider_unit=insats_staff.unit)
    ParticipationFactory(insats=insats)  # the only place is taken
    others = [person_of() for _ in range(2)]
    for person in others:
        SignedPlanFactory(applicant=person)
    referrals = [
        services.referral_create(actor=coordinator, applicant=p, insats=insats, referred_on=today())
        for p in [planned, *others]
    ]
    assert [(r.status, r.queue_position, r.queued_on) for r in referrals] == [
        (ReferralStatus.QUEUED, i, today()) for i in (1, 2, 3)
    ]
    assert referrals[0].valid_until == norms.add_months(today(), 3) - datetime.timedelta(days=1)
    with pytest.raises(Conflict):
        services.referral_start(actor=insats_staff, referral=referrals[0], start_date=today(), hours=FULL_WEEK)
    Participation.objects.filter(insats=insats).update(
        status=ParticipationStatus.CLOSED, end_date=today(), closing_reason="work"
    )
    participation = services.referral_start(
        actor=insats_staff, referral=referrals[1], start_date=today(), hours=FULL_WEEK
    )
    assert participation.weekly_hours == Decimal(40)
    assert participation.decision_period_end == norms.add_months(today(), 6) - datetime.timedelta(days=1)
    positions = dict(Referral.objects.filter(pk__in=[r.pk for r in referrals]).values_list("pk", "queue_position"))
    assert positions == {referrals[0].pk: 1, referrals[1].pk: None, referrals[2].pk: 2}
    services.referral_withdraw(actor=coordinator, referral=referrals[0])
    assert Referral.objects.get(pk=referrals[2].pk).queue_position == 1


def test_referral_with_free_place_is_not_queued(planned, coordinator):
    referral = services.referral_create(actor=coordinator, applicant=planned, insats=InsatsFactory(), referred_on=today())
    assert (referral.status, referral.queue_position, referral.plan.applicant_id) == ("referred", None, planned.pk)


def test_closing_needs_both_coordinator_and_caseworker(planned, coordinator, caseworker):
    participation = ParticipationFactory(applicant=planned)
    closing = services.closing_propose(actor=coordinator, participation=participation, reason="work", end_date=today())
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.ACTIVE
    closed = services.closing_confirm(actor=caseworker, closing=closing)
    assert (closed.status, closed.end_date, closed.closing_reason) == ("closed", today(), "work")
    with pytest.raises(Conflict):
        services.closing_confirm(actor=caseworker, closing=closing)


# Bad input: 4xx naming the field, nothing written --------------------------------------------


def _rejected(call, field):
    before = _counts()
    with pytest.raises((ValidationError, NotAllowed, Conflict)) as exc:
        call()
    assert field in _field(exc)
    assert _counts() == before


def test_referral_without_current_plan(person_of, coordinator):
    person = person_of()
    expired = SignedPlanFactory(applicant=person, made_on=today() - datetime.timedelta(days=400))
    assert expired.valid_until < today()
    _rejected(lambda: services.referral_create(actor=coordinator, applicant=person, insats=InsatsFactory(),
                                               referred_on=today()), "plan")


def test_participation_over_60_hours_a_week(planned, coordinator):
    referral = services.referral_create(actor=coordinator, applicant=planned, insats=InsatsFactory(), referred_on=today())
    hours = {**FULL_WEEK, "hours_saturday": Decimal(12), "hours_sunday": Decimal("8.5")}
    _rejected(lambda: services.referral_start(actor=coordinator, referral=referral, start_date=today(), hours=hours),
              "weekly_hours")


def test_participation_over_60_hours_together_with_others(planned, coordinator):
    ParticipationFactory(applicant=planned, start_date=today() - datetime.timedelta(days=5))  # 40 h
    referral = services.referral_create(actor=coordinator, applicant=planned, insats=InsatsFactory(), referred_on=today())
    hours = {"hours_monday": Decimal(5), "hours_tuesday": Decimal(5), "hours_wednesday": Decimal(5),
             "hours_thursday": Decimal(5), "hours_friday": Decimal(1)}
    _rejected(lambda: services.referral_start(actor=coordinator, referral=referral, start_date=today(), hours=hours),
              "weekly_hours")
    hours["hours_friday"] = Decimal(0)
    assert services.referral_start(actor=coordinator, referral=referral, start_date=today(), hours=hours).pk


def test_participation_overlapping_itself(planned, coordinator):
    insats = InsatsFactory()
    ParticipationFactory(applicant=planned, insats=insats, start_date=today() - datetime.timedelta(days=30),
                         **{k: Decimal(2) for k in FULL_WEEK})
    referral = Referral.objects.create(
        applicant=planned, insats=insats, plan=planned.plans.get(), referred_by=coordinator, referred_on=today(),
        valid_until=today() + datetime.timedelta(days=80), status=ReferralStatus.REFERRED,
    )
    _rejected(lambda: services.referral_start(actor=coordinator, referral=referral, start_date=today(),
                                              hours={"hours_monday": Decimal(2)}), "start_date")


def test_extension_without_reason(planned, coordinator):
    participation = ParticipationFactory(applicant=planned)
    new_end = participation.decision_period_end + datetime.timedelta(days=90)
    for reason in ("", "   "):
        _rejected(lambda r=reason: services.participation_extend(actor=coordinator, participation=participation,
                                                                   new_end=new_end, special_reason=r), "special_reason")
    extension = services.participation_extend(
        actor=coordinator, participation=participation, new_end=new_end, special_reason="Slutför yrkesutbildningens sista modul."
    )
    participation.refresh_from_db()
    assert (participation.decision_period_end, extension.special_reason) == (new_end, "Slutför yrkesutbildningens sista modul.")


@pytest.mark.parametrize("who", ["caseworker", "insats_staff", "unit_manager"])
def test_closing_proposed_by_the_wrong_role(who, planned, request):
    actor = request.getfixturevalue(who)
    participation = ParticipationFactory(applicant=planned)
    _rejected(lambda: services.closing_propose(actor=actor, participation=participation, reason="work",
                                               end_date=today()), "proposed_by")


@pytest.mark.parametrize("who", ["coordinator", "insats_staff"])
def test_closing_confirmed_by_the_wrong_role(who, planned, coordinator, request):
    actor = request.getfixturevalue(who)
    closing = services.closing_propose(actor=coordinator, participation=ParticipationFactory(applicant=planned),
                                       reason="studies", end_date=today())
    _rejected(lambda: services.closing_confirm(actor=actor, closing=closing), "confirmed_by")
    assert Participation.objects.get(pk=closing.participation_id).status == ParticipationStatus.ACTIVE


def test_exemption_without_end_date(planned, caseworker):
    _rejected(lambda: services.exemption_create(
        actor=caseworker, applicant=planned, reason="sickness", reason_text="Läkarintyg.", valid_from=today(),
        valid_to=None, review_on=today() + datetime.timedelta(days=30)), "valid_to")


def test_attendance_only_by_staff_at_the_insats_unit(planned, insats_staff, staff_factory):
    from cases.models import Role
    from tests.factories.cases import UnitFactory

    participation = ParticipationFactory(applicant=planned, insats=InsatsFactory(provider_unit=insats_staff.unit),
                                         start_date=today() - datetime.timedelta(days=14))
    monday = today() - datetime.timedelta(days=today().weekday() + 7)
    elsewhere = staff_factory(role=Role.INSATS_STAFF, unit=UnitFactory(code="parketten"))
    _rejected(lambda: attendance_report(actor=elsewhere, participation=participation, week_start=monday,
                                                 attended_hours=Decimal(30)), "participation")
    _rejected(lambda: attendance_report(actor=insats_staff, participation=participation,
                                                 week_start=monday + datetime.timedelta(days=1),
                                                 attended_hours=Decimal(30)), "week_start")
    row = attendance_report(actor=insats_staff, participation=participation, week_start=monday,
                                     attended_hours=Decimal(30))
    again = attendance_report(actor=insats_staff, participation=participation, week_start=monday,
                                       attended_hours=Decimal(32))
    assert (again.pk, again.attended_hours) == (row.pk, Decimal(32))


def test_insats_decision_only_by_caseworker(planned, coordinator, caseworker):
    case = planned.coordinator_assignments.get().case
    with pytest.raises(NotAllowed):
        services.insats_decision_create(actor=coordinator, case=case, applicant=planned, kind="praktik",
                                        reasoning="x", decided_on=today(), valid_from=today())
    decision = services.insats_decision_create(actor=caseworker, case=case, applicant=planned, kind="praktik",
                                               reasoning="Behöver praktik.", decided_on=today(), valid_from=today())
    assert decision.valid_to is None  # tills vidare
    ended = services.insats_decision_end(actor=caseworker, decision=decision, ended_on=today(),
                                         end_reasoning="Har fått arbete.", end_decided_on=today())
    assert (ended.ended_on, ended.end_decided_by) == (today(), caseworker)


def test_labour_market_employment_runs_twelve_months_and_norms_come_from_settings(planned, coordinator, settings):
    employment = InsatsFactory(insats_type="labour_market_employment")
    referral = services.referral_create(actor=coordinator, applicant=planned, insats=employment, referred_on=today())
    participation = services.referral_start(actor=coordinator, referral=referral, start_date=today(), hours=FULL_WEEK)
    assert participation.decision_period_end == norms.add_months(today(), 12) - datetime.timedelta(days=1)
    settings.INSATSER_NORMS = {"REFERRAL_TIME_LIMIT_MONTHS": 1, "MAX_SCHEDULED_HOURS_PER_WEEK": 70}
    other = services.referral_create(actor=coordinator, applicant=planned, insats=InsatsFactory(), referred_on=today())
    assert other.valid_until == norms.add_months(today(), 1) - datetime.timedelta(days=1)
    assert norms.max_scheduled_hours() == Decimal(70)
