"""The summary every report opens with: municipality, period, what it covers, the figures that
changed most against the year before, and the mark of a period that has not ended."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings

from audit.reports import get_report
from audit.reports.base import Column, ReportData, ReportParams, Table, parse_period
from audit.reports.summary import largest_changes, summarise

TODAY = datetime.date(2025, 6, 1)
Q1_2025 = parse_period(kind="quarter", year=2025, number=1, today=TODAY)


def compared(key, title, current, previous, kind="int", group="Totalt"):
    """A table shaped as figures.comparison_table makes it: a Totalt row first, then a group."""
    return Table(
        key=key, title=title, definition="",
        columns=[Column("group", "Grupp"), Column("current", "Nu", kind), Column("previous", "Förr", kind)],
        rows=[{"group": group, "current": current, "previous": previous},
              {"group": "Kvinnor", "current": 1000, "previous": 1}],
        compare=("current", "previous"),
    )


def test_figures_are_ranked_by_their_change_in_percent_of_the_year_before():
    tables = [
        compared("a", "Tio procent fler", 110, 100),
        compared("b", "Hälften", 50, 100),
        compared("c", "Dubbelt", 20, 10),
        compared("d", "Oförändrat", 7, 7),
        compared("e", "Lite färre", 95, 100),
        compared("f", "Kronor", 12000, 10000, kind="kr"),
        compared("g", "Nästan samma", 1001, 1000),
    ]
    figures = largest_changes(tables)
    # Only the Totalt row of a table by group counts (the 1 -> 1000 of Kvinnor is not a candidate).
    assert [(f["title"], f["relative"]) for f in figures] == [
        ("Dubbelt", Decimal("100.0")), ("Hälften", Decimal("-50.0")), ("Kronor", Decimal("20.0")),
        ("Tio procent fler", Decimal("10.0")), ("Lite färre", Decimal("-5.0")),
    ]
    assert figures[1]["change"] == -50 and figures[2]["kind"] == "kr"


def test_a_figure_that_was_zero_the_year_before_ranks_first_and_zero_to_zero_or_no_value_is_left_out():
    tables = [
        compared("a", "Tio procent fler", 110, 100),
        compared("b", "Nytt i år", 3, 0),
        compared("c", "Noll båda åren", 0, 0),
        compared("d", "Inget att dela med", None, Decimal("50.0"), kind="percent"),
        compared("e", "Borta i år", 0, 4),
    ]
    figures = largest_changes(tables)
    assert [(f["title"], f["new"], f["relative"]) for f in figures] == [
        ("Nytt i år", True, None), ("Borta i år", False, Decimal("-100.0")), ("Tio procent fler", False, Decimal("10.0")),
    ]


def test_at_least_three_figures_are_shown_when_fewer_changed():
    tables = [compared("a", "Ändrat", 2, 1), compared("b", "Samma", 5, 5), compared("c", "Också samma", 9, 9),
              compared("d", "Samma igen", 4, 4)]
    assert [f["title"] for f in largest_changes(tables)] == ["Ändrat", "Samma", "Också samma"]


def test_a_share_changes_in_percentage_points_and_a_row_table_names_its_row():
    share = Table(
        key="q", title="Planer som klarar varje kvalitetspunkt", definition="",
        columns=[Column("question", "Fråga"), Column("share", "Andel", "percent"),
                 Column("share_previous", "Andel året före", "percent")],
        rows=[{"question": "Framgår ansvarig?", "share": Decimal("25.0"), "share_previous": Decimal("50.0")},
              {"question": "Framgår delmål?", "share": Decimal("60.0"), "share_previous": Decimal("60.0")}],
        compare=("share", "share_previous"),
        compare_label="question",
    )
    first = largest_changes([share])[0]
    assert first["title"] == "Planer som klarar varje kvalitetspunkt: Framgår ansvarig?"
    assert (first["change"], first["relative"], first["kind"]) == (Decimal("-25.0"), Decimal("-50.0"), "percent")


def _data(period, today, tables=()):
    params = ReportParams(period=period, unit_id=None, today=today)
    return ReportData(code="key_figures", title="Nyckeltal", params=params, tables=list(tables))


@override_settings(MUNICIPALITY_NAME="Ängelholms kommun")
def test_the_summary_names_the_municipality_the_period_and_what_the_report_covers():
    data = summarise(get_report("key_figures"), _data(Q1_2025, TODAY, [compared("a", "Ändrat", 2, 1)]))
    summary = data.to_json()["summary"]
    assert summary["municipality"] == "Ängelholms kommun"
    assert summary["period"] == "Kvartal 1 2025"
    assert summary["previous_period"] == "Kvartal 1 2024"
    assert summary["covers"] == get_report("key_figures").covers and len(summary["covers"]) > 80
    assert summary["unfinished"] is False and summary["unfinished_text"] == ""
    assert [f["title"] for f in summary["figures"]] == ["Ändrat"]
    assert "procent" in summary["rule"] and "0" in summary["rule"]


def test_a_period_not_ended_is_marked_and_its_columns_flagged():
    march = parse_period(kind="month", year=2025, number=3, today=datetime.date(2025, 3, 20))
    table = Table(key="t", title="T", definition="",
                  columns=[Column("group", "Grupp"), Column("current", march.label, "int"),
                           Column("previous", march.previous_year().label, "int"),
                           Column("share", f"Andel {march.label} (%)", "percent")],
                  rows=[], compare=("current", "previous"))
    data = summarise(get_report("key_figures"), _data(march, datetime.date(2025, 3, 20), [table])).to_json()
    assert data["summary"]["unfinished"] is True
    assert data["summary"]["unfinished_text"] == (
        "Pågående period: perioden är inte slut. Siffrorna visar läget den 2025-03-20 och kan ändras."
    )
    labels = [c["label"] for c in data["tables"][0]["columns"]]
    assert labels == ["Grupp", "mars 2025 (pågående)", "mars 2024", "Andel mars 2025 (pågående) (%)"]


@pytest.mark.parametrize(("today", "unfinished"), [
    (datetime.date(2025, 3, 30), True), (datetime.date(2025, 3, 31), True), (datetime.date(2025, 4, 1), False),
])
def test_a_period_is_unfinished_until_the_day_after_its_last_day(today, unfinished):
    march = parse_period(kind="month", year=2025, number=3, today=datetime.date(2025, 3, 1))
    assert summarise(get_report("key_figures"), _data(march, today)).summary["unfinished"] is unfinished


def test_a_date_range_report_is_unfinished_while_its_last_day_is_to_come():
    params = ReportParams(period=None, unit_id=None, today=datetime.date(2025, 3, 1),
                          date_from=datetime.date(2025, 1, 1), date_to=datetime.date(2025, 3, 10))
    data = ReportData(code="delegated_decisions", title="Delegationsbeslut", params=params, tables=[])
    summary = summarise(get_report("delegated_decisions"), data).summary
    assert summary["unfinished"] is True and summary["previous_period"] is None
    assert summary["period"] == "2025-01-01 – 2025-03-10"
    assert summary["figures"] == [] and "jämförs inte" in summary["no_comparison"]


def test_every_report_says_what_it_covers():
    from audit.reports import all_reports

    for report in all_reports():
        assert len(report.covers) > 60, report.code
        assert "DOMAIN" not in report.covers and ".py" not in report.covers
