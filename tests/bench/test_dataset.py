"""bench/dataset.py: the set-based generator writes data the app reads as it reads its own
(PostgreSQL only: the generator uses PostgreSQL's functions)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from stdnum.se import personnummer

from audit.control import engine
from audit.control.models import Flag
from audit.control.rules import REGISTRY
from audit.reports import get_report
from audit.reports.base import ReportParams, parse_period
from bench import dataset
from cases.finance_models import Decision
from cases.models import Applicant
from insatser.models import Participation

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator runs inside PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

PERSONS = 300
TODAY = datetime.date(2026, 6, 17)
@pytest.fixture
def generated(settings):
    rows = dataset.generate(PERSONS, seed=7, today=TODAY)
    return rows


def test_row_counts_follow_the_densities(generated):
    counts = dataset.summary()
    per_person = {table: n / PERSONS for table, n in counts.items()}
    assert counts["cases_applicant"] == PERSONS
    # The target at 1 000 000 persons: 5 follow-ups, 2 participations, 3 decisions per person.
    assert 4.0 <= per_person["planning_followup"] <= 6.0, per_person
    assert 1.6 <= per_person["insatser_participation"] <= 2.4, per_person
    assert 2.4 <= per_person["cases_decision"] <= 3.6, per_person
    assert 0.75 <= per_person["cases_case"] <= 0.9, per_person
    for table in dataset.TABLES:
        assert counts[table] > 0, table


CONTENT = {
    "planning_followup": "followed_up_on::text || method || follows_plan::text",
    "insatser_participation": "start_date::text || status || coalesce(end_date::text, '') || hours_monday::text",
    "cases_decision": "decided_on::text || outcome || amount::text",
    "cases_decisionexecutionevent": "kind || occurred_on::text",
}


def _fingerprints(after: dict[str, int]) -> dict[str, str]:
    with connection.cursor() as cursor:
        found = {}
        for table, content in CONTENT.items():
            cursor.execute(f"SELECT count(*), md5(string_agg({content}, ',' ORDER BY id)) FROM {table} WHERE id > %s",
                           [after[table]])
            found[table] = cursor.fetchone()
    return found


def test_same_seed_same_data(generated):
    # A second load with the same seed into the same database writes the same rows after the
    # first load's ids (the personnummer differ: they must stay unique); another seed does not.
    first = _fingerprints(dict.fromkeys(CONTENT, 0))
    tops = {table: n for table, n in dataset.summary().items() if table in CONTENT}
    with connection.cursor() as cursor:
        for table in CONTENT:
            cursor.execute(f"SELECT max(id) FROM {table}")
            tops[table] = cursor.fetchone()[0]
    dataset.generate(PERSONS, seed=7, today=TODAY)
    assert _fingerprints(tops) == first
    assert Applicant.objects.count() == 2 * PERSONS
    for table in CONTENT:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {table}")
            tops[table] = cursor.fetchone()[0]
    dataset.generate(PERSONS, seed=8, today=TODAY)
    other = _fingerprints(tops)
    assert all(other[table] != first[table] for table in CONTENT)


def test_personnummer_valid_and_matching_birth_and_gender(generated):
    rows = list(Applicant.objects.values_list("personal_identity_number", "birth_date", "legal_gender"))
    assert len({r[0] for r in rows}) == PERSONS
    for number, birth, gender in rows:
        assert personnummer.is_valid(number), number
        assert personnummer.get_birth_date(number) == birth
        assert personnummer.get_gender(number) == ("M" if gender == "man" else "F")


def test_keys_are_consistent(generated):
    # The benchmarks load without per-row foreign-key triggers: every reference must hold anyway
    # (the same checks run after each benchmark load: bench/dataset.py check_keys).
    assert dataset.check_keys() == dict.fromkeys(dataset.KEY_CHECKS, 0)


def test_rules_find_something_and_reports_run(generated):
    engine.rules_sync()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for code in sorted(REGISTRY):
        for lo, hi in engine.plan_chunks(REGISTRY[code], 10_000):
            engine.run_chunk(rule_code=code, lower=lo, upper=hi, as_of=TODAY)
    found = {code: Flag.objects.filter(rule__code=code, status="open").count() for code in sorted(REGISTRY)}
    # Every rule finds something: the gaps are generated on purpose (see bench/dataset.py).
    assert all(found.values()), found
    # And not everything: most persons are followed up and most decisions executed.
    assert found["r01_follow_up_interval"] < Participation.objects.filter(status="active").count() / 2, found
    assert found["r10_decision_not_executed"] < Decision.objects.count() / 10, found
    # The board reports of the generated year run and count the generated persons.
    for code in ("key_figures", "plan_quality", "full_time_activation"):
        period = parse_period(kind="year", year=TODAY.year, number=None, today=TODAY)
        data = get_report(code).build(ReportParams(period=period, unit_id=None, today=TODAY))
        figures = [v for t in data.tables for r in t.rows for v in r.values() if isinstance(v, (int, float, Decimal))]
        assert any(v > 0 for v in figures if not isinstance(v, bool)), code
