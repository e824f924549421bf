"""Every finding has an owner (DOMAIN.md 4; issue 10): one ownership chain for every rule.

The chain (audit/control/rules/ownership.py): the person's coordinator, else the case's caseworker,
else the manager of the unit that holds the case, else the manager of the unit that registered
the person, else the municipality's egenkontroll owner (a setting). A rule whose subject names
who must act puts that person first. The link used is stored on the flag and shown.
"""

import datetime
import random

import pytest
from django.test import override_settings

from audit.control import engine
from audit.control.models import LIVE_FLAG_STATUSES, Flag, FlagTransition, OwnerBasis
from audit.control.rules import REGISTRY
from cases.models import CaseClosingReason, CaseStatus, CaseSupportBarrier, CoordinatorAssignment, Role
from planning.norms import add_months
from tests.audit.helpers import labour_market_barrier, person_with_barrier
from tests.factories.cases import ApplicantFactory, CaseFactory, StaffFactory, UnitFactory
from tests.factories.planning import SignedPlanFactory
from tests.once import demo_municipality

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 4)  # a Wednesday: rule 8 looks at the week of 23 February
FULL_TIME = "r08_full_time_activation"
PLAN_DATE = "r02_plan_follow_up_date_passed"


def ownerless(flags=None):
    flags = Flag.objects.filter(status__in=LIVE_FLAG_STATUSES) if flags is None else flags
    return flags.filter(responsible__isnull=True) | flags.filter(unit__isnull=True)


def run_all(as_of=AS_OF):
    engine.rules_sync()
    for code, rule in REGISTRY.items():
        for lo, hi in engine.plan_chunks(rule, 1000):
            engine.run_chunk(rule_code=code, lower=lo, upper=hi, as_of=as_of)


def flag_of(code, subject_id):
    return Flag.objects.select_related("rule").get(rule__code=code, subject_id=subject_id, status__in=LIVE_FLAG_STATUSES)


def test_coordinator_then_caseworker_then_case_unit_manager(eb_unit, unit_manager, coordinator_unit):
    coordinator = StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit)
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=eb_unit, first_name="Hanna", last_name="Lindqvist")
    with_coordinator, case_a = person_with_barrier()
    CoordinatorAssignment.objects.create(case=case_a, applicant=with_coordinator, coordinator=coordinator,
                                         start_date=datetime.date(2025, 1, 1))
    without, case_b = person_with_barrier()
    case_b.responsible_caseworker = caseworker
    case_b.save()
    nobody, _ = person_with_barrier()  # no coordinator, no caseworker on the case
    run_all()
    got = {p: flag_of(FULL_TIME, p.pk) for p in (with_coordinator, without, nobody)}
    assert (got[with_coordinator].responsible, got[with_coordinator].unit, got[with_coordinator].owner_basis) == (
        coordinator, coordinator_unit, OwnerBasis.COORDINATOR)
    assert (got[without].responsible, got[without].unit, got[without].owner_basis) == (
        caseworker, eb_unit, OwnerBasis.CASEWORKER)
    assert got[without].owner_explanation == "ingen koordinator: ärendets handläggare"
    assert (got[nobody].responsible, got[nobody].unit, got[nobody].owner_basis) == (
        unit_manager, eb_unit, OwnerBasis.CASE_UNIT_MANAGER)
    assert got[nobody].owner_explanation == (
        "ingen koordinator, ingen handläggare på ärendet: enhetschefen för ärendets enhet")


def test_staff_who_left_are_passed_over(eb_unit, unit_manager, coordinator_unit):
    gone = StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit, is_active=False)
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=eb_unit, is_active=False)
    person, case = person_with_barrier()
    case.responsible_caseworker = caseworker
    case.save()
    CoordinatorAssignment.objects.create(case=case, applicant=person, coordinator=gone,
                                         start_date=datetime.date(2025, 1, 1))
    run_all()
    flag = flag_of(FULL_TIME, person.pk)
    assert (flag.responsible, flag.owner_basis) == (unit_manager, OwnerBasis.CASE_UNIT_MANAGER)


def _whose_caseworker_with_two_cases(eb_unit, *, first_opened_on, other_opened_on, other_closed_on=None):
    """Rule 8's flag on a person in two cases, each with its own caseworker (the barrier in the first
    case): "first" or "other", whose caseworker the flag went to, and the link used."""
    first, other = (StaffFactory(role=Role.CASEWORKER, unit=eb_unit) for _ in range(2))
    person, case = person_with_barrier(opened_on=first_opened_on)
    case.responsible_caseworker = first
    case.save()
    closed = {"status": CaseStatus.CLOSED, "closed_on": other_closed_on, "closing_reason": CaseClosingReason.WORK}
    CaseFactory(with_applicant=person, opened_on=other_opened_on, responsible_caseworker=other,
                **(closed if other_closed_on else {}))
    run_all()
    flag = flag_of(FULL_TIME, person.pk)
    return {first: "first", other: "other"}.get(flag.responsible), flag.owner_basis


def test_the_persons_case_is_an_open_one_before_a_later_opened_closed_one(eb_unit, unit_manager):
    # The person's case: an open one first, then the latest opened. A case closed since is
    # nobody's to act on, even when it was opened after the open one.
    assert _whose_caseworker_with_two_cases(
        eb_unit, first_opened_on=datetime.date(2025, 1, 1), other_opened_on=datetime.date(2025, 6, 1),
        other_closed_on=datetime.date(2025, 9, 30),
    ) == ("first", OwnerBasis.CASEWORKER)


def test_of_two_open_cases_the_persons_case_is_the_latest_opened(eb_unit, unit_manager):
    assert _whose_caseworker_with_two_cases(
        eb_unit, first_opened_on=datetime.date(2025, 1, 1), other_opened_on=datetime.date(2025, 6, 1),
    ) == ("other", OwnerBasis.CASEWORKER)


def _plan_past_its_follow_up_date(person):
    made = AS_OF - datetime.timedelta(days=60)
    return SignedPlanFactory(applicant=person, made_on=made, latest_follow_up_on=add_months(made, 1))


def test_a_person_without_a_case_goes_to_the_manager_of_their_registered_unit(eb_unit):
    other = UnitFactory(code="intern-service", name="Intern Service")
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=other)
    plan = _plan_past_its_follow_up_date(ApplicantFactory(registered_unit=other))
    run_all()
    flag = flag_of(PLAN_DATE, plan.pk)
    assert (flag.responsible, flag.unit, flag.owner_basis) == (manager, other, OwnerBasis.REGISTERED_UNIT_MANAGER)


def test_the_egenkontroll_owner_is_the_last_link_and_is_a_setting(eb_unit):
    unmanaged = UnitFactory(code="parketten", name="Parketten")
    quality = UnitFactory(code="kvalitet", name="Kvalitet och utveckling")
    # In the same run, persons at units with a manager (one added before the owner, one after):
    # each unit's manager is that unit's persons', and neither is the egenkontroll owner.
    intern_service = UnitFactory(code="intern-service", name="Intern Service")
    managers = {eb_unit: StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit)}
    owner = StaffFactory(role=Role.UNIT_MANAGER, unit=quality)
    managers[intern_service] = StaffFactory(role=Role.UNIT_MANAGER, unit=intern_service)
    managed = {unit: _plan_past_its_follow_up_date(ApplicantFactory(registered_unit=unit)) for unit in managers}
    plan = _plan_past_its_follow_up_date(ApplicantFactory(registered_unit=unmanaged))
    run_all()
    flag = flag_of(PLAN_DATE, plan.pk)
    # Unset (the default): the flag keeps the person's unit and says it has no responsible.
    assert (flag.responsible, flag.unit, flag.owner_basis) == (None, unmanaged, "")
    with override_settings(AUDIT_CONTROL_NORMS={"CONTROL_OWNER_UNIT": "kvalitet"}):
        run_all()
    flag.refresh_from_db()
    assert (flag.responsible, flag.unit, flag.owner_basis) == (owner, quality, OwnerBasis.CONTROL_OWNER)
    assert {unit: flag_of(PLAN_DATE, p.pk).responsible for unit, p in managed.items()} == managers


def test_a_finding_nobody_answers_for_stays_with_the_unit_that_holds_the_case(eb_unit):
    # No coordinator, no caseworker, no manager at the case's unit nor where the person is
    # registered, no egenkontroll owner: the flag has no responsible, and its unit is the case's
    # (links 2-3 follow the case), not the registered unit.
    registered = UnitFactory(code="parketten", name="Parketten")
    person, case = person_with_barrier(person=ApplicantFactory(registered_unit=registered))
    assert case.unit == eb_unit != registered
    run_all()
    flag = flag_of(FULL_TIME, person.pk)
    assert (flag.responsible, flag.unit, flag.owner_basis) == (None, eb_unit, "")


def test_a_rules_own_link_comes_first(eb_unit, unit_manager):
    from tests.factories.audit import CorrectiveActionFactory, FlagFactory

    action_owner = StaffFactory(role=Role.CASEWORKER, unit=eb_unit)
    action = CorrectiveActionFactory(flag=FlagFactory(responsible=action_owner), owner=action_owner,
                                     due_date=AS_OF - datetime.timedelta(days=3))
    run_all()
    flag = flag_of("r12_action_overdue", action.pk)
    assert (flag.responsible, flag.owner_basis, flag.owner_explanation) == (
        action_owner, OwnerBasis.ACTION_OWNER, "åtgärdens ägare")


def test_a_live_flag_follows_its_owner_and_the_change_is_in_its_history(eb_unit, unit_manager, coordinator_unit):
    person, case = person_with_barrier()
    run_all()
    flag = flag_of(FULL_TIME, person.pk)
    assert flag.responsible == unit_manager
    coordinator = StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit, first_name="Karin", last_name="Berg")
    CoordinatorAssignment.objects.create(case=case, applicant=person, coordinator=coordinator,
                                         start_date=datetime.date(2026, 3, 1))
    run_all()
    flag.refresh_from_db()
    assert (flag.responsible, flag.unit, flag.owner_basis, flag.first_seen) == (
        coordinator, coordinator_unit, OwnerBasis.COORDINATOR, AS_OF)
    moved = FlagTransition.objects.get(flag=flag, event="reassigned")
    assert moved.to_status == moved.from_status == flag.status
    run_all()  # nothing changed: no new history
    assert FlagTransition.objects.filter(flag=flag, event="reassigned").count() == 1


def test_a_flag_made_before_the_chain_gets_its_owner_on_the_next_run(eb_unit, unit_manager):
    person, _ = person_with_barrier()
    run_all()
    Flag.objects.update(responsible=None, unit=None, owner_basis="")  # as the 79 demo flags were
    run_all()
    assert not ownerless().exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
@override_settings(AUDIT_CONTROL_NORMS={"CONTROL_OWNER_UNIT": "kvalitet"})
def test_generated_population_has_no_ownerless_live_flag(eb_unit, coordinator_unit, seed):
    """Persons with and without a case, caseworker, coordinator (active or not), at units with and
    without a manager; every rule runs; every live flag has a responsible person and a unit."""
    rng = random.Random(seed)
    units = [eb_unit, coordinator_unit, UnitFactory(code="parketten", name="Parketten")]  # Parketten has no manager
    StaffFactory(role=Role.UNIT_MANAGER, unit=UnitFactory(code="kvalitet", name="Kvalitet"))
    if rng.random() < 0.5:
        StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit)
    coordinators = [StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit, is_active=rng.random() < 0.7) for _ in range(3)]
    caseworkers = [StaffFactory(role=Role.CASEWORKER, unit=eb_unit, is_active=rng.random() < 0.7) for _ in range(3)]
    for _ in range(25):
        person = ApplicantFactory(registered_unit=rng.choice(units))
        if rng.random() < 0.75:
            case = CaseFactory(with_applicant=person, unit=rng.choice(units), opened_on=datetime.date(2025, 1, 1),
                               responsible_caseworker=rng.choice([None, *caseworkers]))
            CaseSupportBarrier.objects.create(case=case, applicant=person, barrier=labour_market_barrier(),
                                              valid_from=case.opened_on)
            if rng.random() < 0.5:
                CoordinatorAssignment.objects.create(case=case, applicant=person, coordinator=rng.choice(coordinators),
                                                     start_date=case.opened_on)
        if rng.random() < 0.5:
            _plan_past_its_follow_up_date(person)
    run_all()
    live = Flag.objects.filter(status__in=LIVE_FLAG_STATUSES)
    assert live.count() > 10
    assert list(ownerless().values_list("rule__code", "subject_id")) == []


def test_a_chunk_resolves_owners_in_a_fixed_number_of_queries(eb_unit, unit_manager, coordinator_unit,
                                                              django_assert_max_num_queries):
    """Four ownership queries per chunk whatever its size, also when live flags change owner."""
    engine.rules_sync()
    rule = REGISTRY[FULL_TIME]
    coordinator = StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit)
    counts = []
    for n in (2, 20):
        Flag.objects.all().delete()
        people = [person_with_barrier() for _ in range(n - len(counts) * 2)]
        run_all()
        for person, case in people:  # every flag now changes owner on the next run
            CoordinatorAssignment.objects.create(case=case, applicant=person, coordinator=coordinator,
                                                 start_date=datetime.date(2026, 3, 1))
        (lo, hi), = engine.plan_chunks(rule, 10**6)
        with django_assert_max_num_queries(22) as ctx:  # 22: the unchanged-chunk check, its snapshot and the marks off and on (audit 0029)
            engine.run_chunk(rule_code=FULL_TIME, lower=lo, upper=hi, as_of=AS_OF)
        counts.append(len(ctx.captured_queries))
        live = Flag.objects.filter(rule__code=FULL_TIME, status__in=LIVE_FLAG_STATUSES)
        assert live.count() == n and not live.exclude(responsible=coordinator).exists()
    assert counts[0] == counts[1]


# Last in the file: it builds the whole demo data, the slowest test here, so a mutation run
# (bench/mutation.sh, pytest -x) reaches it only for a mutant the quicker tests do not catch.
def test_demo_data_has_no_ownerless_live_flag(db):
    # Before the chain: 79 live heltidsaktivering flags (persons without a coordinator) had
    # neither a responsible person nor a unit.
    demo_municipality()
    live = Flag.objects.filter(status__in=LIVE_FLAG_STATUSES)
    assert live.filter(rule__code=FULL_TIME, person__coordinator_assignments__isnull=True).exists()
    assert list(ownerless().values_list("rule__code", flat=True)) == []
    assert not live.filter(owner_basis="").exists()
