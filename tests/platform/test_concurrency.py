"""Safe concurrent writes and synchronisation (issue 15, config/api/concurrency.py): every detail
answer has an ETag and `updated_at`; a write with a stale If-Match answers 412 and changes and logs
nothing; the check holds under a real race (the row is locked); If-None-Match answers 304; every
list takes `updated_since`."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AccessLogEntry, ChangeEvent
from cases import services
from cases.models import Applicant, Case, CaseStatus, Role
from config.api.concurrency import row_version
from tests.factories.cases import (
    ApplicantFactory,
    CaseFactory,
    CoordinatorAssignmentFactory,
    StaffFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def url(applicant) -> str:
    return f"/api/v1/applicants/{applicant.pk}/"


@pytest.fixture
def applicant(eb_unit, caseworker):
    person = ApplicantFactory(registered_unit=eb_unit, city="Ekby")
    CaseFactory(unit=eb_unit, with_applicant=person, responsible_caseworker=caseworker)
    return person


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_detail_answer_has_the_rows_version_as_etag_and_updated_at(caseworker, applicant):
    response = client(caseworker).get(url(applicant))
    assert response.status_code == 200
    stored = Applicant.objects.get(pk=applicant.pk)
    assert response["ETag"].startswith(f'"{row_version(stored.pk, stored.updated_at)}-')
    assert datetime.datetime.fromisoformat(response.json()["updated_at"]) == stored.updated_at


def test_two_clients_the_second_with_the_old_etag_gets_412_and_nothing_changes(caseworker, applicant):
    first, second = client(caseworker), client(caseworker)
    seen_by_first, seen_by_second = first.get(url(applicant))["ETag"], second.get(url(applicant))["ETag"]
    assert seen_by_first == seen_by_second

    changed = first.patch(url(applicant), {"city": "Åby"}, format="json", headers={"If-Match": seen_by_first})
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] != seen_by_first  # the answer carries the new version
    changes, log = ChangeEvent.objects.count(), AccessLogEntry.objects.count()

    stale = second.patch(url(applicant), {"city": "Öby"}, format="json", headers={"If-Match": seen_by_second})
    assert stale.status_code == 412
    error = stale.json()["error"]
    assert error["code"] == "precondition_failed" and "If-Match" in error["fields"]
    assert not stale.has_header("ETag")
    assert Applicant.objects.get(pk=applicant.pk).city == "Åby"
    assert (ChangeEvent.objects.count(), AccessLogEntry.objects.count()) == (changes, log)

    # With the version the first client left, the second goes through.
    retried = second.patch(url(applicant), {"city": "Öby"}, format="json", headers={"If-Match": changed["ETag"]})
    assert retried.status_code == 200
    assert Applicant.objects.get(pk=applicant.pk).city == "Öby"


@pytest.mark.parametrize("header", ["*", "current", '"0-0", current'])
def test_a_matching_if_match_or_a_star_goes_through(caseworker, applicant, header):
    api = client(caseworker)
    current = api.get(url(applicant))["ETag"]
    response = api.patch(url(applicant), {"city": "Åby"}, format="json",
                         headers={"If-Match": header.replace("current", current)})
    assert response.status_code == 200, response.json()


def test_without_if_match_the_last_write_wins_as_before(caseworker, applicant):
    assert client(caseworker).patch(url(applicant), {"city": "Åby"}, format="json").status_code == 200


def test_a_weak_etag_never_matches_an_if_match(caseworker, applicant):
    api = client(caseworker)
    current = api.get(url(applicant))["ETag"]
    response = api.patch(url(applicant), {"city": "Åby"}, format="json", headers={"If-Match": f"W/{current}"})
    assert response.status_code == 412


def test_out_of_scope_is_404_whatever_the_if_match(caseworker):
    other = ApplicantFactory(registered_unit=UnitFactory(code="annan-kommundel", name="Norr"))
    response = client(caseworker).patch(url(other), {"city": "Åby"}, format="json", headers={"If-Match": '"0-0"'})
    assert response.status_code == 404


def test_a_state_changing_post_on_the_object_honours_if_match(caseworker, eb_unit):
    case = CaseFactory(unit=eb_unit, responsible_caseworker=caseworker, status=CaseStatus.ACTIVE)
    api = client(caseworker)
    seen = api.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    Case.objects.get(pk=case.pk).save()  # someone else changed it meanwhile
    response = api.post(f"/api/v1/cases/{case.pk}/close/", {}, format="json", headers={"If-Match": seen})
    assert response.status_code == 412
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE


def test_if_none_match_with_the_current_etag_answers_304_without_a_body(caseworker, applicant):
    api = client(caseworker)
    current = api.get(url(applicant))["ETag"]
    unchanged = api.get(url(applicant), headers={"If-None-Match": current})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == current
    assert api.get(url(applicant), headers={"If-None-Match": '"0-0"'}).status_code == 200


def test_a_change_shown_inside_the_object_is_not_hidden_by_304_nor_refused_by_if_match(caseworker, eb_unit):
    case = CaseFactory(unit=eb_unit, responsible_caseworker=caseworker)
    api = client(caseworker)
    seen = api.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    CoordinatorAssignmentFactory(case=case)  # a row of its own; the case's row is unchanged
    again = api.get(f"/api/v1/cases/{case.pk}/", headers={"If-None-Match": seen})
    assert again.status_code == 200 and len(again.json()["coordinator_assignments"]) == 1
    assert again["ETag"] != seen
    # If-Match guards the case's own row: its version is the one the client saw.
    closed = api.post(f"/api/v1/cases/{case.pk}/close/", {"closed_on": timezone.localdate().isoformat(),
                      "closing_reason": "moved"}, format="json", headers={"If-Match": seen})
    assert closed.status_code == 200, closed.json()


# -- updated_since ---------------------------------------------------------------------------------

LIST = "/api/v1/applicants/"


def test_updated_since_lists_the_rows_changed_at_or_after_it_oldest_change_first(caseworker, eb_unit):
    people = [ApplicantFactory(registered_unit=eb_unit) for _ in range(3)]
    for person in people:
        CaseFactory(unit=eb_unit, with_applicant=person, responsible_caseworker=caseworker)
    services.applicant_update(actor=caseworker, applicant=people[0], city="Åby")  # now the newest
    since = Applicant.objects.get(pk=people[2].pk).updated_at
    response = client(caseworker).get(LIST, {"updated_since": since.isoformat(), "ordering": "-last_name"})
    assert response.status_code == 200
    rows = response.json()["results"]
    mine = [row["id"] for row in rows if row["id"] in {p.pk for p in people}]
    assert mine == [people[2].pk, people[0].pk]  # people[1] is older; `ordering` gives way
    assert [row["updated_at"] for row in rows] == sorted(row["updated_at"] for row in rows)


@pytest.mark.parametrize("value", ["igår", "2026-01-31", "2026-01-31T08:00:00", "", "0001-01-01T00:00:00+14:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_updated_since_without_a_valid_time_and_offset_is_400_naming_it(caseworker, value):
    response = client(caseworker).get(LIST, {"updated_since": value})
    assert response.status_code == 400
    assert "updated_since" in response.json()["error"]["fields"]


def test_updated_since_with_an_offset_postgresql_does_not_take_is_read_in_utc(caseworker, applicant):
    # Found by the schema fuzzing: -23:28 is valid ISO 8601, PostgreSQL refused it (a 500).
    response = client(caseworker).get(LIST, {"updated_since": "2000-01-01T00:00:00-23:28"})
    assert response.status_code == 200, response.json()
    assert applicant.pk in [row["id"] for row in response.json()["results"]]


def test_updated_since_with_an_unencoded_plus_is_read_as_the_offset(caseworker, applicant):
    # ?updated_since=2000-01-01T00:00:00+01:00 typed into a URL: the + arrives as a space.
    response = client(caseworker).get(f"{LIST}?updated_since=2000-01-01T00:00:00+01:00")
    assert response.status_code == 200
    assert applicant.pk in [row["id"] for row in response.json()["results"]]


def test_updated_since_runs_a_fixed_number_of_queries_whatever_the_rows(caseworker, eb_unit,
                                                                       django_assert_num_queries):
    api = client(caseworker)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    def persons(n):
        for _ in range(n):
            CaseFactory(unit=eb_unit, with_applicant=ApplicantFactory(registered_unit=eb_unit),
                        responsible_caseworker=caseworker)

    persons(1)
    with CaptureQueriesContext(connection) as few:
        small = len(api.get(LIST, {"updated_since": since}).json()["results"])
    persons(6)
    with django_assert_num_queries(len(few)):
        assert len(api.get(LIST, {"updated_since": since}).json()["results"]) > small + 5


def test_updated_since_on_a_list_without_other_filters(caseworker):
    # The reference lists declare no filter but the sync one.
    response = client(caseworker).get("/api/v1/support-barriers/", {"updated_since": "2099-01-01T00:00:00Z"})
    assert response.status_code == 200 and response.json() == []
    assert client(caseworker).get("/api/v1/support-barriers/", {"updated_since": "x"}).status_code == 400


# -- a real race: two writers with the same ETag at once -------------------------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_writers_with_the_same_etag_at_once_one_wins_the_other_gets_412(eb_unit, monkeypatch):
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=eb_unit, username="handlaggare")
    person = ApplicantFactory(registered_unit=eb_unit, city="Ekby")
    CaseFactory(unit=eb_unit, with_applicant=person, responsible_caseworker=caseworker)
    seen = client(caseworker).get(url(person))["ETag"]

    # The first writer stops inside its write (after the check) until the second has started.
    first_writing, release = threading.Event(), threading.Event()
    update = services.applicant_update

    def slow_update(**kwargs):
        result = update(**kwargs)
        if threading.current_thread().name == "first":
            first_writing.set()
            release.wait(10)
        return result

    monkeypatch.setattr(services, "applicant_update", slow_update)
    statuses: dict[str, int] = {}

    def write(name, city):
        try:
            response = client(caseworker).patch(url(person), {"city": city}, format="json", headers={"If-Match": seen})
            statuses[name] = response.status_code
        finally:
            connections.close_all()

    first = threading.Thread(target=write, args=("first", "Åby"), name="first")
    second = threading.Thread(target=write, args=("second", "Öby"), name="second")
    first.start()
    assert first_writing.wait(10)
    second.start()
    # Let the second reach its check: it waits for the first's row lock (or, were the check a
    # read-then-write, it would be through already).
    deadline = time.monotonic() + 10
    while second.is_alive() and time.monotonic() < deadline and not _waiting_for_a_lock():
        time.sleep(0.01)
    release.set()
    first.join(10)
    second.join(10)
    assert statuses == {"first": 200, "second": 412}
    assert Applicant.objects.get(pk=person.pk).city == "Åby"


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0
