"""Report 3 against board_fixture.full_time_world, counted by hand. Period February 2025: weeks
from Monday 3, 10, 17 and 24 February; reference day 2025-02-28; norm 40 h a week.

X man 25: labour-market barrier, 40 h scheduled, attended 40, 32, 40, (none).
Y kvinna 40: barrier from 10 Feb, 20 h scheduled and attended from 10 Feb; exemption (part-time work,
20 h required) 17 Feb - 31 Mar, review 20 Feb.
Z kvinna 22: barrier until 14 Feb, nothing scheduled; a sickness exemption in January only.
W man 55: sickness barrier (not labour-market): not under the norm; exemption 1 Feb - 30 Jun.
V kvinna 30 (eb-norr): barrier, nothing scheduled; exemption (other, 10 h) 1 Feb - 31 Dec, review 15 Feb.
The year before, February 2024 (weeks from 5, 12, 19 and 26 February; reference day 2024-02-28):
U man 24: barrier January - March 2024, 40 h scheduled, attended 40, 36, 20, (none); a sickness
exemption (20 h) 19 Feb - 10 Mar 2024, review 25 Feb.
"""

import datetime
from decimal import Decimal

import pytest

from audit.reports import get_report
from audit.reports.base import ReportParams, parse_period
from cases.models import Unit

from .board_fixture import full_time_world

pytestmark = pytest.mark.django_db

FEB_2025 = parse_period(kind="month", year=2025, number=2, today=datetime.date(2025, 6, 1))


def _build(unit_id=None, today=datetime.date(2025, 6, 1), period=FEB_2025):
    return get_report("full_time_activation").build(ReportParams(period=period, unit_id=unit_id, today=today))


def _rows(data, key):
    return next(t for t in data.tables if t.key == key).rows


@pytest.fixture
def world():
    return full_time_world()


def test_persons_under_the_norm_and_full_time_per_week(world):
    rows = _rows(_build(), "full_time_per_week")
    assert [r["week"] for r in rows] == [
        "v. 6 2025 (2025-02-03)", "v. 7 2025 (2025-02-10)", "v. 8 2025 (2025-02-17)", "v. 9 2025 (2025-02-24)",
    ]
    # Under the norm: 3 Feb X Z V; 10 Feb X Y Z V; 17 Feb X Y V; 24 Feb X Y V.
    assert [r["under_norm"] for r in rows] == [3, 4, 3, 3]
    # Exemption in force in the week: V every week, Y from 17 Feb (W is not under the norm).
    assert [r["exempted"] for r in rows] == [1, 1, 2, 2]
    # Scheduled full time: X every week; Y from 17 Feb (20 h against the exemption's 20 h).
    assert [r["scheduled_full"] for r in rows] == [1, 1, 2, 2]
    assert [r["scheduled_share"] for r in rows] == [Decimal("33.3"), Decimal("25.0"), Decimal("66.7"), Decimal("66.7")]
    # Attended full time: 3 Feb X; 10 Feb nobody (X 32 h, Y 20 of 40); 17 Feb X and Y; 24 Feb Y.
    assert [r["attended_full"] for r in rows] == [1, 0, 2, 1]
    assert [r["attended_share"] for r in rows] == [Decimal("33.3"), Decimal("0.0"), Decimal("66.7"), Decimal("33.3")]
    # 18-29 (X, Z): under the norm 2, 2, 1, 1; attended full time 1, 0, 1, 0.
    assert [r["under_norm_young"] for r in rows] == [2, 2, 1, 1]
    assert [r["attended_full_young"] for r in rows] == [1, 0, 1, 0]


def test_exemptions_by_reason_and_length_and_past_review(world):
    rows = {r["reason"]: r for r in _rows(_build(), "exemptions")}
    # In force some day of February: Y part-time work 43 days, W sickness 150 days, V other 334 days.
    # Z's January exemption is not. Past review on 28 Feb: Y (20 Feb) and V (15 Feb).
    assert {k: rows["Deltidsarbete"][k] for k in ("total", "band_0", "band_1", "band_2", "band_3", "past_review")} == {
        "total": 1, "band_0": 0, "band_1": 1, "band_2": 0, "band_3": 0, "past_review": 1}
    assert (rows["Sjukdom eller ohälsa"]["total"], rows["Sjukdom eller ohälsa"]["band_2"]) == (1, 1)
    assert rows["Sjukdom eller ohälsa"]["past_review"] == 0
    assert (rows["Annat"]["band_3"], rows["Annat"]["past_review"]) == (1, 1)
    assert (rows["Totalt"]["total"], rows["Totalt"]["past_review"]) == (3, 2)
    assert rows["Föräldraledighet"]["total"] == 0


def test_unit_filter(world):
    data = _build(unit_id=Unit.objects.get(code="eb-norr").pk)
    assert [r["under_norm"] for r in _rows(data, "full_time_per_week")] == [1, 1, 1, 1]  # V
    assert _rows(data, "exemptions")[-1]["total"] == 1


def test_a_running_period_stops_at_today(world):
    rows = _rows(_build(today=datetime.date(2025, 2, 12)), "full_time_per_week")
    assert len(rows) == 2  # weeks from 3 and 10 February only


def test_the_period_compared_with_the_same_period_a_year_before(world):
    # February 2025: under the norm 3+4+3+3 = 13 person-weeks over 4 weeks -> 3.3 a week; scheduled
    # full time 6 of 13 -> 46.2 %; attended 4 of 13 -> 30.8 %; 18-29: 2 of 6 -> 33.3 %.
    # February 2024 (reference day 2024-02-28; weeks from 5, 12, 19, 26 Feb): U alone, under the
    # norm every week (1.0), 40 h scheduled (full time, against his exemption's 20 h from 19 Feb:
    # 4 of 4 -> 100.0 %), attended 40, 36, 20, none -> full time the weeks of 5 and 19 Feb: 50.0 %.
    data = _build()
    shares = {r["figure"]: (r["current"], r["previous"], r["change"]) for r in _rows(data, "full_time_shares")}
    assert shares == {
        "Planerat heltid": (Decimal("46.2"), Decimal("100.0"), Decimal("-53.8")),
        "Närvarat heltid": (Decimal("30.8"), Decimal("50.0"), Decimal("-19.2")),
        "Närvarat heltid 18–29 år": (Decimal("33.3"), Decimal("50.0"), Decimal("-16.7")),
    }
    counts = {r["figure"]: (r["current"], r["previous"], r["change"]) for r in _rows(data, "full_time_counts")}
    assert counts == {
        "Personer under normen, genomsnitt per vecka": (Decimal("3.3"), Decimal("1.0"), Decimal("2.3")),
        "Avsteg som gäller någon dag under perioden": (3, 1, 2),
        "Avsteg vars omprövningsdatum passerats": (2, 1, 1),  # Y and V; U's review 2024-02-25
    }
    # The exemptions by reason, each beside the same reason the year before (U: sickness).
    exemptions = {r["reason"]: (r["total"], r["total_previous"]) for r in _rows(data, "exemptions")}
    assert exemptions["Sjukdom eller ohälsa"] == (1, 1)
    assert exemptions["Deltidsarbete"] == (1, 0)
    assert exemptions["Totalt"] == (3, 1)
    table = next(t for t in data.tables if t.key == "full_time_shares")
    assert [c.label for c in table.columns][1:3] == ["februari 2025", "februari 2024"]


def test_a_running_period_is_compared_with_the_year_before_up_to_the_same_day(world):
    # On 2025-02-11 the weeks from 3 and 10 Feb 2025 are compared with the week from 5 Feb 2024 only:
    # the year before is read up to 2024-02-11, the same day, and the week from 12 Feb begins after it.
    data = _build(today=datetime.date(2025, 2, 11))
    counts = {r["figure"]: r["previous"] for r in _rows(data, "full_time_counts")}
    shares = {r["figure"]: r["previous"] for r in _rows(data, "full_time_shares")}
    assert counts["Personer under normen, genomsnitt per vecka"] == Decimal("1.0")
    assert shares["Närvarat heltid"] == Decimal("100.0")  # only the week of 5 Feb 2024: 40 h


def test_the_summary_ranks_the_period_figures_by_their_change(world):
    data = get_report("full_time_activation").make(ReportParams(period=FEB_2025, unit_id=None,
                                                                today=datetime.date(2025, 6, 1)))
    shares = "Andel under normen i heltidsaktivitet under perioden (%)"
    counts = "Personer under normen och avsteg under perioden"
    # Under the norm 3.3 against 1.0 a week (+230 %), exemptions 3 against 1 (+200 %), past review 2
    # against 1 (+100 %), scheduled full time 46.2 against 100.0 % (-53.8 %), attended 30.8 against 50.0 %.
    assert [(f["title"], f["relative"]) for f in data.summary["figures"]] == [
        (f"{counts}: Personer under normen, genomsnitt per vecka", Decimal("230.0")),
        (f"{counts}: Avsteg som gäller någon dag under perioden", Decimal("200.0")),
        (f"{counts}: Avsteg vars omprövningsdatum passerats", Decimal("100.0")),
        (f"{shares}: Planerat heltid", Decimal("-53.8")),
        (f"{shares}: Närvarat heltid", Decimal("-38.4")),
    ]
