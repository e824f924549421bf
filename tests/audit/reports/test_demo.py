"""The demo data has one finished report 6 for the board, shown on the reports page."""

import pytest
from django.core.management import call_command

from audit.report_models import ReportSnapshot, SnapshotStatus
from cases.models import Staff

pytestmark = pytest.mark.django_db


def test_demo_has_a_finished_internal_control_report(client):
    call_command("demo_data", verbosity=0)  # the only test here: nothing to share the build with
    snap = ReportSnapshot.objects.get()
    assert (snap.code, snap.status) == ("internal_control", SnapshotStatus.DONE)
    flags = next(t for t in snap.data["tables"] if t["key"] == "flags")
    assert sum(r["opened"] for r in flags["rows"]) > 0
    client.force_login(Staff.objects.get(username="namnd"))
    assert "Intern kontroll" in client.get(f"/rapporter/{snap.pk}/").content.decode()
