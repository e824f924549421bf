"""The journal (issue 14, DOMAIN.md 8): entries signed when written, never changed, corrected by
new entries that point to the old; the person's own view noted as such; late entries say so;
scope as the case's, need to know within a household; every read logged; bad input writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone

from audit.models import AccessLogEntry, ChangeEvent
from cases.models import JournalEntry
from tests.cases.support import error_fields

pytestmark = pytest.mark.django_db

URL = "/api/v1/journal-entries/"


def write(client, **body):
    return client.post(URL, body, format="json")


def entry(world, *, user="caseworker", applicant=None, text="Besök på kontoret.", days_ago=0, kind="visit"):
    from cases.journal_services import journal_entry_create

    return journal_entry_create(
        actor=world.users[user], case=world.case, applicant=applicant, kind=kind, text=text,
        event_date=timezone.localdate() - datetime.timedelta(days=days_ago),
    )


def counts():
    return JournalEntry.objects.count(), ChangeEvent.objects.count()


def test_a_caseworker_writes_an_entry_that_is_signed_and_logged(world, client_for):
    today = timezone.localdate()
    response = write(client_for(world.users["caseworker"]), case=world.case.pk, applicant=world.applicant.pk,
                     kind="telephone", event_date=today.isoformat(), text="Ringde om ansökan.")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "telephone" and body["kind_name"] == "Telefonsamtal"
    assert body["author"] == world.users["caseworker"].pk and body["text"] == "Ringde om ansökan."
    assert body["written_late"] is False and body["signed_at"] and body["corrects"] is None
    stored = JournalEntry.objects.get(pk=body["id"])
    assert stored.author == world.users["caseworker"] and stored.case == world.case
    event = ChangeEvent.objects.get(action="journal_entry.create", object_id=str(stored.pk))
    assert event.changes["text"][1] == "Ringde om ansökan."


def test_an_entry_written_after_the_day_of_the_event_says_so(world, client_for):
    late = entry(world, days_ago=3)
    body = client_for(world.users["caseworker"]).get(f"{URL}{late.pk}/").json()
    assert body["written_late"] is True
    assert body["event_date"] == (timezone.localdate() - datetime.timedelta(days=3)).isoformat()


def test_a_correction_is_a_new_entry_and_both_stay_readable(world, client_for):
    original = entry(world, text="Besök den 3 maj.", days_ago=1)
    client = client_for(world.users["caseworker"])
    response = client.post(f"{URL}{original.pk}/corrections/", {"text": "Rättelse: besöket var den 4 maj."},
                           format="json")
    assert response.status_code == 201, response.json()
    correction = response.json()
    assert correction["corrects"] == original.pk and correction["kind"] == "visit"
    assert correction["event_date"] == original.event_date.isoformat()
    original.refresh_from_db()
    assert original.text == "Besök den 3 maj."  # untouched
    listed = client.get(URL, {"case": world.case.pk}).json()["results"]
    by_id = {row["id"]: row for row in listed}
    assert by_id[original.pk]["corrected_by"] == [correction["id"]]
    assert by_id[original.pk]["text"] == "Besök den 3 maj."
    assert ChangeEvent.objects.filter(action="journal_entry.correct", object_id=str(correction["id"])).exists()


def test_the_persons_own_view_is_recorded_as_such(world, client_for):
    response = write(client_for(world.users["coordinator"]), case=world.case.pk, applicant=world.applicant.pk,
                     kind="contact", event_date=timezone.localdate().isoformat(), is_persons_view=True,
                     text="Sara anser att uppgiften om hennes arbetstid är fel.")
    assert response.status_code == 201, response.json()
    assert response.json()["is_persons_view"] is True
    assert JournalEntry.objects.get(pk=response.json()["id"]).is_persons_view


def test_a_coordinator_sees_their_persons_entries_and_the_whole_cases_but_not_another_members(world, client_for):
    about_person = entry(world, applicant=world.applicant)
    about_case = entry(world)
    about_other_member = entry(world, applicant=world.co_applicant)
    coordinator = client_for(world.users["coordinator"])
    seen = {row["id"] for row in coordinator.get(URL).json()["results"]}
    assert seen == {about_person.pk, about_case.pk, world.journal_entry.pk}
    assert coordinator.get(f"{URL}{about_other_member.pk}/").status_code == 404
    caseworker_seen = {row["id"] for row in client_for(world.users["caseworker"]).get(URL).json()["results"]}
    assert caseworker_seen == {about_person.pk, about_case.pk, about_other_member.pk, world.journal_entry.pk}


@pytest.mark.parametrize("role", ["insats_staff", "board", "administrator"])
def test_roles_without_the_case_file_get_nothing(world, client_for, role):
    entry(world)
    client = client_for(world.users[role])
    assert client.get(URL).status_code == 403
    before = counts()
    response = write(client, case=world.case.pk, kind="visit", event_date=timezone.localdate().isoformat(), text="x")
    assert response.status_code == 403 and counts() == before


def test_anonymous_gets_nothing(world, client_for):
    assert client_for(None).get(URL).status_code in (401, 403)


def test_a_unit_manager_reads_but_does_not_write(world, client_for):
    existing = entry(world)
    client = client_for(world.users["unit_manager"])
    assert {row["id"] for row in client.get(URL).json()["results"]} == {existing.pk, world.journal_entry.pk}
    before = counts()
    response = write(client, case=world.case.pk, kind="visit", event_date=timezone.localdate().isoformat(), text="x")
    assert response.status_code == 403 and counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_date": "2999-01-01"}, "event_date"),
        ({"event_date": "2026-02-30"}, "event_date"),
        ({"kind": "okand-kod"}, "kind"),
        ({"text": ""}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"case": 987654}, "case"),
        ({"applicant": 987654}, "applicant"),
        ({"corrects": 987654}, "corrects"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, client_for, change, field):
    body = {"case": world.case.pk, "kind": "visit", "event_date": timezone.localdate().isoformat(), "text": "Besök."}
    body.update(change)
    before = counts()
    response = write(client_for(world.users["caseworker"]), **body)
    assert response.status_code == 400, response.json()
    assert field in error_fields(response)
    assert counts() == before


def test_out_of_scope_case_person_and_correction_are_refused(world, client_for):
    theirs = JournalEntry.objects.create(
        case=world.other_case, kind_id=JournalEntry._meta.get_field("kind").related_model.objects.get(code="visit").pk,
        event_date=timezone.localdate(), text="Annan enhets ärende.", author=world.users["caseworker"],
    )
    client = client_for(world.users["caseworker"])
    today = timezone.localdate().isoformat()
    before = counts()
    cases = [
        ({"case": world.other_case.pk}, "case"),
        ({"applicant": world.other_applicant.pk}, "applicant"),
        ({"corrects": theirs.pk}, "corrects"),
    ]
    for change, field in cases:
        body = {"case": world.case.pk, "kind": "visit", "event_date": today, "text": "x", **change}
        response = write(client, **body)
        assert response.status_code == 400 and field in error_fields(response), (field, response.json())
    assert client.post(f"{URL}{theirs.pk}/corrections/", {"text": "x"}, format="json").status_code == 404
    # A coordinator may not correct what is written about a member they do not follow.
    hidden = entry(world, applicant=world.co_applicant)
    body = {"case": world.case.pk, "kind": "visit", "event_date": today, "text": "x", "corrects": hidden.pk}
    response = write(client_for(world.users["coordinator"]), **body)
    assert response.status_code == 400 and "corrects" in error_fields(response)
    assert counts() == (before[0] + 1, before[1] + 1)  # only `hidden` was written


def test_a_person_outside_the_cases_household_is_refused(world, client_for):
    from tests.factories.cases import ApplicantFactory

    stranger = ApplicantFactory(registered_unit=world.case.unit)
    before = counts()
    response = write(client_for(world.users["caseworker"]), case=world.case.pk, applicant=stranger.pk, kind="visit",
                     event_date=timezone.localdate().isoformat(), text="x")
    assert response.status_code == 400 and "applicant" in error_fields(response)
    assert counts() == before


def test_entries_cannot_be_changed_or_removed_by_the_api(world, client_for):
    existing = entry(world)
    client = client_for(world.users["caseworker"])
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"{URL}{existing.pk}/", {"text": "ändrad"}, format="json").status_code == 405
    existing.refresh_from_db()
    assert existing.text == "Besök på kontoret."


def test_filters_by_kind_person_and_period_and_a_backwards_period_is_an_error(world, client_for):
    old = entry(world, kind="telephone", days_ago=10, applicant=world.applicant)
    new = entry(world, kind="visit", days_ago=1)
    client = client_for(world.users["caseworker"])
    today = timezone.localdate()

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(kind="telephone") == {old.pk}
    assert ids(applicant=world.applicant.pk) == {old.pk, world.journal_entry.pk}
    assert ids(event_date_from=(today - datetime.timedelta(days=5)).isoformat()) == {new.pk}
    assert ids(event_date_to=(today - datetime.timedelta(days=5)).isoformat()) == {old.pk, world.journal_entry.pk}
    response = client.get(URL, {"event_date_from": today.isoformat(), "event_date_to": "2020-01-01"})
    assert response.status_code == 400 and "event_date_to" in error_fields(response)


def test_every_read_is_written_to_the_access_log(world, client_for):
    about_case = entry(world)
    about_person = entry(world, applicant=world.applicant)
    client = client_for(world.users["caseworker"])
    before = AccessLogEntry.objects.filter(object_type="cases.journalentry").count()
    client.get(URL)
    rows = AccessLogEntry.objects.filter(object_type="cases.journalentry").order_by("pk")[before:]
    logged = {(row.object_id, row.person_id) for row in rows}
    assert (str(about_person.pk), world.applicant.pk) in logged
    # An entry about the whole case concerns every adult of the household.
    assert {(str(about_case.pk), world.applicant.pk), (str(about_case.pk), world.co_applicant.pk)} <= logged


def test_the_list_runs_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    from cases.journal_services import journal_entry_create

    client = client_for(world.users["coordinator"])
    entry(world, applicant=world.applicant)
    with django_assert_max_num_queries(30) as few:
        client.get(URL)
    for n in range(12):  # entries about the person and the whole case, some corrected
        original = entry(world, applicant=world.applicant if n % 2 else None, text=f"Anteckning {n}")
        if n % 3 == 0:
            journal_entry_create(actor=world.users["caseworker"], case=world.case, applicant=original.applicant,
                                 kind="visit", text="Rättelse", event_date=original.event_date, corrects=original)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert response.json()["count"] >= 13


def test_kinds_are_reference_data(world, client_for):
    kinds = client_for(world.users["coordinator"]).get("/api/v1/journal-entry-kinds/").json()
    assert {"code": "visit", "name": "Besök"} in [{"code": k["code"], "name": k["name"]} for k in kinds]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's; elsewhere the services guard")
def test_the_database_refuses_to_change_or_remove_an_entry(world, as_owner_role):
    existing = entry(world)
    for statement in ("UPDATE cases_journalentry SET text = 'ändrad' WHERE id = %s",
                      "DELETE FROM cases_journalentry WHERE id = %s"):
        with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [existing.pk])
    existing.refresh_from_db()
    assert existing.text == "Besök på kontoret."
