"""The access log partitioned by month (PostgreSQL): rows land in their month's partition,
partitions are made ahead and late ones take over the rows the DEFAULT partition caught, gallring
by age drops whole months and the hash chain still verifies, and the application role can drop no
partition nor remove any row itself. On SQLite the log is a plain table; dropping by age deletes."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.control.log_retention import _months_back, access_log_months_purge, access_log_partitions_maintain
from audit.models import AccessLogEntry, ChangeEvent, PurgedChainLink, RetentionPurge
from audit.recording import chain, partitions
from audit.recording.log import record_access
from config.errors import DomainError
from tests.conftest import _app_role_in_use, _set_role

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _entry(when: datetime.datetime, person_id: int = 1) -> AccessLogEntry:
    entry = AccessLogEntry.objects.create(
        occurred_at=when, actor_username="x", action="read", person_id=person_id,
        object_type="cases.applicant", object_id=str(person_id), channel="api",
    )
    return AccessLogEntry.objects.get(pk=entry.pk)  # with its chain link, set by the database


def _reads():
    return AccessLogEntry.objects.filter(object_type="cases.applicant")


def _partition_of(entry: AccessLogEntry) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_accesslogentry WHERE id = %s", [entry.pk])
        return cursor.fetchone()[0]


def _sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _old_month() -> datetime.date:
    return _months_back(timezone.localdate(), 36)


@on_postgresql
def test_the_log_is_partitioned_by_month_with_a_default_and_months_ahead():
    assert _sql("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'audit_accesslogentry'::regclass") == [("r",)]
    names = [p.name for p in partitions.listing()]
    this_month = timezone.localdate().replace(day=1)
    ahead = [partitions.partition_name(_months_back(this_month, -i)) for i in range(partitions.months_ahead() + 1)]
    assert set(ahead) <= set(names) and names[-1] == partitions.DEFAULT_PARTITION
    # Unique constraints include the partition key; Django's `id` stays the one key it uses.
    assert _sql("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                   WHERE conrelid = 'audit_accesslogentry'::regclass AND contype IN ('p', 'u') ORDER BY conname""") == [
        ("audit_accesslogentry_chain_seq_key", "UNIQUE (chain_seq, occurred_at)"),
        ("audit_accesslogentry_pkey", "PRIMARY KEY (id, occurred_at)"),
    ]


@on_postgresql
def test_a_row_lands_in_its_months_partition_and_a_late_partition_takes_over_the_default_rows():
    now_row = _entry(timezone.now())
    assert _partition_of(now_row) == partitions.partition_name(timezone.localdate())
    far = _months_back(timezone.localdate(), -30)  # beyond the months made ahead
    early, late = _entry(_at(far, 0) + datetime.timedelta(minutes=1)), _entry(_at(far.replace(day=28), 23))
    assert _partition_of(early) == _partition_of(late) == partitions.DEFAULT_PARTITION
    links = {e.pk: (e.chain_seq, e.prev_hash, e.row_hash) for e in AccessLogEntry.objects.filter(pk__in=[early.pk, late.pk])}

    assert partitions.ensure(first=far, months=1) == 1
    assert partitions.ensure(first=far, months=1) == 0  # idempotent
    assert _partition_of(early) == _partition_of(late) == partitions.partition_name(far)
    assert {e.pk: (e.chain_seq, e.prev_hash, e.row_hash) for e in AccessLogEntry.objects.filter(pk__in=links)} == links
    assert _sql("SELECT count(*) FROM audit_accesslogentry WHERE tableoid = %s::regclass", [partitions.DEFAULT_PARTITION]) == [(0,)]
    # The moved rows keep the triggers of every partition: still append-only, next row chained.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=early.pk).update(object_id="changed")
    after = _entry(_at(far, 13))
    assert after.chain_seq == late.chain_seq + 1 and after.prev_hash == late.row_hash
    assert chain.verify().intact


@on_postgresql
def test_a_month_at_a_local_midnight_belongs_to_the_month_that_begins():
    first = _months_back(timezone.localdate(), -1)
    partitions.ensure(first=first, months=1)
    assert _partition_of(_entry(_at(first, 0))) == partitions.partition_name(first)
    assert _partition_of(_entry(_at(first, 0) - datetime.timedelta(microseconds=1))) == partitions.partition_name(
        _months_back(first, 1))


@on_postgresql
def test_dropping_an_old_month_keeps_the_chain_verifiable(capsys):
    old = _old_month()
    partitions.ensure(first=old, months=2)
    record_access(actor=None, action="read", object_type="cases.applicant", subjects=[(1, 1)])
    dropped = [_entry(_at(old, 9), 2), _entry(_at(old.replace(day=20), 9), 3)]
    kept_next_month = _entry(_at(_months_back(old, -1), 9), 4)
    record_access(actor=None, action="read", object_type="cases.applicant", subjects=[(5, 5)])
    links = sorted((e.chain_seq, e.prev_hash, e.row_hash) for e in dropped)

    protocol = access_log_months_purge(before=_months_back(old, -1))

    assert to_regclass(partitions.partition_name(old)) is None
    assert to_regclass(partitions.partition_name(_months_back(old, -1))) is not None
    assert not AccessLogEntry.objects.filter(pk__in=[e.pk for e in dropped]).exists()
    assert AccessLogEntry.objects.filter(pk=kept_next_month.pk).exists()
    assert sorted(PurgedChainLink.objects.filter(purge_id=protocol.pk).values_list("chain_seq", "prev_hash", "row_hash")) == links
    assert protocol.counts == {"audit.accesslogentry": 2} and protocol.chain_links_removed == 2
    assert (protocol.first_chain_seq, protocol.last_chain_seq) == (links[0][0], links[-1][0])
    assert ChangeEvent.objects.filter(action="retention.purge_access_log_months", object_id=str(protocol.pk)).exists()
    assert chain.verify().intact
    call_command("verify_audit_chain")
    assert "Hashkedjan är hel" in capsys.readouterr().out


def to_regclass(name: str):
    return _sql("SELECT to_regclass(%s)", [name])[0][0]


@on_postgresql
def test_gallring_refuses_recent_months_naming_the_field_and_writes_nothing():
    recent = _months_back(timezone.localdate(), partitions.MIN_MONTHS_KEPT - 1)
    with pytest.raises(DomainError) as error:
        access_log_months_purge(before=recent)
    assert error.value.field == "before" and "12 månader" in error.value.message
    assert not RetentionPurge.objects.exists()
    # The database's own floor, whoever calls it with whatever protocol row.
    protocol = RetentionPurge.objects.create(ran_at=timezone.now(), cutoff=recent)
    with pytest.raises(DatabaseError, match="are kept"), transaction.atomic():
        _sql("SELECT * FROM audit_accesslog_drop_months(%s, %s)", [recent, protocol.pk])
    with pytest.raises(DatabaseError, match="gallringsprotokoll"), transaction.atomic():
        _sql("SELECT * FROM audit_accesslog_drop_months(%s, 999999)", [_old_month()])


@pytest.mark.skipif(not _app_role_in_use(), reason="needs PostgreSQL and DATABASE_APP_ROLE (set by .ci/run)")
@pytest.mark.parametrize("statement", [
    "DROP TABLE {partition}",
    "ALTER TABLE audit_accesslogentry DETACH PARTITION {partition}",
    "DELETE FROM audit_accesslogentry",
    "DELETE FROM {partition}",
    "TRUNCATE {partition}",
    "UPDATE {partition} SET object_id = 'x'",
    "SELECT count(*) FROM {partition}",
    "INSERT INTO {partition} (id, occurred_at, actor_username, actor_role, action, object_type, object_id, channel, "
    "endpoint, prev_hash, row_hash) VALUES (-1, now(), '', '', 'read', 'x', '', 'api', '', '', '')",
])
def test_the_application_role_cannot_drop_partitions_or_remove_rows(statement):
    _entry(_at(_old_month()))
    partitions.ensure(first=_old_month(), months=1)
    partition = partitions.partition_name(_old_month())
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(statement.format(partition=partition))
    assert _sql(f"SELECT has_table_privilege('{partition}', 'SELECT')") == [(False,)]
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite keeps a plain table")
def test_on_sqlite_the_log_is_one_table_and_old_months_are_deleted():
    assert partitions.ensure() == 0 and partitions.listing() == []
    old, kept = _entry(_at(_old_month())), _entry(timezone.now())
    protocol = access_log_months_purge(before=_months_back(_old_month(), -1))
    assert list(_reads().values_list("pk", flat=True)) == [kept.pk]
    assert protocol.counts == {"audit.accesslogentry": 1} and not AccessLogEntry.objects.filter(pk=old.pk).exists()


def test_the_daily_task_drops_nothing_without_a_keeping_time(settings):
    settings.AUDIT_ACCESS_LOG_KEEP_MONTHS = None
    _entry(_at(_old_month()))
    assert access_log_partitions_maintain()["rows_dropped"] is None
    assert _reads().count() == 1 and not RetentionPurge.objects.exists()
    settings.AUDIT_ACCESS_LOG_KEEP_MONTHS = 24
    partitions.ensure(first=_old_month(), months=1)
    assert access_log_partitions_maintain()["rows_dropped"] == 1
    assert _reads().count() == 0
    assert access_log_partitions_maintain() == {"partitions_made": 0, "rows_dropped": 0}  # a re-run changes nothing
    assert RetentionPurge.objects.count() == 1


@pytest.mark.skipif(not _app_role_in_use(), reason="needs PostgreSQL and DATABASE_APP_ROLE (set by .ci/run)")
@pytest.mark.parametrize("statement", [
    "SELECT * FROM pg_temp.audit_chain_tail",
    "INSERT INTO pg_temp.audit_chain_tail VALUES (999999, 'x')",
    "DELETE FROM pg_temp.audit_chain_tail",
    "DROP TABLE pg_temp.audit_chain_tail",
])
def test_the_application_role_cannot_touch_the_chain_tail(statement):
    _entry(timezone.now())  # the session's tail table, made by the owner role
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(statement)
    assert chain.verify().intact


@pytest.mark.skipif(not _app_role_in_use(), reason="needs PostgreSQL and DATABASE_APP_ROLE (set by .ci/run)")
def test_a_tail_table_the_application_role_made_itself_is_refused(as_owner_role):
    _sql("DROP TABLE IF EXISTS pg_temp.audit_chain_tail")  # rolled back with the test
    _set_role("default", _app_role_in_use())
    _sql("CREATE TEMP TABLE audit_chain_tail (seq bigint PRIMARY KEY, hash text NOT NULL)")
    _sql("INSERT INTO audit_chain_tail VALUES (999999, 'forged')")
    with pytest.raises(DatabaseError, match="another role"), transaction.atomic():
        _entry(timezone.now())
    assert not _reads().exists()
