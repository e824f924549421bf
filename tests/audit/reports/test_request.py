"""Ordering a report: bad input is a 4xx naming the field and writes nothing; snapshots are kept."""

import datetime

import pytest
from django.utils import timezone

from audit.models import ChangeEvent
from audit.report_models import ReportSnapshot, SnapshotStatus
from cases.finance_models import Decision
from tests.factories.finance import family_case, granted_month

from .conftest import BOARD_MEETINGS, Q1_2019

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/snapshots/"


def counts():
    return ReportSnapshot.objects.count(), ChangeEvent.objects.count()


def fields_of(response):
    return set(response.json()["error"].get("fields", {}))


NEXT_YEAR = timezone.localdate().year + 1
BAD = [
    ("unknown code", {"code": "no_such_report", **Q1_2019}, "code"),
    ("quarter 5", {"code": "internal_control", "period_kind": "quarter", "year": 2019, "number": 5}, "number"),
    ("month 13", {"code": "internal_control", "period_kind": "month", "year": 2019, "number": 13}, "number"),
    ("future period", {"code": "internal_control", "period_kind": "year", "year": NEXT_YEAR}, "period"),
    ("unknown kind", {"code": "internal_control", "period_kind": "week", "year": 2019}, "period"),
    ("no year", {"code": "internal_control", "period_kind": "year"}, "year"),
    ("unknown unit", {"code": "internal_control", **Q1_2019, "unit": 987654}, "unit"),
    ("ends before start", {"code": "delegated_decisions", "date_from": "2019-03-01", "date_to": "2019-01-31"},
     "date_to"),
    ("range in future", {"code": "delegated_decisions", "date_from": f"{NEXT_YEAR}-01-01",
                         "date_to": f"{NEXT_YEAR}-02-01"}, "date_from"),
    ("no dates", {"code": "delegated_decisions"}, "date_from"),
    ("not a date", {"code": "delegated_decisions", "date_from": "gårdagen", "date_to": "2019-01-31"}, "date_from"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_400_naming_the_field_and_nothing_is_written(report_world, api_as, case, body, field):
    before = counts()
    response = api_as(report_world.board).post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in fields_of(response)
    assert counts() == before


@pytest.mark.parametrize("role", ["caseworker", "coordinator"])
def test_roles_outside_every_audience_are_refused(report_world, api_as, role):
    before = counts()
    response = api_as(getattr(report_world, role)).post(URL, {"code": "internal_control", **Q1_2019}, format="json")
    assert response.status_code == 403
    assert counts() == before


def test_a_report_with_persons_is_refused_to_the_board_with_403(report_world, api_as, monkeypatch):
    """The board's role is not in 4a's audience; tested on a report marked personal_data here so
    the test holds on a branch where 4a's module is not yet present."""
    from dataclasses import replace

    from audit.reports import catalog
    from audit.reports.base import MANAGERS_ONLY

    real = catalog.available_reports()
    personal = replace(next(r for r in real if r.code == "internal_control"), audience=MANAGERS_ONLY,
                       personal_data=True)
    monkeypatch.setattr(catalog, "available_reports", lambda: [personal])
    before = counts()
    assert api_as(report_world.board).post(URL, {"code": "internal_control", **Q1_2019}, format="json").status_code == 403
    # A unit manager may make it only for their own unit.
    bad = api_as(report_world.unit_manager).post(URL, {"code": "internal_control", **Q1_2019}, format="json")
    assert bad.status_code == 400 and "unit" in fields_of(bad)
    assert counts() == before
    ok = api_as(report_world.unit_manager).post(
        URL, {"code": "internal_control", **Q1_2019, "unit": report_world.unit.pk}, format="json")
    assert ok.status_code == 202
    # ... and the board does not see it in any list.
    assert api_as(report_world.board).get(URL).json()["results"] == []


def test_a_good_order_is_queued_and_recorded(report_world, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_as(report_world.board).post(URL, {"code": "internal_control", **Q1_2019}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0
    assert body["params"]["period"]["start"] == "2019-01-01" and body["params"]["unit_id"] is None
    assert len(callbacks) == 1
    assert ChangeEvent.objects.filter(action="report.request", object_id=str(body["id"])).exists()


def test_snapshots_are_kept_unchanged_and_making_again_gives_a_new_one(report_world, make_snapshot, api_as):
    first = make_snapshot(report_world.board, "delegated_decisions", **BOARD_MEETINGS)
    assert first.status == SnapshotStatus.DONE and first.progress == 100
    stored = first.data
    client = api_as(report_world.board)
    # New decisions after the report was made do not change the stored figures ...
    case, members = family_case(unit=report_world.unit)
    granted_month(actor=report_world.caseworker, case=case, month=datetime.date(2019, 2, 1), members=members)
    again = client.get(f"{URL}{first.pk}/data/").json()
    assert again["tables"] == stored["tables"]
    assert Decision.objects.count() == 4
    # ... making it again does, in a new snapshot; the first is still there.
    second = make_snapshot(report_world.board, "delegated_decisions", **BOARD_MEETINGS)
    assert second.pk != first.pk
    assert ReportSnapshot.objects.filter(code="delegated_decisions").count() == 2
    assert second.data["tables"][1]["rows"][0]["count"] == stored["tables"][1]["rows"][0]["count"] + 1
    first.refresh_from_db()
    assert first.data == stored


def test_building_is_idempotent(report_world, make_snapshot):
    from audit import report_services

    snap = make_snapshot(report_world.board, "internal_control", **Q1_2019)
    finished = snap.finished_at
    assert report_services.snapshot_build(snapshot_id=snap.pk) is False
    snap.refresh_from_db()
    assert snap.finished_at == finished


def test_the_maker_is_told_by_mail_once_without_figures(report_world, make_snapshot, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    from audit import report_services

    with django_capture_on_commit_callbacks(execute=True):
        snap = make_snapshot(report_world.board, "internal_control", **Q1_2019)
    assert [m.to for m in mailoutbox] == [["namnd@kommun.example"]]
    assert "Intern kontroll" in mailoutbox[0].subject and f"/rapporter/{snap.pk}/" in mailoutbox[0].body
    assert report_services.snapshot_notify(snapshot_id=snap.pk) is False
    assert len(mailoutbox) == 1


def test_data_before_done_is_409(report_world, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        snap_id = api_as(report_world.board).post(URL, {"code": "internal_control", **Q1_2019}, format="json").json()["id"]
    response = api_as(report_world.board).get(f"{URL}{snap_id}/data/")
    assert response.status_code == 409
    assert api_as(report_world.board).get(f"{URL}{snap_id}/").json()["status"] == "queued"


def test_a_build_that_fails_marks_the_snapshot_failed_with_the_error(report_world, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    from audit import report_services
    from audit.tasks import build_report_snapshot

    with django_capture_on_commit_callbacks(execute=False):
        snap = report_services.report_request(actor=report_world.board, code="internal_control", **Q1_2019)

    def broken(params):
        raise RuntimeError("trasig rapport")

    definition = report_services.get_report("internal_control")
    monkeypatch.setattr(report_services, "get_report", lambda code: type(definition)(
        **{**definition.__dict__, "build": broken}))
    build_report_snapshot.apply(args=[snap.pk])
    snap.refresh_from_db()
    assert snap.status == SnapshotStatus.FAILED and "trasig rapport" in snap.error and snap.data is None


def test_a_quarterly_report_refuses_another_period_before_anything_is_written(unit_manager):
    from django.core.exceptions import ValidationError

    from audit.report_models import ReportSnapshot
    from audit.report_services import report_request

    with pytest.raises(ValidationError) as exc:
        report_request(actor=unit_manager, code="unexecuted_decisions_statistics", period_kind="year", year=2024)
    assert exc.value.error_dict["period"][0].code == "quarter_required"
    assert not ReportSnapshot.objects.exists()


def test_a_finished_report_writes_one_report_ready_event(report_world, make_snapshot):
    """Webhooks: integrations hear when a report is ready (once, even if the build runs again)."""
    from audit import report_services
    from audit.models import EventType, OutboxEvent

    snap = make_snapshot(report_world.board, "internal_control", **Q1_2019)
    report_services.snapshot_build(snapshot_id=snap.pk)
    ready = OutboxEvent.objects.filter(event_type=EventType.REPORT_READY)
    assert list(ready.values_list("subject_type", "subject_id", "unit_id")) == [("report", snap.pk, snap.unit_id)]
