"""Bilagor on the person's journal page (issue 14): the list and download for every reader, the
upload form for those who write in the file; bad files name the field and write nothing."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.models import AccessLogEntry
from cases.models import Attachment
from tests.factories.attachments import TINY_PDF, png_bytes, stored_attachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachment_folder(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        **settings.STORAGES["attachments"], "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def login(user):
    client = Client()
    client.force_login(user)
    return client


def journal(pk):
    return f"/personer/{pk}/journal/"


def new(pk):
    return f"/personer/{pk}/bilagor/ny/"


def files(folder):
    return sorted(f for _, _, names in os.walk(folder) for f in names)


@pytest.mark.parametrize("role", ["coordinator", "caseworker", "unit_manager"])
def test_the_journal_page_lists_the_attachments_with_a_download_link_and_logs_them(world, role):
    user = world.users[role]
    response = login(user).get(journal(world.applicant.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hyreskontrakt" in html and f"/bilagor/{world.attachment.pk}/fil" in html
    assert ("Lägg till en bilaga" in html) == (role != "unit_manager")
    assert AccessLogEntry.objects.filter(actor_id=user.pk, object_type="cases.attachment",
                                         object_id=str(world.attachment.pk), channel="ui").exists()


def test_a_withdrawn_attachment_says_so_and_another_members_entry_is_not_shown(world):
    from django.utils import timezone

    from cases.attachment_services import attachment_withdraw
    from cases.journal_services import journal_entry_create

    caseworker = world.users["caseworker"]
    attachment_withdraw(actor=caseworker, attachment=world.attachment, reason="Fel hushåll.")
    about_omar = journal_entry_create(actor=caseworker, case=world.case, applicant=world.co_applicant, kind="visit",
                                      event_date=timezone.localdate(), text="Omar.")
    stored_attachment(case=world.case, uploaded_by=caseworker, journal_entry=about_omar, description="Omars intyg")
    html = login(world.users["coordinator"]).get(journal(world.applicant.pk)).content.decode()
    assert "Återkallad" in html and "Fel hushåll." in html
    assert "Omars intyg" not in html


def test_the_download_page_hands_out_the_checked_file_and_logs_it(world):
    user = world.users["coordinator"]
    response = login(user).get(f"/bilagor/{world.attachment.pk}/fil")
    assert response.status_code == 200 and response.content == TINY_PDF
    assert response["Content-Type"] == "application/pdf"
    assert AccessLogEntry.objects.filter(actor_id=user.pk, action="export", object_type="cases.attachment",
                                         channel="ui").exists()


def test_a_damaged_file_is_not_handed_out_by_the_page(world, attachment_folder):
    (attachment_folder / world.attachment.stored_as).write_bytes(b"%PDF-1.4 annat")
    response = login(world.users["caseworker"]).get(f"/bilagor/{world.attachment.pk}/fil")
    assert response.status_code == 500
    assert "kontrollsumman" in response.content.decode()


def test_out_of_scope_the_download_and_the_form_are_not_found(world):
    elsewhere = stored_attachment(case=world.other_case, uploaded_by=world.users["caseworker"])
    client = login(world.users["coordinator"])
    assert client.get(f"/bilagor/{elsewhere.pk}/fil").status_code == 404
    assert client.get(new(world.other_applicant.pk)).status_code == 404


def test_the_coordinator_adds_an_image_to_a_journal_entry(world, attachment_folder):
    client = login(world.users["coordinator"])
    form = client.get(new(world.applicant.pk))
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()
    response = client.post(new(world.applicant.pk), {
        "case": world.case.pk, "journal_entry": world.journal_entry.pk, "description": "Foto av läkarintyg",
        "file": SimpleUploadedFile("intyg.png", png_bytes(), content_type="image/png")})
    assert response.status_code == 302, response.content.decode()
    added = Attachment.objects.get(description="Foto av läkarintyg")
    assert added.journal_entry_id == world.journal_entry.pk and added.content_type == "image/png"
    assert files(attachment_folder) == sorted([os.path.basename(world.attachment.stored_as),
                                               os.path.basename(added.stored_as)])


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "tom.pdf", "Filen är tom."),
    (b"MZ\x90\x00" + b"\x00" * 100, "program.pdf", "Filen är inte av en tillåten typ"),
    (b"<html><body>x</body></html>", "sida.png", "Filen är inte av en tillåten typ"),
])
def test_a_bad_file_names_the_field_on_the_form_and_writes_nothing(world, attachment_folder, content, name, message):
    before, stored = Attachment.objects.count(), files(attachment_folder)
    response = login(world.users["coordinator"]).post(new(world.applicant.pk), {
        "case": world.case.pk, "description": "Kontoutdrag", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    html = response.content.decode()
    error = html.split('id="id_file_error"', 1)[1].split("</ul>", 1)[0]  # the error tied to the file field
    assert message in error
    assert Attachment.objects.count() == before and files(attachment_folder) == stored


@pytest.mark.parametrize("role", ["unit_manager", "insats_staff", "board", "administrator"])
def test_roles_that_do_not_write_in_the_file_get_no_form(world, role):
    assert login(world.users[role]).get(new(world.applicant.pk)).status_code == 403


def test_a_body_too_large_is_refused_before_it_is_read_and_the_form_says_why(world, settings, attachment_folder):
    settings.ATTACHMENT_MAX_BYTES = 1024
    stored = files(attachment_folder)
    response = login(world.users["coordinator"]).post(new(world.applicant.pk), {
        "case": world.case.pk, "description": "Kontoutdrag",
        "file": SimpleUploadedFile("stor.pdf", b"%PDF-1.4" + b"0" * 70_000)})
    assert response.status_code == 413
    assert "Filen är för stor" in response.content.decode()
    assert Attachment.objects.count() == 1 and files(attachment_folder) == stored
