"""Rules 1, 2, 3, 5: follow-ups and plans. Each: flagged past the limit, not on it."""

import datetime

from audit.control.models import Flag
from planning.norms import add_months
from tests.factories.cases import ApplicantFactory, CaseFactory, CoordinatorAssignmentFactory
from tests.factories.insatser import ParticipationFactory
from tests.factories.planning import (
    FollowUpFactory,
    PlanActivityFactory,
    SignedPlanFactory,
    SubgoalFactory,
)

D = datetime.date


def _complete_plan(**kwargs):
    plan = SignedPlanFactory(**kwargs)
    SubgoalFactory(plan=plan)
    PlanActivityFactory(plan=plan)
    return plan


def _participant(start: datetime.date, last_follow_up: datetime.date | None = None):
    person = ApplicantFactory()
    plan = _complete_plan(applicant=person, made_on=start - datetime.timedelta(days=40))
    ParticipationFactory(applicant=person, start_date=start)
    if last_follow_up:
        FollowUpFactory(plan=plan, followed_up_on=last_follow_up)
    return person


def test_rule_1_follow_up_interval_one_month(run_rule):
    as_of = D(2026, 3, 10)  # one month back: 2026-02-10
    on_limit = _participant(D(2026, 1, 5), last_follow_up=D(2026, 2, 10))
    day_after_limit = _participant(D(2026, 1, 5), last_follow_up=D(2026, 2, 9))
    new_on_limit = _participant(D(2026, 2, 10))
    new_past_limit = _participant(D(2026, 2, 9))

    flagged = run_rule("r01_follow_up_interval", as_of)

    assert flagged == {day_after_limit.pk, new_past_limit.pk}
    assert on_limit.pk not in flagged and new_on_limit.pk not in flagged
    flag = Flag.objects.get(subject_id=day_after_limit.pk, rule__code="r01_follow_up_interval")
    assert flag.person_id == day_after_limit.pk
    assert flag.facts["last_follow_up"] == "2026-02-09"


def test_rule_1_resolves_when_followed_up(run_rule):
    person = _participant(D(2026, 1, 5), last_follow_up=D(2026, 2, 1))
    assert run_rule("r01_follow_up_interval", D(2026, 3, 10)) == {person.pk}
    FollowUpFactory(plan=person.plans.get(), followed_up_on=D(2026, 3, 10))
    assert run_rule("r01_follow_up_interval", D(2026, 3, 11)) == set()


def test_rule_1_in_two_insatser_at_once_counts_from_the_first_start(run_rule):
    # Without a follow-up, the month runs from when the person began taking part, not from
    # the start of a second insats joined later (on PostgreSQL this is also the subquery that
    # must return one row per person).
    person = _participant(D(2026, 1, 5))
    ParticipationFactory(applicant=person, start_date=D(2026, 3, 1))

    assert run_rule("r01_follow_up_interval", D(2026, 3, 10)) == {person.pk}
    flag = Flag.objects.get(subject_id=person.pk, rule__code="r01_follow_up_interval")
    assert flag.facts["active_since"] == "2026-01-05"


def test_rule_2_plans_follow_up_date_passed(run_rule):
    as_of = D(2026, 2, 10)
    due_today = _complete_plan(made_on=D(2026, 1, 1), latest_follow_up_on=as_of)
    due_yesterday = _complete_plan(made_on=D(2026, 1, 1), latest_follow_up_on=as_of - datetime.timedelta(days=1))
    followed_up = _complete_plan(made_on=D(2026, 1, 1), latest_follow_up_on=D(2026, 1, 20))
    FollowUpFactory(plan=followed_up, followed_up_on=D(2026, 1, 19), next_follow_up_on=D(2026, 2, 19))

    flagged = run_rule("r02_plan_follow_up_date_passed", as_of)

    assert flagged == {due_yesterday.pk}
    assert due_today.pk not in flagged and followed_up.pk not in flagged


def test_rule_2_a_follow_up_made_after_the_run_date_does_not_count(run_rule):
    # DOMAIN.md 2.4 and 2.7: the plan says when it is to be followed up at the latest, and a follow-up
    # counts once it is made and documented. Run as of a day, one recorded after it had not happened
    # yet: on that day the plan's date had passed without a follow-up (as rule 1 and the plan in force).
    as_of = D(2026, 2, 10)
    plan = _complete_plan(made_on=D(2026, 1, 1), latest_follow_up_on=D(2026, 2, 1))
    FollowUpFactory(plan=plan, followed_up_on=D(2026, 2, 15), next_follow_up_on=D(2026, 3, 15))

    assert run_rule("r02_plan_follow_up_date_passed", as_of) == {plan.pk}
    flag = Flag.objects.get(subject_id=plan.pk, rule__code="r02_plan_follow_up_date_passed")
    assert flag.facts["due_on"] == "2026-02-01"
    # Once the follow-up is made (run as of its day) the plan is due on the date it set: no flag.
    assert run_rule("r02_plan_follow_up_date_passed", D(2026, 2, 15)) == set()


def _active_person():
    person = ApplicantFactory()
    CoordinatorAssignmentFactory(case=CaseFactory(with_applicant=person), start_date=D(2025, 1, 1))
    return person


def test_rule_3_plan_past_validity_without_new_plan(run_rule):
    as_of = D(2026, 7, 10)
    valid_today = SignedPlanFactory(applicant=_active_person(), made_on=D(2026, 1, 10))
    assert valid_today.valid_until == as_of
    expired = SignedPlanFactory(applicant=_active_person(), made_on=D(2026, 1, 9))
    no_longer_active = SignedPlanFactory(made_on=D(2026, 1, 9))
    replaced_person = _active_person()
    old = SignedPlanFactory(applicant=replaced_person, made_on=D(2025, 12, 1))
    SignedPlanFactory(applicant=replaced_person, made_on=D(2026, 6, 1), version=2, supersedes=old)

    flagged = run_rule("r03_plan_expired", as_of)

    assert flagged == {expired.pk}
    assert not {valid_today.pk, no_longer_active.pk, old.pk} & flagged


def test_rule_3_a_new_version_made_after_the_run_date_does_not_count(run_rule):
    # DOMAIN.md 2.4: a plan holds 6 months, then a new plan is made. On the run date a version made
    # later did not exist yet, so the person had no plan in force: the expired one is flagged, and the
    # flag closes once the new version is made.
    as_of = D(2026, 7, 10)
    person = _active_person()
    expired = SignedPlanFactory(applicant=person, made_on=D(2026, 1, 9))
    SignedPlanFactory(applicant=person, made_on=D(2026, 7, 20), version=2, supersedes=expired)

    assert run_rule("r03_plan_expired", as_of) == {expired.pk}
    assert run_rule("r03_plan_expired", D(2026, 7, 20)) == set()


def test_rule_5_signed_plan_failing_a_required_checkpoint(run_rule):
    as_of = D(2026, 3, 1)
    complete = _complete_plan(made_on=D(2026, 2, 1))
    without_subgoals = SignedPlanFactory(made_on=D(2026, 2, 1))
    PlanActivityFactory(plan=without_subgoals)
    unnamed_responsible = _complete_plan(made_on=D(2026, 2, 1))
    PlanActivityFactory(plan=unnamed_responsible, responsible="")

    flagged = run_rule("r05_plan_quality", as_of)

    assert flagged == {without_subgoals.pk, unnamed_responsible.pk}
    assert complete.pk not in flagged
    facts = Flag.objects.get(subject_id=without_subgoals.pk, rule__code="r05_plan_quality").facts
    assert facts["qc_sub_goals"] is False and facts["qc_activities"] is True


def test_rule_5_latest_follow_up_date_missing(run_rule):
    plan = _complete_plan(made_on=D(2026, 2, 1), latest_follow_up_on=None)
    assert add_months(plan.made_on, 6) == plan.valid_until
    assert run_rule("r05_plan_quality", D(2026, 3, 1)) == {plan.pk}
