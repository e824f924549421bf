"""The demo municipality: it loads, is idempotent, seeded, valid, and covers every case status."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from audit.management.commands.demo_data import BUILDERS
from cases import demo
from cases.demo_people import TEST_SERIAL_RANGE
from cases.identity import parse
from cases.models import (
    Applicant,
    Case,
    CaseStatus,
    CaseSupportBarrier,
    CoordinatorAssignment,
    Household,
    HouseholdMember,
    MemberRole,
    Role,
    Staff,
)
from tests.once import built_once, demo_municipality

pytestmark = pytest.mark.django_db
MODELS = (Staff, Applicant, Household, HouseholdMember, Case, CaseSupportBarrier, CoordinatorAssignment)
TODAY = datetime.date(2026, 3, 15)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def _snapshot(seed: int, today: datetime.date = TODAY) -> dict:
    """Build the cases demo in a transaction that is rolled back, and describe what it made."""
    with transaction.atomic():
        ctx = demo.DemoContext(seed=seed, today=today)
        demo.build(ctx)
        snapshot = {
            "people": list(Applicant.objects.order_by("pk").values_list(
                "personal_identity_number", "first_name", "last_name", "street_address", "protected_identity")),
            "cases": list(Case.objects.order_by("pk").values_list(
                "status", "opened_on", "closed_on", "closing_reason", "responsible_caseworker__username")),
            "members": list(HouseholdMember.objects.order_by("pk").values_list(
                "role", "first_name", "birth_date", "valid_from", "valid_to")),
            "barriers": list(CaseSupportBarrier.objects.order_by("pk").values_list("barrier__code", "valid_from")),
            "assignments": list(CoordinatorAssignment.objects.order_by("pk").values_list(
                "coordinator__username", "start_date", "end_date")),
            "extra_cases": len(ctx.extra["cases"]),
        }
        transaction.set_rollback(True)
    return snapshot


def test_logins_are_printed_for_every_role():
    out = io.StringIO()
    call_command("demo_data", "--logins", stdout=out)
    for username, *_ in demo.STAFF:
        assert username in out.getvalue()
    assert not Staff.objects.exists()  # --logins only prints


def test_same_seed_gives_identical_output_and_another_seed_does_not():
    first = _snapshot(seed=7)
    assert first == _snapshot(seed=7)
    assert first["people"] != _snapshot(seed=8)["people"]
    assert first["extra_cases"] == demo.HOUSEHOLDS


# Built once for the class below, whose tests read the demo as the command leaves it (each runs in a
# savepoint of its own); the tests above need an empty database and do not see it.
demo_output = built_once(demo_municipality, name="demo_output", scope="class")


class TestTheBuiltMunicipality:
    def test_command_loads_a_municipality_and_prints_the_password(self, demo_output):
        assert demo.DEMO_PASSWORD in demo_output
        assert Household.objects.count() == demo.HOUSEHOLDS
        assert set(Staff.objects.values_list("role", flat=True)) == set(Role.values)
        assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
        assert Case.objects.filter(unit__code="ekonomiskt-bistand", responsible_caseworker__role=Role.CASEWORKER).count() \
            == Case.objects.count()

    def test_second_run_creates_nothing(self, demo_output):
        before = _counts()
        out = io.StringIO()
        call_command("demo_data", stdout=out)
        assert _counts() == before
        assert "inget ändrat" in out.getvalue()

    def test_every_personnummer_is_a_valid_test_number(self, demo_output):
        # One coordinated person has a reservnummer instead (issue 14), never a valid personnummer.
        reserved = list(Applicant.objects.filter(personal_identity_number__isnull=True))
        assert len(reserved) == 1 and reserved[0].reserve_number.startswith("R")
        people = list(Applicant.objects.filter(personal_identity_number__isnull=False))
        assert len({p.personal_identity_number for p in people}) == len(people)
        for person in people:
            parsed = parse(person.personal_identity_number)
            assert parsed.canonical == person.personal_identity_number
            assert (parsed.birth_date, parsed.legal_gender, parsed.is_coordination_number) == (
                person.birth_date, person.legal_gender, person.is_coordination_number)
            assert int(person.personal_identity_number[8:11]) in TEST_SERIAL_RANGE
        assert any(p.is_coordination_number for p in people)
        assert any(p.protected_identity for p in people)
        assert any(p.replaced_reserve_numbers.exists() for p in people)

    def test_one_case_was_transferred_to_another_caseworker(self, demo_output):
        from cases.models import CaseTransfer

        transfer = CaseTransfer.objects.select_related("case", "from_caseworker", "to_caseworker").get()
        assert (transfer.from_caseworker.username, transfer.to_caseworker.username) == ("handlaggare2", "handlaggare")
        assert transfer.case.responsible_caseworker == transfer.to_caseworker and transfer.took_effect_at

    def test_the_municipality_is_believable(self, demo_output):
        closed = Case.objects.filter(status=CaseStatus.CLOSED)
        assert closed.exists() and not closed.filter(closing_reason="").exists()
        assert len(set(closed.values_list("closing_reason", flat=True))) >= 4
        assert HouseholdMember.objects.filter(role=MemberRole.CO_APPLICANT).count() > 50
        assert HouseholdMember.objects.filter(role=MemberRole.CHILD).count() > 100
        assert HouseholdMember.objects.filter(valid_to__isnull=False).exists()  # someone moved out
        # Every adult of a case has a support barrier; most are labour-market ones.
        barriers = CaseSupportBarrier.objects.all()
        assert barriers.filter(barrier__is_labour_market=True).count() > barriers.count() / 2
        adults_without = HouseholdMember.objects.filter(role=MemberRole.APPLICANT).exclude(
            applicant__support_barriers__isnull=False)
        assert not adults_without.exists()
        # Both demo coordinators have many open assignments, all on cases that are not closed.
        open_assignments = CoordinatorAssignment.objects.filter(end_date__isnull=True)
        for username in demo.COORDINATORS:
            assert open_assignments.filter(coordinator__username=username).count() >= 20
        assert not open_assignments.filter(case__status=CaseStatus.CLOSED).exists()
        assert not open_assignments.filter(start_date__gt=datetime.date.today()).exists()

    def test_the_granted_decisions_are_paid_by_the_attest_rule(self, demo_output):
        from django.db.models import Count, F, Sum

        from cases.finance_models import GRANTING_OUTCOMES, Decision
        from cases.payment_models import PaymentBatch, PaymentOrder, PaymentReturn

        orders = PaymentOrder.objects.all()
        assert orders.count() >= Decision.objects.filter(outcome__in=GRANTING_OUTCOMES, replaced_by__isnull=True).count()
        assert not orders.filter(attested_by=F("prepared_by")).exists()
        assert orders.filter(attested_by__isnull=True).exists() and orders.filter(attested_by__isnull=False,
                                                                                 batch__isnull=True).exists()
        returned = PaymentReturn.objects.all()
        assert returned.exists() and returned.count() == orders.filter(reissues__isnull=False).count()
        # Every batch's count and total are those of its orders, as its file will say.
        for batch in PaymentBatch.objects.annotate(n=Count("orders"), total=Sum("orders__amount")):
            assert (batch.n, batch.total) == (batch.number_of_orders, batch.total_amount)
        # No decision is paid beyond what it granted (returned payments do not count).
        over = (Decision.objects.filter(payment_orders__payment_return__isnull=True)
                .annotate(paid=Sum("payment_orders__amount")).filter(paid__gt=F("amount")))
        assert not over.exists()


def test_it_inserts_in_bulk(django_assert_max_num_queries):
    # Bulk inserts: a bounded number of queries, not one per row. Measured for this builder; the
    # finance builder goes through its services on purpose and is bounded in tests/cases/finance.
    with django_assert_max_num_queries(200), transaction.atomic():
        demo.build(demo.DemoContext(seed=2026, today=TODAY))


def test_cases_builder_runs_first():
    assert BUILDERS[0] == "cases.demo"
