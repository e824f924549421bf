"""The application role can add to the log and read it, and nothing else: no UPDATE, DELETE,
TRUNCATE, no trigger switched off or dropped, no change to the chain head. The deploy check
refuses a role that could. PostgreSQL with DATABASE_APP_ROLE (CI runs the whole suite so)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.recording import db_roles
from tests.conftest import _app_role_in_use

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not _app_role_in_use(), reason="needs PostgreSQL and DATABASE_APP_ROLE (set by .ci/run)"
    ),
]

REFUSED = [
    "UPDATE {table} SET object_id = 'x'",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
    "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "DROP TRIGGER {table}_append_only ON {table}",
    "DROP TRIGGER {table}_chain ON {table}",
    "ALTER TABLE {table} OWNER TO CURRENT_USER",
    "DROP TABLE {table}",
]


def _current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def _entry():
    return AccessLogEntry.objects.create(
        occurred_at=timezone.now(), actor_username="x", action="read", person_id=1,
        object_type="cases.applicant", object_id="1", channel="api",
    )


def test_the_suite_runs_as_the_application_role():
    assert _current_user() == db_roles.app_role()
    assert db_roles.role_problems(connection) == []


def test_the_application_role_inserts_and_reads_and_the_row_is_chained():
    entry = _entry()
    row = AccessLogEntry.objects.get(pk=entry.pk)
    assert row.chain_seq >= 1 and len(row.row_hash) == 64 and len(row.prev_hash) == 64


@pytest.mark.parametrize("table", ["audit_accesslogentry", "audit_changeevent"])
@pytest.mark.parametrize("statement", REFUSED)
def test_the_application_role_cannot_change_empty_or_unprotect_the_log(table, statement):
    _entry()
    with pytest.raises(DatabaseError, match="permission denied|must be owner"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement.format(table=table))
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_chainhead SET seq = 0", "DELETE FROM audit_chainhead", "TRUNCATE audit_chainhead",
    "INSERT INTO audit_purgedchainlink (chain_seq, prev_hash, row_hash, purge_id) VALUES (1, 'a', 'b', 1)",
])
def test_the_application_role_cannot_touch_the_chain_head_or_purged_links(statement):
    _entry()
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)


def test_the_deploy_check_passes_for_the_application_role():
    call_command("check", deploy=True, databases=["default"], tags=["database"])


def test_the_deploy_check_refuses_the_owner(as_owner_role):
    problems = db_roles.role_problems(connection)
    assert any("äger audit_accesslogentry" in p for p in problems)
    with pytest.raises(SystemCheckError, match="audit.E001"):
        call_command("check", deploy=True, databases=["default"], tags=["database"])


def test_the_deploy_check_refuses_an_application_role_with_more_rights(as_owner_role):
    role = connection.ops.quote_name(db_roles.app_role())
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE, TRUNCATE ON audit_changeevent TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
    assert db_roles.role_problems(connection) == [
        f"rollen {db_roles.app_role()} har UPDATE, TRUNCATE på audit_changeevent"
    ]


def test_the_deploy_check_refuses_a_disabled_trigger(as_owner_role):
    role = connection.ops.quote_name(db_roles.app_role())
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER audit_accesslogentry_chain")
        cursor.execute(f"SET LOCAL ROLE {role}")
    assert db_roles.role_problems(connection) == ["utlösaren audit_accesslogentry_chain saknas eller är avstängd"]
