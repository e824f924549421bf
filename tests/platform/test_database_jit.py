"""PostgreSQL's JIT compiler is off on the application's connections unless DATABASE_JIT says so."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is a PostgreSQL setting")


@pytest.mark.django_db
def test_application_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
