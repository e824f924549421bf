"""The reason for the delay of a granted decision is documented before it is carried out, and is
what the unexecuted-decision report gives IVO (DOMAIN.md 5; seed 003:304-314)."""

import datetime

import pytest

from audit.reports import unexecuted
from audit.reports.base import ReportParams, parse_period
from cases import finance_selectors as fs
from cases.finance_models import DecisionExecutionEvent
from tests.audit.reports.histories import History, build
from tests.factories.finance import granted_month

pytestmark = pytest.mark.django_db

URL = "/api/v1/decisions/"
D = datetime.date


def fields_of(response):
    return response.json()["error"].get("fields", {})


def test_delay_reason_is_documented_without_changing_the_execution_state(api_as, caseworker, family):
    case, members = family
    decision = granted_month(actor=caseworker, case=case, month=D(2019, 1, 1), members=members)[2]
    client = api_as(caseworker)

    without_text = client.post(f"{URL}{decision.pk}/execution/",
                               {"kind": "delay_noted", "occurred_on": "2019-02-01"}, format="json")
    assert without_text.status_code == 400 and "note" in fields_of(without_text)
    assert not DecisionExecutionEvent.objects.filter(decision=decision).exists()

    noted = client.post(f"{URL}{decision.pk}/execution/",
                        {"kind": "delay_noted", "occurred_on": "2019-02-01", "note": "Väntar på hyresavi"},
                        format="json")
    assert noted.status_code == 201
    assert noted.json()["executed_on"] is None
    # Still unexecuted: a documented reason is not an execution.
    assert list(fs.unexecuted_decisions(as_of=D(2019, 6, 1))) == [decision]
    # And it does not stand in the way of the execution itself.
    executed = client.post(f"{URL}{decision.pk}/execution/", {"kind": "executed", "occurred_on": "2019-06-02"},
                           format="json")
    assert executed.status_code == 201 and executed.json()["executed_on"] == "2019-06-02"
    after = client.post(f"{URL}{decision.pk}/execution/",
                        {"kind": "delay_noted", "occurred_on": "2019-06-03", "note": "För sent"}, format="json")
    assert after.status_code == 400 and "kind" in fields_of(after)


def test_the_ivo_report_gives_the_documented_reason(caseworker):
    never = History("granted", D(2024, 1, 15), events=[("delay_noted", D(2024, 3, 1))])
    interrupted = History("granted", D(2024, 1, 10),
                          events=[("executed", D(2024, 1, 12)), ("interrupted", D(2024, 2, 1)),
                                  ("delay_noted", D(2024, 2, 20))])
    built = build([never, interrupted], staff=caseworker)
    period = parse_period(kind="quarter", year=2024, number=2, today=D(2025, 6, 30))
    rows = unexecuted.ivo_rows(ReportParams(period=period, unit_id=built.unit_id, today=D(2025, 6, 30)))
    by_decision = {r["decision"]: r for r in rows}
    # histories.build writes each event's note as "<kind> <date>".
    assert by_decision[built.pks[id(never)]]["delay_reason"] == "delay_noted 2024-03-01"
    assert by_decision[built.pks[id(interrupted)]]["delay_reason"] == "delay_noted 2024-02-20"


def test_without_a_documented_reason_the_report_gives_the_note_made_at_the_late_execution(caseworker):
    late = History("granted", D(2024, 1, 15), events=[("executed", D(2024, 5, 20))])
    noted = History("granted", D(2024, 1, 16), events=[("delay_noted", D(2024, 3, 1)), ("executed", D(2024, 5, 21))])
    built = build([late, noted], staff=caseworker)
    period = parse_period(kind="quarter", year=2024, number=2, today=D(2025, 6, 30))
    rows = unexecuted.ivo_rows(ReportParams(period=period, unit_id=built.unit_id, today=D(2025, 6, 30)))
    by_decision = {r["decision"]: r for r in rows}
    assert by_decision[built.pks[id(late)]]["delay_reason"] == "executed 2024-05-20"
    # A reason documented for the delay wins over the note made at the execution.
    assert by_decision[built.pks[id(noted)]]["delay_reason"] == "delay_noted 2024-03-01"
