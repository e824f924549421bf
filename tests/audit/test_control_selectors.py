"""audit.control.selectors: the worklist's age filters, the age bands, the escalated flags and the
unit manager's corrective actions, each read straight from the selector (what the pages show)."""

import datetime

import pytest
from django.utils import timezone

from audit.control import selectors
from audit.control.models import FlagStatus
from cases.models import Role
from tests.factories.audit import CorrectiveActionFactory, FlagFactory
from tests.factories.cases import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _flags_aged(responsible, *days):
    today = timezone.localdate()
    return [FlagFactory(responsible=responsible, first_seen=today - datetime.timedelta(days=d)) for d in days]


def test_worklist_age_filters_count_days_back_from_today(caseworker):
    new, week_old, old = _flags_aged(caseworker, 0, 5, 20)
    today = timezone.localdate()

    def ids(**filters):
        return {f.pk for f in selectors.flag_worklist(user=caseworker, today=today, **filters)}

    assert ids(max_age_days=10) == {new.pk, week_old.pk}
    assert ids(min_age_days=3, max_age_days=10) == {week_old.pk}
    assert ids(max_age_days=5) == {new.pk, week_old.pk}  # the limit day itself is included
    assert ids(min_age_days=20) == {old.pk}


def test_age_bands_count_the_live_flags_by_days_since_first_seen(caseworker):
    _flags_aged(caseworker, 0, 5, 20, 40)
    today = timezone.localdate()
    (row,) = selectors.flag_counts_by_rule_and_age(user=caseworker, today=today, bands=[(0, 7), (8, 30), (31, None)])
    assert (row["total"], row["band0"], row["band1"], row["band2"]) == (4, 2, 1, 1)


def test_escalated_lists_only_the_live_flags_escalated_to_the_manager(unit_manager):
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)
    escalated, not_escalated, resolved = _flags_aged(caseworker, 40, 40, 40)
    now = timezone.now()
    for flag in (escalated, resolved):
        flag.escalated_at, flag.escalated_to = now, unit_manager
    resolved.status, resolved.resolved_on = FlagStatus.RESOLVED, timezone.localdate()
    for flag in (escalated, resolved):
        flag.save()
    assert list(selectors.flags_escalated(user=unit_manager)) == [escalated]


def test_the_unit_manager_sees_the_actions_on_the_units_flags_and_samples(unit_manager):
    """A corrective action from the unit's own control sample belongs to the unit whoever owns it;
    a caseworker sees the actions on flags they see, not the unit's sample findings."""
    from audit.control.models import ChecklistAnswer
    from audit.control.services import sample_draw

    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)
    on_flag = CorrectiveActionFactory(flag=FlagFactory(responsible=caseworker))
    elsewhere = CorrectiveActionFactory(flag=FlagFactory(responsible=StaffFactory(unit__code="annan"),
                                                         person__registered_unit__code="annan"))
    CaseFactory(unit=unit_manager.unit, opened_on=timezone.localdate() - datetime.timedelta(days=10))
    today = timezone.localdate()
    sample = sample_draw(actor=unit_manager, unit=unit_manager.unit, period_start=today - datetime.timedelta(days=60),
                         period_end=today, size=1, seed=7)
    answer = ChecklistAnswer.objects.filter(item__sample=sample).first()
    from_sample = CorrectiveActionFactory(flag=None, sample_answer=answer, owner=caseworker, created_by=unit_manager)
    assert set(selectors.actions_for(unit_manager)) == {on_flag, from_sample}
    assert set(selectors.actions_for(caseworker)) == {on_flag, from_sample}  # the owner sees theirs
    assert elsewhere not in selectors.actions_for(caseworker)
    other_caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)
    assert from_sample not in selectors.actions_for(other_caseworker)


def test_a_deactivated_account_sees_no_flag_and_no_action(caseworker, unit_manager):
    CorrectiveActionFactory(flag=FlagFactory(responsible=caseworker))
    for user in (caseworker, unit_manager):
        user.is_active = False
        assert not selectors.flags_for(user).exists(), user.role
        assert not selectors.actions_for(user).exists(), user.role


def _sample(unit_manager, size=1):
    from audit.control.services import sample_draw

    today = timezone.localdate()
    for _ in range(size):
        CaseFactory(unit=unit_manager.unit, opened_on=today - datetime.timedelta(days=10))
    return sample_draw(actor=unit_manager, unit=unit_manager.unit, period_start=today - datetime.timedelta(days=60),
                       period_end=today, size=size, seed=7)


def test_control_samples_are_the_unit_managers_only(unit_manager):
    sample = _sample(unit_manager)
    assert list(selectors.samples_for(unit_manager)) == [sample]
    assert not selectors.samples_for(StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)).exists()
    unit_manager.is_active = False
    assert not selectors.samples_for(unit_manager).exists()


def test_a_question_without_answers_counts_zero_of_zero(unit_manager):
    from audit.control.checklist import QUESTIONS
    from audit.control.models import ChecklistAnswer

    sample = _sample(unit_manager)
    unanswered = QUESTIONS[0].code
    ChecklistAnswer.objects.filter(item__sample=sample, question=unanswered).delete()
    rows = {r["question"]: r for r in selectors.sample_results(sample=sample)}
    assert {k: rows[unanswered][k] for k in ("yes", "no", "not_applicable", "unknown", "reviewed", "of")} == {
        "yes": 0, "no": 0, "not_applicable": 0, "unknown": 0, "reviewed": 0, "of": 0}
    assert rows[QUESTIONS[1].code]["of"] == 1


def test_a_plan_state_no_sampled_person_had_counts_zero(unit_manager):
    # One sampled person without any plan: the signed and draft lines are there, with 0.
    sample = _sample(unit_manager)
    states = {line["state"]: line["count"] for line in selectors.sample_plan_states(sample=sample)}
    assert states == {"signed": 0, "draft": 0, "none": 1}


def test_staff_see_the_flags_they_must_act_on_and_the_flags_on_persons_they_see(caseworker):
    # DOMAIN.md 4: every finding has someone who must act on it, so the one responsible sees it
    # even when the person is outside their unit; a flag on a person they see is theirs to read too.
    from tests.factories.cases import ApplicantFactory, UnitFactory

    other_unit = UnitFactory(code="annan-enhet")
    theirs_elsewhere = FlagFactory(responsible=caseworker, person=ApplicantFactory(registered_unit=other_unit))
    colleagues_in_unit = FlagFactory(responsible=StaffFactory(role=Role.CASEWORKER, unit=caseworker.unit),
                                     person=ApplicantFactory(registered_unit=caseworker.unit))
    FlagFactory(responsible=StaffFactory(role=Role.CASEWORKER, unit=other_unit),
                person=ApplicantFactory(registered_unit=other_unit))
    assert set(selectors.flags_for(caseworker)) == {theirs_elsewhere, colleagues_in_unit}
