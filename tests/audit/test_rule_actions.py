"""Rule 12: a corrective action past its due date (DOMAIN.md 4)."""

import datetime

from audit.control.models import ActionStatus, CorrectiveAction, Flag, FlagStatus
from tests.factories.audit import CorrectiveActionFactory

DUE = datetime.date(2026, 3, 10)


def test_action_is_flagged_the_day_after_its_due_date_not_on_it(run_rule):
    action = CorrectiveActionFactory(due_date=DUE)

    assert run_rule("r12_action_overdue", DUE) == set()
    assert run_rule("r12_action_overdue", DUE + datetime.timedelta(days=1)) == {action.pk}
    flag = Flag.objects.get(rule__code="r12_action_overdue")
    assert flag.responsible_id == action.owner_id
    assert flag.person_id == action.flag.person_id
    assert flag.facts["due_date"] == DUE.isoformat()


def test_completed_action_is_not_flagged_and_its_flag_resolves(run_rule):
    action = CorrectiveActionFactory(due_date=DUE)
    day_after = DUE + datetime.timedelta(days=1)
    assert run_rule("r12_action_overdue", day_after) == {action.pk}

    CorrectiveAction.objects.filter(pk=action.pk).update(
        status=ActionStatus.COMPLETED, outcome="Klart", completed_on=day_after
    )
    assert run_rule("r12_action_overdue", day_after + datetime.timedelta(days=1)) == set()
    flag = Flag.objects.get(rule__code="r12_action_overdue")
    assert flag.status == FlagStatus.RESOLVED
    assert flag.resolved_on == day_after + datetime.timedelta(days=1)
    assert flag.transitions.get().event == "auto_resolved"


def test_re_run_creates_nothing_new(run_rule):
    CorrectiveActionFactory.create_batch(3, due_date=DUE)
    later = DUE + datetime.timedelta(days=5)
    first = run_rule("r12_action_overdue", later, chunk_size=2)
    count = Flag.objects.filter(rule__code="r12_action_overdue").count()
    assert run_rule("r12_action_overdue", later, chunk_size=2) == first
    assert Flag.objects.filter(rule__code="r12_action_overdue").count() == count
