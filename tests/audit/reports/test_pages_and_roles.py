"""Pages and API by role, the nav link, fixed query counts, the access log, the task on a real worker."""

import time

import pytest

from audit.models import AccessLogEntry
from audit.report_models import ReportSnapshot, SnapshotStatus

from .conftest import BOARD_MEETINGS, Q1_2019

ROLES = ["board", "unit_manager", "administrator", "caseworker", "coordinator"]
ALLOWED = {"board", "unit_manager", "administrator"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(report_world, make_snapshot, client, api_as, role):
    snap = make_snapshot(report_world.board, "internal_control", **Q1_2019)
    user = getattr(report_world, role)
    client.force_login(user)
    api = api_as(user)
    expected_page, expected_api = (200, 200) if role in ALLOWED else (403, 403)
    assert client.get("/rapporter/").status_code == expected_page
    assert client.get(f"/rapporter/{snap.pk}/").status_code == expected_page
    assert client.get(f"/rapporter/{snap.pk}/pdf/").status_code == expected_page
    assert api.get("/api/v1/reports/definitions/").status_code == expected_api
    assert api.get(f"/api/v1/reports/snapshots/{snap.pk}/data/").status_code == expected_api
    home = client.get("/").content.decode()
    assert ('href="/rapporter/"' in home) is (role in ALLOWED)
    if role == "board":
        codes = {d["code"] for d in api.get("/api/v1/reports/definitions/").json()}
        assert {"delegated_decisions", "internal_control"} <= codes
        assert "unexecuted_decisions_ivo" not in codes


@pytest.mark.django_db
def test_ordering_from_the_page_and_errors_by_the_fields(report_world, client, django_capture_on_commit_callbacks):
    client.force_login(report_world.board)
    before = ReportSnapshot.objects.count()
    bad = client.post("/rapporter/", {"code": "delegated_decisions", "date_from": "2019-03-01", "date_to": "2019-01-01"})
    assert bad.status_code == 400
    assert "Slutdatumet ligger före startdatumet." in bad.content.decode()
    assert ReportSnapshot.objects.count() == before
    with django_capture_on_commit_callbacks(execute=False):
        ok = client.post("/rapporter/", {"code": "internal_control", "period_kind": "quarter", "year": "2019",
                                         "number": "1"})
    assert ok.status_code == 302
    page = client.get("/rapporter/").content.decode()
    assert "hx-trigger=\"every 2s\"" in page and "<progress" in page


@pytest.mark.django_db
def test_the_poll_names_a_report_that_became_ready(report_world, make_snapshot, client):
    snap = make_snapshot(report_world.board, "internal_control", **Q1_2019)
    client.force_login(report_world.board)
    body = client.get(f"/rapporter/lista/?pending={snap.pk}").content.decode()
    assert "<strong>Klar:</strong>" in body and f"/rapporter/{snap.pk}/" in body
    assert "every 2s" not in body  # nothing pending: polling stops


@pytest.mark.django_db
def test_list_pages_run_a_fixed_number_of_queries(report_world, make_snapshot, client, api_as,
                                                   django_assert_max_num_queries):
    make_snapshot(report_world.board, "internal_control", **Q1_2019)
    client.force_login(report_world.board)
    api = api_as(report_world.board)

    def measure():
        with django_assert_max_num_queries(12) as page:
            assert client.get("/rapporter/").status_code == 200
        with django_assert_max_num_queries(6) as listing:
            assert api.get("/api/v1/reports/snapshots/").status_code == 200
        return len(page.captured_queries), len(listing.captured_queries)

    few = measure()
    for _ in range(6):
        make_snapshot(report_world.unit_manager, "delegated_decisions", **BOARD_MEETINGS)
    assert measure() == few


@pytest.mark.django_db
def test_reading_an_aggregate_report_is_logged_without_a_person(report_world, make_snapshot, api_as):
    snap = make_snapshot(report_world.board, "internal_control", **Q1_2019)
    api_as(report_world.board).get(f"/api/v1/reports/snapshots/{snap.pk}/data/")
    entries = AccessLogEntry.objects.filter(actor_id=report_world.board.pk, object_type="audit.reportsnapshot", action="read")
    assert [(e.object_id, e.person_id) for e in entries] == [(str(snap.pk), None)]


@pytest.mark.django_db
def test_reading_a_report_about_persons_is_logged_per_person(report_world, make_snapshot, api_as):
    snap = make_snapshot(report_world.unit_manager, "internal_control", **Q1_2019)
    person = report_world.applicants[0]
    snap.data["subjects"] = [[41, person.pk], [42, person.pk]]  # as 4a stores (decision, person)
    snap.save(update_fields=["data"])
    body = api_as(report_world.unit_manager).get(f"/api/v1/reports/snapshots/{snap.pk}/data/").json()
    assert "subjects" not in body
    logged = AccessLogEntry.objects.filter(actor_id=report_world.unit_manager.pk, object_type="cases.decision",
                                        action="read")
    assert sorted((e.object_id, e.person_id) for e in logged) == [("41", person.pk), ("42", person.pk)]


def test_the_task_builds_a_snapshot_on_a_real_worker(report_world, celery_worker, api_as):
    response = api_as(report_world.board).post("/api/v1/reports/snapshots/", {"code": "internal_control", **Q1_2019},
                                               format="json")
    assert response.status_code == 202
    snap_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        snap = ReportSnapshot.objects.get(pk=snap_id)
        # The maker is told after the snapshot is committed as done (on commit), so wait for both.
        if snap.status == SnapshotStatus.FAILED or (snap.status == SnapshotStatus.DONE and snap.notified_at):
            break
        time.sleep(0.2)
    assert snap.status == SnapshotStatus.DONE, snap.error
    assert snap.progress == 100 and snap.started_at and snap.finished_at and snap.notified_at
    flags = next(t for t in snap.data["tables"] if t["key"] == "flags")
    assert flags["rows"][0]["opened"] == 2
