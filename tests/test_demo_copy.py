"""tests/demo_copy.py: the demo built once for a bin/test run, put back in the run's other
processes from a file, with the database's sequences moved past the ids it holds."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from cases.attachment_services import attachment_storage
from cases.models import Attachment, Unit
from tests import demo_copy
from tests.factories.attachments import TINY_PDF, stored_attachment
from tests.factories.cases import CaseFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_run(monkeypatch, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the copy is PostgreSQL's COPY")
    monkeypatch.setenv(demo_copy.RUN_VARIABLE, f"copy-test-{tmp_path.name}")
    monkeypatch.setattr(demo_copy.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(demo_copy, "_kept", None)
    return tmp_path


def test_another_process_of_the_run_puts_the_copy_back_past_its_sequences(fresh_run, monkeypatch):
    with transaction.atomic():  # the "first process": builds, keeps a copy, and rolls back
        before = demo_copy.table_counts()
        built = UnitFactory(code="byggd-en-gang", name="Byggd en gång")
        case = CaseFactory(unit=built)
        attachment = stored_attachment(case=case, uploaded_by=StaffFactory(unit=built))
        demo_copy.keep("byggd", before)
        transaction.set_rollback(True)
    assert not Unit.objects.filter(pk=built.pk).exists()
    attachment_storage().delete(attachment.stored_as)  # the other process's storage has no files
    assert list(fresh_run.glob("eb-test-demo-*.pickle")), "the copy is on disk for the run"

    # "Another process": no copy in memory, and a sequence that never reached the copy's ids.
    monkeypatch.setattr(demo_copy, "_kept", None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('cases_unit', 'id')")
        (sequence,) = cursor.fetchone()
    with demo_copy._as_owner() as cursor:
        cursor.execute(f"ALTER SEQUENCE {sequence} RESTART WITH 1")

    with demo_copy.run_lock():
        assert demo_copy.restore() == "byggd"
    assert Unit.objects.get(pk=built.pk).code == "byggd-en-gang"
    assert UnitFactory(code="ny-efter").pk > built.pk  # no id taken twice
    with attachment_storage().open(Attachment.objects.get(pk=attachment.pk).stored_as, "rb") as stored:
        assert stored.read() == TINY_PDF  # the demo's files are put back with its rows


def test_without_a_run_nothing_is_written_to_disk(fresh_run, monkeypatch):
    monkeypatch.delenv(demo_copy.RUN_VARIABLE)
    with transaction.atomic():
        before = demo_copy.table_counts()
        UnitFactory(code="bara-i-minnet")
        demo_copy.keep("minne", before)
        transaction.set_rollback(True)
    assert not list(fresh_run.glob("eb-test-demo-*"))
