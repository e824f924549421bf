"""REPORTS_WORK_MEM: set for the reports' persons queries only, and put back after them (a
persistent connection serves the next request with the server's setting)."""

import pytest
from django.db import connection

from audit.reports.figures import report_work_mem

pytestmark = pytest.mark.django_db


def _work_mem() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's work_mem")
def test_work_mem_is_the_setting_inside_and_what_it_was_after_even_after_an_error(settings):
    settings.REPORTS_WORK_MEM = "48MB"
    before = _work_mem()
    assert before != "48MB"
    with report_work_mem(connection):
        assert _work_mem() == "48MB"
    assert _work_mem() == before
    with pytest.raises(ZeroDivisionError), report_work_mem(connection):
        assert _work_mem() == "48MB"
        1 / 0  # noqa: B018
    assert _work_mem() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's work_mem")
def test_an_empty_setting_leaves_the_servers(settings):
    settings.REPORTS_WORK_MEM = "40MB"
    with report_work_mem(connection):
        settings.REPORTS_WORK_MEM = ""
        with report_work_mem(connection):
            assert _work_mem() == "40MB"
