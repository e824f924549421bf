"""On PostgreSQL the access log and change events refuse UPDATE and DELETE in the database itself,
even for the owner role (the application role has no such rights at all: test_app_role.py)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AccessLogEntry, ChangeEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the append-only triggers exist on PostgreSQL only (SQLite has no such triggers here)",
    ),
]


def _rows():
    now = timezone.now()
    entry = AccessLogEntry.objects.create(
        occurred_at=now, actor_username="x", action="read", person_id=1, object_type="cases.applicant",
        object_id="1", channel="api",
    )
    event = ChangeEvent.objects.create(
        occurred_at=now, actor_username="x", action="applicant.update", object_type="cases.applicant",
        object_id="1", person_id=1, changes={"city": ["A", "B"]}, channel="api",
    )
    return entry, event


@pytest.mark.parametrize("table", ["audit_accesslogentry", "audit_changeevent"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET object_id = 'changed'", "DELETE FROM {table}"])
def test_raw_sql_update_and_delete_are_refused(table, statement, as_owner_role):
    _rows()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table))


@pytest.mark.parametrize("model", [AccessLogEntry, ChangeEvent])
def test_orm_update_save_and_delete_are_refused(model, as_owner_role):
    entry, event = _rows()
    row = entry if model is AccessLogEntry else event
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(object_id="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.object_id = "changed"
        row.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.delete()
    row.refresh_from_db()
    assert row.object_id == "1"


def test_inserting_still_works():
    _rows()
    assert AccessLogEntry.objects.count() == 1 and ChangeEvent.objects.count() == 1
