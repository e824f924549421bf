"""The XLSX: one native chart (openpyxl) per chart of the page, over the cells that hold its figures."""

import io
from types import SimpleNamespace

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart
from openpyxl.utils.cell import get_column_letter, range_to_tuple

from audit.reports.render.xlsx import FORMATS, render_xlsx

from .conftest import Q1_2019


@pytest.fixture
def report6(report_world, make_snapshot):
    return make_snapshot(report_world.board, "internal_control", **Q1_2019)


def _refs(reference: str) -> tuple[str, str, int, int]:
    """Sheet, column letter, first and last row of a one-column reference such as 'Ark'!$D$5:$D$9."""
    sheet, (min_col, min_row, max_col, max_row) = range_to_tuple(reference)
    assert min_col == max_col
    return sheet.strip("'"), get_column_letter(min_col), min_row, max_row


def _xlsx_charts(snapshot):
    wb = load_workbook(io.BytesIO(render_xlsx(snapshot)))
    return wb, [(ws, chart) for ws in wb.worksheets for chart in ws._charts]


def _check_native_charts(snapshot):
    wb, found = _xlsx_charts(snapshot)
    tables = {t["key"]: t for t in snapshot.data["tables"]}
    assert len(found) == len(snapshot.data["charts"])
    for (ws, native), spec in zip(found, snapshot.data["charts"], strict=True):
        table = tables[spec["table_key"]]
        keys = [c["key"] for c in table["columns"]]
        assert ws.cell(row=1, column=1).value == table["title"]
        assert isinstance(native, LineChart if spec["kind"] == "line" else BarChart)
        last = 4 + len(table["rows"])
        assert len(native.series) == len(spec["value_columns"])
        for series, key in zip(native.series, spec["value_columns"], strict=True):
            sheet, col, first, end = _refs(series.val.numRef.f)
            assert (sheet, first, end) == (ws.title, 5, last)
            assert ws[f"{col}4"].value == next(c["label"] for c in table["columns"] if c["key"] == key)
            assert _refs(series.tx.strRef.f)[1:3] == (col, 4)
            _, cat_col, cat_first, cat_end = _refs(series.cat.strRef.f if series.cat.strRef else series.cat.numRef.f)
            assert (cat_first, cat_end) == (5, last) and cat_col == ws.cell(row=4, column=keys.index(spec["label_column"]) + 1).column_letter
        kind = next(c["kind"] for c in table["columns"] if c["key"] == spec["value_columns"][0])
        assert native.y_axis.number_format.formatCode == FORMATS.get(kind, FORMATS["number"])
        assert native.x_axis.delete is False and native.y_axis.delete is False  # axes shown in Excel
    return wb


@pytest.mark.django_db
def test_xlsx_has_a_native_bar_chart_over_the_cells_of_each_chart(report6):
    wb = _check_native_charts(report6)
    questions = next(ws for ws in wb.worksheets if ws.title.startswith("Stickprovens"))
    assert questions.cell(row=5, column=8).number_format == '0.0" %"'  # the cells keep their format


@pytest.mark.django_db
def test_xlsx_line_chart_for_the_months_and_bars_for_the_rest(report_world, make_snapshot):
    snap = make_snapshot(report_world.board, "key_figures", **Q1_2019)
    assert [c["kind"] for c in snap.data["charts"]][0] == "line"
    _check_native_charts(snap)


def test_xlsx_chart_over_an_empty_table_is_a_note_not_a_broken_chart():
    data = {"title": "Test", "params": {}, "notes": [],
            "tables": [{"key": "t", "title": "Kontrollfrågor", "definition": "Andel ja.", "rows": [],
                        "columns": [{"key": "question", "label": "Fråga", "kind": "text"},
                                    {"key": "share", "label": "Andel ja", "kind": "percent"}]}], "charts": [{"title": "Andel ja per fråga", "table_key": "t",
                                                   "label_column": "question", "value_columns": ["share"],
                                                   "kind": "bar"}]}
    snap = SimpleNamespace(data=data, title="Test", pk=1, made_at=timezone.now())
    wb, found = _xlsx_charts(snap)
    assert found == []
    values = [c.value for row in wb.worksheets[1].iter_rows() for c in row if c.value]
    assert "Diagram «Andel ja per fråga»: inga uppgifter i perioden." in values
