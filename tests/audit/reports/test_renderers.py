"""Every renderer makes a valid file of the stored figures: PDF, XLSX, CSV (zip), web page, JSON."""

import datetime
import io

import pytest
from django.conf import settings
from openpyxl import load_workbook

from audit.reports.render import format_value
from audit.reports.render.csv import file_name, render_csv_zip
from audit.reports.render.pdf import render_pdf
from audit.reports.render.xlsx import render_xlsx

from .conftest import BOARD_MEETINGS, Q1_2019
from .helpers import csv_files, pdf_text, xlsx_sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def report6(report_world, make_snapshot):
    return make_snapshot(report_world.board, "internal_control", **Q1_2019)


def test_pdf_has_a_title_page_and_every_table_with_its_definition(report6):
    body = render_pdf(report6)
    text = " ".join(pdf_text(body, report6).split())
    assert text.startswith(f"{settings.MUNICIPALITY_NAME} Intern kontroll")  # the summary page first
    assert "Kvartal 1 2019" in text and "Hela nämndens område" in text
    assert f"{report6.made_at.astimezone().date():%Y-%m-%d}" in text
    for table in report6.data["tables"]:
        assert table["title"] in text
        assert " ".join(table["definition"].split())[:60] in text


def test_xlsx_has_one_sheet_per_table_with_definition_and_typed_cells(report6):
    sheets = xlsx_sheets(render_xlsx(report6))
    assert list(sheets)[0] == "Sammanfattning"
    assert len(sheets) == 1 + len(report6.data["tables"])
    flags = next(rows for name, rows in sheets.items() if name.startswith("Flaggor"))
    assert flags[0][0] == "Flaggor per regel och enhet"
    assert flags[1][0].startswith("Definition: Öppnade")
    assert flags[3][:4] == ("Regel", "Källa", "Enhet", "Öppnade")
    assert flags[4][3] == 2 and isinstance(flags[4][3], int)
    questions = next(rows for name, rows in sheets.items() if name.startswith("Stickprovens"))
    assert questions[4][-1] == 100 and not isinstance(questions[4][-1], str)
    wb = load_workbook(io.BytesIO(render_xlsx(report6)))
    assert wb[wb.sheetnames[-1]].cell(row=5, column=8).number_format == '0.0" %"'


def test_csv_zip_has_one_parseable_file_per_table_and_the_definitions(report6):
    files = csv_files(render_csv_zip(report6))
    assert "definitioner.csv" in files and "00-sammanfattning.csv" in files
    tables = report6.data["tables"]
    assert len(files) == len(tables) + 2
    name = file_name(2, tables[1])
    assert name == "02-flaggor-per-regel-och-enhet.csv"
    flags = files[name]
    assert flags[0] == [c["label"] for c in tables[1]["columns"]]
    assert flags[1][3] == "2"
    defs = {row[0]: row for row in files["definitioner.csv"][1:]}
    assert defs[name][2] == tables[1]["definition"]


def test_dates_in_xlsx_are_date_cells(report_world, make_snapshot):
    snap = make_snapshot(report_world.board, "delegated_decisions", **BOARD_MEETINGS)
    snap.data["tables"][0]["columns"].append({"key": "day", "label": "Dag", "kind": "date"})
    snap.data["tables"][0]["rows"][0]["day"] = "2019-02-01"
    sheet = xlsx_sheets(render_xlsx(snap))
    row = next(rows for name, rows in sheet.items() if name.startswith("Delegationsbeslut per dele"))[4]
    assert row[-1] == datetime.datetime(2019, 2, 1)


def test_web_page_has_accessible_charts_beside_their_tables(report_world, report6, client):
    client.force_login(report_world.board)
    html = client.get(f"/rapporter/{report6.pk}/").content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == len(report6.data["charts"])
    assert "<title id=\"diagram-1-t\">Flaggor öppnade och lösta per regel</title>" in html
    assert "Samma uppgifter finns i tabellen «Flaggor per regel och enhet»" in html
    assert "<script" not in html.split("<main", 1)[1]  # no chart library


def test_numbers_in_swedish_format():
    assert format_value(1234567, "kr") == "1\u00a0234\u00a0567\u00a0kr"
    assert format_value(7.45, "days") == "7,45" and format_value(2.5, "number") == "2,5"
    assert format_value(12.345, "percent") == "12,3\u00a0%"
    assert format_value(None, "int") == "–"


def test_json_through_the_api_is_the_stored_data(report_world, report6, api_as):
    body = api_as(report_world.board).get(f"/api/v1/reports/snapshots/{report6.pk}/data/").json()
    assert body["tables"] == report6.data["tables"] and body["charts"] == report6.data["charts"]
    for fmt, magic in (("pdf", b"%PDF-"), ("xlsx", b"PK"), ("csv", b"PK")):
        response = api_as(report_world.board).get(f"/api/v1/reports/snapshots/{report6.pk}/download/{fmt}/")
        assert response.status_code == 200 and response.content.startswith(magic)
        assert f"internal_control_2019-01-01_{report6.pk}" in response["Content-Disposition"]
