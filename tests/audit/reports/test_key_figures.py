"""Report 1 against tests/audit/reports/board_fixture.key_figures_world, counted by hand.

Period: Q1 2025 (1 Jan - 31 Mar 2025); the year before: Q1 2024. Ages on 2025-03-31:
P1 kvinna 19, P2 man 26, P3 kvinna 40, P4 man 55, P5 kvinna 25, P6 man 29, P7 kvinna 64 (eb-norr).
Groups: kvinnor P1 P3 P5 P7; män P2 P4 P6; 18-24 P1; 25-29 P2 P5 P6; 30-49 P3; 50+ P4 P7.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.reports import get_report
from audit.reports.base import ReportParams, parse_period
from cases.finance_models import Decision
from cases.models import Unit
from cases.payment_models import AttestRight
from tests.factories.cases import StaffFactory

from .board_fixture import key_figures_world

pytestmark = pytest.mark.django_db

Q1_2025 = parse_period(kind="quarter", year=2025, number=1, today=datetime.date(2025, 6, 1))
GROUPS = ["Totalt", "Kvinnor", "Män", "18–24 år", "25–29 år", "30–49 år", "50 år och äldre", "18–29 år (sammantaget)"]


def _build(unit_id=None, period=Q1_2025):
    return get_report("key_figures").build(ReportParams(period=period, unit_id=unit_id))


def _table(data, key):
    return next(t for t in data.tables if t.key == key)


def _column(data, key, column="current"):
    """{group label: value} of a comparison table."""
    return {row["group"]: row[column] for row in _table(data, key).rows}


def _expect(*values):
    return dict(zip(GROUPS, values, strict=True))


@pytest.fixture
def world():
    return key_figures_world()


def test_households_per_month(world):
    data = _build()
    # Jan: H1 H2 H3 H4 H5 = 5 (H6's January application was withdrawn)
    # Feb: H1 H3 H4 H5 H7 = 5 (H2 refused)
    # Mar: H1 H2 H3 H5 H6 H7 = 6 (H4 ended in February)
    # Year before: Jan 2024 H1, Feb none, Mar 2024 H3.
    rows = _table(data, "households_per_month").rows
    assert [(r["month"], r["current"], r["previous"]) for r in rows] == [
        ("2025-01", 5, 1), ("2025-02", 5, 0), ("2025-03", 6, 1),
    ]
    # Per month and group: kvinnor 3 4 4, män 2 1 2, 25-29 (H2 H5 H6) 2 1 3, 50+ (H4 H7) 1 2 1.
    by_group = _table(data, "households_per_month_by_group").rows
    assert [(r["women"], r["men"], r["age_25_29"], r["age_50"]) for r in by_group] == [
        (3, 2, 2, 1), (4, 1, 1, 2), (4, 2, 3, 1),
    ]
    # Household-months per group / 3 months:
    # total 16 -> 5.3; kvinnor Jan 3 (H1 H3 H5) + Feb 4 (+H7) + Mar 4 = 11 -> 3.7; män 2+1+2 = 5 -> 1.7;
    # 18-24 H1 3 -> 1.0; 25-29 H2 H5 H6: 2+1+3 = 6 -> 2.0; 30-49 H3 3 -> 1.0; 50+ H4 Jan Feb, H7 Feb Mar = 4 -> 1.3;
    # 18-29: 3 + 6 = 9 -> 3.0
    assert _column(data, "households_average") == _expect(
        *(Decimal(v) for v in ("5.3", "3.7", "1.7", "1.0", "2.0", "1.0", "1.3", "3.0"))
    )
    # The year before: 2 household-months / 3 = 0.7 (H1 18 years old, H3 39: both kvinnor).
    assert _column(data, "households_average", "previous") == _expect(
        *(Decimal(v) for v in ("0.7", "0.7", "0.0", "0.3", "0.0", "0.3", "0.0", "0.3"))
    )


def test_amounts_and_cost_per_household(world):
    data = _build()
    # H1 15000, H2 6000+3000, H3 21000, H4 4000, H5 1000+1500 (corrected)+1000, H6 2500, H7 18000 = 73000
    # kvinnor H1 H3 H5 H7 = 15000+21000+3500+18000 = 57500; män 9000+4000+2500 = 15500
    # 18-24 15000; 25-29 H2 H5 H6 = 9000+3500+2500 = 15000; 30-49 21000; 50+ 4000+18000 = 22000; 18-29 30000
    assert _column(data, "income_support_granted") == _expect(73000, 57500, 15500, 15000, 15000, 21000, 22000, 30000)
    assert _column(data, "income_support_granted", "previous")["Totalt"] == 11000  # 4000 + 7000
    assert _column(data, "other_costs_granted")["Totalt"] == 800
    assert _column(data, "other_costs_granted")["Män"] == 800
    # Per household-month: 73000/16 = 4562.5 -> 4563; kvinnor 57500/11 = 5227.3 -> 5227; män 15500/5 = 3100;
    # 18-24 15000/3 = 5000; 25-29 15000/6 = 2500; 30-49 7000; 50+ 22000/4 = 5500; 18-29 30000/9 = 3333.3 -> 3333
    assert _column(data, "cost_per_household") == _expect(4563, 5227, 3100, 5000, 2500, 7000, 5500, 3333)
    assert _column(data, "cost_per_household", "previous")["Totalt"] == 5500  # 11000 / 2


def _pay(w, key, month, *amounts, returned=(), batched=True, item_kind="income_support", replaced=False):
    """Payment orders for the decision of `key`'s application for `month`: one per amount, attested
    by a second caseworker, in a batch unless `batched` is False; those at the indexes in `returned`
    came back."""
    from cases.payment_models import PaymentBatch, PaymentOrder, PaymentReturn

    decision = Decision.objects.get(application__case=w.cases[key], application__month=month, item_kind=item_kind,
                                    replaced_by__isnull=not replaced)
    attester = _attester(w)
    batch = PaymentBatch.objects.create(
        unit_id=decision.application.case.unit_id, payment_date=month, message_id=f"T-{decision.pk}-{len(amounts)}",
        number_of_orders=len(amounts), total_amount=sum(amounts), created_by=attester) if batched else None
    for i, amount in enumerate(amounts):
        order = PaymentOrder.objects.create(
            decision=decision, amount=amount, payment_date=month, payee_name="Mottagare", account_kind="bankgiro",
            account_number="56781230", reference="Ekonomiskt bistånd", prepared_by=w.caseworker, attested_by=attester,
            attested_at=timezone.now(), attest_right=AttestRight.objects.get(code="ATT-1"), batch=batch)
        if i in returned:
            PaymentReturn.objects.create(order=order, returned_on=month, reason="Kontot är avslutat.",
                                         recorded_by=attester)


def _attester(w):
    from cases.models import Role, Staff

    return Staff.objects.filter(role=Role.CASEWORKER).exclude(pk=w.caseworker.pk).first() or StaffFactory(
        role=Role.CASEWORKER, unit=w.caseworker.unit)


def test_utbetalt_is_what_was_paid_and_beviljat_what_was_granted(world):
    D = datetime.date
    jan, feb, mar = D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)
    _pay(world, "P1", jan, 5000)  # paid
    _pay(world, "P1", feb, 3000, 2000)  # paid in two
    _pay(world, "P1", mar, 5000, batched=False)  # attested, not sent yet: not paid
    _pay(world, "P3", jan, 7000, 7000, returned=(0,))  # came back, paid again: 7000
    _pay(world, "P3", feb, 7000, returned=(0,))  # came back, not paid again: 0
    _pay(world, "P5", feb, 1000, replaced=True)  # paid before the correction: the money went out
    _pay(world, "P5", feb, 500)  # the correction's rest
    _pay(world, "P6", mar, 800, item_kind="cost")
    _pay(world, "P7", feb, 9000)  # eb-norr
    _pay(world, "P1", D(2024, 1, 1), 4000)  # the year before
    data = _build()
    # P1 10000, P3 7000, P5 1500, P7 9000 = 27500; all women. 18-24 P1 10000; 25-29 P5 1500; 30-49 P3 7000;
    # 50+ P7 9000; 18-29 11500.
    assert _column(data, "income_support_paid") == _expect(27500, 27500, 0, 10000, 1500, 7000, 9000, 11500)
    assert _column(data, "income_support_paid", "previous")["Totalt"] == 4000
    assert _column(data, "other_costs_paid") == _expect(800, 0, 800, 0, 800, 0, 0, 800)
    # Granted is unchanged by payments: the hand count of test_amounts_and_cost_per_household.
    assert _column(data, "income_support_granted")["Totalt"] == 73000
    assert _column(data, "cost_per_household")["Totalt"] == 4563
    assert _column(_build(unit_id=Unit.objects.get(code="eb-norr").pk), "income_support_paid")["Totalt"] == 9000
    assert any("utbetalt är det som faktiskt betalats ut" in note for note in data.notes)
    assert "inte kommit tillbaka" in _table(data, "income_support_paid").definition


def test_long_term_recipients(world):
    data = _build()
    # Window April 2024 - March 2025: H3 12 months, H4 10 -> long-term; H5 9 is not.
    # Recipients in the window: all 7 households. Kvinnor: H3 of H1 H3 H5 H7; män: H4 of H2 H4 H6.
    assert _column(data, "long_term_recipients") == _expect(2, 1, 1, 0, 0, 1, 1, 0)
    assert _column(data, "long_term_share") == _expect(
        Decimal("28.6"), Decimal("25.0"), Decimal("33.3"), Decimal("0.0"), Decimal("0.0"), Decimal("100.0"),
        Decimal("50.0"), Decimal("0.0"),
    )
    # Window April 2023 - March 2024: H1 and H3 one month each, none long-term.
    assert _column(data, "long_term_recipients", "previous")["Totalt"] == 0
    assert _column(data, "long_term_share", "previous")["Totalt"] == Decimal("0.0")


def test_waiting_time(world):
    data = _build()
    # First decisions in Q1 2025 (days): H1 10 12 14; H2 20 5 25; H3 3 3 3; H4 7 7; H5 16 16 16 (the
    # correction is not a first decision); H6 30 (the withdrawn January application does not count);
    # H7 1 2. n = 17, sum 190 -> mean 11.2; sorted 1 2 3 3 3 5 7 7 [10] 12 14 16 16 16 20 25 30 -> median 10.
    # Kvinnor: 1 2 3 3 3 10 12 14 16 16 16 -> n 11, sum 96, mean 8.7, median 10.
    # Män: 5 7 7 20 25 30 -> n 6, sum 94, mean 15.7, median (7 + 20) / 2 = 13.5.
    assert _column(data, "applications_decided")["Totalt"] == 17
    assert _column(data, "waiting_mean")["Totalt"] == Decimal("11.2")
    assert _column(data, "waiting_median")["Totalt"] == Decimal("10")
    assert _column(data, "waiting_mean")["Kvinnor"] == Decimal("8.7")
    assert _column(data, "waiting_median")["Kvinnor"] == Decimal("10")
    assert _column(data, "waiting_mean")["Män"] == Decimal("15.7")
    assert _column(data, "waiting_median")["Män"] == Decimal("13.5")
    # 50+ (H4 7 7, H7 1 2): 1 2 7 7 -> median 4.5, mean 4.3
    assert _column(data, "waiting_median")["50 år och äldre"] == Decimal("4.5")
    assert _column(data, "waiting_mean")["50 år och äldre"] == Decimal("4.3")
    # Q1 2024: H1 4 and H3 6 -> mean 5.0, median 5.0
    assert _column(data, "waiting_mean", "previous")["Totalt"] == Decimal("5.0")
    assert _column(data, "waiting_median", "previous")["Totalt"] == Decimal("5.0")


def test_closings_and_share_to_work_or_studies(world):
    data = _build()
    # Confirmed closings ending in Q1 2025: P1 work (15 Feb), P6 studies (20 Jan), P2 sickness (5 Jan).
    # P7's proposal is unconfirmed; P4's closing ended in December 2024.
    assert _column(data, "coordinator_closings") == _expect(3, 1, 2, 1, 2, 0, 0, 3)
    reasons = {r["reason"]: (r["current"], r["previous"]) for r in _table(data, "closings_by_reason").rows}
    assert reasons["Arbete"] == (1, 1)
    assert reasons["Studier"] == (1, 0)
    assert reasons["Sjukdom"] == (1, 0)
    assert reasons["Flyttat"] == (0, 0)
    assert reasons["Annan ersättning"] == (0, 0)
    # By kön and age: work P1 (kvinna 19), studies P6 (man 29), sickness P2 (man 26).
    split = {r["reason"]: r for r in _table(data, "closings_by_reason_and_group").rows}
    assert (split["Arbete"]["women"], split["Arbete"]["men"], split["Arbete"]["age_18_24"]) == (1, 0, 1)
    assert (split["Studier"]["men"], split["Studier"]["age_25_29"], split["Studier"]["age_18_29"]) == (1, 1, 1)
    assert (split["Sjukdom"]["total"], split["Sjukdom"]["age_25_29"], split["Sjukdom"]["age_30_49"]) == (1, 1, 0)
    # Work or studies: 2 of 3 = 66.7 %; kvinnor 1 of 1; män 1 of 2; 25-29 (P2, P6) 1 of 2.
    share = _column(data, "closings_to_work_or_studies")
    assert share["Totalt"] == Decimal("66.7")
    assert share["Kvinnor"] == Decimal("100.0")
    assert share["Män"] == Decimal("50.0")
    assert share["25–29 år"] == Decimal("50.0")
    assert share["30–49 år"] is None  # no closings: no share, not 0 %
    assert _column(data, "closings_to_work_or_studies", "previous")["Totalt"] == Decimal("100.0")


def test_participants(world):
    data = _build()
    # At Insats & Matchning (I1, I5) some day of Q1 2025: P1 P2 P3 P6 P7 (P4's ended in December).
    assert _column(data, "insats_matchning_participants") == _expect(5, 3, 2, 1, 2, 1, 1, 3)
    assert _column(data, "insats_matchning_participants", "previous")["Totalt"] == 1  # P1, Jan-Mar 2024
    assert _column(data, "in_labour_market_employment") == _expect(1, 1, 0, 0, 0, 1, 0, 0)  # P3
    assert _column(data, "in_work_training") == _expect(1, 0, 1, 0, 1, 0, 0, 1)  # P2
    # Praktik or språkpraktik: P1 P2 P6 P7 (I1), P5 (I4)
    assert _column(data, "in_praktik") == _expect(5, 3, 2, 1, 3, 0, 1, 4)


def test_unit_filter(world):
    norr = Unit.objects.get(code="eb-norr").pk
    data = _build(unit_id=norr)
    # Only H7: February and March, 18000 kr; closings and insatser belong to other units.
    assert [r["current"] for r in _table(data, "households_per_month").rows] == [0, 1, 1]
    assert _column(data, "income_support_granted")["Totalt"] == 18000
    assert _column(data, "coordinator_closings")["Totalt"] == 0
    assert _column(data, "insats_matchning_participants")["Totalt"] == 0

    main = _build(unit_id=Unit.objects.get(code="ekonomiskt-bistand").pk)
    assert [r["current"] for r in _table(main, "households_per_month").rows] == [5, 4, 5]
    assert _column(main, "income_support_granted")["Totalt"] == 55000

    parketten = _build(unit_id=Unit.objects.get(code="parketten").pk)
    assert _column(parketten, "in_labour_market_employment")["Totalt"] == 1
    assert _column(parketten, "in_work_training")["Totalt"] == 1
    assert _column(parketten, "insats_matchning_participants")["Totalt"] == 0
    assert _column(parketten, "income_support_granted")["Totalt"] == 0


def test_previous_year_comparison_uses_the_same_period_a_year_earlier(world):
    # Q1 2026 compared with Q1 2025: this fixture's Q1 2025 becomes the "previous" column.
    data = _build(period=parse_period(kind="quarter", year=2026, number=1, today=datetime.date(2026, 6, 1)))
    assert [(r["current"], r["previous"]) for r in _table(data, "households_per_month").rows] == [(0, 5), (0, 5), (0, 6)]
    paid = _table(data, "income_support_granted").rows[0]
    assert (paid["current"], paid["previous"], paid["change"]) == (0, 73000, -73000)
    # Ages in the previous column are on that period's last day (2025-03-31): P5 is 25 there.
    assert _column(data, "income_support_granted", "previous")["25–29 år"] == 15000
    labels = [c.label for c in _table(data, "income_support_granted").columns]
    assert labels == ["Grupp", "Kvartal 1 2026", "Kvartal 1 2025", "Förändring"]


def test_every_table_has_a_definition_and_the_report_charts_point_at_tables(world):
    data = _build()
    keys = {t.key for t in data.tables}
    assert all(len(t.definition) > 40 for t in data.tables)
    assert all(c.table_key in keys for c in data.charts)
    assert "periodens sista dag" in _table(data, "coordinator_closings").definition
