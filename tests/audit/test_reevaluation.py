"""Flags follow the facts: a saved fact re-checks the rules that read it, right after the commit,
through the nightly run's own engine (same flags, same history); the nightly run is the safety net."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from audit import tasks
from audit.control import reevaluation
from audit.control.models import Flag, FlagStatus, Rule
from audit.control.rules import REGISTRY
from cases import decision_services
from insatser import services as insatser_services
from insatser.attendance_services import attendance_report
from planning import services as planning_services
from tests.audit.helpers import person_with_barrier
from tests.factories.cases import CoordinatorAssignmentFactory
from tests.factories.finance import family_case, granted_month
from tests.factories.insatser import ParticipationFactory
from tests.factories.planning import PlanActivityFactory, SignedPlanFactory, SubgoalFactory

DAY = datetime.timedelta(days=1)
R01, R02, R07, R10 = (
    "r01_follow_up_interval", "r02_plan_follow_up_date_passed", "r07_participation_past_decision_period",
    "r10_decision_not_executed",
)


@pytest.fixture
def queued(monkeypatch):
    """The re-check tasks queued on commit, run in-process as the worker would (ids in, JSON)."""
    calls = []

    def delay(**kwargs):
        calls.append(kwargs)
        return tasks.reevaluate_subjects.apply(kwargs=kwargs).get()

    monkeypatch.setattr(tasks.reevaluate_subjects, "delay", delay)
    return calls


def _live(code):
    return set(Flag.objects.filter(rule__code=code, status=FlagStatus.OPEN).values_list("subject_id", flat=True))


def _overdue_participant(today):
    """Assigned to a coordinator, a signed plan whose follow-up date passed, active for two months
    without a follow-up: rules 1 and 2 both find them."""
    assignment = CoordinatorAssignmentFactory(start_date=today - datetime.timedelta(days=120))
    person = assignment.applicant
    plan = SignedPlanFactory(
        applicant=person, made_on=today - datetime.timedelta(days=90), latest_follow_up_on=today - 10 * DAY,
        created_by=assignment.coordinator,
    )
    SubgoalFactory(plan=plan)
    PlanActivityFactory(plan=plan)
    ParticipationFactory(applicant=person, start_date=today - datetime.timedelta(days=60))
    return assignment.coordinator, person, plan


def test_a_recorded_follow_up_resolves_the_persons_flags_right_after_the_commit(
    run_rule, queued, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    coordinator, person, plan = _overdue_participant(today)
    _, other, other_plan = _overdue_participant(today)
    assert run_rule(R01, today) == {person.pk, other.pk}
    assert run_rule(R02, today) == {plan.pk, other_plan.pk}

    with django_capture_on_commit_callbacks(execute=True):
        planning_services.follow_up_record(
            actor=coordinator, plan=plan, followed_up_on=today, method="meeting", follows_plan=True,
        )

    assert len(queued) == 1
    assert queued[0]["facts"]["planning.followup"]["persons"] == [person.pk]
    # Resolved now, not at the next night's run; the other person's flags are untouched.
    assert _live(R01) == {other.pk}
    assert _live(R02) == {other_plan.pk}
    flag = Flag.objects.get(rule__code=R01, subject_id=person.pk)
    assert (flag.status, flag.resolved_on) == (FlagStatus.RESOLVED, today)
    assert flag.checked_at is not None
    assert list(flag.transitions.values_list("event", flat=True)) == ["auto_resolved"]
    # The nightly run afterwards agrees and changes nothing.
    assert run_rule(R01, today) == {other.pk}
    assert Flag.objects.filter(rule__code=R01).count() == 2


def _decision(caseworker, month):
    case, members = family_case(unit=caseworker.unit)
    return granted_month(actor=caseworker, case=case, month=month, members=members)[2]


def test_decision_execution_opens_and_resolves_its_flag(run_rule, queued, caseworker, django_capture_on_commit_callbacks):
    decision = _decision(caseworker, datetime.date(2019, 3, 1))
    decision_services.decision_record_execution(
        actor=caseworker, decision=decision, kind="executed", occurred_on=datetime.date(2019, 3, 5)
    )
    today = timezone.localdate()
    assert run_rule(R10, today) == set()

    # Interrupted more than three months ago and not resumed: found at once.
    with django_capture_on_commit_callbacks(execute=True):
        decision_services.decision_record_execution(
            actor=caseworker, decision=decision, kind="interrupted", occurred_on=datetime.date(2019, 4, 10)
        )
    assert _live(R10) == {decision.pk}
    flag = Flag.objects.get(rule__code=R10, subject_id=decision.pk)
    assert flag.first_seen == today and flag.facts["latest_event"] == "interrupted"

    with django_capture_on_commit_callbacks(execute=True):
        decision_services.decision_record_execution(actor=caseworker, decision=decision, kind="resumed", occurred_on=today)
    assert _live(R10) == set()
    assert Flag.objects.get(pk=flag.pk).status == FlagStatus.RESOLVED


def test_an_extended_participation_resolves_its_decision_period_flag(
    run_rule, queued, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    assignment = CoordinatorAssignmentFactory(start_date=today - datetime.timedelta(days=300))
    late = ParticipationFactory(
        applicant=assignment.applicant, start_date=today - datetime.timedelta(days=200), decision_period_end=today - DAY
    )
    assert run_rule(R07, today) == {late.pk}

    with django_capture_on_commit_callbacks(execute=True):
        insatser_services.participation_extend(
            actor=assignment.coordinator, participation=late, new_end=today + datetime.timedelta(days=60),
            special_reason="Behöver slutföra praktiken.",
        )

    assert _live(R07) == set()


def test_a_save_that_rolls_back_queues_no_re_check(run_rule, queued, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    coordinator, person, plan = _overdue_participant(today)
    run_rule(R01, today)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            planning_services.follow_up_record(
                actor=coordinator, plan=plan, followed_up_on=today, method="meeting", follows_plan=True,
            )
            raise RuntimeError("avbruten")

    assert queued == []
    assert _live(R01) == {person.pk}


def test_a_disabled_rule_is_not_re_checked(run_rule, queued, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    coordinator, person, plan = _overdue_participant(today)
    run_rule(R01, today)
    run_rule(R02, today)
    Rule.objects.filter(code=R01).update(enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        planning_services.follow_up_record(
            actor=coordinator, plan=plan, followed_up_on=today, method="meeting", follows_plan=True,
        )

    assert _live(R01) == {person.pk}  # left for when the rule is enabled again
    assert _live(R02) == set()


def test_paused_block_queues_nothing(run_rule, queued, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    coordinator, person, plan = _overdue_participant(today)
    with reevaluation.paused(), django_capture_on_commit_callbacks(execute=True):
        planning_services.follow_up_record(
            actor=coordinator, plan=plan, followed_up_on=today, method="meeting", follows_plan=True,
        )
    assert queued == []


def test_a_change_no_rule_reads_queues_nothing(db, queued, django_capture_on_commit_callbacks):
    from audit.recording.log import record_change
    from tests.factories.cases import UnitFactory

    with django_capture_on_commit_callbacks(execute=True):
        record_change(actor=None, action="unit.update", instance=UnitFactory(), after={"name": "x"})
    assert queued == []


def test_every_rule_reads_real_models_and_reaches_its_subjects_persons():
    from django.apps import apps

    # The log review rules read the access log itself: they run nightly only (a re-check per logged
    # read would review every read as it is made); every other rule names the facts it reads.
    nightly_only = {code for code, rule in REGISTRY.items() if not rule.reads}
    assert nightly_only == {code for code in REGISTRY if code.startswith("l0")}
    for rule in REGISTRY.values():
        if not rule.reads:
            continue
        for label in rule.reads:
            assert apps.get_model(label)._meta.label_lower == label, (rule.code, label)
        # The path from the subject to its person resolves (an unknown lookup raises here).
        str(rule.model().objects.filter(**{f"{rule.subject_person}__in": [1]}).query)


def test_a_rule_reads_the_facts_the_issue_names():
    reading = {label: {code for code, r in REGISTRY.items() if label in r.reads} for label in reevaluation.read_facts()}
    assert {R01, R02} <= reading["planning.followup"]
    assert "r05_plan_quality" in reading["planning.implementationplan"]
    assert "r08_full_time_activation" in reading["insatser.weeklyattendance"]
    assert "r08_full_time_activation" in reading["insatser.exemption"]
    assert R07 in reading["insatser.participation"]
    assert R10 in reading["cases.decisionexecutionevent"]


def test_a_person_with_a_barrier_gets_a_full_time_flag_resolved_by_an_exemption(
    run_rule, queued, django_capture_on_commit_callbacks
):
    from insatser.models import ExemptionReason

    today = timezone.localdate()
    person, case = person_with_barrier(opened_on=today - datetime.timedelta(days=400))
    assignment = CoordinatorAssignmentFactory(case=case, applicant=person, start_date=today - datetime.timedelta(days=300))
    ParticipationFactory(applicant=person, start_date=today - datetime.timedelta(days=60), hours_friday=0)
    code = "r08_full_time_activation"
    assert run_rule(code, today) == {person.pk}

    week = Flag.objects.get(rule__code=code, subject_id=person.pk).facts["week_start"]
    with django_capture_on_commit_callbacks(execute=True):
        insatser_services.exemption_create(
            actor=assignment.coordinator, applicant=person, reason=ExemptionReason.values[0], reason_text="Vård.",
            valid_from=datetime.date.fromisoformat(week), valid_to=today + datetime.timedelta(days=30),
            review_on=today + datetime.timedelta(days=20),
        )

    assert _live(code) == set()


def test_a_chunk_over_explicit_ids_is_the_range_chunk_restricted_to_them(run_rule):
    from audit.control import engine
    from tests.factories.audit import CorrectiveActionFactory

    today = timezone.localdate()
    late = CorrectiveActionFactory.create_batch(4, due_date=today - 3 * DAY)
    code = "r12_action_overdue"
    counts = engine.run_chunk(rule_code=code, subject_ids=[late[0].pk, late[2].pk], as_of=today)
    assert (counts.subjects_examined, counts.flags_opened) == (2, 2)
    assert _live(code) == {late[0].pk, late[2].pk}
    # The nightly range run adds the rest, keeps those two, and agrees with them.
    assert run_rule(code, today) == {a.pk for a in late}
    assert Flag.objects.filter(rule__code=code).count() == 4
    again = engine.run_chunk(rule_code=code, subject_ids=[a.pk for a in late], as_of=today)
    assert (again.flags_opened, again.flags_kept, again.flags_resolved) == (0, 4, 0)
    with pytest.raises(ValueError):
        engine.run_chunk(rule_code=code, subject_ids=[1], lower=0, upper=5, as_of=today)


@pytest.mark.celery_worker
def test_through_a_real_worker_the_flag_resolves_after_the_commit(celery_worker, run_rule):
    import time

    from django.db import OperationalError

    today = timezone.localdate()
    coordinator, person, plan = _overdue_participant(today)
    assert run_rule(R01, today) == {person.pk}

    planning_services.follow_up_record(
        actor=coordinator, plan=plan, followed_up_on=today, method="meeting", follows_plan=True,
    )

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if not _live(R01):
                break
        except OperationalError:  # SQLite's shared-cache test database: the worker holds a table lock
            pass
        time.sleep(0.1)
    assert _live(R01) == set()
    assert Flag.objects.get(rule__code=R01, subject_id=person.pk).status == FlagStatus.RESOLVED


@pytest.mark.parametrize("others", [1, 12])
def test_a_re_check_runs_a_fixed_number_of_queries_whatever_the_population(run_rule, django_assert_max_num_queries, others):
    from audit.control import services

    today = timezone.localdate()
    _, person, _ = _overdue_participant(today)
    for _ in range(others):
        _overdue_participant(today)
    run_rule(R01, today)
    # Each rule that reads follow-ups: its chunk (the lock on PostgreSQL, the count examined, the
    # findings table with their owners and facts and its index, the kept count, five writes, the
    # webhook outbox's two (flags opened, flags resolved: INSERT ... SELECT each), the drop).
    with django_assert_max_num_queries(58):
        services.subjects_reevaluate(facts={"planning.followup": {"ids": [], "persons": [person.pk]}})


def test_attendance_saved_for_last_week_resolves_the_full_time_flag(run_rule, queued, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from audit.control.rules.insatser import last_full_week
    from cases.models import Role
    from tests.factories.cases import StaffFactory
    from tests.factories.insatser import WeeklyAttendanceFactory

    today = timezone.localdate()
    week = last_full_week(today)
    person, _ = person_with_barrier(opened_on=today - datetime.timedelta(days=400))
    participation = ParticipationFactory(applicant=person, start_date=week - datetime.timedelta(days=30))
    WeeklyAttendanceFactory(participation=participation, week_start=week, attended_hours=Decimal(30))
    code = "r08_full_time_activation"
    assert run_rule(code, today) == {person.pk}

    staff = StaffFactory(role=Role.INSATS_STAFF, unit=participation.insats.provider_unit)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_report(
            actor=staff, participation=participation, week_start=week, attended_hours=Decimal(40)
        )

    assert queued[0]["facts"]["insatser.weeklyattendance"]["persons"] == [person.pk]
    assert _live(code) == set()


def test_a_signed_plan_resolves_the_long_case_without_a_plan(run_rule, queued, django_capture_on_commit_callbacks):
    from tests.factories.planning import PlanFactory

    today = timezone.localdate()
    person, case = person_with_barrier(opened_on=today - datetime.timedelta(days=200))
    assignment = CoordinatorAssignmentFactory(case=case, applicant=person, start_date=today - datetime.timedelta(days=100))
    code = "r04_case_without_coordinator_or_plan"
    assert run_rule(code, today) == {case.pk}
    draft = PlanFactory(applicant=person, created_by=assignment.coordinator, made_on=today - 2 * DAY)
    SubgoalFactory(plan=draft)
    PlanActivityFactory(plan=draft)

    with django_capture_on_commit_callbacks(execute=True):
        planning_services.plan_sign(actor=assignment.coordinator, plan=draft)

    assert _live(code) == set()
