"""The demo data has one finished report 6 for the board, shown on the reports page."""

import pytest

from audit.report_models import ReportSnapshot, SnapshotStatus
from cases.models import Staff
from tests.once import demo_municipality

pytestmark = pytest.mark.django_db


def test_demo_has_a_finished_internal_control_report(client):
    demo_municipality()  # built once per test process, put back here (tests/demo_copy.py)
    snap = ReportSnapshot.objects.get()
    assert (snap.code, snap.status) == ("internal_control", SnapshotStatus.DONE)
    flags = next(t for t in snap.data["tables"] if t["key"] == "flags")
    assert sum(r["opened"] for r in flags["rows"]) > 0
    client.force_login(Staff.objects.get(username="namnd"))
    assert "Intern kontroll" in client.get(f"/rapporter/{snap.pk}/").content.decode()
