"""The engine writes a chunk's flags set-based inside the database (issue 12): the number of queries
of a chunk does not grow with its findings, no Flag or FlagTransition object is built in Python, and
how the subjects are cut into chunks does not change the result.

Rule 1 (a participant followed up at least once a month, DOMAIN.md 2.7 and 3) is the condition."""

import datetime

import pytest

from audit.control import engine
from audit.control.models import Flag, FlagStatus, FlagTransition
from audit.control.rules import REGISTRY
from tests.audit.helpers import overdue_participants as overdue
from tests.factories.planning import FollowUpFactory

pytestmark = pytest.mark.django_db

D = datetime.date
RULE = "r01_follow_up_interval"
AS_OF = D(2026, 3, 10)


def one_chunk(as_of=AS_OF, chunk=None):
    ((lo, hi),) = chunk or engine.plan_chunks(REGISTRY[RULE], 10**6)
    return engine.run_chunk(rule_code=RULE, lower=lo, upper=hi, as_of=as_of)


@pytest.fixture
def objects_built(monkeypatch):
    """How many Flag and FlagTransition objects Python builds (from the database or to save)."""
    built = {"Flag": 0, "FlagTransition": 0}
    for model in (Flag, FlagTransition):
        init = model.__init__

        def counting(self, *args, _init=init, _name=model.__name__, **kwargs):
            built[_name] += 1
            _init(self, *args, **kwargs)

        monkeypatch.setattr(model, "__init__", counting)
    return built


@pytest.mark.parametrize("n", [1, 30])
def test_a_chunks_queries_do_not_grow_with_its_findings(n, django_assert_max_num_queries, objects_built):
    engine.rules_sync()
    plans = overdue(n)
    chunk = engine.plan_chunks(REGISTRY[RULE], 10**6)
    counts = []
    # Rule and parameters, the lock (PostgreSQL), the count of subjects examined, the findings table
    # and its index, the kept count, five writes and the two outbox INSERT ... SELECTs (webhook events
    # for flags opened and resolved), the table dropped; the transaction's savepoint. A range chunk
    # also asks whether it is unchanged since its last evaluation, takes the snapshot it reads in,
    # turns the change marks off and on around its writes and keeps its evaluation
    # (audit/control/unchanged.py): five more.
    for as_of in (AS_OF, AS_OF + datetime.timedelta(days=1)):  # opened, then kept (seen again)
        with django_assert_max_num_queries(22) as ctx:
            one_chunk(as_of, chunk)
        counts.append(len(ctx.captured_queries))
    for plan in plans:  # followed up: every flag resolves
        FollowUpFactory(plan=plan, followed_up_on=AS_OF)
    with django_assert_max_num_queries(22) as ctx:
        resolved = one_chunk(AS_OF + datetime.timedelta(days=1), chunk)
    counts.append(len(ctx.captured_queries))
    assert resolved.flags_resolved == n
    assert Flag.objects.filter(status=FlagStatus.RESOLVED).count() == n
    assert FlagTransition.objects.filter(event="auto_resolved").count() == n
    # The same statements whatever n is (the SQL differs only in its parameters).
    assert counts == [counts[0]] * 3
    assert objects_built == {"Flag": 0, "FlagTransition": 0}


def test_no_flag_object_is_built_in_python(objects_built):
    engine.rules_sync()
    overdue(5)
    counts = one_chunk()
    assert counts.flags_opened == 5 and objects_built == {"Flag": 0, "FlagTransition": 0}
    Flag.objects.update(responsible=None, unit=None, owner_basis="")  # every owner changes next run
    one_chunk(AS_OF + datetime.timedelta(days=1))
    assert objects_built == {"Flag": 0, "FlagTransition": 0}
    assert FlagTransition.objects.filter(event="reassigned").count() == 5


def _state():
    return sorted(
        Flag.objects.values_list("subject_id", "status", "responsible_id", "unit_id", "owner_basis", "first_seen",
                                 "last_seen", "resolved_on", "facts")
    )


def test_how_the_subjects_are_cut_into_chunks_does_not_change_the_result():
    engine.rules_sync()
    plans = overdue(7)
    rule = REGISTRY[RULE]
    results = []
    for size in (10**6, 2, 1):
        Flag.objects.all().delete()
        for day, follow_up in ((AS_OF, None), (AS_OF + datetime.timedelta(days=1), plans[2])):
            if follow_up is not None:
                FollowUpFactory(plan=follow_up, followed_up_on=AS_OF)
            for lo, hi in engine.plan_chunks(rule, size):
                engine.run_chunk(rule_code=RULE, lower=lo, upper=hi, as_of=day)
        results.append(_state())
        # The same subjects as explicit ids (a re-check) change nothing more.
        for ids in engine.id_chunks([p.applicant_id for p in plans], size):
            engine.run_chunk(rule_code=RULE, subject_ids=ids, as_of=AS_OF + datetime.timedelta(days=1))
        assert _state() == results[-1]
        plans[2].follow_ups.filter(followed_up_on=AS_OF).delete()
    assert results[0] == results[1] == results[2]
    assert [row[1] for row in results[0]].count(FlagStatus.RESOLVED) == 1


def test_an_empty_set_of_ids_is_a_chunk_of_nothing():
    engine.rules_sync()
    overdue(2)
    one_chunk()
    counts = engine.run_chunk(rule_code=RULE, subject_ids=[], as_of=AS_OF + datetime.timedelta(days=1))
    assert counts.as_dict() == {"subjects_examined": 0, "flags_opened": 0, "flags_kept": 0, "flags_resolved": 0}
    assert Flag.objects.filter(status=FlagStatus.OPEN, last_seen=AS_OF).count() == 2
