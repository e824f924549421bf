"""Gallring: who is due (5 years after the last entry, by the end of the next year), exceptions as
data, a dry run that writes nothing, and a purge that removes the person's records and their log
rows through the one controlled path while the hash chain still verifies."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.control import retention
from audit.control.retention_models import RetentionHold, RetentionHoldKind, RetentionPurge
from audit.models import AccessLogEntry, ChangeEvent, PurgedChainLink
from audit.recording import chain
from audit.recording.log import record_access
from cases.models import Applicant, CaseStatus, Role
from tests.factories.cases import ApplicantFactory, CaseFactory, StaffFactory

TODAY = datetime.date(2027, 1, 15)
STOCKHOLM = timezone.get_current_timezone()


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=STOCKHOLM)


def _person(last_entry: datetime.date, **kwargs) -> Applicant:
    person = ApplicantFactory(**kwargs)
    Applicant.objects.filter(pk=person.pk).update(updated_at=_at(last_entry))
    ChangeEvent.objects.create(occurred_at=_at(last_entry), action="applicant.update", object_type="cases.applicant",
                               object_id=str(person.pk), person_id=person.pk, channel="api")
    return person


@pytest.fixture
def reader(db):
    return StaffFactory(role=Role.CASEWORKER)


@pytest.fixture
def population(reader):
    due = _person(datetime.date(2021, 12, 31))  # five years reached during 2026: purged in the January 2027 run
    recent = _person(datetime.date(2022, 1, 1))  # reaches five years in 2027: next year's run
    held = _person(datetime.date(2019, 5, 1))
    RetentionHold.objects.create(person=held, kind=RetentionHoldKind.LEGAL_HOLD, reason="Begäran från förvaltningsrätten")
    lifted = _person(datetime.date(2019, 5, 1))
    RetentionHold.objects.create(person=lifted, kind=RetentionHoldKind.CASE_TYPE, reason="Bevaras 7 år",
                                 until=datetime.date(2026, 12, 31))
    open_case = _person(datetime.date(2018, 1, 1))
    CaseFactory(with_applicant=open_case, status=CaseStatus.ACTIVE)
    record_access(actor=reader, action="read", object_type="cases.applicant",
                  subjects=[(p.pk, p.pk) for p in (due, recent, held, lifted, open_case)])
    return {"due": due, "recent": recent, "held": held, "lifted": lifted, "open_case": open_case}


def test_the_cutoff_is_five_years_back_from_the_start_of_the_year():
    assert retention.purge_cutoff(TODAY) == datetime.date(2022, 1, 1)
    assert retention.purge_cutoff(datetime.date(2027, 12, 31)) == datetime.date(2022, 1, 1)


def test_due_are_the_old_files_without_a_live_hold_or_an_open_case(population):
    due = set(retention.purge_candidates(today=TODAY).values_list("pk", flat=True))
    assert due == {population["due"].pk, population["lifted"].pk}


def test_a_later_entry_in_the_file_keeps_it(population):
    ChangeEvent.objects.create(occurred_at=_at(datetime.date(2023, 3, 1)), action="x", object_type="cases.applicant",
                               object_id="1", person_id=population["due"].pk, channel="api")
    assert population["due"].pk not in set(retention.purge_candidates(today=TODAY).values_list("pk", flat=True))


def test_the_dry_run_lists_counts_per_kind_and_writes_nothing(population, capsys):
    before = (AccessLogEntry.objects.count(), ChangeEvent.objects.count(), Applicant.objects.count())
    call_command("retention_purge", "--dry-run", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "sista anteckning före 2022-01-01, 2 personer, 0 hushåll" in out
    assert "sökande: 2" in out and "åtkomstlogg: 2" in out and "ändringshändelser: 2" in out
    assert "bevaras (Bevaras efter beslut (t.ex. pågående tvist eller begäran)): 1" in out
    assert "cases." not in out and "audit." not in out  # plain Swedish, no module names
    assert (AccessLogEntry.objects.count(), ChangeEvent.objects.count(), Applicant.objects.count()) == before
    assert not RetentionPurge.objects.exists()


def test_the_purge_removes_the_persons_and_their_log_and_writes_a_protocol_without_personal_data(population, capsys):
    gone = [population["due"], population["lifted"]]
    call_command("retention_purge", "--today", TODAY.isoformat())
    assert not Applicant.objects.filter(pk__in=[p.pk for p in gone]).exists()
    assert not AccessLogEntry.objects.filter(person_id__in=[p.pk for p in gone]).exists()
    assert not ChangeEvent.objects.filter(person_id__in=[p.pk for p in gone]).exists()
    assert Applicant.objects.filter(pk=population["held"].pk).exists()
    protocol = RetentionPurge.objects.get()
    assert protocol.persons == 2 and protocol.cutoff == datetime.date(2022, 1, 1)
    assert protocol.counts["cases.applicant"] == 2 and protocol.counts["audit.accesslogentry"] == 2
    text = str(protocol.counts) + str(protocol.__dict__)
    for person in gone:
        assert person.personal_identity_number not in text and person.first_name not in text
    # The purge itself is logged, without a person.
    event = ChangeEvent.objects.get(action="retention.purge")
    assert event.person_id is None and event.object_id == str(protocol.pk)
    # A second run finds nothing left.
    call_command("retention_purge", "--today", TODAY.isoformat())
    assert RetentionPurge.objects.order_by("-pk").first().persons == 0


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the chain and the purge function are PostgreSQL")
def test_the_chain_still_verifies_across_the_purged_rows(population):
    assert chain.verify().intact
    protocol = retention.retention_purge(today=TODAY)
    links = PurgedChainLink.objects.filter(purge_id=protocol.pk)
    assert links.count() == protocol.chain_links_removed == 4  # 2 reads + 2 change events
    assert protocol.first_chain_seq == links.order_by("chain_seq").first().chain_seq
    result = chain.verify()
    assert result.intact, result.describe()


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the purge function is PostgreSQL")
def test_the_purge_function_needs_a_protocol_and_the_log_is_still_append_only_outside_it(population):
    with pytest.raises(DatabaseError, match="gallringsprotokoll"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT audit_purge_log(ARRAY[%s]::bigint[], 999999)", [population["due"].pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.purge', '1', true)")
        cursor.execute("DELETE FROM audit_accesslogentry")  # the app role has no DELETE; the owner meets the trigger
