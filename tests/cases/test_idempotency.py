"""Safe repeated writes (issue 15): a retried POST with the same Idempotency-Key and body gets the
first answer and writes nothing; the same key with another body is refused (422, naming the
header); an expired key is new again; two identical requests at once write once; every 201 says
where the created record is (Location); an identity number cannot be changed by PATCH."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, ChangeEvent, IdempotencyKey
from cases.models import Applicant, Case, JournalEntry
from config.api.idempotency import HEADER, purge_expired
from tests.cases.support import error_fields, new_pnr
from tests.cases.test_api_permissions import ROUTES

pytestmark = pytest.mark.django_db

URL = "/api/v1/journal-entries/"


def body(world, text="Besök på kontoret."):
    return {"case": world.case.pk, "applicant": world.applicant.pk, "kind": "visit",
            "event_date": timezone.localdate().isoformat(), "text": text}


def post(client, data, key):
    return client.post(URL, data, format="json", headers={HEADER: key} if key else {})


def test_the_same_key_and_body_twice_writes_once_and_answers_the_first_result(world, client_for):
    client = client_for(world.users["caseworker"])
    before = JournalEntry.objects.count(), ChangeEvent.objects.count()
    first = post(client, body(world), "k-1")
    again = post(client, body(world), "k-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()
    assert again["Location"] == first["Location"] == f"{URL}{first.json()['id']}/"
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert (JournalEntry.objects.count(), ChangeEvent.objects.count()) == (before[0] + 1, before[1] + 1)


def test_a_replayed_answer_is_an_access_logged_read_of_the_record(world, client_for):
    user = world.users["caseworker"]
    client = client_for(user)
    created = post(client, body(world), "k-read").json()["id"]
    reads = AccessLogEntry.objects.filter(action=AccessAction.READ, object_id=str(created), actor_id=user.pk)
    assert not reads.exists()
    assert post(client, body(world), "k-read").status_code == 201
    assert list(reads.values_list("person_id", flat=True)) == [world.applicant.pk]


def test_a_replay_after_the_case_left_the_users_scope_shows_nothing(world, client_for):
    client = client_for(world.users["caseworker"])
    created = post(client, body(world), "k-moved").json()["id"]
    Case.objects.filter(pk=world.case.pk).update(unit=world.other_case.unit)
    again = post(client, body(world), "k-moved")
    assert again.status_code == 404
    assert "Sara" not in again.content.decode() and str(created) not in again.content.decode()
    assert not AccessLogEntry.objects.filter(action=AccessAction.READ, object_id=str(created)).exists()


def test_without_a_key_each_post_writes(world, client_for):
    client = client_for(world.users["caseworker"])
    before = JournalEntry.objects.count()
    post(client, body(world), None)
    post(client, body(world), None)
    assert JournalEntry.objects.count() == before + 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_answers_422_naming_the_header_and_writes_nothing(world, client_for):
    client = client_for(world.users["caseworker"])
    assert post(client, body(world), "k-2").status_code == 201
    before = JournalEntry.objects.count(), ChangeEvent.objects.count()
    response = post(client, body(world, text="Något annat."), "k-2")
    assert response.status_code == 422
    assert "Idempotency-Key" in error_fields(response)
    assert (JournalEntry.objects.count(), ChangeEvent.objects.count()) == before


def test_keys_are_per_user(world, client_for):
    before = JournalEntry.objects.count()
    assert post(client_for(world.users["caseworker"]), body(world), "shared").status_code == 201
    assert post(client_for(world.users["coordinator"]), body(world), "shared").status_code == 201
    assert JournalEntry.objects.count() == before + 2


def test_an_expired_key_acts_as_new(world, client_for, settings):
    settings.API_IDEMPOTENCY_KEY_HOURS = 24
    client = client_for(world.users["caseworker"])
    first = post(client, body(world), "k-3")
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    before = JournalEntry.objects.count()
    again = post(client, body(world), "k-3")
    assert again.status_code == 201 and again.json()["id"] != first.json()["id"]
    assert JournalEntry.objects.count() == before + 1


def test_a_refused_request_gives_its_key_back_for_the_corrected_retry(world, client_for):
    client = client_for(world.users["caseworker"])
    bad = post(client, {**body(world), "event_date": "inte-ett-datum"}, "k-4")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(client, body(world), "k-4").status_code == 201


def test_a_request_while_the_first_with_the_key_runs_answers_409(world, client_for):
    client = client_for(world.users["caseworker"])
    post(client, body(world), "k-5")
    IdempotencyKey.objects.update(status_code=None, response_body=None)  # as if still running
    before = JournalEntry.objects.count()
    response = post(client, body(world), "k-5")
    assert response.status_code == 409 and "Idempotency-Key" in error_fields(response)
    assert JournalEntry.objects.count() == before


def test_a_key_that_is_blank_or_too_long_is_refused_by_name(world, client_for):
    client = client_for(world.users["caseworker"])
    before = JournalEntry.objects.count()
    for key in (" ", "x" * 256):
        response = post(client, body(world), key)
        assert response.status_code == 400 and "Idempotency-Key" in error_fields(response)
    assert JournalEntry.objects.count() == before


def test_the_purge_deletes_expired_keys_with_their_answers_only(world, client_for, settings):
    settings.API_IDEMPOTENCY_KEY_HOURS = 24
    client = client_for(world.users["caseworker"])
    post(client, body(world), "old")
    post(client, body(world), "fresh")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_purge_is_scheduled():
    from config.celery import app

    assert app.conf.beat_schedule["platform.purge_idempotency_keys"]["task"] == "platform.purge_idempotency_keys"


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_write_once(eb_unit, coordinator_unit, api_as):
    from tests.cases.conftest import make_world

    world = make_world(eb_unit, coordinator_unit)
    before = JournalEntry.objects.count()
    start = threading.Barrier(2)
    answers = []

    def send():
        client = api_as(world.users["caseworker"])
        start.wait()
        try:
            answers.append(post(client, body(world), "at-once").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert JournalEntry.objects.count() == before + 1
    assert sorted(answers) in ([201, 201], [201, 409])


CREATE_ROUTES = sorted(name for name, (method, *_rest, ok) in ROUTES.items() if method == "post" and ok == 201)


def test_the_create_routes_are_found():
    assert {"applicant-create", "case-create", "journal-entry-create", "attachment-create"} <= set(CREATE_ROUTES)


@pytest.mark.parametrize("route", CREATE_ROUTES)
def test_every_201_says_where_the_created_record_is(world, client_for, route):
    method, url, make_body, allowed, _ok = ROUTES[route]
    client = client_for(world.users[sorted(allowed)[0]])
    data = make_body(world)
    multipart = any(hasattr(value, "read") for value in data.values())
    response = client.post(url(world), data, format="multipart" if multipart else "json")
    assert response.status_code == 201, response.content
    location = response["Location"]
    assert location.startswith("/api/v1/")
    if route == "case-transfer":  # the case itself, now with another unit: out of the sender's scope
        assert location == f"/api/v1/cases/{world.case.pk}/"
    else:
        assert client.get(location).status_code == 200


def test_personnummer_sent_with_another_value_is_refused_by_name_and_nothing_written(world, client_for):
    client = client_for(world.users["caseworker"])
    applicant = world.applicant
    before = ChangeEvent.objects.count()
    response = client.patch(f"/api/v1/applicants/{applicant.pk}/",
                            {"personal_identity_number": new_pnr(12), "city": "Ekby"}, format="json")
    assert response.status_code == 400
    assert "personal_identity_number" in error_fields(response)
    stored = Applicant.objects.get(pk=applicant.pk)
    assert (stored.personal_identity_number, stored.city) == (applicant.personal_identity_number, applicant.city)
    assert ChangeEvent.objects.count() == before


def test_personnummer_sent_unchanged_in_another_form_is_accepted(world, client_for):
    client = client_for(world.users["caseworker"])
    pnr = world.applicant.personal_identity_number
    written = f"{pnr[2:8]}-{pnr[8:]}"  # ÅÅMMDD-NNNN
    response = client.patch(f"/api/v1/applicants/{world.applicant.pk}/",
                            {"personal_identity_number": written, "city": "Ekby"}, format="json")
    assert response.status_code == 200, response.json()
    assert Applicant.objects.get(pk=world.applicant.pk).city == "Ekby"


def test_the_schema_documents_the_header_on_posts():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    create = schema["paths"]["/api/v1/journal-entries/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    assert "422" in create["responses"] and "422" not in schema["paths"]["/api/v1/journal-entries/"]["get"]["responses"]
    assert all(p["name"] != "Idempotency-Key" for p in schema["paths"]["/api/v1/journal-entries/"]["get"]["parameters"])
