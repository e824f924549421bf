"""The journal in the coordinator's UI and the journal read-out as a PDF (issue 14)."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AccessLogEntry
from cases.journal_services import journal_entry_create
from cases.models import JournalEntry

pytestmark = pytest.mark.django_db


def page(pk):
    return f"/personer/{pk}/journal/"


def pdf_url(pk):
    return f"/arenden/{pk}/journalutdrag.pdf"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def write(world, *, user="caseworker", applicant=None, text, days_ago=0, **more):
    return journal_entry_create(actor=world.users[user], case=world.case, applicant=applicant, kind="visit",
                                text=text, event_date=timezone.localdate() - datetime.timedelta(days=days_ago), **more)


def test_the_coordinator_reads_the_persons_journal_with_corrections_views_and_late_entries(world):
    late = write(world, applicant=world.applicant, text="Besök om arbetsträning.", days_ago=4)
    write(world, applicant=world.applicant, text="Rättelse: det var ett hembesök.", corrects=late)
    write(world, applicant=world.applicant, text="Sara menar att uppgiften är fel.", is_persons_view=True)
    write(world, text="Hela hushållets ärende: ansökan inkommen.")
    write(world, applicant=world.co_applicant, text="Omars läkarintyg.")
    response = login(world.users["coordinator"]).get(page(world.applicant.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("Besök om arbetsträning.", "Rättelse: det var ett hembesök.", "Personens egen synpunkt",
                  "Hela hushållets ärende", "i efterhand", "Rättar anteckningen från", "Båda finns kvar"):
        assert shown in html, shown
    assert "Omars läkarintyg" not in html  # another member's entry: not the coordinator's to read


def test_every_entry_shown_is_written_to_the_access_log(world):
    entry = write(world, applicant=world.applicant, text="Besök.")
    coordinator = world.users["coordinator"]
    login(coordinator).get(page(world.applicant.pk))
    assert AccessLogEntry.objects.filter(actor_id=coordinator.pk, object_type="cases.journalentry",
                                         object_id=str(entry.pk), person_id=world.applicant.pk).exists()


def test_the_coordinator_writes_an_entry_and_all_errors_show_at_once(world):
    client = login(world.users["coordinator"])
    before = JournalEntry.objects.count()
    response = client.post(page(world.applicant.pk), {"case": world.case.pk, "kind": "visit",
                                                      "event_date": "2999-01-01", "text": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"text"}  # the form's own errors ...
    assert JournalEntry.objects.count() == before
    response = client.post(page(world.applicant.pk), {"case": world.case.pk, "kind": "visit",
                                                      "event_date": "2999-01-01", "text": "Besök."})
    assert "event_date" in response.context["form"].errors  # ... and the service's, on its field
    assert JournalEntry.objects.count() == before
    response = client.post(page(world.applicant.pk), {"case": world.case.pk, "kind": "telephone",
                                                      "event_date": timezone.localdate().isoformat(),
                                                      "text": "Ringde Sara.", "is_persons_view": ""})
    assert response.status_code == 302
    stored = JournalEntry.objects.latest("pk")
    assert (stored.applicant, stored.author, stored.kind.code) == (world.applicant, world.users["coordinator"],
                                                                   "telephone")


def test_a_correction_from_the_page_points_to_the_old_entry(world):
    old = write(world, applicant=world.applicant, text="Fel datum.")
    client = login(world.users["coordinator"])
    response = client.get(page(world.applicant.pk), {"rattar": old.pk})
    assert response.context["form"]["corrects"].value() == old.pk
    client.post(page(world.applicant.pk), {"case": world.case.pk, "kind": "visit", "corrects": old.pk,
                                           "event_date": old.event_date.isoformat(), "text": "Rätt datum."})
    assert JournalEntry.objects.get(text="Rätt datum.").corrects == old
    assert JournalEntry.objects.get(pk=old.pk).text == "Fel datum."


@pytest.mark.parametrize("role", ["board", "administrator", "insats_staff"])
def test_roles_without_the_case_file_are_refused(world, role):
    client = login(world.users[role])
    assert client.get(page(world.applicant.pk)).status_code == 403
    assert client.get(pdf_url(world.case.pk)).status_code == 403


def test_out_of_scope_person_and_case_are_not_found(world):
    client = login(world.users["caseworker"])
    assert client.get(page(world.other_applicant.pk)).status_code == 404
    assert client.get(pdf_url(world.other_case.pk)).status_code == 404
    coordinator = login(world.users["coordinator"])
    assert coordinator.get(page(world.co_applicant.pk)).status_code == 404


def test_a_unit_manager_reads_the_journal_but_gets_no_form(world):
    write(world, applicant=world.applicant, text="Besök.")
    client = login(world.users["unit_manager"])
    response = client.get(page(world.applicant.pk))
    assert response.status_code == 200 and response.context["form"] is None
    before = JournalEntry.objects.count()
    client.post(page(world.applicant.pk), {"case": world.case.pk, "kind": "visit", "text": "x",
                                           "event_date": timezone.localdate().isoformat()})
    assert JournalEntry.objects.count() == before


def test_the_journal_page_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = login(world.users["coordinator"])
    write(world, applicant=world.applicant, text="Första.")
    with django_assert_max_num_queries(60) as few:
        client.get(page(world.applicant.pk))
    for n in range(10):
        e = write(world, applicant=world.applicant if n % 2 else None, text=f"Anteckning {n}")
        if n % 3 == 0:
            write(world, applicant=e.applicant, text="Rättelse.", corrects=e)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(page(world.applicant.pk))


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")


@needs_poppler
def test_the_read_out_is_a_pdf_a_in_time_order_with_corrections_and_is_logged(world, tmp_path):
    first = write(world, applicant=world.applicant, text="Första besöket.", days_ago=9)
    write(world, applicant=world.applicant, text="Rättelse av första besöket.", corrects=first, days_ago=9)
    write(world, text="Telefonsamtal om hyran.", days_ago=2)
    caseworker = world.users["caseworker"]
    response = login(caseworker).get(pdf_url(world.case.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "utdrag.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert text.index("Första besöket.") < text.index("Rättelse av första besöket.") < text.index("Telefonsamtal")
    assert "Rättar anteckningen från" in text and "Journalutdrag" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert f"Journalutdrag, ärende {world.case.pk}" in info
    xmp = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert "pdfaid:part" in xmp  # the PDF/A identification in the XMP metadata
    assert AccessLogEntry.objects.filter(actor_id=caseworker.pk, action="export", object_type="cases.case",
                                         object_id=str(world.case.pk)).exists()
    assert AccessLogEntry.objects.filter(actor_id=caseworker.pk, action="export", object_type="cases.journalentry",
                                         object_id=str(first.pk)).exists()


@needs_poppler
def test_the_coordinators_read_out_leaves_out_what_they_may_not_read(world, tmp_path):
    write(world, applicant=world.applicant, text="Om Sara.")
    write(world, applicant=world.co_applicant, text="Om Omar.")
    response = login(world.users["coordinator"]).get(pdf_url(world.case.pk))
    path = tmp_path / "utdrag.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Om Sara." in text and "Om Omar." not in text
