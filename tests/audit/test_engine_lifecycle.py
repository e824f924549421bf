"""The rule engine over a flag's whole life (README, Egenkontroll: Engine): a finding opens a flag,
the flag resolves when the condition ends, a new flag opens when it returns, and a re-run on the
same day writes nothing: no row of the flag tables inserted, updated or deleted, no transition.

Rule 1 (a participant followed up at least once a month, DOMAIN.md 2.7 and 3) is the condition."""

import datetime
import decimal
import json
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ExpressionWrapper,
    IntegerField,
    Value,
)

from audit.control import engine
from audit.control.models import LIVE_FLAG_STATUSES, Flag, FlagStatus, FlagTransition, Rule
from audit.control.rules import REGISTRY
from tests.factories.cases import ApplicantFactory
from tests.factories.insatser import ParticipationFactory
from tests.factories.planning import FollowUpFactory, PlanActivityFactory, SignedPlanFactory, SubgoalFactory

pytestmark = pytest.mark.django_db

D = datetime.date
RULE = "r01_follow_up_interval"
FLAG_TABLES = (Flag._meta.db_table, FlagTransition._meta.db_table)


def _rows() -> int:
    return Flag.objects.count() + FlagTransition.objects.count()


def _pg_written() -> dict[str, int]:
    """The rows of the flag tables this transaction has inserted, updated and deleted so far
    (PostgreSQL's own counters: every statement's writes, whatever its form)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins), 0), COALESCE(SUM(n_tup_upd), 0), COALESCE(SUM(n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables WHERE relname IN (%s, %s)", FLAG_TABLES,
        )
        return dict(zip(("insert", "update", "delete"), map(int, cursor.fetchone()), strict=True))


@contextmanager
def rows_written():
    """The rows of the flag tables inserted, updated or deleted. On PostgreSQL its per-transaction
    counters (the engine writes in one statement with writes in WITH); on SQLite each statement's
    rowcount (updated, deleted) and the growth in rows plus those deleted (inserted)."""
    written = {"insert": 0, "update": 0, "delete": 0}
    if connection.vendor == "postgresql":
        before = _pg_written()
        yield written
        written.update({k: v - before[k] for k, v in _pg_written().items()})
        return

    def count(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        verb = sql.lstrip().split(None, 1)[0].lower()
        if verb in ("update", "delete") and any(table in sql for table in FLAG_TABLES):
            written[verb] += max(context["cursor"].rowcount, 0)
        return result

    before = _rows()
    with connection.execute_wrapper(count):
        yield written
    written["insert"] = _rows() - before + written["delete"]


COUNTED = {}  # the engine's own counts of the last run, summed over its chunks


def run(as_of: datetime.date) -> dict[str, int]:
    """One engine run over every chunk (two subjects per chunk, so several chunks); the rows it wrote."""
    totals = {"flags_opened": 0, "flags_kept": 0, "flags_resolved": 0}
    with rows_written() as written:
        for lo, hi in engine.plan_chunks(REGISTRY[RULE], 2):
            counts = engine.run_chunk(rule_code=RULE, lower=lo, upper=hi, as_of=as_of).as_dict()
            for key in totals:
                totals[key] += counts[key]
    COUNTED.clear()
    COUNTED.update(totals)
    return written


NOTHING = {"insert": 0, "update": 0, "delete": 0}


def test_a_flag_opens_resolves_and_opens_anew_and_reruns_write_nothing():
    engine.rules_sync()
    assert engine.plan_chunks(REGISTRY[RULE], 2) == [(0, 1)]  # nobody yet: one empty range
    for _ in range(3):  # others, followed up in time: never flagged
        other = ApplicantFactory()
        other_plan = SignedPlanFactory(applicant=other, made_on=D(2025, 12, 1))
        ParticipationFactory(applicant=other, start_date=D(2026, 1, 5))
        FollowUpFactory(plan=other_plan, followed_up_on=D(2026, 3, 9))
        FollowUpFactory(plan=other_plan, followed_up_on=D(2026, 4, 10))
    person = ApplicantFactory()  # the last id: the chunks must reach it
    plan = SignedPlanFactory(applicant=person, made_on=D(2025, 12, 1))
    SubgoalFactory(plan=plan)
    PlanActivityFactory(plan=plan)
    ParticipationFactory(applicant=person, start_date=D(2026, 1, 5))
    FollowUpFactory(plan=plan, followed_up_on=D(2026, 2, 1))

    # 1. Not followed up for more than a month: one flag opens.
    assert run(D(2026, 3, 10)) == {"insert": 1, "update": 0, "delete": 0}
    assert COUNTED == {"flags_opened": 1, "flags_kept": 0, "flags_resolved": 0}
    first = Flag.objects.get()
    assert (first.subject_id, first.person_id, first.status) == (person.pk, person.pk, FlagStatus.OPEN)
    assert (first.first_seen, first.last_seen) == (D(2026, 3, 10), D(2026, 3, 10))
    assert run(D(2026, 3, 10)) == NOTHING  # the same day again
    assert COUNTED == {"flags_opened": 0, "flags_kept": 1, "flags_resolved": 0}

    # Still found the next day: kept, seen again (one row updated), still one flag.
    assert run(D(2026, 3, 11)) == {"insert": 0, "update": 1, "delete": 0}
    first.refresh_from_db()
    assert (first.status, first.last_seen) == (FlagStatus.OPEN, D(2026, 3, 11))
    assert run(D(2026, 3, 11)) == NOTHING

    # 2. Followed up: the condition ends, the flag resolves with date, reason and one transition.
    FollowUpFactory(plan=plan, followed_up_on=D(2026, 3, 12))
    assert run(D(2026, 3, 12)) == {"insert": 1, "update": 1, "delete": 0}  # the transition, the flag
    assert COUNTED == {"flags_opened": 0, "flags_kept": 0, "flags_resolved": 1}
    first.refresh_from_db()
    assert (first.status, first.resolved_on, first.resolution_reason) == (
        FlagStatus.RESOLVED, D(2026, 3, 12), engine.RESOLVED_REASON)
    transition = FlagTransition.objects.get()
    assert (transition.flag_id, transition.from_status, transition.to_status, transition.event) == (
        first.pk, FlagStatus.OPEN, FlagStatus.RESOLVED, "auto_resolved")
    assert run(D(2026, 3, 12)) == NOTHING
    assert run(D(2026, 3, 20)) == NOTHING  # within the month: nothing to find, nothing to keep

    # 3. A month passes without a follow-up again: a new flag opens; the resolved one stays as it was.
    assert run(D(2026, 4, 13)) == {"insert": 1, "update": 0, "delete": 0}
    second = Flag.objects.get(status__in=LIVE_FLAG_STATUSES)
    assert second.pk != first.pk and second.subject_id == person.pk and second.first_seen == D(2026, 4, 13)
    first.refresh_from_db()
    assert (first.status, first.resolved_on) == (FlagStatus.RESOLVED, D(2026, 3, 12))
    assert run(D(2026, 4, 13)) == NOTHING
    assert (Flag.objects.count(), FlagTransition.objects.count()) == (2, 1)


def test_a_run_that_keeps_one_flag_and_opens_another_counts_each(settings):
    engine.rules_sync()
    people = []
    for last in (D(2026, 2, 1), D(2026, 2, 20)):  # the first is overdue on 10 March, the second on 21 March
        person = ApplicantFactory()
        plan = SignedPlanFactory(applicant=person, made_on=D(2025, 12, 1))
        ParticipationFactory(applicant=person, start_date=D(2026, 1, 5))
        FollowUpFactory(plan=plan, followed_up_on=last)
        people.append(person)
    run(D(2026, 3, 10))
    assert COUNTED == {"flags_opened": 1, "flags_kept": 0, "flags_resolved": 0}
    run(D(2026, 3, 21))
    assert COUNTED == {"flags_opened": 1, "flags_kept": 1, "flags_resolved": 0}
    # Without a size the chunk size is the setting's.
    settings.AUDIT_RULE_CHUNK_SIZE = 1
    lo, hi = min(p.pk for p in people), max(p.pk for p in people)
    assert engine.plan_chunks(REGISTRY[RULE])[-1] == (hi, hi + 1) and len(engine.plan_chunks(REGISTRY[RULE])) >= 2
    assert engine.plan_chunks(REGISTRY[RULE])[0][0] <= lo


@pytest.mark.parametrize(
    "value, field, shown",
    [
        (decimal.Decimal("40.00"), DecimalField(max_digits=5, decimal_places=2), 40),
        (decimal.Decimal("37.50"), DecimalField(max_digits=5, decimal_places=2), "37.50"),
        (D(2026, 3, 1), DateField(), "2026-03-01"),
        (datetime.datetime(2026, 3, 1, 8, 15, tzinfo=datetime.UTC), DateTimeField(), "2026-03-01T08:15:00+00:00"),
        (datetime.datetime(2026, 3, 1, 8, 15, 0, 120000, tzinfo=datetime.UTC), DateTimeField(),
         "2026-03-01T08:15:00.120000+00:00"),
        (True, BooleanField(), True),
        (False, BooleanField(), False),
        (None, BooleanField(), None),
        (7, IntegerField(), 7),
        ("avbrutet", CharField(), "avbrutet"),
    ],
)
def test_facts_are_written_in_sql_as_python_shows_them(value, field, shown):
    """The facts JSON is built in the database (engine._facts_sql) the way the flag page has always
    shown it: ISO dates and times, whole decimals as integers, other decimals as strings."""
    engine.rules_sync()
    qs = Rule.objects.values(fact_0=ExpressionWrapper(Value(value, output_field=field), output_field=field))[:1]
    found, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"WITH found AS ({found}) SELECT {engine._facts_sql('found', {'x': 'fact_0'}, qs.query)} "
                       "FROM found", params)
        (facts,) = cursor.fetchone()
    assert (json.loads(facts) if isinstance(facts, str) else facts) == {"x": shown}


# A re-check after a saved fact (README, Egenkontroll: re-checks) looks at the subjects the fact
# may have changed, in bounded chunks.


def test_the_subjects_a_saved_fact_touches_are_the_objects_the_persons_subjects_and_their_live_flags():
    from audit.control.models import Rule
    from tests.factories.audit import FlagFactory

    rule = REGISTRY["r07_participation_past_decision_period"]  # subject: the participation
    person, other = ApplicantFactory(), ApplicantFactory()
    theirs, someone_elses = ParticipationFactory(applicant=person), ParticipationFactory(applicant=other)
    rule_row, _ = Rule.objects.get_or_create(code=rule.code, defaults={"title": rule.title})
    gone = FlagFactory(rule=rule_row, subject_type=rule.subject_type, subject_id=987654, person=person)
    FlagFactory(rule=rule_row, subject_type=rule.subject_type, subject_id=876543, person=person,
                status=FlagStatus.RESOLVED, resolved_on=D(2026, 1, 1))

    touched = engine.subjects_touched(rule, object_ids=["5"], person_ids=[person.pk, None])
    assert touched == {5, theirs.pk, gone.subject_id}
    assert someone_elses.pk not in touched
    assert engine.subjects_touched(rule, object_ids=[7], person_ids=[None]) == {7}


def test_explicit_subject_ids_are_cut_into_sorted_chunks_of_at_most_the_chunk_size(settings):
    assert engine.id_chunks([5, 1, 4, 2, 3, 3], 2) == [[1, 2], [3, 4], [5]]
    assert engine.id_chunks([], 2) == []
    settings.AUDIT_RULE_CHUNK_SIZE = 3
    assert engine.id_chunks(range(1, 8)) == [[1, 2, 3], [4, 5, 6], [7]]


def test_a_reassigned_flag_says_why_its_new_owner_was_chosen_and_nothing_when_no_link_named_anyone():
    from audit.control.rules import ownership
    from cases.models import Role
    from tests.factories.cases import StaffFactory, UnitFactory

    engine.rules_sync()
    rule = REGISTRY[RULE]
    people = []
    for unit in (UnitFactory(code="med-chef"), UnitFactory(code="utan-chef")):
        person = ApplicantFactory(registered_unit=unit)  # no case, no coordinator
        plan = SignedPlanFactory(applicant=person, made_on=D(2025, 12, 1))
        ParticipationFactory(applicant=person, start_date=D(2026, 1, 5))
        FollowUpFactory(plan=plan, followed_up_on=D(2026, 2, 1))
        people.append(person)
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=people[0].registered_unit)
    engine.run_chunk(rule_code=RULE, subject_ids=[p.pk for p in people], as_of=D(2026, 3, 10))
    named, unnamed = (Flag.objects.get(subject_id=p.pk) for p in people)
    assert (named.responsible_id, named.owner_basis) == (manager.pk, "registered_unit_manager")
    assert (unnamed.responsible_id, unnamed.unit_id, unnamed.owner_basis) == (None, people[1].registered_unit_id, "")
    assert not FlagTransition.objects.filter(event="reassigned").exists()

    someone = StaffFactory(role=Role.CASEWORKER)
    Flag.objects.update(responsible=someone, unit=someone.unit, owner_basis="caseworker")  # an owner of old
    counts = engine.run_chunk(rule_code=RULE, subject_ids=[p.pk for p in people], as_of=D(2026, 3, 10))
    assert counts.as_dict() == {"subjects_examined": 2, "flags_opened": 0, "flags_kept": 2, "flags_resolved": 0}
    comments = dict(FlagTransition.objects.filter(event="reassigned").values_list("flag_id", "comment"))
    assert comments == {
        named.pk: f"{engine.REASSIGNED_REASON} ({ownership.explain(rule, 'registered_unit_manager')})",
        unnamed.pk: engine.REASSIGNED_REASON,
    }
    named.refresh_from_db()
    unnamed.refresh_from_db()
    assert (named.responsible_id, named.unit_id, named.owner_basis) == (
        manager.pk, people[0].registered_unit_id, "registered_unit_manager")
    assert (unnamed.responsible_id, unnamed.unit_id, unnamed.owner_basis) == (None, people[1].registered_unit_id, "")
    # The owner is current now: the same run again writes no history.
    engine.run_chunk(rule_code=RULE, subject_ids=[p.pk for p in people], as_of=D(2026, 3, 10))
    assert FlagTransition.objects.filter(event="reassigned").count() == 2


def test_a_chunk_of_explicit_ids_finds_what_a_range_finds_and_a_chunk_is_one_or_the_other():
    engine.rules_sync()
    person = ApplicantFactory()
    plan = SignedPlanFactory(applicant=person, made_on=D(2025, 12, 1))
    ParticipationFactory(applicant=person, start_date=D(2026, 1, 5))
    FollowUpFactory(plan=plan, followed_up_on=D(2026, 2, 1))
    other = ApplicantFactory()

    counts = engine.run_chunk(rule_code=RULE, subject_ids=[person.pk, other.pk], as_of=D(2026, 3, 10))
    assert (counts.flags_opened, Flag.objects.get().subject_id) == (1, person.pk)
    assert engine.run_chunk(rule_code=RULE, subject_ids=[other.pk], as_of=D(2026, 3, 10)).flags_resolved == 0
    for bad in ({"lower": 1, "subject_ids": [person.pk]}, {"upper": 9, "subject_ids": [person.pk]}):
        with pytest.raises(ValueError, match="not both"):
            engine.run_chunk(rule_code=RULE, as_of=D(2026, 3, 10), **bad)
    for bad in ({"lower": 1}, {"upper": 9}, {}):
        with pytest.raises(ValueError, match="needs both lower and upper"):
            engine.run_chunk(rule_code=RULE, as_of=D(2026, 3, 10), **bad)
