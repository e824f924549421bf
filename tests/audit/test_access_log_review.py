"""Loggkontroll: the access-log review API, the refused requests it counts, and the review rules."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from audit.control import engine
from audit.control.models import Flag, RuleParameter
from audit.models import AccessLogEntry, ChainVerification
from cases.models import Role, Staff
from tests.factories.cases import ApplicantFactory, CaseFactory, CoordinatorAssignmentFactory, StaffFactory, UnitFactory

URL = "/api/v1/control/access-log/"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
DAY = datetime.date(2026, 11, 24)  # a Tuesday


def _at(hour: int, day: datetime.date = DAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)


def _read(actor, person, *, when=None, action="read", channel="api", object_id="1"):
    return AccessLogEntry.objects.create(
        occurred_at=when or _at(10), actor_id=actor.pk, actor_username=actor.username, actor_role=actor.role,
        action=action, person_id=getattr(person, "pk", person), object_type="cases.applicant",
        object_id=object_id, channel=channel, endpoint="api/v1/applicants/<pk>/",
    )


@pytest.fixture
def units(db):
    return UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd"), UnitFactory(code="annan", name="Annan")


@pytest.fixture
def people(units):
    home, other = units
    return {
        "manager": StaffFactory(role=Role.UNIT_MANAGER, unit=home),
        "mine": StaffFactory(role=Role.CASEWORKER, unit=home),
        "theirs": StaffFactory(role=Role.CASEWORKER, unit=other),
        "admin": StaffFactory(role=Role.ADMINISTRATOR, unit=None),
        "person": ApplicantFactory(registered_unit=home),
    }


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_who_read_a_person_the_manager_sees_their_staff_and_the_administrator_everyone(people, api_as):
    person = people["person"]
    mine, theirs = _read(people["mine"], person), _read(people["theirs"], person)
    _read(people["mine"], 424242)
    assert _ids(api_as(people["admin"]).get(URL, {"applicant": person.pk})) == [theirs.pk, mine.pk]
    # The administrator's own read of the log is now a row about the person too (not their staff).
    assert _ids(api_as(people["manager"]).get(URL, {"applicant": person.pk})) == [mine.pk]


def test_staff_who_are_no_reviewers_may_pick_no_reader(people):
    # Deny by default: only the administrator and a unit manager review the log; a caseworker gets
    # no list of readers to pick from, not their own unit's staff.
    from audit.control import selectors

    assert not selectors.access_log_readers(user=people["mine"]).exists()
    assert set(selectors.access_log_readers(user=people["manager"])) == {people["manager"], people["mine"]}


def test_what_a_staff_member_read_filtered_by_period_channel_and_action(people, api_as):
    staff, client = people["mine"], api_as(people["manager"])
    early = _read(staff, 1, when=_at(9, DAY - datetime.timedelta(days=3)))
    ui = _read(staff, 2, channel="ui")
    listed = _read(staff, 3, action="list")
    assert _ids(client.get(URL, {"actor": staff.pk})) == [listed.pk, ui.pk, early.pk]
    assert _ids(client.get(URL, {"actor": staff.pk, "occurred_from": DAY.isoformat()})) == [listed.pk, ui.pk]
    assert _ids(client.get(URL, {"actor": staff.pk, "occurred_to": (DAY - datetime.timedelta(days=1)).isoformat()})) == [early.pk]
    assert _ids(client.get(URL, {"actor": staff.pk, "channel": "ui"})) == [ui.pk]
    assert _ids(client.get(URL, {"actor": staff.pk, "action": "list"})) == [listed.pk]
    assert _ids(client.get(URL, {"actor": people["theirs"].pk})) == []  # not the manager's staff


def test_reading_the_log_is_logged(people, api_as):
    _read(people["mine"], people["person"])
    api_as(people["admin"]).get(URL, {"applicant": people["person"].pk})
    logged = AccessLogEntry.objects.get(actor_id=people["admin"].pk)
    assert (logged.action, logged.object_type, logged.person_id) == ("list", "audit.accesslogentry", people["person"].pk)


@pytest.mark.parametrize("query, field", [
    ({}, "applicant"), ({"applicant": "x"}, "applicant"), ({"actor": 1, "channel": "fax"}, "channel"),
    ({"actor": 1, "action": "peek"}, "action"), ({"actor": 1, "occurred_from": "2026-13-01"}, "occurred_from"),
    ({"actor": 1, "occurred_from": "2026-11-02", "occurred_to": "2026-11-01"}, "occurred_to"),
])
def test_bad_filters_answer_400_naming_the_field(people, api_as, query, field):
    response = api_as(people["admin"]).get(URL, query)
    assert response.status_code == 400 and field in response.json()["error"]["fields"]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.BOARD])
def test_other_roles_are_refused(units, api_as, role):
    user = StaffFactory(role=role, unit=None if role == Role.BOARD else units[0])
    assert api_as(user).get(URL, {"actor": 1}).status_code == 403


@pytest.mark.parametrize("rows", [2, 20])
def test_a_fixed_number_of_queries(people, api_as, django_assert_max_num_queries, rows):
    for i in range(rows):
        _read(people["mine"], people["person"], object_id=str(i))
    client = api_as(people["manager"])
    with django_assert_max_num_queries(4):  # count, page, the log row of this read, (chain head: in SQL)
        assert len(_ids(client.get(URL, {"applicant": people["person"].pk}))) == rows


def test_a_refused_request_on_a_personal_route_is_logged(people, client):
    client.force_login(people["mine"])
    assert client.get("/api/v1/applicants/999999/").status_code == 404
    refused = AccessLogEntry.objects.get(action="refused")
    assert (refused.actor_id, refused.object_id, refused.person_id) == (people["mine"].pk, "404", None)
    assert refused.endpoint.startswith("api/v1/applicants/") and "999999" not in refused.endpoint
    assert client.get("/api/v1/units/").status_code == 200
    client.logout()
    assert client.get("/login/").status_code == 200
    assert AccessLogEntry.objects.filter(action="refused").count() == 1


# --- review rules ------------------------------------------------------------------------------

def _flags(run_rule, code, as_of=DAY):
    run_rule(code, as_of)
    return {(f.subject_id, f.responsible_id, f.unit_id) for f in Flag.objects.filter(rule__code=code)}


def test_reads_outside_the_readers_scope_that_day_are_flagged(people, run_rule, units):
    home, other = units
    in_unit = _read(people["mine"], people["person"])
    outside = _read(people["theirs"], people["person"])  # a caseworker at another unit
    _read(people["theirs"], people["person"], object_id="2")  # the same day again: one flag
    case = CaseFactory(unit=home)
    assignment = CoordinatorAssignmentFactory(case=case, start_date=DAY - datetime.timedelta(days=10), end_date=DAY)
    coordinator = assignment.coordinator
    assigned = _read(coordinator, assignment.applicant)
    after_end = _read(coordinator, assignment.applicant, when=_at(10, DAY + datetime.timedelta(days=1)))
    found = _flags(run_rule, "l02_read_outside_scope", DAY + datetime.timedelta(days=1))
    subjects = {s for s, _, _ in found}
    assert outside.pk in subjects and after_end.pk in subjects
    assert in_unit.pk not in subjects and assigned.pk not in subjects and len(subjects) == 2
    flag = Flag.objects.get(rule__code="l02_read_outside_scope", subject_id=outside.pk)
    assert flag.unit_id == other.pk and flag.responsible_id == people["admin"].pk  # no manager at that unit
    assert flag.person_id == people["person"].pk


def test_reads_of_a_person_with_skyddad_identitet_are_flagged_to_the_readers_manager(people, run_rule):
    protected = ApplicantFactory(protected_identity=True)
    first = _read(people["mine"], protected)
    _read(people["mine"], protected, when=_at(11))
    _read(people["mine"], people["person"])
    assert _flags(run_rule, "l03_read_protected_identity") == {
        (first.pk, people["manager"].pk, people["mine"].unit_id)}


def _limit(code, key, value):
    engine.rules_sync()
    assert RuleParameter.objects.filter(rule__code=code, key=key).update(value=value) == 1


def test_more_distinct_persons_in_a_day_than_the_limit(people, run_rule):
    _limit("l04_many_persons_in_a_day", "max_persons", 2)
    first = _read(people["mine"], 1, when=_at(8))
    for person, hour in ((2, 9), (2, 10), (3, 11)):
        _read(people["mine"], person, when=_at(hour))
    _read(people["theirs"], 1)
    _read(people["theirs"], 2)
    assert _flags(run_rule, "l04_many_persons_in_a_day") == {(first.pk, people["manager"].pk, people["mine"].unit_id)}
    assert Flag.objects.get(rule__code="l04_many_persons_in_a_day").facts["persons_read"] == 3


def test_reads_outside_working_hours(people, run_rule):
    _read(people["mine"], 1, when=_at(9))
    night = _read(people["mine"], 1, when=_at(22))
    _read(people["mine"], 2, when=_at(23))
    saturday = _read(people["theirs"], 1, when=_at(12, datetime.date(2026, 11, 21)))
    _read(people["theirs"], 1, when=_at(5), channel="task")  # a scheduled job, not a person
    subjects = {s for s, _, _ in _flags(run_rule, "l05_read_outside_working_hours")}
    assert subjects == {night.pk, saturday.pk}


def test_working_hours_are_from_the_start_hour_until_the_end_hour_monday_to_friday(people, run_rule):
    # Defaults 07-19: a read at 07:00 or 18:59 is within working hours, one at 06:59 or 19:00 is not;
    # Friday is a working day, Sunday is not (Saturday: the test above). One reader, one read a day.
    def read(day, hour, minute=0):
        return _read(people["mine"], 1, when=datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM))

    monday = datetime.date(2026, 11, 23)
    day = {name: monday + datetime.timedelta(days=i) for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
    read(day["mon"], 7)
    before_start = read(day["tue"], 6, 59)
    read(day["wed"], 18, 59)
    at_end = read(day["thu"], 19)
    read(day["fri"], 12)
    sunday = read(day["sun"], 12)
    subjects = {s for s, _, _ in _flags(run_rule, "l05_read_outside_working_hours", day["sun"])}
    assert subjects == {before_start.pk, at_end.pk, sunday.pk}


def test_many_refused_requests_in_a_day(people, run_rule):
    _limit("l06_many_refused_requests", "max_refused", 2)
    refused = [_read(people["mine"], None, action="refused", object_id="404", when=_at(9 + i)) for i in range(3)]
    _read(people["theirs"], None, action="refused", object_id="403")
    assert {s for s, _, _ in _flags(run_rule, "l06_many_refused_requests")} == {refused[0].pk}


def test_a_day_is_found_by_its_first_row_of_the_kind_whatever_came_before_it(people, run_rule):
    # A change before the day's first read, a read before the day's first refused request: the
    # earlier row is of another kind and does not hide the finding.
    _limit("l04_many_persons_in_a_day", "max_persons", 2)
    _limit("l06_many_refused_requests", "max_refused", 2)
    protected = ApplicantFactory(protected_identity=True)
    _read(people["mine"], protected, when=_at(8), action="update")
    first_read = _read(people["mine"], protected, when=_at(9))
    for person, minute in ((424242, 1), (424243, 2)):
        _read(people["mine"], person, when=_at(9).replace(minute=minute))
    refused = [_read(people["mine"], None, action="refused", object_id="404", when=_at(14 + i)) for i in range(3)]

    assert {s for s, _, _ in _flags(run_rule, "l03_read_protected_identity")} == {first_read.pk}
    assert {s for s, _, _ in _flags(run_rule, "l04_many_persons_in_a_day")} == {first_read.pk}
    assert {s for s, _, _ in _flags(run_rule, "l06_many_refused_requests")} == {refused[0].pk}


def test_the_rules_look_back_only_their_window(people, run_rule):
    old = _read(people["mine"], ApplicantFactory(protected_identity=True), when=_at(10, DAY - datetime.timedelta(days=30)))
    assert old.pk not in {s for s, _, _ in _flags(run_rule, "l03_read_protected_identity", timezone.localdate())}


def test_the_limits_default_from_the_norms_and_a_setting_overrides_them(settings):
    from audit.control.rules.access_log import MANY_PERSONS

    assert {p.key: p.default_value() for p in MANY_PERSONS.params} == {"lookback_days": 7, "max_persons": 60}
    settings.AUDIT_LOG_REVIEW_NORMS = {"MAX_DISTINCT_PERSONS_PER_DAY": 25}
    assert {p.key: p.default_value() for p in MANY_PERSONS.params}["max_persons"] == 25


def _moved(staff, unit, at: datetime.datetime):
    """Move `staff` to `unit` (a save, as the admin does), the move dated `at` for the test."""
    from cases.models import StaffAssignmentPeriod

    staff.unit = unit
    staff.save()
    spells = StaffAssignmentPeriod.objects.filter(staff=staff)
    assert spells.count() == 2
    spells.filter(ended_at__isnull=False).update(ended_at=at)
    spells.filter(ended_at__isnull=True).update(started_at=at)


def test_a_reader_is_judged_by_the_unit_they_were_at_when_they_read(people, run_rule, units):
    home, other = units
    reader, home_person, other_person = people["mine"], people["person"], ApplicantFactory(registered_unit=other)
    before_at_home = _read(reader, home_person, when=_at(10))
    other_before_move = _read(reader, other_person, when=_at(11))
    _moved(reader, other, _at(12))
    home_after_move = _read(reader, home_person, when=_at(14))
    other_after_move = _read(reader, other_person, when=_at(15))
    subjects = {s for s, _, _ in _flags(run_rule, "l02_read_outside_scope", DAY + datetime.timedelta(days=1))}
    assert subjects == {other_before_move.pk, home_after_move.pk}
    assert before_at_home.pk not in subjects and other_after_move.pk not in subjects


def test_reads_before_a_transfer_of_the_case_are_judged_by_the_unit_that_held_it_then(people, run_rule, units):
    from cases.transfer_services import case_transfer

    home, other = units
    reader, person = people["mine"], ApplicantFactory(registered_unit=other)
    case = CaseFactory(unit=home, with_applicant=person, opened_on=DAY - datetime.timedelta(days=30))
    held = _read(reader, person, when=_at(10))
    case_transfer(actor=people["manager"], case=case, transferred_on=DAY + datetime.timedelta(days=1),
                  reason="Flytt till annan kommundel.", to_unit=other.code, to_caseworker=people["theirs"].pk)
    after = _read(reader, person, when=_at(10, DAY + datetime.timedelta(days=1)))
    subjects = {s for s, _, _ in _flags(run_rule, "l02_read_outside_scope", DAY + datetime.timedelta(days=2))}
    assert held.pk not in subjects  # the home unit held the case that day
    assert after.pk in subjects  # from the transfer date it no longer does


def test_a_unit_managers_sight_through_a_coordinator_is_the_coordinators_unit_at_the_time(people, run_rule, units):
    home, other = units
    assignment = CoordinatorAssignmentFactory(
        case=CaseFactory(unit=other), coordinator=StaffFactory(role=Role.COORDINATOR, unit=home),
        applicant=ApplicantFactory(registered_unit=other), start_date=DAY - datetime.timedelta(days=10),
    )
    while_coordinator_at_home = _read(people["manager"], assignment.applicant, when=_at(10))
    _moved(assignment.coordinator, other, _at(12))
    after_coordinator_left = _read(people["manager"], assignment.applicant, when=_at(14))
    subjects = {s for s, _, _ in _flags(run_rule, "l02_read_outside_scope", DAY + datetime.timedelta(days=1))}
    assert subjects == {after_coordinator_left.pk}
    assert while_coordinator_at_home.pk not in subjects


def test_a_coordinator_with_no_recorded_spell_is_judged_by_their_current_unit(people, run_rule, units):
    # DOMAIN.md 7: access for the staff whose work needs it. A unit manager sees the persons assigned
    # to a coordinator at their unit; staff loaded in bulk or imported have no recorded spell
    # (cases.StaffAssignmentPeriod), so their unit then is their current one, as for the reader.
    home, other = units
    ours, theirs = Staff.objects.bulk_create([
        Staff(username="koordinator-utan-period-hem", role=Role.COORDINATOR, unit=home),
        Staff(username="koordinator-utan-period-annan", role=Role.COORDINATOR, unit=other),
    ])
    reads = {}
    for coordinator in (ours, theirs):
        assignment = CoordinatorAssignmentFactory(
            case=CaseFactory(unit=other), coordinator=coordinator, applicant=ApplicantFactory(registered_unit=other),
            start_date=DAY - datetime.timedelta(days=10),
        )
        reads[coordinator.pk] = _read(people["manager"], assignment.applicant)
    subjects = {s for s, _, _ in _flags(run_rule, "l02_read_outside_scope", DAY + datetime.timedelta(days=1))}
    assert subjects == {reads[theirs.pk].pk}


def _broken(day: datetime.date, table: str, seq: int | None):
    return ChainVerification.objects.create(
        checked_at=_at(2, day), intact=False, broken_table=table, broken_seq=seq, reason="raden har ändrats",
    )


def test_a_chain_break_found_again_is_one_finding_with_or_without_a_sequence_number(people, run_rule):
    # DOMAIN.md 7 (the log is checked): a break stays until repaired, so each nightly verification
    # finds it again; the first verification of each break is the finding. A break at the chain's
    # head has no sequence number, and is still the same break the next night.
    days = [DAY - datetime.timedelta(days=n) for n in (2, 1, 0)]
    with_seq = [_broken(day, "audit_accesslogentry", 17) for day in days]
    without_seq = [_broken(day, "audit_chainhead", None) for day in days]
    found = _flags(run_rule, "l01_audit_chain_broken", DAY)
    assert {s for s, _, _ in found} == {with_seq[0].pk, without_seq[0].pk}
    assert {r for _, r, _ in found} == {people["admin"].pk}


def test_a_break_at_the_head_and_a_later_break_at_a_row_of_the_same_table_are_two_breaks(people, run_rule):
    # The same break means the same place: no sequence number (the chain's head) and a sequence
    # number are different places, whichever came first, even with the same table and reason.
    head_first = _broken(DAY - datetime.timedelta(days=2), "audit_accesslogentry", None)
    row_later = _broken(DAY - datetime.timedelta(days=1), "audit_accesslogentry", 17)
    row_first = _broken(DAY - datetime.timedelta(days=2), "audit_changeevent", 4)
    head_later = _broken(DAY - datetime.timedelta(days=1), "audit_changeevent", None)
    found = {s for s, _, _ in _flags(run_rule, "l01_audit_chain_broken", DAY)}
    assert found == {head_first.pk, row_later.pk, row_first.pk, head_later.pk}


def _check(day, *, table="", seq=None, reason=""):
    """One night's verification of the hash chain: intact unless it names a broken row."""
    return ChainVerification.objects.create(
        checked_at=_at(3, day), intact=not reason, broken_table=table, broken_id=seq, broken_seq=seq, reason=reason,
    )


def test_each_break_of_the_chain_is_one_flag_for_the_first_active_administrator(units, run_rule):
    # A break stays until someone repairs it, so every night's check finds it again: one flag per
    # break (table, row, what was wrong), from the first check that found it; none for an intact chain.
    StaffFactory(role=Role.ADMINISTRATOR, unit=None, is_active=False)  # has left: passed over
    administrator = StaffFactory(role=Role.ADMINISTRATOR, unit=None)
    StaffFactory(role=Role.ADMINISTRATOR, unit=None)  # a second one: the flag has one owner, the first
    day = DAY - datetime.timedelta(days=3)
    _check(day)
    altered = _check(day + datetime.timedelta(days=1), table="audit_accesslogentry", seq=5, reason="ändrad rad")
    _check(day + datetime.timedelta(days=2), table="audit_accesslogentry", seq=5, reason="ändrad rad")
    removed = _check(day + datetime.timedelta(days=2), table="audit_changeevent", seq=9, reason="borttagen rad")
    _check(DAY, table="audit_accesslogentry", seq=5, reason="ändrad rad")
    _check(DAY + datetime.timedelta(days=1), table="audit_accesslogentry", seq=12, reason="ändrad rad")  # after the day
    assert _flags(run_rule, "l01_audit_chain_broken") == {(altered.pk, administrator.pk, None), (removed.pk, administrator.pk, None)}
    assert not Flag.objects.filter(person__isnull=False).exists()
