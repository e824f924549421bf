"""Report 4 (unexecuted decisions): the 3-month edges, interruptions, corrections, the ongoing
quarter, the statistics without persons, suppression, one shared definition, query counts."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Value

from audit.reports import get_report, unexecuted
from audit.reports.base import BOARD_AND_MANAGERS, MANAGERS_ONLY, ReportParams, parse_period
from audit.reports.disclosure import suppress
from cases import execution_selectors
from cases.expressions import AddMonths
from cases.models import Applicant, Unit
from tests.audit.reports.histories import History, build, plus_months

D = datetime.date
TODAY = D(2025, 6, 30)
pytestmark = pytest.mark.django_db


def params(built, number, year=2024, today=TODAY):
    return ReportParams(period=parse_period(kind="quarter", year=year, number=number, today=today),
                        unit_id=built.unit_id, today=today)


def rows_by_decision(built, number, **kw):
    return {r["decision"]: r for r in unexecuted.ivo_rows(params(built, number, **kw))}


def test_executed_on_the_limit_is_in_time_the_day_after_is_late(caseworker):
    # Decided 15 January 2024: three months end on 15 April.
    day_before, on_limit, day_after, never = (
        History("granted", D(2024, 1, 15), events=[("executed", D(2024, 4, 14))]),
        History("granted", D(2024, 1, 15), events=[("executed", D(2024, 4, 15))]),
        History("granted", D(2024, 1, 15), events=[("executed", D(2024, 4, 16))]),
        History("granted", D(2024, 1, 15)),
    )
    built = build([day_before, on_limit, day_after, never], staff=caseworker)
    pk = built.pks

    q2 = rows_by_decision(built, 2)
    assert set(q2) == {pk[id(day_after)], pk[id(never)]}
    late = q2[pk[id(day_after)]]
    assert (late["executed_on"], late["closed_how"], late["reported"]) == (D(2024, 4, 16), "Verkställt", unexecuted.NEW)
    assert late["due_on"] == D(2024, 4, 15) and late["days_elapsed"] == 92
    assert q2[pk[id(never)]]["executed_on"] is None and q2[pk[id(never)]]["delay_reason"] == unexecuted.NO_REASON
    # The late one was reported with its date and is gone; the other goes on, now "reported before".
    q3 = rows_by_decision(built, 3)
    assert set(q3) == {pk[id(never)]} and q3[pk[id(never)]]["reported"] == unexecuted.BEFORE
    assert rows_by_decision(built, 1) == {}


def test_limit_at_the_end_of_a_shorter_month(caseworker):
    # 30 November + 3 months = 29 February 2024 (leap year); overdue from 1 March (Q1).
    on_time = History("granted", D(2023, 11, 30), events=[("executed", D(2024, 2, 29))])
    late = History("granted", D(2023, 11, 30), events=[("executed", D(2024, 3, 1))])
    built = build([on_time, late], staff=caseworker)
    assert set(rows_by_decision(built, 1)) == {built.pks[id(late)]}


def test_limits_next_to_a_quarter_boundary(caseworker):
    # 31 Dec + 3 months = 31 March: in time until the quarter's last day, new in Q2.
    on_last_day = History("granted", D(2023, 12, 31))
    # 30 Dec + 3 months = 30 March: overdue from 31 March, so Q1, and "reported before" in Q2.
    day_earlier = History("granted", D(2023, 12, 30))
    built = build([on_last_day, day_earlier], staff=caseworker)
    assert set(rows_by_decision(built, 1)) == {built.pks[id(day_earlier)]}
    q2 = rows_by_decision(built, 2)
    assert q2[built.pks[id(on_last_day)]]["reported"] == unexecuted.NEW
    assert q2[built.pks[id(day_earlier)]]["reported"] == unexecuted.BEFORE


def test_interrupted_and_resumed_after_the_limit(caseworker):
    executed = ("executed", D(2024, 1, 20))
    in_time = History("granted", D(2024, 1, 10), events=[executed, ("interrupted", D(2024, 2, 10)),
                                                         ("resumed", D(2024, 5, 10))])
    late = History("granted", D(2024, 1, 10), events=[executed, ("interrupted", D(2024, 2, 10)),
                                                      ("resumed", D(2024, 5, 11))])
    built = build([in_time, late], staff=caseworker)
    q2 = rows_by_decision(built, 2)
    assert set(q2) == {built.pks[id(late)]}
    row = q2[built.pks[id(late)]]
    assert row["concerns"] == unexecuted.EPISODE_LABELS["interrupted"]
    assert (row["interrupted_on"], row["executed_on"], row["closed_how"]) == (D(2024, 2, 10), D(2024, 5, 11),
                                                                            "Återupptaget")
    assert row["delay_reason"] == "interrupted 2024-02-10"  # the note on the interruption


def test_a_correction_counts_from_its_own_date_and_the_replaced_decision_until_it(caseworker):
    correction = History("granted", D(2024, 5, 20))
    original = History("granted", D(2024, 1, 15), correction=correction)
    refused = History("refused", D(2024, 1, 15))
    built = build([original, refused], staff=caseworker)
    q2 = rows_by_decision(built, 2)
    # Overdue from 16 April, replaced on 20 May: reported in Q2, closed by the replacement.
    assert set(q2) == {built.pks[id(original)]}
    assert q2[built.pks[id(original)]]["closed_how"] == "Ersatt av nytt beslut"
    assert q2[built.pks[id(original)]]["executed_on"] is None
    # The correction's own three months end on 20 August.
    q3 = rows_by_decision(built, 3)
    assert set(q3) == {built.pks[id(correction)]} and q3[built.pks[id(correction)]]["reported"] == unexecuted.NEW


def test_an_ongoing_quarter_counts_only_up_to_today(caseworker):
    overdue = History("granted", D(2024, 1, 20))  # due 20 April
    not_yet = History("granted", D(2024, 2, 15))  # due 15 May
    built = build([overdue, not_yet], staff=caseworker)
    report = unexecuted.build_ivo(params(built, 2, today=D(2024, 5, 1)))
    assert [r["decision"] for r in report.tables[0].rows] == [built.pks[id(overdue)]]
    assert "pågår" in report.notes[0]


def test_making_the_report_again_gives_the_same_answer_even_after_later_events(caseworker):
    from cases.finance_models import DecisionExecutionEvent

    h = History("granted", D(2024, 1, 15))
    built = build([h], staff=caseworker)
    first = unexecuted.build_ivo(params(built, 2)).to_json()
    DecisionExecutionEvent.objects.create(decision_id=built.pks[id(h)], kind="executed", occurred_on=D(2024, 8, 1),
                                          recorded_by=caseworker)
    assert unexecuted.build_ivo(params(built, 2)).to_json() == first
    q3 = rows_by_decision(built, 3)[built.pks[id(h)]]
    assert (q3["executed_on"], q3["reported"]) == (D(2024, 8, 1), unexecuted.BEFORE)


def test_rule_10_and_the_report_use_one_definition(caseworker):
    histories = [
        History("granted", D(2024, 1, 15)),
        History("granted", D(2024, 1, 15), events=[("executed", D(2024, 5, 1))]),
        History("granted", D(2024, 3, 31)),
        History("granted", D(2024, 1, 2), events=[("executed", D(2024, 1, 3)), ("interrupted", D(2024, 3, 1))]),
    ]
    built = build(histories, staff=caseworker)
    open_at_end = {r["decision"] for r in unexecuted.ivo_rows(params(built, 2)) if not r["closed_how"]}
    flagged = set(
        execution_selectors.overdue_decisions(as_of=D(2024, 6, 30))
        .filter(application__case__unit_id=built.unit_id).values_list("pk", flat=True)
    )
    assert flagged == open_at_end == {built.pks[id(histories[0])], built.pks[id(histories[3])]}


def test_statistics_name_no_person_and_hide_small_cells(caseworker):
    women = [History("granted", D(2024, 1, 15), gender="kvinna") for _ in range(2)]
    men = [History("granted", D(2024, 1, 15), gender="man", item="cost") for _ in range(7)]
    built = build(women + men, staff=caseworker)
    data = unexecuted.build_statistics(params(built, 2))
    tables = {t.key: t for t in data.tables}

    gender = {r["category"]: r["count"] for r in tables["gender"].rows}
    # 2 women is under the threshold (5); "Uppgift saknas" (0) is hidden too, or 9 - 7 would give it away.
    assert gender == {"Kvinnor": None, "Män": 7, "Uppgift saknas": None, "Totalt": 9}
    assert {r["category"]: r["count"] for r in tables["item"].rows}["Försörjningsstöd"] is None
    # Only one-way tables of categories and counts: no ids, names, dates or reasons per person.
    labels = {label for t in data.tables for label in (r["category"] for r in t.rows)}
    for table in data.tables:
        assert [c.key for c in table.columns] == ["category", "count", "share"]
        for row in table.rows:
            assert isinstance(row["category"], str)
            assert not isinstance(row["count"], (datetime.date, str))
    text = json.dumps(data.to_json(), default=str)
    for person in Applicant.objects.filter(registered_unit_id=built.unit_id):
        for value in (person.personal_identity_number, person.first_name, person.last_name, person.street_address):
            assert value not in text
    assert "2024-01-15" not in text and "Beslut nr" not in text
    assert "Totalt" in labels and get_report("unexecuted_decisions_statistics").personal_data is False


def test_suppression_rule():
    assert suppress({"a": 2, "b": 10, "c": 0}, threshold=5) == {"a": None, "b": 10, "c": None}
    assert suppress({"a": 1, "b": 1, "c": 9}, threshold=5) == {"a": None, "b": None, "c": 9}
    assert suppress({"a": 0, "b": 6}, threshold=5) == {"a": 0, "b": 6}
    assert suppress({"a": 4, "b": 6}, threshold=3) == {"a": 4, "b": 6}


def test_threshold_is_configurable(settings):
    from audit.reports import norms

    settings.BOARD_REPORT_SUPPRESSION_THRESHOLD = 3
    assert norms.suppression_threshold() == 3
    settings.BOARD_REPORT_SUPPRESSION_THRESHOLD = 1
    with pytest.raises(ValueError):
        norms.suppression_threshold()


@pytest.mark.parametrize("code", ["unexecuted_decisions_ivo", "unexecuted_decisions_statistics"])
def test_query_count_does_not_grow_with_decisions(caseworker, django_assert_num_queries, code):
    few = build([History("granted", D(2024, 1, 15)) for _ in range(2)], staff=caseworker)
    many = build([History("granted", D(2024, 1, 15), gender=g, events=e)
                  for _ in range(3) for g in ("kvinna", "man")
                  for e in ([], [("executed", D(2024, 5, 1))],
                            [("executed", D(2024, 1, 16)), ("interrupted", D(2024, 1, 20))])],
                 staff=caseworker)
    report = get_report(code)
    with django_assert_num_queries(3):  # the unit, decisions, interruptions
        small = report.build(params(few, 2))
    with django_assert_num_queries(3):
        large = report.build(params(many, 2))
    if code == "unexecuted_decisions_ivo":
        assert len(small.tables[0].rows) == 2 and len(large.tables[0].rows) == 18


def test_registry_audience_and_personal_data():
    ivo, stats = get_report("unexecuted_decisions_ivo"), get_report("unexecuted_decisions_statistics")
    assert (ivo.number, ivo.audience, ivo.personal_data) == ("4a", MANAGERS_ONLY, True)
    assert (stats.number, stats.audience, stats.personal_data) == ("4b", BOARD_AND_MANAGERS, False)


@pytest.mark.parametrize("kind,number", [("month", 4), ("year", None)])
def test_only_a_quarter(kind, number):
    period = parse_period(kind=kind, year=2024, number=number, today=TODAY)
    with pytest.raises(ValidationError) as error:
        unexecuted.build_ivo(ReportParams(period=period, unit_id=None, today=TODAY))
    assert "period" in error.value.message_dict


def test_unknown_unit():
    missing = (Unit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with pytest.raises(ValidationError) as error:
        unexecuted.build_statistics(ReportParams(period=parse_period(kind="quarter", year=2024, number=2, today=TODAY),
                                                 unit_id=missing, today=TODAY))
    assert "unit" in error.value.message_dict


def test_add_months_in_sql_matches_python():
    days = [D(2024, 1, 31), D(2023, 11, 30), D(2024, 11, 30), D(2023, 12, 31), D(2024, 2, 29), D(2024, 8, 31),
            D(2024, 3, 15), D(2023, 10, 31)]
    exprs = {f"d{i}_{n}": AddMonths(Value(day), n) for i, day in enumerate(days) for n in (0, 1, 3, 6, 12)}
    got = Unit.objects.annotate(**exprs).values(*exprs)[:1] if Unit.objects.exists() else None
    if got is None:
        Unit.objects.create(code="x", name="x")
        got = Unit.objects.annotate(**exprs).values(*exprs)[:1]
    row = got[0]
    for i, day in enumerate(days):
        for n in (0, 1, 3, 6, 12):
            assert row[f"d{i}_{n}"] == plus_months(day, n), (day, n)


def test_the_ivo_report_names_the_person_behind_each_row_for_the_access_log_only(caseworker):
    never = History("granted", D(2024, 1, 15))
    built = build([never], staff=caseworker)
    data = unexecuted.build_ivo(params(built, 2))
    decision_id = built.pks[id(never)]
    from cases.finance_models import Decision

    applicant_id = (
        Decision.objects.filter(pk=decision_id)
        .values_list("application__case__household__members__applicant_id", flat=True)
        .exclude(application__case__household__members__applicant_id=None)
        .first()
    )
    assert data.subjects == [(decision_id, applicant_id)]
    # Not a column: the rows show no person.
    assert all("person_id" not in row for row in data.tables[0].rows)
