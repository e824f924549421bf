"""Rule parameters an administrator sets: rule 8's norm hours and the grace days of the rules whose
limit is a date stored on the subject (2, 3, 6b, 7, 9). Defaults come from the norms modules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.control import engine, services
from audit.control.models import Flag, RuleParameter
from audit.control.rules import REGISTRY
from audit.control.rules.insatser import last_full_week
from insatser import norms as insatser_norms
from insatser.models import ReferralStatus
from planning import norms as planning_norms
from tests.audit.test_rules_insatser import _scheduled_person
from tests.audit.test_rules_planning import _active_person, _complete_plan
from tests.factories.insatser import ExemptionFactory, ParticipationFactory, ReferralFactory
from tests.factories.planning import SignedPlanFactory

D = datetime.date
DAY = datetime.timedelta(days=1)
AS_OF = D(2026, 7, 10)


def _set(code: str, key: str, value: int) -> None:
    engine.rules_sync()
    assert RuleParameter.objects.filter(rule__code=code, key=key).update(value=value) == 1


def test_rule_8_norm_hours_default_is_the_insatser_norm_and_follows_its_override(db, settings):
    engine.rules_sync()
    parameter = RuleParameter.objects.get(rule__code="r08_full_time_activation", key="norm_hours")
    assert parameter.value == parameter.default == insatser_norms.norm("FULL_TIME_HOURS_PER_WEEK") == 40

    settings.INSATSER_NORMS = {"FULL_TIME_HOURS_PER_WEEK": 35}
    assert engine.parameters_for(REGISTRY["r08_full_time_activation"])["norm_hours"] == 40  # stored value wins
    parameter.delete()
    assert engine.parameters_for(REGISTRY["r08_full_time_activation"])["norm_hours"] == 35
    engine.rules_sync()
    assert RuleParameter.objects.get(rule__code="r08_full_time_activation", key="norm_hours").default == 35


def test_rule_8_uses_the_administrators_norm_hours(run_rule):
    as_of = D(2026, 3, 16)
    week = last_full_week(as_of)
    attended_39 = _scheduled_person(week, attended=Decimal(39))
    attended_36 = _scheduled_person(week, friday_hours=Decimal(4), attended=Decimal(36))
    _set("r08_full_time_activation", "norm_hours", 38)
    assert run_rule("r08_full_time_activation", as_of) == {attended_36.pk}
    flag = Flag.objects.get(rule__code="r08_full_time_activation", subject_id=attended_36.pk)
    assert Decimal(str(flag.facts["norm_hours"])) == 38

    _set("r08_full_time_activation", "norm_hours", 40)
    assert run_rule("r08_full_time_activation", as_of) == {attended_39.pk, attended_36.pk}


def test_rule_1_interval_default_is_the_planning_norm(db):
    engine.rules_sync()
    parameter = RuleParameter.objects.get(rule__code="r01_follow_up_interval", key="interval_months")
    assert parameter.default == planning_norms.norm("follow_up_interval_months")


def _plan_follow_up_due(limit):
    return _complete_plan(made_on=D(2026, 6, 1), latest_follow_up_on=limit)


def _plan_valid_until(limit):
    return SignedPlanFactory(applicant=_active_person(), made_on=D(2026, 1, 1), valid_until=limit)


def _referral_valid_until(limit):
    return ReferralFactory(status=ReferralStatus.REFERRED, started_on=None, referred_on=D(2026, 5, 1),
                           valid_until=limit)


def _decision_period_end(limit):
    return ParticipationFactory(start_date=D(2026, 1, 10), decision_period_end=limit)


def _review_on(limit):
    return ExemptionFactory(valid_from=D(2026, 6, 1), valid_to=D(2026, 8, 31), review_on=limit)


@pytest.mark.parametrize(
    ("code", "subject_with_limit"),
    [
        ("r02_plan_follow_up_date_passed", _plan_follow_up_due),
        ("r03_plan_expired", _plan_valid_until),
        ("r06b_referral_past_time_limit", _referral_valid_until),
        ("r07_participation_past_decision_period", _decision_period_end),
        ("r09_exemption_review_passed", _review_on),
    ],
)
def test_grace_days_delay_the_flag_by_exactly_that_many_days(run_rule, code, subject_with_limit):
    engine.rules_sync()
    assert RuleParameter.objects.get(rule__code=code, key="grace_days").default == 0
    passed_2_days = subject_with_limit(AS_OF - 2 * DAY)
    passed_3_days = subject_with_limit(AS_OF - 3 * DAY)
    assert run_rule(code, AS_OF) == {passed_2_days.pk, passed_3_days.pk}  # default: no grace

    _set(code, "grace_days", 2)
    assert run_rule(code, AS_OF) == {passed_3_days.pk}  # the other is resolved until its grace is over
    assert run_rule(code, AS_OF + DAY) == {passed_2_days.pk, passed_3_days.pk}



def test_rule_11_max_days_default_is_the_insatser_norm_and_follows_its_override(db, settings):
    engine.rules_sync()
    parameter = RuleParameter.objects.get(rule__code="r11_closing_one_sided", key="max_days")
    assert parameter.value == parameter.default == insatser_norms.norm("CLOSING_CONFIRMATION_MAX_DAYS") == 14

    settings.INSATSER_NORMS = {"CLOSING_CONFIRMATION_MAX_DAYS": 10}
    parameter.delete()
    assert engine.parameters_for(REGISTRY["r11_closing_one_sided"])["max_days"] == 10


# The range an administrator may set each limit within (shown with the parameter): a month or
# more up to a year for the plan and report intervals, up to two years for a case's length, a day
# to a quarter for queue and closing days, no grace up to a quarter, and never a norm above the
# most hours a week that may be scheduled (60); for the access-log review a day to a quarter of
# days looked back over, the hours of a day for working hours, and up to 10 000 a day.
RANGES = [
    ("r01_follow_up_interval", "interval_months", 1, 12),
    ("r02_plan_follow_up_date_passed", "grace_days", 0, 90),
    ("r03_plan_expired", "grace_days", 0, 90),
    ("r04_case_without_coordinator_or_plan", "case_months", 1, 24),
    ("r06a_queue_without_temporary_activity", "max_queue_days", 1, 90),
    ("r06b_referral_past_time_limit", "grace_days", 0, 90),
    ("r07_participation_past_decision_period", "grace_days", 0, 90),
    ("r08_full_time_activation", "norm_hours", 1, 60),
    ("r09_exemption_review_passed", "grace_days", 0, 90),
    ("r10_decision_not_executed", "months", 1, 12),
    ("r11_closing_one_sided", "max_days", 1, 90),
    ("l02_read_outside_scope", "lookback_days", 1, 90),
    ("l04_many_persons_in_a_day", "max_persons", 1, 10000),
    ("l05_read_outside_working_hours", "work_start_hour", 0, 23),
    ("l05_read_outside_working_hours", "work_end_hour", 1, 24),
    ("l06_many_refused_requests", "max_refused", 1, 10000),
]


@pytest.mark.parametrize(("code", "key", "lowest", "highest"), RANGES)
def test_an_administrator_sets_a_limit_within_its_range_and_no_further(administrator, code, key, lowest, highest):
    # The range as a new installation gets it from the rule (a stored row is never overwritten).
    RuleParameter.objects.filter(rule__code=code, key=key).delete()
    engine.rules_sync()
    parameter = RuleParameter.objects.get(rule__code=code, key=key)
    if key == "grace_days":  # no margin unless the municipality sets one: flag the day after the limit
        assert parameter.default == parameter.value == 0
    for value in (lowest, highest):
        assert services.rule_parameter_update(actor=administrator, parameter=parameter, value=value).value == value
    for value in (lowest - 1, highest + 1):
        with pytest.raises(ValidationError) as refused:
            services.rule_parameter_update(actor=administrator, parameter=parameter, value=value)
        assert set(refused.value.message_dict) == {"value"}
        assert RuleParameter.objects.get(pk=parameter.pk).value == highest
