"""Every format opens with the summary (web page, PDF first page, XLSX first sheet, CSV first file)
and marks a period that has not ended, on the summary and on every table."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.report_models import ReportSnapshot, SnapshotStatus
from audit.reports import get_report
from audit.reports.base import ReportParams, parse_period
from audit.reports.render.csv import render_csv_zip
from audit.reports.render.pdf import render_pdf
from audit.reports.render.xlsx import render_xlsx
from audit.reports.summary import largest_changes
from cases.models import Role
from tests.factories.cases import StaffFactory

from .board_fixture import key_figures_world
from .helpers import csv_files, pdf_text, xlsx_sheets

pytestmark = pytest.mark.django_db

NAME = "Exempelby kommun"
PENDING = "Pågående period"


def _snapshot(period, today):
    board = StaffFactory(role=Role.BOARD, unit=None)
    with override_settings(MUNICIPALITY_NAME=NAME):
        data = get_report("key_figures").make(ReportParams(period=period, unit_id=None, today=today)).to_json()
    return ReportSnapshot.objects.create(
        code="key_figures", title="Nyckeltal", params=data["params"], made_by=board, made_at=timezone.now(),
        status=SnapshotStatus.DONE, data=data,
    ), board


@pytest.fixture
def finished():
    key_figures_world()
    q1 = parse_period(kind="quarter", year=2025, number=1, today=datetime.date(2025, 6, 1))
    return _snapshot(q1, datetime.date(2025, 6, 1))


@pytest.fixture
def running():
    key_figures_world()
    march = parse_period(kind="month", year=2025, number=3, today=datetime.date(2025, 3, 20))
    return _snapshot(march, datetime.date(2025, 3, 20))


def _first_figure(snapshot):
    return snapshot.data["summary"]["figures"][0]


def test_the_summary_holds_the_figures_that_changed_most(finished):
    snapshot, _ = finished
    figures = snapshot.data["summary"]["figures"]
    # Q1 2025 against Q1 2024 (test_key_figures counts both): six figures were 0 the year before and
    # are not now (livsföring i övrigt 800 kr, 2 long-term households and so their share, 1 in
    # arbetsmarknadsanställning, 1 in arbetsträning, praktik); new figures rank first, in the
    # report's order, so five of them fill the summary ahead of households +657 % and granted +564 %.
    assert [(f["title"], f["new"]) for f in figures] == [
        ("Beviljat bistånd till livsföring i övrigt (kr)", True),
        ("Långvarigt biståndsmottagande (hushåll)", True),
        ("Andel långvariga av hushållen med försörjningsstöd (%)", True),
        ("Antal i arbetsmarknadsanställning", True),
        ("Antal i arbetsträning", True),
    ]
    assert (figures[0]["current"], figures[0]["previous"], figures[0]["change"]) == (800, 0, 800)
    assert (figures[1]["current"], figures[1]["previous"]) == (2, 0)  # H3 12 of 12 months, H4 10 of 12


def test_without_new_figures_the_largest_relative_changes_lead(finished):
    data = get_report("key_figures").build(ReportParams(
        period=parse_period(kind="quarter", year=2025, number=1, today=datetime.date(2025, 6, 1)), unit_id=None,
        today=datetime.date(2025, 6, 1)))
    for table in data.tables:  # leave out what was 0 the year before
        if table.compare:
            table.rows = [r for r in table.rows if r.get("group") != "Totalt" or r.get("previous")]
    # applications decided 17 against 2 (+750 %), households 5.3 against 0.7 (+657.1 %), paid 73 000
    # against 11 000 kr (+563.6 %), Insats & Matchning 5 against 1 (+400 %); then closings 3 against 1.
    assert [(f["title"], f["relative"]) for f in largest_changes(data.tables)] == [
        ("Ansökningar med första beslut under perioden", Decimal("750.0")),
        ("Hushåll med försörjningsstöd, genomsnitt per månad", Decimal("657.1")),
        ("Beviljat försörjningsstöd (kr)", Decimal("563.6")),
        ("Deltagare med en eller flera insatser på Insats & Matchning", Decimal("400.0")),
        ("Koordinatorns avslut", Decimal("200.0")),
    ]


def test_the_web_page_shows_the_summary_before_the_tables(finished, client):
    snapshot, board = finished
    client.force_login(board)
    html = client.get(f"/rapporter/{snapshot.pk}/").content.decode()
    main = html.split("<main", 1)[1]
    summary_at = main.index("Sammanfattning")
    assert main.index(NAME) < main.index("tabell-households_per_month")
    assert summary_at < main.index("tabell-households_per_month")
    assert "Vad rapporten omfattar" in main and "Kvartal 1 2024" in main
    assert _first_figure(snapshot)["title"] in main[summary_at:main.index("tabell-households_per_month")]
    assert PENDING not in main


def test_the_pdf_opens_with_the_summary_page(finished):
    snapshot, _ = finished
    text = " ".join(pdf_text(render_pdf(snapshot), snapshot).split())
    assert text.startswith(NAME)
    first_page = text.split("Hushåll med försörjningsstöd per månad")[0]
    assert "Sammanfattning" in first_page and "Kvartal 1 2025" in first_page
    assert _first_figure(snapshot)["title"] in first_page and "Vad rapporten omfattar" in first_page


def test_the_xlsx_opens_with_the_summary_sheet(finished):
    snapshot, _ = finished
    sheets = xlsx_sheets(render_xlsx(snapshot))
    name, rows = next(iter(sheets.items()))
    assert name == "Sammanfattning"
    assert rows[0][:2] == ("Kommun", NAME)
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Tal")
    first = rows[header + 1]
    assert first[:4] == ("Beviljat bistånd till livsföring i övrigt (kr)", 800, 0, 800)  # values kept as numbers


def test_the_csv_zip_opens_with_the_summary_file(finished):
    snapshot, _ = finished
    files = csv_files(render_csv_zip(snapshot))
    assert sorted(files)[0] == "00-sammanfattning.csv"
    summary = files["00-sammanfattning.csv"]
    assert summary[0][:3] == ["Tal", "Kvartal 1 2025", "Kvartal 1 2024"]
    assert summary[1] == ["Beviljat bistånd till livsföring i övrigt (kr)", "800", "0", "800", "ny (0 året före)"]
    defs = {row[1]: row[2] for row in files["definitioner.csv"][1:]}
    assert NAME in defs["Rapport"] and "Vad rapporten omfattar" in defs["Sammanfattning"]


def test_a_running_period_is_marked_in_every_format(running, client):
    snapshot, board = running
    client.force_login(board)
    main = client.get(f"/rapporter/{snapshot.pk}/").content.decode().split("<main", 1)[1]
    assert PENDING in main.split("tabell-")[0]  # on the summary
    assert main.count("pågående period, siffrorna kan ändras") == len(snapshot.data["tables"])  # every table
    assert "mars 2025 (pågående)" in main  # the period's columns

    pdf = " ".join(pdf_text(render_pdf(snapshot), snapshot).split())
    assert PENDING in pdf.split("Hushåll med försörjningsstöd per månad")[0]
    assert "mars 2025 (pågående)" in pdf

    sheets = xlsx_sheets(render_xlsx(snapshot))
    assert any(r and r[0] == PENDING for r in sheets["Sammanfattning"])
    table_sheets = list(sheets.values())[1:]
    assert all("pågående period, siffrorna kan ändras" in rows[0][0] for rows in table_sheets)

    files = csv_files(render_csv_zip(snapshot))
    defs = {row[1]: row[2] for row in files["definitioner.csv"][1:]}
    assert PENDING in defs["Rapport"]
    assert "mars 2025 (pågående)" in files["00-sammanfattning.csv"][0][1]


def test_a_report_stored_before_summaries_still_renders_in_every_format(finished, client):
    snapshot, board = finished
    del snapshot.data["summary"]
    snapshot.save(update_fields=["data"])
    client.force_login(board)
    page = client.get(f"/rapporter/{snapshot.pk}/")
    assert page.status_code == 200 and "Sammanfattning" not in page.content.decode().split("<main", 1)[1]
    assert " ".join(pdf_text(render_pdf(snapshot), snapshot).split()).startswith("Nyckeltal")
    assert list(xlsx_sheets(render_xlsx(snapshot)))[0] == "Sammanfattning"  # the facts, without figures
    assert "00-sammanfattning.csv" not in csv_files(render_csv_zip(snapshot))
