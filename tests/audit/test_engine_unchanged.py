"""An unchanged re-run skips its chunks (issue 12, audit/control/unchanged.py): a range chunk whose
SQL, parameters and run date are those of its last evaluation and whose facts nobody wrote since
reports its last counts without running the rule; any write to a table the rule reads (in this
transaction or another, committed since), a flag a person changed, another day or another
parameter value evaluates it again.

Rule 1 (a participant followed up at least once a month, DOMAIN.md 2.7 and 3) is the condition."""

import datetime

import pytest
from django.db import connection

from audit.control import engine, unchanged
from audit.control.models import Flag, FlagStatus, RuleParameter
from audit.control.rules import REGISTRY
from audit.control.unchanged_models import ChunkEvaluation
from tests.audit.helpers import overdue_participants as overdue
from tests.factories.planning import FollowUpFactory

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the change marks are a PostgreSQL trigger"),
]

D = datetime.date
RULE = "r01_follow_up_interval"
AS_OF = D(2026, 3, 10)


def run(as_of=AS_OF, rule=RULE):
    """Every chunk of the rule (a fixed range, as a night's chunks are), and whether the rule's
    findings were computed (the findings table made) in any of them."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        counts = engine.run_chunk(rule_code=rule, lower=0, upper=10**9, as_of=as_of)
    evaluated = any("CREATE TEMPORARY TABLE" in q["sql"] for q in ctx.captured_queries)
    return counts.as_dict(), evaluated


def live():
    return Flag.objects.filter(status=FlagStatus.OPEN).count()


@pytest.mark.django_db
def test_an_unchanged_re_run_does_not_run_the_rule_and_reports_what_it_kept(django_assert_max_num_queries):
    engine.rules_sync()
    overdue(2)
    first, evaluated = run()
    assert evaluated and first["flags_opened"] == 2
    with django_assert_max_num_queries(5):  # the rule's id, its parameters, the check; the savepoint and its release
        again, evaluated = run()
    assert not evaluated
    assert again == {"subjects_examined": 2, "flags_opened": 0, "flags_kept": 2, "flags_resolved": 0}
    assert live() == 2


@pytest.mark.django_db
def test_a_fact_written_after_the_evaluation_in_the_same_transaction_is_a_change():
    engine.rules_sync()
    plans = overdue(2)
    run()
    FollowUpFactory(plan=plans[0], followed_up_on=AS_OF)  # the condition ends for one person
    counts, evaluated = run()
    assert evaluated and counts["flags_resolved"] == 1 and live() == 1
    assert run() == ({"subjects_examined": 2, "flags_opened": 0, "flags_kept": 1, "flags_resolved": 0}, False)


@pytest.mark.django_db
def test_a_flag_a_person_closed_is_a_change_the_engine_writing_its_own_is_not():
    engine.rules_sync()
    overdue(1)
    run()
    Flag.objects.update(status=FlagStatus.CLOSED)  # closed by hand while the condition still holds
    counts, evaluated = run()
    assert evaluated and counts["flags_opened"] == 1 and live() == 1  # found again: a new flag
    assert run()[1] is False  # the engine's own insert did not mark the flags as changed


@pytest.mark.django_db
def test_another_day_another_parameter_value_or_a_chunk_of_ids_evaluates_again():
    engine.rules_sync()
    (plan,) = overdue(1)
    run()
    assert run(AS_OF + datetime.timedelta(days=1))[1] is True
    assert run(AS_OF + datetime.timedelta(days=1))[1] is False
    RuleParameter.objects.filter(rule__code=RULE, key="interval_months").update(value=3)
    counts, evaluated = run(AS_OF + datetime.timedelta(days=1))
    assert evaluated and counts["flags_resolved"] == 1  # three months: not overdue any more
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        engine.run_chunk(rule_code=RULE, subject_ids=[plan.applicant_id], as_of=AS_OF + datetime.timedelta(days=1))
    assert any("CREATE TEMPORARY TABLE" in q["sql"] for q in ctx.captured_queries)


@pytest.mark.django_db
def test_a_rule_reading_a_table_without_the_trigger_is_never_taken_as_unchanged():
    # The access log has no change marks (a row per read would mark it constantly): the log
    # review's chunks are evaluated every time.
    engine.rules_sync()
    code = "l03_read_protected_identity"
    assert "audit_accesslogentry" in unchanged.tables_read(
        str(REGISTRY[code].findings(as_of=AS_OF, params=engine.parameters_for(REGISTRY[code])).query))
    for _ in range(2):
        assert run(rule=code)[1] is True


@pytest.mark.django_db(transaction=True)
def test_a_fact_committed_by_another_transaction_after_the_evaluation_is_a_change():
    # Each step commits on its own, as the nightly chunks and the services do.
    engine.rules_sync()
    (plan,) = overdue(1)
    assert run()[0]["flags_opened"] == 1
    assert run()[1] is False
    FollowUpFactory(plan=plan, followed_up_on=AS_OF)
    counts, evaluated = run()
    assert evaluated and counts["flags_resolved"] == 1
    assert ChunkEvaluation.objects.get(rule_code=RULE).counts["flags_resolved"] == 1
    unchanged.prune()  # marks every evaluation has seen are forgotten; the skip still holds
    assert run()[1] is False


@pytest.mark.django_db(transaction=True)
def test_the_flags_another_chunk_of_the_rule_writes_do_not_count_as_a_change():
    # Two chunks, each its own transaction: the second's flag writes come after the first's
    # snapshot, and are the engine's own (no rule's findings read them).
    engine.rules_sync()
    plans = overdue(2)
    split = plans[1].applicant_id
    chunks = [(0, split), (split, 10**9)]

    def evaluated(lo, hi):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            engine.run_chunk(rule_code=RULE, lower=lo, upper=hi, as_of=AS_OF)
        return any("CREATE TEMPORARY TABLE" in q["sql"] for q in ctx.captured_queries)

    assert [evaluated(*c) for c in chunks] == [True, True]
    assert [evaluated(*c) for c in chunks] == [False, False]
    assert live() == 2

