"""Bilagor (issue 14): PDF and images with a case, journal entry or application; the type read
from the content, the size bounded; stored outside the database with a SHA-256 checked on every
download; scoped like what they are attached to; every read logged; never changed, only withdrawn;
bad input names the field and writes nothing (no row, no stored file)."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AccessLogEntry, ChangeEvent
from cases.models import Attachment
from tests.cases.support import error_fields
from tests.factories.attachments import TINY_PDF, application_for, jpeg_bytes, png_bytes, stored_attachment

pytestmark = pytest.mark.django_db

URL = "/api/v1/attachments/"


@pytest.fixture(autouse=True)
def attachment_folder(settings, tmp_path):
    """Each test's files in a folder of its own (never var/)."""
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        **settings.STORAGES["attachments"], "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def stored_files(folder) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, files in os.walk(folder) for f in files)


def upload(client, *, content=TINY_PDF, name="hyreskontrakt.pdf", content_type="application/pdf", **body):
    data = {"description": "Hyreskontrakt", **body}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(URL, data, format="multipart")


def test_a_caseworker_adds_a_pdf_stored_outside_the_database_with_its_checksum(world, client_for,
                                                                               attachment_folder):
    before = stored_files(attachment_folder)
    response = upload(client_for(world.users["caseworker"]), case=world.case.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "application/pdf" and body["size"] == len(TINY_PDF)
    assert body["sha256"] == hashlib.sha256(TINY_PDF).hexdigest()
    assert body["file_name"] == "hyreskontrakt.pdf" and body["withdrawn"] is False
    row = Attachment.objects.get(pk=body["id"])
    new = set(stored_files(attachment_folder)) - set(before)
    assert new == {row.stored_as}
    assert "hyreskontrakt" not in row.stored_as  # the sender's name is a label, never a path
    assert (attachment_folder / row.stored_as).read_bytes() == TINY_PDF
    assert ChangeEvent.objects.filter(action="attachment.create", object_id=str(row.pk)).exists()


def test_a_coordinator_adds_a_photo_to_a_journal_entry(world, client_for):
    response = upload(client_for(world.users["coordinator"]), case=world.case.pk, journal_entry=world.journal_entry.pk,
                      content=png_bytes(), name="intyg.png", content_type="image/png", description="Foto av intyg")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    assert response.json()["journal_entry"] == world.journal_entry.pk


def test_a_jpeg_on_an_application(world, client_for):
    application = application_for(world.case)
    response = upload(client_for(world.users["caseworker"]), case=world.case.pk, application=application.pk,
                      content=jpeg_bytes(), name="kvitto.jpg", content_type="image/jpeg")
    assert response.status_code == 201, response.content
    assert response.json()["application"] == application.pk


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
BAD_FILES = {
    "an empty file": (b"", "tom.pdf", "application/pdf"),
    "a program renamed .pdf": (EXE, "kontoutdrag.pdf", "application/pdf"),
    "an HTML page sent as image/png": (HTML, "bild.png", "image/png"),
    "a PNG signature over garbage": (png_bytes()[:16] + b"\x00" * 64, "trasig.png", "image/png"),
    "a text file": (b"Hej", "brev.txt", "text/plain"),
}


def _counts():
    return Attachment.objects.count(), ChangeEvent.objects.count()


@pytest.mark.parametrize("bad", sorted(BAD_FILES))
def test_a_file_of_the_wrong_type_or_empty_is_refused_naming_the_file_and_nothing_is_written(
        world, client_for, attachment_folder, bad):
    content, name, content_type = BAD_FILES[bad]
    before, files = _counts(), stored_files(attachment_folder)
    response = upload(client_for(world.users["caseworker"]), case=world.case.pk, content=content, name=name,
                      content_type=content_type)
    assert response.status_code == 400, response.content
    assert set(error_fields(response)) == {"file"}
    assert _counts() == before and stored_files(attachment_folder) == files


def test_a_file_too_large_is_refused_with_the_limit_named(world, client_for, settings, attachment_folder):
    settings.ATTACHMENT_MAX_BYTES = 100
    before, files = _counts(), stored_files(attachment_folder)
    response = upload(client_for(world.users["caseworker"]), case=world.case.pk)
    assert response.status_code == 400
    message = error_fields(response)["file"][0]["message"]
    assert "högst 1 kB" in message
    assert _counts() == before and stored_files(attachment_folder) == files


def test_a_body_larger_than_any_accepted_file_is_refused_before_it_is_read(world, client_for, settings,
                                                                           attachment_folder):
    settings.ATTACHMENT_MAX_BYTES = 1024
    files = stored_files(attachment_folder)
    response = upload(client_for(world.users["caseworker"]), case=world.case.pk, content=b"%PDF-1.4" + b"0" * 70_000)
    assert response.status_code == 413
    assert "file" in error_fields(response)
    assert _counts()[0] == 1 and stored_files(attachment_folder) == files


REFUSALS = {
    "a case out of scope": (lambda w: {"case": w.other_case.pk}, "case"),
    "no description": (lambda w: {"case": w.case.pk, "description": "  "}, "description"),
    "no file": (lambda w: {"case": w.case.pk, "content": None}, "file"),
    "a journal entry of another case": (lambda w: {"case": w.opened_case.pk, "journal_entry": w.journal_entry.pk},
                                        "journal_entry"),
    "a journal entry that does not exist": (lambda w: {"case": w.case.pk, "journal_entry": 999999}, "journal_entry"),
    "an application that does not exist": (lambda w: {"case": w.case.pk, "application": 999999}, "application"),
}


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_bad_input_names_the_field_and_writes_nothing(world, client_for, attachment_folder, refusal):
    body, field = REFUSALS[refusal]
    before, files = _counts(), stored_files(attachment_folder)
    response = upload(client_for(world.users["caseworker"]), **body(world))
    assert response.status_code == 400, response.content
    assert field in error_fields(response)
    assert _counts() == before and stored_files(attachment_folder) == files


def test_a_coordinator_cannot_attach_to_an_application_it_does_not_see(world, client_for, attachment_folder):
    application = application_for(world.case)
    files = stored_files(attachment_folder)
    response = upload(client_for(world.users["coordinator"]), case=world.case.pk, application=application.pk)
    assert response.status_code == 400 and "application" in error_fields(response)
    assert stored_files(attachment_folder) == files


def test_a_unit_manager_reads_but_does_not_add(world, client_for, attachment_folder):
    files = stored_files(attachment_folder)
    client = client_for(world.users["unit_manager"])
    assert upload(client, case=world.case.pk).status_code == 403
    assert stored_files(attachment_folder) == files
    assert client.get(f"{URL}{world.attachment.pk}/").status_code == 200


def test_the_download_is_the_file_checked_typed_and_logged(world, client_for):
    coordinator = world.users["coordinator"]
    response = client_for(coordinator).get(f"{URL}{world.attachment.pk}/file/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content == TINY_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert AccessLogEntry.objects.filter(actor_id=coordinator.pk, action="export", object_type="cases.attachment",
                                         object_id=str(world.attachment.pk)).exists()


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_stored_file_not_matching_its_checksum_is_not_handed_out(world, client_for, attachment_folder, damage):
    path = attachment_folder / world.attachment.stored_as
    if damage == "altered":
        path.write_bytes(TINY_PDF.replace(b"200 200", b"300 300"))
    else:
        path.unlink()
    caseworker = world.users["caseworker"]
    response = client_for(caseworker).get(f"{URL}{world.attachment.pk}/file/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "kontrollsumman" in response.json()["error"]["message"]
    assert not AccessLogEntry.objects.filter(action="export", object_type="cases.attachment").exists()


def test_attachments_are_scoped_like_what_they_belong_to(world, client_for):
    from django.utils import timezone

    from cases.journal_services import journal_entry_create

    caseworker = world.users["caseworker"]
    about_omar = journal_entry_create(actor=caseworker, case=world.case, applicant=world.co_applicant, kind="visit",
                                      event_date=timezone.localdate(), text="Omars läkarintyg.")
    on_omar = stored_attachment(case=world.case, uploaded_by=caseworker, journal_entry=about_omar)
    on_application = stored_attachment(case=world.case, uploaded_by=caseworker,
                                       application=application_for(world.case))
    elsewhere = stored_attachment(case=world.other_case, uploaded_by=caseworker)

    def ids(role):
        return {a["id"] for a in client_for(world.users[role]).get(URL).json()["results"]}

    assert ids("caseworker") == {world.attachment.pk, on_omar.pk, on_application.pk}
    assert ids("coordinator") == {world.attachment.pk}  # not another member's entry, not the money
    assert ids("unit_manager") == {world.attachment.pk, on_omar.pk, on_application.pk}
    coordinator = client_for(world.users["coordinator"])
    for hidden in (on_omar, on_application, elsewhere):
        assert coordinator.get(f"{URL}{hidden.pk}/").status_code == 404
        assert coordinator.get(f"{URL}{hidden.pk}/file/").status_code == 404


def test_filters_by_case_journal_entry_application_and_withdrawn(world, client_for):
    caseworker = world.users["caseworker"]
    application = application_for(world.case)
    on_entry = stored_attachment(case=world.case, uploaded_by=caseworker, journal_entry=world.journal_entry)
    on_application = stored_attachment(case=world.case, uploaded_by=caseworker, application=application)
    client = client_for(caseworker)

    def ids(query):
        return {a["id"] for a in client.get(f"{URL}?{query}").json()["results"]}

    assert ids(f"case={world.case.pk}") == {world.attachment.pk, on_entry.pk, on_application.pk}
    assert ids(f"case={world.opened_case.pk}") == set()
    assert ids(f"journal_entry={world.journal_entry.pk}") == {on_entry.pk}
    assert ids(f"application={application.pk}") == {on_application.pk}
    client.post(f"{URL}{on_entry.pk}/withdrawal/", {"reason": "Fel person."}, format="json")
    assert ids("withdrawn=true") == {on_entry.pk}
    assert ids("withdrawn=false") == {world.attachment.pk, on_application.pk}


def test_a_wrong_attachment_is_withdrawn_with_a_reason_and_kept(world, client_for):
    client = client_for(world.users["coordinator"])
    url = f"{URL}{world.attachment.pk}/withdrawal/"
    refused = client.post(url, {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in error_fields(refused)
    assert not Attachment.objects.get(pk=world.attachment.pk).is_withdrawn
    response = client.post(url, {"reason": "Gäller en annan person."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["withdrawn"] is True and body["withdrawal_reason"] == "Gäller en annan person."
    assert body["withdrawn_by"] == world.users["coordinator"].pk
    assert client.get(f"{URL}{world.attachment.pk}/file/").content == TINY_PDF  # still readable
    events = ChangeEvent.objects.filter(action="attachment.withdraw").count()
    assert events
    again = client.post(url, {"reason": "Igen."}, format="json")
    assert again.status_code == 409 and "attachment" in error_fields(again)
    assert ChangeEvent.objects.filter(action="attachment.withdraw").count() == events
    assert Attachment.objects.get(pk=world.attachment.pk).withdrawal_reason == "Gäller en annan person."


def test_attachments_are_never_changed_or_removed_by_the_api(world, client_for):
    client = client_for(world.users["caseworker"])
    url = f"{URL}{world.attachment.pk}/"
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(url, {"description": "Annat"}, format="json").status_code == 405
    assert Attachment.objects.get(pk=world.attachment.pk).description == "Hyreskontrakt"


def test_every_read_is_written_to_the_access_log(world, client_for):
    coordinator = world.users["coordinator"]
    client = client_for(coordinator)
    client.get(URL)
    client.get(f"{URL}{world.attachment.pk}/")
    logged = AccessLogEntry.objects.filter(actor_id=coordinator.pk, object_type="cases.attachment",
                                           object_id=str(world.attachment.pk))
    assert set(logged.values_list("action", flat=True)) == {"list", "read"}
    assert set(logged.values_list("person_id", flat=True)) == {world.applicant.pk, world.co_applicant.pk}


def test_the_list_runs_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.users["caseworker"])
    client.get(URL)  # warm the caches (content types, session)
    with django_assert_max_num_queries(12) as one:
        assert len(client.get(URL).json()["results"]) == 1
    application = application_for(world.case)
    for n in range(8):
        stored_attachment(case=world.case, uploaded_by=world.users["caseworker"],
                          journal_entry=world.journal_entry if n % 2 else None,
                          application=application if n % 4 == 0 else None)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 9
