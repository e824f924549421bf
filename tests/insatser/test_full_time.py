"""Heltidsaktivering per person and week: several overlapping participations, with and without an exemption."""

import datetime
from decimal import Decimal

import pytest

from cases.models import CaseSupportBarrier
from insatser.full_time import full_time_activity
from insatser.models import ParticipationStatus
from tests.factories.insatser import ExemptionFactory, ParticipationFactory, WeeklyAttendanceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)
D = Decimal
ZERO = {f"hours_{d}": D(0) for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def _day(offset):
    return MONDAY + datetime.timedelta(days=offset)


@pytest.fixture
def person(person_of, labour_market_barrier):
    """A person with four participations touching the week in different ways."""
    applicant = person_of(labour_market_barrier)
    # Runs all week: 4 h Monday to Friday = 20 h.
    whole = ParticipationFactory(
        applicant=applicant, start_date=datetime.date(2026, 2, 1), **{**ZERO, **{f"hours_{d}": D(4) for d in
                                                                           ("monday", "tuesday", "wednesday", "thursday", "friday")}}
    )
    # Starts on the Wednesday: of Monday 6 h + Wednesday 6 h only Wednesday counts.
    midweek = ParticipationFactory(applicant=applicant, start_date=_day(2), **{**ZERO, "hours_monday": D(6), "hours_wednesday": D(6)})
    # Closed on the Tuesday: of Tuesday to Thursday 5 h only Tuesday counts.
    ParticipationFactory(
        applicant=applicant, start_date=datetime.date(2026, 1, 5), status=ParticipationStatus.CLOSED, end_date=_day(1),
        closing_reason="work", **{**ZERO, "hours_tuesday": D(5), "hours_wednesday": D(5), "hours_thursday": D(5)},
    )
    # Closed the week before: nothing.
    ParticipationFactory(
        applicant=applicant, start_date=datetime.date(2026, 1, 5), status=ParticipationStatus.CLOSED, end_date=_day(-1),
        closing_reason="other",
    )
    # Someone else's participation at the same time must not count.
    ParticipationFactory(start_date=datetime.date(2026, 2, 1))
    WeeklyAttendanceFactory(participation=whole, week_start=MONDAY, attended_hours=D("17.5"))
    WeeklyAttendanceFactory(participation=midweek, week_start=MONDAY, attended_hours=D(6))
    WeeklyAttendanceFactory(participation=whole, week_start=_day(-7), attended_hours=D(20))  # another week
    return applicant


def test_hours_add_up_per_weekday_across_overlapping_participations(person, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(full_time_activity(week_start=MONDAY))
    assert [r.pk for r in rows] == [person.pk]
    row = rows[0]
    assert row.scheduled_hours == D(20) + D(6) + D(5)
    assert row.attended_hours == D("23.5")
    assert row.norm_hours == D(40)
    assert row.exemption_id is None
    assert row.is_scheduled_full_time is False
    assert row.is_attended_full_time is False


def test_any_day_of_the_week_gives_the_same_week(person):
    assert full_time_activity(week_start=_day(4)).get().scheduled_hours == D(31)


def test_norm_hours_argument_replaces_the_default_norm(person, settings):
    # 31 h scheduled, 23.5 h attended (see the fixture).
    row = full_time_activity(week_start=MONDAY, norm_hours=30).get()
    assert row.norm_hours == D(30) and row.is_scheduled_full_time is True and row.is_attended_full_time is False
    settings.INSATSER_NORMS = {"FULL_TIME_HOURS_PER_WEEK": 31}
    assert full_time_activity(week_start=MONDAY).get().is_scheduled_full_time is True  # the one default


def test_exemption_in_force_replaces_the_norm(person):
    exemption = ExemptionFactory(
        applicant=person, valid_from=_day(3), valid_to=_day(40), required_hours_per_week=D(20), review_on=_day(20)
    )
    ExemptionFactory(applicant=person, valid_from=_day(-60), valid_to=_day(-8), required_hours_per_week=D(0))
    row = full_time_activity(week_start=MONDAY).get()
    assert row.exemption_id == exemption.pk
    assert row.exemption_reason == exemption.reason
    assert row.exemption_review_on == exemption.review_on
    assert row.norm_hours == D(20)
    assert row.is_scheduled_full_time is True
    assert row.is_attended_full_time is True


def test_full_exemption_requires_nothing(person_of, labour_market_barrier):
    idle = person_of(labour_market_barrier)
    ExemptionFactory(applicant=idle, valid_from=_day(-10), valid_to=_day(10), required_hours_per_week=D(0), review_on=_day(5))
    row = full_time_activity(week_start=MONDAY).get(pk=idle.pk)
    assert (row.scheduled_hours, row.norm_hours, row.is_scheduled_full_time) == (D(0), D(0), True)
    assert (row.attended_hours, row.is_attended_full_time) == (D(0), True)  # no attendance reported: 0 h


def test_of_two_exemptions_in_the_week_the_later_one_sets_the_norm(person_of, labour_market_barrier):
    idle = person_of(labour_market_barrier)
    ExemptionFactory(applicant=idle, valid_from=_day(-30), valid_to=_day(2), required_hours_per_week=D(10),
                     review_on=_day(-20))
    later = ExemptionFactory(applicant=idle, valid_from=_day(3), valid_to=_day(30), required_hours_per_week=D(20),
                             review_on=_day(20))
    row = full_time_activity(week_start=MONDAY).get(pk=idle.pk)
    assert (row.exemption_id, row.norm_hours, row.exemption_review_on) == (later.pk, D(20), later.review_on)


def test_only_persons_with_a_labour_market_barrier_in_the_week(person, person_of, other_barrier, labour_market_barrier):
    not_under_norm = person_of(other_barrier)
    ParticipationFactory(applicant=not_under_norm, start_date=datetime.date(2026, 2, 1))
    ended = person_of(labour_market_barrier)
    CaseSupportBarrier.objects.filter(applicant=ended).update(valid_to=_day(-1))
    idle = person_of(labour_market_barrier)
    rows = {r.pk: r for r in full_time_activity(week_start=MONDAY)}
    assert set(rows) == {person.pk, idle.pk}
    assert rows[idle.pk].scheduled_hours == D(0)
    assert rows[idle.pk].is_scheduled_full_time is False


def test_scope_and_norm_from_settings(person, person_of, labour_market_barrier, settings):
    other = person_of(labour_market_barrier)
    settings.INSATSER_NORMS = {"FULL_TIME_HOURS_PER_WEEK": 30}
    rows = list(full_time_activity(week_start=MONDAY, persons=type(person).objects.filter(pk=person.pk)))
    assert [r.pk for r in rows] == [person.pk]
    assert rows[0].norm_hours == D(30)
    assert rows[0].is_scheduled_full_time is True
    assert other.pk not in {r.pk for r in rows}


def test_one_query_for_many_persons(person_of, labour_market_barrier, django_assert_num_queries):
    for _ in range(6):
        applicant = person_of(labour_market_barrier)
        WeeklyAttendanceFactory(participation=ParticipationFactory(applicant=applicant, start_date=_day(-30)), week_start=MONDAY)
    with django_assert_num_queries(1):
        rows = list(full_time_activity(week_start=MONDAY))
    assert len(rows) == 6
    assert all(r.scheduled_hours == D(40) and r.is_attended_full_time for r in rows)


@pytest.mark.parametrize(("valid_to_offset", "applies"), [(0, True), (-1, False), (6, True), (7, True)],
                         ids=["ends on the Monday", "ends the Sunday before", "ends on the Sunday", "ends after"])
def test_an_exemption_ending_on_the_monday_counts_for_that_week(person_of, labour_market_barrier, valid_to_offset,
                                                                  applies):
    # DOMAIN.md 3: an avsteg holds for its period; one in force any day of the week sets that week's norm.
    idle = person_of(labour_market_barrier)
    exemption = ExemptionFactory(applicant=idle, valid_from=_day(-30), valid_to=_day(valid_to_offset),
                                 required_hours_per_week=D(10), review_on=_day(-20))
    row = full_time_activity(week_start=MONDAY).get(pk=idle.pk)
    assert row.exemption_id == (exemption.pk if applies else None)
    assert row.norm_hours == (D(10) if applies else D(40))


@pytest.mark.parametrize(("valid_from_offset", "applies"), [(6, True), (7, False)],
                         ids=["starts on the Sunday", "starts the Monday after"])
def test_an_exemption_starting_on_the_sunday_counts_for_that_week(person_of, labour_market_barrier,
                                                                    valid_from_offset, applies):
    idle = person_of(labour_market_barrier)
    ExemptionFactory(applicant=idle, valid_from=_day(valid_from_offset), valid_to=_day(60),
                     required_hours_per_week=D(10), review_on=_day(20))
    assert full_time_activity(week_start=MONDAY).get(pk=idle.pk).norm_hours == (D(10) if applies else D(40))


@pytest.mark.parametrize(("offset", "counted"), [(6, True), (7, False)], ids=["from the Sunday", "from the next Monday"])
def test_a_barrier_from_the_sunday_brings_the_person_under_the_norm_that_week(person_of, labour_market_barrier,
                                                                               offset, counted):
    # DOMAIN.md 3: a labour-market barrier in force any day of the week means full-time activity that week.
    person = person_of(labour_market_barrier)
    CaseSupportBarrier.objects.filter(applicant=person).update(valid_from=_day(offset))
    assert full_time_activity(week_start=MONDAY).filter(pk=person.pk).exists() is counted
