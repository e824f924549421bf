"""Gallring of whole files (issue 11): a household's records in every app go once every member is
due, no case is open and nobody has a live hold; a case type kept longer keeps it; the boundary is
five years after the last entry, by the end of the next year; the dry run writes nothing; the
protocol's counts are what went; signed decisions go only through the purge's controlled path."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.control import personakt, retention
from audit.control.importing.models import ImportBatch, ImportedRecord
from audit.control.models import ChecklistAnswer, ControlSample, ControlSampleItem
from audit.control.retention_models import RetentionExtension, RetentionHold, RetentionHoldKind, RetentionPurge
from audit.models import AccessLogEntry, ChangeEvent
from audit.recording import chain, purge
from audit.recording.log import record_access
from cases import decision_services
from cases.finance_models import Decision, LegalBasis
from cases.letter_models import DecisionLetter
from cases.models import (
    Applicant,
    Attachment,
    CaseClosingReason,
    CaseStatus,
    CaseSupportBarrier,
    Household,
    JournalEntry,
    JournalEntryKind,
    SupportBarrier,
)
from planning.models import Progress, SubgoalProgress
from tests.factories.attachments import stored_attachment
from tests.factories.audit import CorrectiveActionFactory, FlagFactory
from tests.factories.cases import CoordinatorAssignmentFactory
from tests.factories.finance import family_case, granted_month
from tests.factories.insatser import (
    ExemptionFactory,
    InsatsDecisionFactory,
    ParticipationFactory,
    WeeklyAttendanceFactory,
)
from tests.factories.planning import AssessmentFactory, FollowUpFactory, SignedPlanFactory, SubgoalFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 1, 15)  # the yearly run: cutoff 1 January 2022
STOCKHOLM = timezone.get_current_timezone()
D = datetime.date


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


@contextlib.contextmanager
def clock(moment: datetime.datetime):
    """Everything written inside happens at `moment`: rows' times, change events, access log."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def table_counts() -> dict[str, int]:
    return {m._meta.label_lower: m.objects.count() for m in apps.get_models() if m._meta.managed}


def household_file(caseworker, coordinator, *, written: datetime.datetime, closed: bool = True):
    """A household of two adults and a child with rows in every app, all written at `written`.
    Returns (household, [applicant, co-applicant], decision)."""
    day = written.date()
    first = (Applicant.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with clock(written):
        case, members = family_case(unit=caseworker.unit, opened_on=D(2019, 1, 1))  # the norm loaded is 2019's
        adults = [m.applicant for m in members if m.applicant_id]
        month = D(2019, 1, 1)
        _, _, decision = granted_month(actor=caseworker, case=case, month=month, members=members)
        decision_services.decision_record_execution(actor=caseworker, decision=decision, kind="executed",
                                                    occurred_on=day)
        CaseSupportBarrier.objects.create(case=case, applicant=adults[0], barrier=SupportBarrier.objects.first(),
                                          valid_from=case.opened_on)
        CoordinatorAssignmentFactory(case=case, applicant=adults[0], coordinator=coordinator,
                                     start_date=case.opened_on)
        assessment = AssessmentFactory(applicant=adults[0], made_by=coordinator, assessed_on=day)
        plan = SignedPlanFactory(applicant=adults[0], case=case, assessment=assessment, created_by=coordinator,
                                 made_on=day)
        subgoal = SubgoalFactory(plan=plan)
        follow_up = FollowUpFactory(plan=plan)
        SubgoalProgress.objects.create(follow_up=follow_up, subgoal=subgoal, status=Progress.IN_PROGRESS)
        InsatsDecisionFactory(case=case, applicant=adults[0], decided_by=caseworker, decided_on=day)
        participation = ParticipationFactory(applicant=adults[0], start_date=day)
        WeeklyAttendanceFactory(participation=participation)
        ExemptionFactory(applicant=adults[1], decided_by=caseworker, valid_from=day)
        visit = JournalEntry.objects.create(case=case, applicant=adults[0], kind=JournalEntryKind.objects.get(code="visit"),
                                            event_date=day, text="Besök.", author=caseworker, written_at=written)
        JournalEntry.objects.create(case=case, kind=visit.kind, event_date=day, text="Rättelse.", author=caseworker,
                                    written_at=written, corrects=visit)  # about the whole case, correcting the first
        stored_attachment(case=case, uploaded_by=caseworker, journal_entry=visit)  # a file stored outside the database
        _payments(decision, caseworker, coordinator, day)
        RetentionHold.objects.create(person=adults[1], kind=RetentionHoldKind.OTHER, reason="Utlämnande",
                                     until=day)  # lifted long ago
        flag = FlagFactory(person=adults[0], subject_id=adults[0].pk, responsible=caseworker)
        CorrectiveActionFactory(flag=flag)
        FlagFactory(person=None, subject_type="cases.decision", subject_id=decision.pk, responsible=caseworker)
        sample = ControlSample.objects.create(unit=caseworker.unit, period_start=day, period_end=day, size=1, seed=1,
                                              population_size=1, drawn_by=caseworker)
        item = ControlSampleItem.objects.create(sample=sample, case=case, person=adults[0], plan=plan, position=1)
        ChecklistAnswer.objects.create(item=item, question="plan_made", prefilled="yes", answer="")
        batch = ImportBatch.objects.create(source="test", started_by=caseworker, started_at=written, channel="command")
        ImportedRecord.objects.create(batch=batch, line=1, source="test", kind="person", external_id=f"x{adults[0].pk}",
                                      content_type=ContentType.objects.get_for_model(Applicant), object_id=adults[0].pk)
        record_access(actor=caseworker, action="read", object_type="cases.applicant",
                      subjects=[(p.pk, p.pk) for p in adults])
        # CaseFactory makes a person of its own even when given one: not part of this file.
        Applicant.objects.filter(pk__gte=first, memberships__isnull=True).delete()
        if closed:
            type(case).objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=day,
                                                         closing_reason=CaseClosingReason.WORK)
    return case.household, adults, decision


def _payments(decision, preparer, attester, day):
    """A payment of the decision that came back and was paid again (the batch stays: no persons)."""
    from cases.payment_models import AttestRight, PaymentBatch, PaymentOrder, PaymentReturn

    batch = PaymentBatch.objects.create(unit_id=decision.application.case.unit_id, payment_date=day,
                                        message_id=f"T-{decision.pk}", number_of_orders=2, total_amount=2,
                                        created_by=attester)
    fields = {"decision": decision, "amount": 1, "payment_date": day, "payee_name": "Mottagare",
              "account_kind": "bankgiro", "account_number": "56781230", "reference": "Ekonomiskt bistånd",
              "prepared_by": preparer, "attested_by": attester, "attested_at": timezone.now(),
              "attest_right": AttestRight.objects.get(code="ATT-1"), "batch": batch}
    first = PaymentOrder.objects.create(**fields)
    PaymentReturn.objects.create(order=first, returned_on=day, reason="Kontot är avslutat.", recorded_by=preparer)
    PaymentOrder.objects.create(**fields, reissues=first)


# The kinds household_file writes rows of.
BUILT = {
    "cases.applicant", "cases.household", "cases.householdmember", "cases.case", "cases.casesupportbarrier",
    "cases.coordinatorassignment", "cases.application", "cases.applicationmember", "cases.applicationcost",
    "cases.calculation", "cases.calculationline", "cases.decision", "cases.decisionexecutionevent",
    "cases.journalentry", "cases.attachment", "cases.paymentorder", "cases.paymentreturn", "planning.assessment", "planning.implementationplan", "planning.subgoal", "planning.followup",
    "planning.subgoalprogress", "insatser.insatsdecision", "insatser.referral", "insatser.participation",
    "insatser.weeklyattendance", "insatser.exemption", "audit.retentionhold", "audit.controlsampleitem",
    "audit.checklistanswer", "audit.flag", "audit.correctiveaction", "audit.importedrecord",
}


@pytest.fixture
def old(caseworker, coordinator):
    return household_file(caseworker, coordinator, written=at(D(2019, 6, 14)))


def due(persons, today=TODAY) -> set[int]:
    """Which of these persons are due (factories also make stray persons of their own)."""
    return set(retention.purge_plan(today=today).persons) & {p.pk for p in persons}


def test_every_model_that_points_into_the_file_is_in_it():
    """A new model with a foreign key to a person, household, case or any row of the file must be
    listed in audit/control/personakt.py, or its rows would block (or outlive) the purge."""
    file = set(personakt.kinds())
    for model in apps.get_models():
        if not model._meta.managed:
            continue  # planning.PlanFacts: a view, or a table whose rows go with their plans (planning/plan_facts.py)
        label = model._meta.label_lower
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model and field.related_model._meta.label_lower in file:
                assert label in file, f"{label}.{field.name} points into the file but is not in personakt"


def test_a_household_goes_only_when_every_member_is_due(old, caseworker):
    household, (applicant, co_applicant), _ = old
    assert due([applicant, co_applicant]) == {applicant.pk, co_applicant.pk}
    # The co-applicant's own file has an entry within the five years: nothing of the household goes.
    with clock(at(D(2022, 3, 1))):
        type(co_applicant).objects.filter(pk=co_applicant.pk).update(phone="070-1234567", updated_at=timezone.now())
    assert household.pk not in retention.purge_plan(today=TODAY).households
    assert due([applicant, co_applicant]) == set()
    retention.retention_purge(today=TODAY)
    assert Household.objects.filter(pk=household.pk).exists()
    assert Applicant.objects.filter(pk__in=[applicant.pk, co_applicant.pk]).count() == 2


def test_a_person_who_was_in_another_household_later_keeps_the_old_one(old, caseworker, coordinator):
    """The personakt is the unit: a member whose later household is within the five years keeps the
    old household, and so the other member of it too."""
    _, (applicant, co_applicant), _ = old
    with clock(at(D(2023, 5, 1))):
        later, _ = family_case(unit=caseworker.unit, couple=False, opened_on=D(2023, 5, 1))
        later.household.members.update(applicant=co_applicant)
        type(later).objects.filter(pk=later.pk).update(status=CaseStatus.CLOSED, closed_on=D(2023, 5, 1),
                                                       closing_reason=CaseClosingReason.MOVED)
    assert due([applicant, co_applicant]) == set()


def test_the_dry_run_lists_the_counts_and_writes_nothing(old, capsys):
    before = table_counts()
    call_command("retention_purge", "--dry-run", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert table_counts() == before
    assert "2 personer, 1 hushåll" in out and "beslut: 1" in out and "verkställighetshändelser: 1" in out
    assert not any(app in out for app in ("cases.", "audit.", "planning.", "insatser."))  # plain Swedish


def test_purging_a_household_removes_its_rows_in_every_app_and_the_protocol_counts_them(old, caseworker,
                                                                                         coordinator):
    household, adults, _ = old
    other, other_adults, _ = household_file(caseworker, coordinator, written=at(D(2024, 2, 1)))
    before = table_counts()
    preview = retention.retention_preview(today=TODAY)
    protocol = retention.retention_purge(today=TODAY)
    after = table_counts()
    assert protocol.persons == 2 and protocol.households == 1 and protocol.counts == preview["counts"]
    removed = {label: before[label] - after[label] for label in before if before[label] > after[label]}
    for log in retention.LOG_KINDS:  # the log: the persons' rows go, the purge's own are added
        removed.pop(log, None)
    file_counts = {label: n for label, n in protocol.counts.items() if label not in retention.LOG_KINDS}
    assert file_counts.pop(purge.ATTACHMENT_FILES) == file_counts["cases.attachment"]  # not rows: stored files
    assert removed == file_counts
    # Every app's rows went (the kinds this file has; none of any kind is left).
    assert set(file_counts) >= BUILT
    found = personakt.rows([household.pk], [a.pk for a in adults])
    assert [label for label in personakt.kinds() if found[label].exists()] == []
    person_ids = [a.pk for a in adults]
    assert protocol.counts["audit.accesslogentry"] >= 2 and protocol.counts["audit.changeevent"] >= 2
    assert not AccessLogEntry.objects.filter(person_id__in=person_ids).exists()
    assert not ChangeEvent.objects.filter(person_id__in=person_ids).exists()
    # The other household (written in 2024) is untouched.
    assert Household.objects.filter(pk=other.pk).exists()
    assert Applicant.objects.filter(pk__in=[a.pk for a in other_adults]).count() == 2
    assert Decision.objects.filter(application__case__household=other).count() == 1
    # No personal data in the protocol.
    text = str(RetentionPurge.objects.filter(pk=protocol.pk).values().get())
    for person in adults:
        assert person.personal_identity_number not in text and person.first_name not in text


def test_gallring_removes_the_attachments_stored_files_with_their_rows_once_it_has_committed(
        caseworker, coordinator, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        **settings.STORAGES["attachments"], "OPTIONS": {"location": str(tmp_path)}}}
    household, _, _ = household_file(caseworker, coordinator, written=at(D(2019, 6, 14)))
    kept, _, _ = household_file(caseworker, coordinator, written=at(D(2024, 2, 1)))
    gone = list(Attachment.objects.filter(case__household=household).values_list("stored_as", flat=True))
    stays = list(Attachment.objects.filter(case__household=kept).values_list("stored_as", flat=True))
    assert gone and all((tmp_path / name).exists() for name in gone + stays)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        protocol = retention.retention_purge(today=TODAY)
    assert not Attachment.objects.filter(case__household=household).exists()
    assert all((tmp_path / name).exists() for name in gone)  # not before the purge is committed
    for callback in callbacks:
        callback()
    assert not any((tmp_path / name).exists() for name in gone)
    assert all((tmp_path / name).exists() for name in stays)
    assert protocol.counts["cases.attachment"] == protocol.counts[purge.ATTACHMENT_FILES] == len(gone)


def test_a_legal_hold_on_one_member_keeps_the_whole_household(old):
    _, (applicant, co_applicant), _ = old
    RetentionHold.objects.create(person=co_applicant, kind=RetentionHoldKind.LEGAL_HOLD, reason="Begäran från JO")
    preview = retention.retention_preview(today=TODAY)
    assert preview["persons"] == 0 and preview["kept"] == {"legal_hold": 1}
    protocol = retention.retention_purge(today=TODAY)
    assert protocol.persons == 0 and protocol.kept == {"legal_hold": 1}
    assert Applicant.objects.filter(pk=applicant.pk).exists()


def test_an_open_case_keeps_the_household(caseworker, coordinator):
    household, _, _ = household_file(caseworker, coordinator, written=at(D(2019, 6, 14)), closed=False)
    assert retention.retention_preview(today=TODAY)["kept"] == {"open_case": 1}
    retention.retention_purge(today=TODAY)
    assert Household.objects.filter(pk=household.pk).exists()


def test_a_case_type_kept_longer_keeps_the_file_for_its_years(old):
    """Files with a decision under a provision the municipality keeps ten years stay until then."""
    _, adults, decision = old
    RetentionExtension.objects.create(legal_basis=LegalBasis.objects.get(pk=decision.legal_basis_id), years=10,
                                      reason="Bevaras för forskning enligt kommunens dokumenthanteringsplan")
    assert retention.retention_preview(today=TODAY)["kept"] == {"case_type": 1}
    assert due(adults) == set()
    # Ten years after the last entry (2019), by the end of the next year: the run of January 2030.
    assert due(adults, D(2029, 12, 31)) == set()
    assert due(adults, D(2030, 1, 15)) == {a.pk for a in adults}


@pytest.mark.parametrize(("written", "is_due"), [
    (at(D(2021, 12, 31), 23, 59), True),  # five years reached during 2026: the January 2027 run takes it
    (at(D(2022, 1, 1), 0, 0), False),  # reaches five years in 2027: the January 2028 run
])
def test_the_boundary_is_the_last_entry_before_the_first_of_january_five_years_back(caseworker, coordinator,
                                                                                     written, is_due):
    _, adults, _ = household_file(caseworker, coordinator, written=written)
    assert due(adults) == ({a.pk for a in adults} if is_due else set())


def test_the_run_on_the_last_day_of_the_year_waits_and_the_first_of_the_next_purges(caseworker, coordinator):
    _, adults, _ = household_file(caseworker, coordinator, written=at(D(2021, 6, 1)))
    assert due(adults, D(2026, 12, 31)) == set()  # 5 years reached on 1 June 2026; the deadline is end of 2027
    assert due(adults, D(2027, 1, 1)) == {a.pk for a in adults}


def test_the_purge_runs_a_fixed_number_of_queries_whatever_the_number_of_households(caseworker, coordinator):
    def purge_queries(n: int) -> int:
        for _ in range(n):
            household_file(caseworker, coordinator, written=at(D(2019, 6, 14)))
        with CaptureQueriesContext(connection) as queries:
            protocol = retention.retention_purge(today=TODAY)
        assert protocol.households == n
        return len(queries)

    one, two = purge_queries(1), purge_queries(2)
    assert two == one


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the chain and the controlled paths are PostgreSQL")
def test_the_chain_verifies_after_a_household_purge(old):
    assert chain.verify().intact
    protocol = retention.retention_purge(today=TODAY)
    assert protocol.chain_links_removed > 0
    result = chain.verify()
    assert result.intact, result.describe()
    assert ChangeEvent.objects.filter(action="retention.purge_decisions", object_id=str(protocol.pk)).exists()
    # The decision letters went with them, through their own controlled path (issue 14).
    assert protocol.counts.get("cases.decisionletter", 0) > 0
    assert ChangeEvent.objects.filter(action="retention.purge_letters", object_id=str(protocol.pk)).exists()
    call_command("verify_audit_chain")  # exits 0


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE,
                    reason="the application role's rights are PostgreSQL with DATABASE_APP_ROLE")
def test_the_app_role_cannot_delete_a_letter_outside_the_purge(old):
    _, _, decision = old
    letter = DecisionLetter.objects.get(decision=decision)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gallring.purge', '1', true)")
        cursor.execute("DELETE FROM cases_decisionletter WHERE id = %s", [letter.pk])
    with pytest.raises(DatabaseError, match="gallringsprotokoll"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT gallring_purge_letters(ARRAY[%s]::bigint[], 999999)", [letter.pk])
    assert DecisionLetter.objects.filter(pk=letter.pk).exists()


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE,
                    reason="the application role's rights are PostgreSQL with DATABASE_APP_ROLE")
def test_the_app_role_cannot_delete_a_signed_decision_outside_the_purge(old):
    _, _, decision = old
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gallring.purge', '1', true)")
        cursor.execute("DELETE FROM cases_decisionexecutionevent WHERE decision_id = %s", [decision.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gallring.purge', '1', true)")
        cursor.execute("DELETE FROM cases_decision WHERE id = %s", [decision.pk])
    with pytest.raises(DatabaseError, match="gallringsprotokoll"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT gallring_purge_decisions(ARRAY[%s]::bigint[], 999999)", [decision.pk])
    # Not a decision of an open case, even with a protocol row.
    type(decision.application.case).objects.filter(pk=decision.application.case_id).update(
        status=CaseStatus.ACTIVE, closed_on=None, closing_reason="")
    protocol = RetentionPurge.objects.create(ran_at=timezone.now(), cutoff=TODAY)
    with pytest.raises(DatabaseError, match="not closed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT gallring_purge_decisions(ARRAY[%s]::bigint[], %s)", [decision.pk, protocol.pk])
    assert Decision.objects.filter(pk=decision.pk).exists()
